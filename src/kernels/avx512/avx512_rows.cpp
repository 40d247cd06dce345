// AVX-512 row operations: the vector primitives rows.inc is written in, 16 floats wide,
// tails by masked loads and stores.
#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "kernels/avx512/avx512.h"

namespace loco::kernels::avx512 {
namespace {

struct Vec {
  using F = __m512;
  using D = __m512d;
  static constexpr int64_t kWidth = 16;

  static __mmask16 first(int64_t k) { return static_cast<__mmask16>((1u << k) - 1); }

  static F zero() { return _mm512_setzero_ps(); }
  static F set1(float v) { return _mm512_set1_ps(v); }
  static F load(const float* p) { return _mm512_loadu_ps(p); }
  static F load_part(const float* p, int64_t k) { return _mm512_maskz_loadu_ps(first(k), p); }
  static void store(float* p, F v) { _mm512_storeu_ps(p, v); }
  static void store_part(float* p, F v, int64_t k) { _mm512_mask_storeu_ps(p, first(k), v); }
  static F load_f16(const uint16_t* p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  static F load_f16_part(const uint16_t* p, int64_t k) { return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(first(k), p)); }

  static F add(F a, F b) { return _mm512_add_ps(a, b); }
  static F sub(F a, F b) { return _mm512_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F div(F a, F b) { return _mm512_div_ps(a, b); }
  static F fmadd(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  static F max(F a, F b) { return _mm512_max_ps(a, b); }
  static F min(F a, F b) { return _mm512_min_ps(a, b); }
  static F round(F x) { return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }

  // 2^k as two factors 2^(k>>1) and 2^(k−(k>>1)), each a normal float for k in [−150, 128].
  static F pow2_scale(F p, F k) {
    const __m512i ki = _mm512_cvtps_epi32(k);
    const __m512i k1 = _mm512_srai_epi32(ki, 1);
    const __m512i k2 = _mm512_sub_epi32(ki, k1);
    const __m512i bias = _mm512_set1_epi32(127);
    const F s1 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(k1, bias), 23));
    const F s2 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(k2, bias), 23));
    return _mm512_mul_ps(_mm512_mul_ps(p, s1), s2);
  }
  static F keep_nan(F x, F y) { return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), y, x); }

  static float hsum(F v) { return avx512::hsum(v); }
  static float hmax(F v) { return _mm512_reduce_max_ps(v); }

  static D zero_d() { return _mm512_setzero_pd(); }
  static D low_pd(F x) { return _mm512_cvtps_pd(_mm512_castps512_ps256(x)); }
  static D high_pd(F x) { return _mm512_cvtps_pd(_mm512_extractf32x8_ps(x, 1)); }
  // Squares of floats are exact in double, so only the additions round.
  static void add_squares(D acc[2], F x) {
    const D lo = low_pd(x), hi = high_pd(x);
    acc[0] = _mm512_fmadd_pd(lo, lo, acc[0]);
    acc[1] = _mm512_fmadd_pd(hi, hi, acc[1]);
  }
  static void add_values(D acc[2], F x) {
    acc[0] = _mm512_add_pd(acc[0], low_pd(x));
    acc[1] = _mm512_add_pd(acc[1], high_pd(x));
  }
  static double hsum(const D acc[2]) { return _mm512_reduce_add_pd(_mm512_add_pd(acc[0], acc[1])); }

  static F dup_pairs(const float* p) {
    const __m512i idx = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    return _mm512_permutexvar_ps(idx, _mm512_castps256_ps512(_mm256_loadu_ps(p)));
  }
  static F swap_pairs(F x) { return _mm512_permute_ps(x, 0xB1); }
  static F negate_even(F x) {
    return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(x), _mm512_set1_epi64(0x80000000ll)));
  }
};

}  // namespace

#include "kernels/avx2/rows.inc"
#include "kernels/avx2/gemm_acc.inc"

}  // namespace loco::kernels::avx512
