// The scalar reference kernels, one set per tensor type. ref_kernels() (ref_kernels.cpp)
// puts them in the table; the SIMD paths are tested against them.
//
// Conventions: n is a count of values and a multiple of the type's block size;
// dequantize_X writes n floats, quantize_X writes n / block_size blocks, and
// vec_dot_X(n, weights, act) takes activations in the type's ActFormat.
#pragma once

#include <cmath>
#include <cstdint>

namespace loco::kernels::ref {

// Float formats (activations: plain float32).
void dequantize_f32(const void* src, float* dst, int64_t n);
void quantize_f32(const float* src, void* dst, int64_t n);
float vec_dot_f32(int64_t n, const void* w, const void* act);
void dequantize_f16(const void* src, float* dst, int64_t n);
void quantize_f16(const float* src, void* dst, int64_t n);
float vec_dot_f16(int64_t n, const void* w, const void* act);
void dequantize_bf16(const void* src, float* dst, int64_t n);
void quantize_bf16(const float* src, void* dst, int64_t n);
float vec_dot_bf16(int64_t n, const void* w, const void* act);

// 32-value types (activations: BlockQ8A).
void dequantize_q8_0(const void* src, float* dst, int64_t n);
void quantize_q8_0(const float* src, void* dst, int64_t n);
float vec_dot_q8_0(int64_t n, const void* w, const void* act);
void dequantize_q4_0(const void* src, float* dst, int64_t n);
void quantize_q4_0(const float* src, void* dst, int64_t n);
float vec_dot_q4_0(int64_t n, const void* w, const void* act);
void dequantize_q4_1(const void* src, float* dst, int64_t n);
void quantize_q4_1(const float* src, void* dst, int64_t n);
float vec_dot_q4_1(int64_t n, const void* w, const void* act);
void dequantize_q5_0(const void* src, float* dst, int64_t n);
void quantize_q5_0(const float* src, void* dst, int64_t n);
float vec_dot_q5_0(int64_t n, const void* w, const void* act);
void dequantize_q5_1(const void* src, float* dst, int64_t n);
void quantize_q5_1(const float* src, void* dst, int64_t n);
float vec_dot_q5_1(int64_t n, const void* w, const void* act);

// K-quants (activations: BlockQ8K). Quantizers live in ref_quantize_k.cpp.
void dequantize_q2_k(const void* src, float* dst, int64_t n);
void quantize_q2_k(const float* src, void* dst, int64_t n);
float vec_dot_q2_k(int64_t n, const void* w, const void* act);
void dequantize_q3_k(const void* src, float* dst, int64_t n);
void quantize_q3_k(const float* src, void* dst, int64_t n);
float vec_dot_q3_k(int64_t n, const void* w, const void* act);
void dequantize_q4_k(const void* src, float* dst, int64_t n);
void quantize_q4_k(const float* src, void* dst, int64_t n);
float vec_dot_q4_k(int64_t n, const void* w, const void* act);
void dequantize_q5_k(const void* src, float* dst, int64_t n);
void quantize_q5_k(const float* src, void* dst, int64_t n);
float vec_dot_q5_k(int64_t n, const void* w, const void* act);
void dequantize_q6_k(const void* src, float* dst, int64_t n);
void quantize_q6_k(const float* src, void* dst, int64_t n);
float vec_dot_q6_k(int64_t n, const void* w, const void* act);

// Activation quantizers: d = amax / 127, q = round(x / d); an all-zero block gets d = 0.
void quantize_q8a(const float* src, void* dst, int64_t n);
void quantize_q8k(const float* src, void* dst, int64_t n);

// Row operations (ref_rows.cpp), as documented in kernels.h's RowKernels.
void rms_norm(const float* x, const float* weight, float* out, int64_t n, float eps);
void add(float* x, const float* y, int64_t n);
void silu_mul(const float* gate, const float* up, float* out, int64_t n);
void softmax(float* x, int64_t n);
void exp_values(const float* x, float* out, int64_t n);
void rope(float* x, int64_t n_heads, int64_t head_dim, const float* cos, const float* sin, bool neox);
void axpy_f32(int64_t n, float a, const float* x, float* y);
void axpy_f16(int64_t n, float a, const uint16_t* x, float* y);
float dot_f32(int64_t n, const float* x, const float* y);
void gemm_acc_f32(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
                  int64_t ldc);
float dot_f16(int64_t n, const uint16_t* x, const float* y);
void dot_f16_rows(int64_t n, const uint16_t* x, int64_t x_stride, int64_t rows, const float* q, int64_t group,
                  float scale, float* out, int64_t ld);
void axpy_f16_rows(int64_t n, const uint16_t* x, int64_t x_stride, int64_t rows, const float* a, int64_t ld,
                   int64_t group, float* y);

// Float-to-int helpers that stay defined for any input: NaN maps to lo, and values
// beyond the range are clamped before the conversion (an out-of-range float-to-int
// conversion is undefined behaviour).
inline int clamp_to_int(float v, int lo, int hi) {
  if (!(v >= static_cast<float>(lo))) return lo;
  if (v >= static_cast<float>(hi)) return hi;
  return static_cast<int>(v);
}
// Round half to even (the default rounding mode), clamped to [lo, hi].
inline int round_even_clamped(float v, int lo, int hi) {
  return clamp_to_int(std::nearbyint(v), lo, hi);
}
// Round half away from zero, clamped to [lo, hi].
inline int round_away_clamped(float v, int lo, int hi) {
  return clamp_to_int(std::round(v), lo, hi);
}

}  // namespace loco::kernels::ref
