// Row conversions of include/loco/quantize.h. They go through the reference kernels:
// conversions happen at load or quantize time, where exactness matters more than speed.
#include "loco/quantize.h"

#include <string>

#include "kernels/kernels.h"
#include "loco/error.h"
#include "tensor/fp16.h"

namespace loco {
namespace {

enum class Direction { kDequantize, kQuantize };

const kernels::TypeKernels& kernels_for(GgmlType type, int64_t n, Direction direction) {
  const char* verb = direction == Direction::kDequantize ? "dequantize" : "quantize";
  const uint32_t id = static_cast<uint32_t>(type);
  auto info = type_info(id);
  const kernels::TypeKernels* k = nullptr;
  if (info && id < static_cast<uint32_t>(kernels::kMaxTypeId)) k = &kernels::ref_kernels().types[id];
  const bool usable = k != nullptr && (direction == Direction::kDequantize ? k->to_float != nullptr
                                                                          : k->from_float != nullptr);
  if (!usable) {
    throw UnsupportedError(std::string("cannot ") + verb + " tensor type " +
                           (info ? std::string(type_name(type)) : "id " + std::to_string(id)));
  }
  if (n < 0 || n % info->block_size != 0) {
    throw Error(std::string("cannot ") + verb + " " + std::to_string(n) + " values of type " +
                std::string(type_name(type)) + ": not a multiple of its block size " +
                std::to_string(info->block_size));
  }
  return *k;
}

}  // namespace

void dequantize_row(GgmlType type, const void* src, float* dst, int64_t n) {
  kernels_for(type, n, Direction::kDequantize).to_float(src, dst, n);
}

void quantize_row(GgmlType type, const float* src, void* dst, int64_t n) {
  kernels_for(type, n, Direction::kQuantize).from_float(src, dst, n);
}

float fp16_to_float(uint16_t h) { return half_to_float(h); }
uint16_t float_to_fp16(float f) { return float_to_half(f); }
float bf16_to_float(uint16_t h) { return bf16_bits_to_float(h); }
uint16_t float_to_bf16(float f) { return float_to_bf16_bits(f); }

}  // namespace loco
