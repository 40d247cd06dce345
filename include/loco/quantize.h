// Row conversions between float32 and the supported tensor types.
#pragma once

#include <cstdint>

#include "loco/ggml_type.h"

namespace loco {

// Dequantizes n values (a multiple of the type's block size). Throws UnsupportedError
// for a type this engine cannot compute with.
void dequantize_row(GgmlType type, const void* src, float* dst, int64_t n);

// Quantizes n floats into the type's blocks.
void quantize_row(GgmlType type, const float* src, void* dst, int64_t n);

// Conversions of single values used across the engine.
float fp16_to_float(uint16_t h);
uint16_t float_to_fp16(float f);
float bf16_to_float(uint16_t h);
uint16_t float_to_bf16(float f);

}  // namespace loco
