// Shared pieces of the AVX-512 kernels (compiled with AVX-512 F/BW/VL/DQ/VNNI, AVX2,
// FMA, F16C, BMI2). Everything lives in namespace avx512 so that no function compiled
// with these instructions can be merged by the linker with a same-named one from a
// baseline or AVX2 file; for the same reason these files call no inline functions of
// the project's shared headers (fp16.h, kquant_scales.h), only intrinsics and the
// helpers of x86_common.inc, which is compiled into each instruction set's namespace.
#pragma once

// GCC 12 reports its own _mm512_undefined_* idiom (`__m512 __Y = __Y;`, used inside
// intrinsics such as _mm512_cvtph_ps) as uninitialized once inlined. The pragma must
// precede the header, as the warnings point into it.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <immintrin.h>

#include <cstdint>
#include <cstring>

namespace loco::kernels::avx512 {

#include "kernels/avx2/x86_common.inc"

// acc + Σ of four u8 · s8 products per 32-bit lane, accumulating in place. In the int8
// tiles of avx512_int8_gemm.cpp GCC 12 copied the accumulator into a fresh register and
// back around each `_mm512_dpbusd_epi32` (two moves per multiply-add instruction, 195
// against 275 GMAC/s); the asm names it read-write, so there is nothing to copy. The same
// instruction, so the same bits.
inline __m512i dpbusd(__m512i acc, __m512i u8, __m512i s8) {
  __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(u8), "v"(s8));
  return acc;
}

// The unsigned 6-bit levels of a 16-value sub-block of packed Q6_K (kernels/packed_q6k.h),
// from its two low-nibble pairs l0, l1 and its top bits h: byte 4r + i of q[s] is the level
// of value 4s + i of row r.
inline void q6k_levels(__m512i l0, __m512i l1, __m512i h, __m512i (&q)[4]) {
  const __m512i low4 = _mm512_set1_epi8(0x0f), top2 = _mm512_set1_epi8(0x30);
  q[0] = _mm512_or_si512(_mm512_and_si512(l0, low4), _mm512_and_si512(_mm512_slli_epi16(h, 4), top2));
  q[1] = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(l0, 4), low4), _mm512_and_si512(_mm512_slli_epi16(h, 2), top2));
  q[2] = _mm512_or_si512(_mm512_and_si512(l1, low4), _mm512_and_si512(h, top2));
  q[3] = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(l1, 4), low4), _mm512_and_si512(_mm512_srli_epi16(h, 2), top2));
}

inline float hsum(__m512 v) {
  return hsum(_mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1)));
}

// The accumulator of the packed products (packed_driver.h): a row group's 16 floats in
// one zmm register.
struct PackedAcc16 {
  using Acc = __m512;
  static constexpr int kHalves = 1;
  static Acc zero() { return _mm512_setzero_ps(); }
  static Acc load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, Acc v) { _mm512_storeu_ps(p, v); }
};

// The kernels of each file, gathered into the table by avx512_table.cpp.
#define LOCO_DECLARE_KERNELS(name)                                                          \
  float vec_dot_##name(int64_t n, const void* w, const void* act);                          \
  void gemm_##name(int64_t n, const void* w, int64_t w_stride, int64_t n_rows, const void* act, \
                   int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride);
// avx512_packed_q4k.cpp, avx512_packed_q6k.cpp and avx512_packed_q8_0.cpp
void packed_gemm_q4_k(int64_t n, const void* packed, int64_t row0, int64_t n_rows, const void* act,
                      int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride);
void packed_gemm_q6_k(int64_t n, const void* packed, int64_t row0, int64_t n_rows, const void* act,
                      int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride);
void packed_gemm_q8_0(int64_t n, const void* packed, int64_t row0, int64_t n_rows, const void* act,
                      int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride);
// avx512_packed_to_float.cpp
void packed_to_float_q4_k(const void* packed, int64_t n, int64_t group, int64_t b0, int64_t b1, float* dst,
                          int64_t dst_stride);
void packed_to_float_q6_k(const void* packed, int64_t n, int64_t group, int64_t b0, int64_t b1, float* dst,
                          int64_t dst_stride);
LOCO_DECLARE_KERNELS(f32)    // avx512_float.cpp
LOCO_DECLARE_KERNELS(f16)
LOCO_DECLARE_KERNELS(bf16)
LOCO_DECLARE_KERNELS(q8_0)   // avx512_legacy.cpp (kernels256.inc)
LOCO_DECLARE_KERNELS(q4_0)
LOCO_DECLARE_KERNELS(q4_1)
LOCO_DECLARE_KERNELS(q5_0)
LOCO_DECLARE_KERNELS(q5_1)
LOCO_DECLARE_KERNELS(q2_k)
LOCO_DECLARE_KERNELS(q3_k)
LOCO_DECLARE_KERNELS(q4_k)   // avx512_kquants.cpp
LOCO_DECLARE_KERNELS(q5_k)
LOCO_DECLARE_KERNELS(q6_k)
#undef LOCO_DECLARE_KERNELS

void dequantize_f16(const void* src, float* dst, int64_t n);
void dequantize_bf16(const void* src, float* dst, int64_t n);
void dequantize_q8_0(const void* src, float* dst, int64_t n);
void dequantize_q4_k(const void* src, float* dst, int64_t n);
void dequantize_q6_k(const void* src, float* dst, int64_t n);

// avx512_int8_gemm.cpp: kernels/int8_gemm.h
void quantize_tile_int8(const float* rows, int64_t ld, int64_t n, uint8_t* out, float* scale);
void gemm_acc_int8(int64_t m, int64_t n, const void* act, int64_t act_stride, const uint8_t* b, const float* scale,
                   float* c, int64_t ldc);

void quantize_q8a(const float* src, void* dst, int64_t n);  // avx512_quantize.cpp
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

}  // namespace loco::kernels::avx512
