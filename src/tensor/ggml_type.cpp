#include "loco/ggml_type.h"

#include <array>
#include <cctype>

#include "loco/error.h"

namespace loco {
namespace {

constexpr std::array kTypes = {
    TypeInfo{GgmlType::F32, "F32", 1, 4, true},
    TypeInfo{GgmlType::F16, "F16", 1, 2, true},
    TypeInfo{GgmlType::Q4_0, "Q4_0", 32, 18, true},
    TypeInfo{GgmlType::Q4_1, "Q4_1", 32, 20, true},
    TypeInfo{GgmlType::Q5_0, "Q5_0", 32, 22, true},
    TypeInfo{GgmlType::Q5_1, "Q5_1", 32, 24, true},
    TypeInfo{GgmlType::Q8_0, "Q8_0", 32, 34, true},
    TypeInfo{GgmlType::Q8_1, "Q8_1", 32, 36, false},
    TypeInfo{GgmlType::Q2_K, "Q2_K", 256, 84, true},
    TypeInfo{GgmlType::Q3_K, "Q3_K", 256, 110, true},
    TypeInfo{GgmlType::Q4_K, "Q4_K", 256, 144, true},
    TypeInfo{GgmlType::Q5_K, "Q5_K", 256, 176, true},
    TypeInfo{GgmlType::Q6_K, "Q6_K", 256, 210, true},
    TypeInfo{GgmlType::Q8_K, "Q8_K", 256, 292, false},
    TypeInfo{GgmlType::IQ2_XXS, "IQ2_XXS", 256, 66, false},
    TypeInfo{GgmlType::IQ2_XS, "IQ2_XS", 256, 74, false},
    TypeInfo{GgmlType::IQ3_XXS, "IQ3_XXS", 256, 98, false},
    TypeInfo{GgmlType::IQ1_S, "IQ1_S", 256, 50, false},
    TypeInfo{GgmlType::IQ4_NL, "IQ4_NL", 32, 18, false},
    TypeInfo{GgmlType::IQ3_S, "IQ3_S", 256, 110, false},
    TypeInfo{GgmlType::IQ2_S, "IQ2_S", 256, 82, false},
    TypeInfo{GgmlType::IQ4_XS, "IQ4_XS", 256, 136, false},
    TypeInfo{GgmlType::I8, "I8", 1, 1, false},
    TypeInfo{GgmlType::I16, "I16", 1, 2, false},
    TypeInfo{GgmlType::I32, "I32", 1, 4, false},
    TypeInfo{GgmlType::I64, "I64", 1, 8, false},
    TypeInfo{GgmlType::F64, "F64", 1, 8, false},
    TypeInfo{GgmlType::IQ1_M, "IQ1_M", 256, 56, false},
    TypeInfo{GgmlType::BF16, "BF16", 1, 2, true},
    TypeInfo{GgmlType::TQ1_0, "TQ1_0", 256, 54, false},
    TypeInfo{GgmlType::TQ2_0, "TQ2_0", 256, 66, false},
    TypeInfo{GgmlType::MXFP4, "MXFP4", 32, 17, false},
};

}  // namespace

std::optional<TypeInfo> type_info(uint32_t id) {
  for (const TypeInfo& info : kTypes) {
    if (static_cast<uint32_t>(info.type) == id) return info;
  }
  return std::nullopt;
}

const TypeInfo& type_info(GgmlType type) {
  for (const TypeInfo& info : kTypes) {
    if (info.type == type) return info;
  }
  throw Error("unknown tensor type id " + std::to_string(static_cast<uint32_t>(type)));
}

std::string_view type_name(GgmlType type) {
  auto info = type_info(static_cast<uint32_t>(type));
  return info ? std::string_view(info->name) : std::string_view("UNKNOWN");
}

std::optional<GgmlType> type_from_name(std::string_view name) {
  for (const TypeInfo& info : kTypes) {
    std::string_view candidate(info.name);
    if (candidate.size() != name.size()) continue;
    bool equal = true;
    for (size_t i = 0; i < name.size() && equal; ++i) {
      equal = std::toupper(static_cast<unsigned char>(name[i])) == candidate[i];
    }
    if (equal) return info.type;
  }
  return std::nullopt;
}

}  // namespace loco
