// Tensor element types of the GGUF format (ggml type ids) and their storage geometry.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loco {

enum class GgmlType : uint32_t {
  F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
  Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15,
  IQ2_XXS = 16, IQ2_XS = 17, IQ3_XXS = 18, IQ1_S = 19, IQ4_NL = 20, IQ3_S = 21,
  IQ2_S = 22, IQ4_XS = 23, I8 = 24, I16 = 25, I32 = 26, I64 = 27, F64 = 28,
  IQ1_M = 29, BF16 = 30, TQ1_0 = 34, TQ2_0 = 35, MXFP4 = 39,
};

struct TypeInfo {
  GgmlType type;
  const char* name;
  int64_t block_size;  // values per block
  int64_t type_size;   // bytes per block
  bool computable;     // this engine can dequantize it and take dot products with it
};

// Geometry of a known type id, or nullopt for an id that no GGUF writer uses.
std::optional<TypeInfo> type_info(uint32_t id);
const TypeInfo& type_info(GgmlType type);
std::string_view type_name(GgmlType type);
// Parses a name such as "Q4_K" or "q4_k" (case-insensitive).
std::optional<GgmlType> type_from_name(std::string_view name);

// Bytes used by n values of the type; n must be a multiple of the block size.
inline int64_t row_bytes(GgmlType type, int64_t n) {
  const TypeInfo& info = type_info(type);
  return n / info.block_size * info.type_size;
}

}  // namespace loco
