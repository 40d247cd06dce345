// AVX2 row operations: the vector primitives rows.inc is written in, 8 floats wide,
// tails through zero-padded copies.
#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "kernels/avx2/avx2.h"

namespace loco::kernels::avx2 {
namespace {

struct Vec {
  using F = __m256;
  using D = __m256d;
  static constexpr int64_t kWidth = 8;

  static F zero() { return _mm256_setzero_ps(); }
  static F set1(float v) { return _mm256_set1_ps(v); }
  static F load(const float* p) { return _mm256_loadu_ps(p); }
  static F load_part(const float* p, int64_t k) {
    alignas(32) float buf[8] = {};
    std::memcpy(buf, p, static_cast<size_t>(k) * sizeof(float));
    return _mm256_load_ps(buf);
  }
  static void store(float* p, F v) { _mm256_storeu_ps(p, v); }
  static void store_part(float* p, F v, int64_t k) {
    alignas(32) float buf[8];
    _mm256_store_ps(buf, v);
    std::memcpy(p, buf, static_cast<size_t>(k) * sizeof(float));
  }
  static F load_f16(const uint16_t* p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }
  static F load_f16_part(const uint16_t* p, int64_t k) {
    alignas(16) uint16_t buf[8] = {};
    std::memcpy(buf, p, static_cast<size_t>(k) * sizeof(uint16_t));
    return _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(buf)));
  }

  static F add(F a, F b) { return _mm256_add_ps(a, b); }
  static F sub(F a, F b) { return _mm256_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F div(F a, F b) { return _mm256_div_ps(a, b); }
  static F fmadd(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  static F max(F a, F b) { return _mm256_max_ps(a, b); }
  static F min(F a, F b) { return _mm256_min_ps(a, b); }
  static F round(F x) { return _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }

  // 2^k as two factors 2^(k>>1) and 2^(k−(k>>1)), each a normal float for k in [−150, 128].
  static F pow2_scale(F p, F k) {
    const __m256i ki = _mm256_cvtps_epi32(k);
    const __m256i k1 = _mm256_srai_epi32(ki, 1);
    const __m256i k2 = _mm256_sub_epi32(ki, k1);
    const __m256i bias = _mm256_set1_epi32(127);
    const F s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k1, bias), 23));
    const F s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k2, bias), 23));
    return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
  }
  static F keep_nan(F x, F y) { return _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q)); }

  static float hsum(F v) { return avx2::hsum(v); }
  static float hmax(F v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    return _mm_cvtss_f32(_mm_max_ss(m, _mm_movehdup_ps(m)));
  }

  static D zero_d() { return _mm256_setzero_pd(); }
  static D low_pd(F x) { return _mm256_cvtps_pd(_mm256_castps256_ps128(x)); }
  static D high_pd(F x) { return _mm256_cvtps_pd(_mm256_extractf128_ps(x, 1)); }
  // Squares of floats are exact in double, so only the additions round.
  static void add_squares(D acc[2], F x) {
    const D lo = low_pd(x), hi = high_pd(x);
    acc[0] = _mm256_fmadd_pd(lo, lo, acc[0]);
    acc[1] = _mm256_fmadd_pd(hi, hi, acc[1]);
  }
  static void add_values(D acc[2], F x) {
    acc[0] = _mm256_add_pd(acc[0], low_pd(x));
    acc[1] = _mm256_add_pd(acc[1], high_pd(x));
  }
  static double hsum(const D acc[2]) {
    const D s = _mm256_add_pd(acc[0], acc[1]);
    const __m128d h = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
    return _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
  }

  static F dup_pairs(const float* p) {
    return _mm256_permutevar8x32_ps(_mm256_castps128_ps256(_mm_loadu_ps(p)), _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3));
  }
  static F swap_pairs(F x) { return _mm256_permute_ps(x, 0xB1); }
  static F negate_even(F x) {
    return _mm256_castsi256_ps(_mm256_xor_si256(_mm256_castps_si256(x), _mm256_set1_epi64x(0x80000000ll)));
  }
};

}  // namespace

#include "kernels/avx2/rows.inc"
#include "kernels/avx2/gemm_acc.inc"

}  // namespace loco::kernels::avx2
