// AVX2 product of packed Q6_K (kernels/packed_q6k.h) for CPUs without AVX-512: the 16 rows
// of a group in two halves of 8 rows, one row per 32-bit lane. `vpmaddubsw` multiplies a
// row's unsigned 6-bit levels by the activations and adds pairs into int16; two quads are
// summed in int16 (at most 4 · 63 · 127 = 32004, so nothing saturates) and `vpmaddwd`
// with the row's scale in both halves of its lane gives sc · Σ as int32. The −32 offset is
// applied per super-block and token through the activations' sums of 16 (`vpmaddwd` by
// the scales paired as int16). The sums are exact: the scalar reference's bits.
#include <cstddef>

#include "kernels/avx2/avx2.h"
#include "kernels/packed_driver.h"
#include "kernels/packed_q6k.h"
#include "tensor/blocks.h"

namespace loco::kernels::avx2 {
namespace {

constexpr int kTokens = 4;                                     // tokens per pass (16 ymm registers)
constexpr int kActQs = 4;                                      // byte offset of qs in BlockQ8K
constexpr int kActSums = static_cast<int>(offsetof(BlockQ8K, bsums));

inline __m256i load256(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }
inline __m256i broadcast32(const uint8_t* p) { return _mm256_set1_epi32(load_as<int32_t>(p)); }
inline __m256i scales32(const int8_t* p) {
  return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}

struct PackedQ6K : PackedAcc8x2 {
  using Block = PackedQ6KBlock;
  static constexpr PackedActs kActs = PackedActs::q8k;
  static constexpr int kTokens = avx2::kTokens;
  template <int T>
  static void blocks(const PackedQ6KBlock* group, int, const uint8_t* act, int64_t act_stride, int64_t b0,
                     int64_t b1, const int32_t* pairs, Acc* acc);
  template <int T>
  static void half_block(const PackedQ6KBlock& p, int h, const uint8_t* a_blk, int64_t act_stride, Acc* acc);
};

// One group times T tokens over super-blocks [b0, b1), both halves of each in turn.
template <int T>
void PackedQ6K::blocks(const PackedQ6KBlock* group, int, const uint8_t* act, int64_t act_stride, int64_t b0,
                       int64_t b1, const int32_t*, Acc* acc) {
  for (int64_t b = b0; b < b1; ++b) {
    const PackedQ6KBlock& p = group[b];
    prefetch_block(reinterpret_cast<const uint8_t*>(&p) + 2 * sizeof(PackedQ6KBlock), sizeof(PackedQ6KBlock));
    const uint8_t* a_blk = act + b * static_cast<int64_t>(sizeof(BlockQ8K));
    for (int h = 0; h < 2; ++h) half_block<T>(p, h, a_blk, act_stride, acc);
  }
}

// Half h (rows 8h..8h+7) of super-block p times T tokens into acc[t].half[h].
template <int T>
void PackedQ6K::half_block(const PackedQ6KBlock& p, int h, const uint8_t* a_blk, int64_t act_stride, Acc* acc) {
  const __m256i low16 = _mm256_set1_epi32(0xffff);
  alignas(32) int32_t scales[16][8];       // [sub-block][row]: the scale in both int16 halves
  alignas(32) int32_t scale_pairs[8][8];   // [i][row]: scales 2i and 2i + 1 as two int16
  for (int j = 0; j < 16; ++j) {
    const __m256i sc = _mm256_and_si256(scales32(p.scales[j] + 8 * h), low16);
    _mm256_store_si256(reinterpret_cast<__m256i*>(scales[j]), _mm256_or_si256(sc, _mm256_slli_epi32(sc, 16)));
  }
  for (int i = 0; i < 8; ++i) {
    const __m256i even = _mm256_load_si256(reinterpret_cast<const __m256i*>(scales[2 * i]));
    const __m256i odd = _mm256_load_si256(reinterpret_cast<const __m256i*>(scales[2 * i + 1]));
    _mm256_store_si256(reinterpret_cast<__m256i*>(scale_pairs[i]), _mm256_blend_epi16(even, odd, 0xaa));
  }
  __m256i isum[T];
  for (int t = 0; t < T; ++t) isum[t] = _mm256_setzero_si256();
  for (int j = 0; j < 16; ++j) {
    const __m256i lo0 = load256(p.ql[2 * j] + 32 * h);
    const __m256i lo1 = load256(p.ql[2 * j + 1] + 32 * h);
    const __m256i hb = load256(p.qh[j] + 32 * h);
    __m256i q[4];
    q6k_levels(lo0, lo1, hb, q);
    const __m256i sc = _mm256_load_si256(reinterpret_cast<const __m256i*>(scales[j]));
    for (int t = 0; t < T; ++t) {
      const uint8_t* aq = a_blk + t * act_stride + kActQs + 16 * j;
      const __m256i s01 = _mm256_add_epi16(_mm256_maddubs_epi16(q[0], broadcast32(aq)),
                                           _mm256_maddubs_epi16(q[1], broadcast32(aq + 4)));
      const __m256i s23 = _mm256_add_epi16(_mm256_maddubs_epi16(q[2], broadcast32(aq + 8)),
                                           _mm256_maddubs_epi16(q[3], broadcast32(aq + 12)));
      isum[t] = _mm256_add_epi32(isum[t], _mm256_add_epi32(_mm256_madd_epi16(s01, sc), _mm256_madd_epi16(s23, sc)));
    }
  }
  const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p.d + 8 * h)));
  for (int t = 0; t < T; ++t) {
    const uint8_t* sums = a_blk + t * act_stride + kActSums;
    __m256i ioff = _mm256_setzero_si256();
    for (int i = 0; i < 8; ++i) {
      const __m256i pair = _mm256_load_si256(reinterpret_cast<const __m256i*>(scale_pairs[i]));
      ioff = _mm256_add_epi32(ioff, _mm256_madd_epi16(pair, broadcast32(sums + 4 * i)));
    }
    const __m256i total = _mm256_sub_epi32(isum[t], _mm256_slli_epi32(ioff, 5));
    const __m256 ds = _mm256_mul_ps(d, _mm256_set1_ps(load_as<float>(a_blk + t * act_stride)));
    acc[t].half[h] = _mm256_add_ps(acc[t].half[h], _mm256_mul_ps(_mm256_cvtepi32_ps(total), ds));
  }
}

}  // namespace

void packed_gemm_q6_k(int64_t n, const void* packed, int64_t row0, int64_t n_rows, const void* act,
                      int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  packed_driver<PackedQ6K>(n, packed, row0, n_rows, act, act_stride, n_tokens, y, y_stride);
}

}  // namespace loco::kernels::avx2
