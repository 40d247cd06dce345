// AVX-512 activation quantizers. They give the same blocks as the reference ones bit for
// bit: the same amax (NaN inputs ignored), the same d = amax / 127 and id = 1 / d, the
// same rounding (half away from zero) and clamping (NaN to -127).
#include "kernels/avx512/avx512.h"
#include "tensor/blocks.h"

namespace loco::kernels::avx512 {
namespace {

inline __m512 abs_ps(__m512 x) { return _mm512_abs_ps(x); }

// Largest |x| of `count` registers; vmaxps returns its second operand when the first is
// NaN, which skips NaN inputs as std::max(amax, fabs(x)) does.
inline float absmax(const float* x, int count) {
  __m512 m = _mm512_setzero_ps();
  for (int i = 0; i < count; ++i) m = _mm512_max_ps(abs_ps(_mm512_loadu_ps(x + 16 * i)), m);
  return _mm512_reduce_max_ps(m);
}

// round_away_clamped(x · id, -127, 127) of 16 values. The product uses an explicit
// rounding mode so the compiler cannot fuse it with the subtraction below (a fused
// multiply-subtract would see the unrounded product and could round ties differently).
inline __m512i quantize16(__m512 x, __m512 id) {
  const __m512 v = _mm512_mul_round_ps(x, id, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __m512 whole = _mm512_roundscale_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __mmask16 away = _mm512_cmp_ps_mask(abs_ps(_mm512_sub_ps(v, whole)), _mm512_set1_ps(0.5f), _CMP_GE_OQ);
  const __m512 one = _mm512_or_ps(_mm512_and_ps(v, _mm512_set1_ps(-0.0f)), _mm512_set1_ps(1.0f));
  __m512 r = _mm512_mask_add_ps(whole, away, whole, one);
  r = _mm512_max_ps(r, _mm512_set1_ps(-127.0f));  // NaN gives the second operand, -127
  r = _mm512_min_ps(r, _mm512_set1_ps(127.0f));
  return _mm512_cvtps_epi32(r);
}

}  // namespace

void quantize_q8a(const float* src, void* dst, int64_t n) {
  auto* blocks = static_cast<BlockQ8A*>(dst);
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float* x = src + b * kQK;
    const float d = absmax(x, 2) / 127.0f;
    const __m512 id = _mm512_set1_ps(d != 0.0f ? 1.0f / d : 0.0f);
    const __m512i q0 = quantize16(_mm512_loadu_ps(x), id);
    const __m512i q1 = quantize16(_mm512_loadu_ps(x + 16), id);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(blocks[b].qs), _mm512_cvtepi32_epi8(q0));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(blocks[b].qs + 16), _mm512_cvtepi32_epi8(q1));
    blocks[b].d = d;
    blocks[b].sum = d * static_cast<float>(_mm512_reduce_add_epi32(_mm512_add_epi32(q0, q1)));
  }
}

void quantize_q8k(const float* src, void* dst, int64_t n) {
  auto* blocks = static_cast<BlockQ8K*>(dst);
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    const float* x = src + b * kQK_K;
    const float d = absmax(x, 16) / 127.0f;
    const __m512 id = _mm512_set1_ps(d != 0.0f ? 1.0f / d : 0.0f);
    for (int i = 0; i < kQK_K / 16; ++i) {
      const __m512i q = quantize16(_mm512_loadu_ps(x + 16 * i), id);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(blocks[b].qs + 16 * i), _mm512_cvtepi32_epi8(q));
      blocks[b].bsums[i] = static_cast<int16_t>(_mm512_reduce_add_epi32(q));
    }
    blocks[b].d = d;
  }
}

}  // namespace loco::kernels::avx512
