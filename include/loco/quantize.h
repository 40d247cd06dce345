// Row conversions between float32 and the supported tensor types.
#pragma once

#include <cstdint>

#include "loco/ggml_type.h"

namespace loco {

// Dequantizes n values (a multiple of the type's block size). Throws UnsupportedError
// naming the type for a type this engine cannot compute with, and Error when n is not a
// multiple of the block size.
void dequantize_row(GgmlType type, const void* src, float* dst, int64_t n);

// Quantizes n floats into the type's blocks (row_bytes(type, n) bytes): round-to-nearest
// for the 32-value types, ggml's scale searches for the K-quants, round-to-nearest-even
// for F16/BF16. Same errors as dequantize_row. Blocks whose scale would exceed the fp16
// range (values beyond roughly 65504 times the type's level count) cannot be stored.
void quantize_row(GgmlType type, const float* src, void* dst, int64_t n);

// Conversions of single values used across the engine: exact round-to-nearest-even,
// subnormals kept, overflow to infinity, NaN stays NaN.
float fp16_to_float(uint16_t h);
uint16_t float_to_fp16(float f);
float bf16_to_float(uint16_t h);
uint16_t float_to_bf16(float f);

}  // namespace loco
