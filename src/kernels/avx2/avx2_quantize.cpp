// AVX2 activation quantizers, bit for bit equal to the reference ones (see
// avx512_quantize.cpp for the points that make them so).
#include "kernels/avx2/avx2.h"
#include "tensor/blocks.h"

namespace loco::kernels::avx2 {
namespace {

inline __m256 abs_ps(__m256 x) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x); }

// vmaxps returns its second operand when the first is NaN: NaN inputs are skipped.
inline float absmax(const float* x, int count) {
  __m256 m = _mm256_setzero_ps();
  for (int i = 0; i < count; ++i) m = _mm256_max_ps(abs_ps(_mm256_loadu_ps(x + 8 * i)), m);
  __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
  h = _mm_max_ps(h, _mm_movehl_ps(h, h));
  h = _mm_max_ss(h, _mm_movehdup_ps(h));
  return _mm_cvtss_f32(h);
}

// round_away_clamped(x · id, -127, 127) of 8 values.
inline __m256i quantize8(__m256 x, __m256 id) {
  __m256 v = _mm256_mul_ps(x, id);
  // Keeps the compiler from fusing the product into the subtraction below, which would
  // see the unrounded product and could round ties differently from the reference.
  __asm__("" : "+x"(v));
  const __m256 whole = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256 away = _mm256_cmp_ps(abs_ps(_mm256_sub_ps(v, whole)), _mm256_set1_ps(0.5f), _CMP_GE_OQ);
  const __m256 one = _mm256_or_ps(_mm256_and_ps(v, _mm256_set1_ps(-0.0f)), _mm256_set1_ps(1.0f));
  __m256 r = _mm256_add_ps(whole, _mm256_and_ps(away, one));
  r = _mm256_max_ps(r, _mm256_set1_ps(-127.0f));  // NaN gives the second operand, -127
  r = _mm256_min_ps(r, _mm256_set1_ps(127.0f));
  return _mm256_cvtps_epi32(r);
}

// 32 int32 levels (in [-127, 127]) to 32 bytes in order.
inline __m256i pack32(__m256i a, __m256i b, __m256i c, __m256i d) {
  const __m256i bytes = _mm256_packs_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d));
  return _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

inline int hsum_epi32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return _mm_cvtsi128_si32(s);
}

// 32 values of a block: levels stored to qs, Σ levels returned; q[0..3] hold them as int32.
inline int quantize32(const float* x, __m256 id, int8_t* qs, __m256i q[4]) {
  for (int k = 0; k < 4; ++k) q[k] = quantize8(_mm256_loadu_ps(x + 8 * k), id);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(qs), pack32(q[0], q[1], q[2], q[3]));
  return hsum_epi32(_mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3])));
}

}  // namespace

void quantize_q8a(const float* src, void* dst, int64_t n) {
  auto* blocks = static_cast<BlockQ8A*>(dst);
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float* x = src + b * kQK;
    const float d = absmax(x, 4) / 127.0f;
    const __m256 id = _mm256_set1_ps(d != 0.0f ? 1.0f / d : 0.0f);
    __m256i q[4];
    const int sum = quantize32(x, id, blocks[b].qs, q);
    blocks[b].d = d;
    blocks[b].sum = d * static_cast<float>(sum);
  }
}

void quantize_q8k(const float* src, void* dst, int64_t n) {
  auto* blocks = static_cast<BlockQ8K*>(dst);
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    const float* x = src + b * kQK_K;
    const float d = absmax(x, 32) / 127.0f;
    const __m256 id = _mm256_set1_ps(d != 0.0f ? 1.0f / d : 0.0f);
    for (int i = 0; i < kQK_K / 32; ++i) {
      __m256i q[4];
      quantize32(x + 32 * i, id, blocks[b].qs + 32 * i, q);
      blocks[b].bsums[2 * i] = static_cast<int16_t>(hsum_epi32(_mm256_add_epi32(q[0], q[1])));
      blocks[b].bsums[2 * i + 1] = static_cast<int16_t>(hsum_epi32(_mm256_add_epi32(q[2], q[3])));
    }
    blocks[b].d = d;
  }
}

}  // namespace loco::kernels::avx2
