// Shared pieces of the AVX2 kernels (compiled with AVX2, FMA, F16C, BMI2). Everything
// lives in namespace avx2 so that no function compiled with these instructions can be
// merged by the linker with a same-named one from a baseline or AVX-512 file; for the
// same reason these files call no inline functions of the project's shared headers,
// only intrinsics and the helpers of x86_common.inc.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

namespace loco::kernels::avx2 {

#include "kernels/avx2/x86_common.inc"

// The accumulator of the packed products (packed_driver.h): a row group's 16 floats in
// two halves of 8, one ymm register each. The kernels take both halves of a super-block
// before the next one, so the weights stream from memory in order (a sweep of each half
// in turn left the memory idle during the second, the first's bytes already in cache).
struct PackedAcc8x2 {
  struct Acc {
    __m256 half[2];
  };
  static constexpr int kHalves = 1;
  static Acc zero() { return Acc{{_mm256_setzero_ps(), _mm256_setzero_ps()}}; }
  static Acc load(const float* p) { return Acc{{_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8)}}; }
  static void store(float* p, Acc v) {
    _mm256_storeu_ps(p, v.half[0]);
    _mm256_storeu_ps(p + 8, v.half[1]);
  }
};

// The unsigned 6-bit levels of a 16-value sub-block of packed Q6_K (kernels/packed_q6k.h)
// for 8 rows, from its two low-nibble pairs l0, l1 and its top bits h: byte 4r + i of q[s]
// is the level of value 4s + i of row r.
inline void q6k_levels(__m256i l0, __m256i l1, __m256i h, __m256i (&q)[4]) {
  const __m256i low4 = _mm256_set1_epi8(0x0f), top2 = _mm256_set1_epi8(0x30);
  q[0] = _mm256_or_si256(_mm256_and_si256(l0, low4), _mm256_and_si256(_mm256_slli_epi16(h, 4), top2));
  q[1] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), low4), _mm256_and_si256(_mm256_slli_epi16(h, 2), top2));
  q[2] = _mm256_or_si256(_mm256_and_si256(l1, low4), _mm256_and_si256(h, top2));
  q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), low4), _mm256_and_si256(_mm256_srli_epi16(h, 2), top2));
}

// The kernels of each file, gathered into the table by avx2_table.cpp.
#define LOCO_DECLARE_KERNELS(name)                                                          \
  float vec_dot_##name(int64_t n, const void* w, const void* act);                          \
  void gemm_##name(int64_t n, const void* w, int64_t w_stride, int64_t n_rows, const void* act, \
                   int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride);
// avx2_packed_q4k.cpp and avx2_packed_q6k.cpp
void packed_gemm_q4_k(int64_t n, const void* packed, int64_t row0, int64_t n_rows, const void* act,
                      int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride);
void packed_gemm_q6_k(int64_t n, const void* packed, int64_t row0, int64_t n_rows, const void* act,
                      int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride);
// avx2_packed_to_float.cpp
void packed_to_float_q4_k(const void* packed, int64_t n, int64_t group, int64_t b0, int64_t b1, float* dst,
                          int64_t dst_stride);
void packed_to_float_q6_k(const void* packed, int64_t n, int64_t group, int64_t b0, int64_t b1, float* dst,
                          int64_t dst_stride);
LOCO_DECLARE_KERNELS(f32)    // avx2_float.cpp
LOCO_DECLARE_KERNELS(f16)
LOCO_DECLARE_KERNELS(bf16)
LOCO_DECLARE_KERNELS(q8_0)   // avx2_legacy.cpp (kernels256.inc)
LOCO_DECLARE_KERNELS(q4_0)
LOCO_DECLARE_KERNELS(q4_1)
LOCO_DECLARE_KERNELS(q5_0)
LOCO_DECLARE_KERNELS(q5_1)
LOCO_DECLARE_KERNELS(q2_k)
LOCO_DECLARE_KERNELS(q3_k)
LOCO_DECLARE_KERNELS(q4_k)   // avx2_kquants.cpp
LOCO_DECLARE_KERNELS(q5_k)
LOCO_DECLARE_KERNELS(q6_k)
#undef LOCO_DECLARE_KERNELS

void dequantize_f16(const void* src, float* dst, int64_t n);
void dequantize_bf16(const void* src, float* dst, int64_t n);
void dequantize_q8_0(const void* src, float* dst, int64_t n);
void dequantize_q4_k(const void* src, float* dst, int64_t n);
void dequantize_q6_k(const void* src, float* dst, int64_t n);

void quantize_q8a(const float* src, void* dst, int64_t n);  // avx2_quantize.cpp
void quantize_q8k(const float* src, void* dst, int64_t n);

// Row operations (avx*_rows.cpp over rows.inc), as documented in kernels.h's RowKernels.
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

}  // namespace loco::kernels::avx2
