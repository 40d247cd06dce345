// AVX2 product of packed Q4_K (kernels/packed_q4k.h) for CPUs without AVX-512 (Zen 3,
// most laptop Intel parts): the 16 rows of a group in two halves of 8 rows, one row per
// 32-bit lane. Without vpdpbusd, `vpmaddubsw` multiplies the weights of a row by the
// activations and adds pairs into int16; a sub-block's eight such products are summed in
// int16 (at most 8 · 2 · 15 · 128 = 30720, so nothing saturates), and one `vpmaddwd`
// with the row's scale in both halves of its lane gives sc · Σ as int32. The sums are
// exact, so the result is the scalar reference's, bit for bit.
#include <cstddef>

#include "kernels/avx2/avx2.h"
#include "kernels/packed_driver.h"
#include "kernels/packed_q4k.h"
#include "tensor/blocks.h"

namespace loco::kernels::avx2 {
namespace {

constexpr int kTokens = 4;          // tokens per pass (16 ymm registers)
constexpr int kActQs = 4;           // byte offset of qs inside BlockQ8K

inline __m256i load256(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }
inline __m256i broadcast32(const uint8_t* p) { return _mm256_set1_epi32(load_as<int32_t>(p)); }

struct PackedQ4K : PackedAcc8x2 {
  using Block = PackedQ4KBlock;
  static constexpr PackedActs kActs = PackedActs::q8k_pairs;
  static constexpr int kTokens = avx2::kTokens;
  template <int T>
  static void blocks(const PackedQ4KBlock* group, int, const uint8_t* act, int64_t act_stride, int64_t b0,
                     int64_t b1, const int32_t* pairs, Acc* acc);
  template <int T>
  static void half_block(const PackedQ4KBlock& p, int h, const uint8_t* a_blk, int64_t act_stride,
                         const int32_t* pairs, int64_t pair_stride, Acc* acc);
};

// One group times T tokens over super-blocks [b0, b1), both halves of each in turn.
template <int T>
void PackedQ4K::blocks(const PackedQ4KBlock* group, int, const uint8_t* act, int64_t act_stride, int64_t b0,
                       int64_t b1, const int32_t* pairs, Acc* acc) {
  for (int64_t b = b0; b < b1; ++b) {
    const PackedQ4KBlock& p = group[b];
    // Four super-blocks ahead: 10 % faster from DRAM than two on Zen 5 (BENCHMARKS.md);
    // the same change did nothing measurable for Q6_K or the AVX-512 kernels.
    prefetch_block(reinterpret_cast<const uint8_t*>(&p) + 4 * sizeof(PackedQ4KBlock), sizeof(PackedQ4KBlock));
    const uint8_t* a_blk = act + b * static_cast<int64_t>(sizeof(BlockQ8K));
    for (int h = 0; h < 2; ++h) half_block<T>(p, h, a_blk, act_stride, pairs + (b - b0) * 4, (b1 - b0) * 4, acc);
  }
}

// Half h (rows 8h..8h+7) of super-block p times T tokens into acc[t].half[h].
// pairs[t·pair_stride + i] holds token t's sub-block sums 2i and 2i+1 of this super-block.
template <int T>
void PackedQ4K::half_block(const PackedQ4KBlock& p, int h, const uint8_t* a_blk, int64_t act_stride,
                           const int32_t* pairs, int64_t pair_stride, Acc* acc) {
  const __m256i low4 = _mm256_set1_epi8(0x0f);
  alignas(32) int32_t scales[8][8];  // [sub-block][row]: the scale in both int16 halves
  for (int j = 0; j < 8; ++j) {
    const __m256i sc = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p.scales[j] + 8 * h)));
    _mm256_store_si256(reinterpret_cast<__m256i*>(scales[j]), _mm256_or_si256(sc, _mm256_slli_epi32(sc, 16)));
  }
  __m256i isum[T];
  for (int t = 0; t < T; ++t) isum[t] = _mm256_setzero_si256();
  for (int j = 0; j < 8; ++j) {
    __m256i dot[T];
    for (int t = 0; t < T; ++t) dot[t] = _mm256_setzero_si256();
    for (int k = 0; k < 4; ++k) {
      const int pair = 4 * j + k;
      const __m256i packed = load256(p.qs[pair] + 32 * h);
      const __m256i lo = _mm256_and_si256(packed, low4);
      const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(packed, 4), low4);
      for (int t = 0; t < T; ++t) {
        const uint8_t* aq = a_blk + t * act_stride + kActQs + 8 * pair;
        dot[t] = _mm256_add_epi16(dot[t], _mm256_maddubs_epi16(lo, broadcast32(aq)));
        dot[t] = _mm256_add_epi16(dot[t], _mm256_maddubs_epi16(hi, broadcast32(aq + 4)));
      }
    }
    const __m256i sc = _mm256_load_si256(reinterpret_cast<const __m256i*>(scales[j]));
    for (int t = 0; t < T; ++t) isum[t] = _mm256_add_epi32(isum[t], _mm256_madd_epi16(dot[t], sc));
  }
  __m256i mins[4];
  for (int i = 0; i < 4; ++i) {
    mins[i] = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p.mins[i][8 * h])));
  }
  const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p.d + 8 * h)));
  const __m256 dmin = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p.dmin + 8 * h)));
  for (int t = 0; t < T; ++t) {
    const int32_t* pr = pairs + t * pair_stride;
    __m256i imin = _mm256_madd_epi16(mins[0], _mm256_set1_epi32(pr[0]));
    imin = _mm256_add_epi32(imin, _mm256_madd_epi16(mins[1], _mm256_set1_epi32(pr[1])));
    imin = _mm256_add_epi32(imin, _mm256_madd_epi16(mins[2], _mm256_set1_epi32(pr[2])));
    imin = _mm256_add_epi32(imin, _mm256_madd_epi16(mins[3], _mm256_set1_epi32(pr[3])));
    const __m256 da = _mm256_set1_ps(load_as<float>(a_blk + t * act_stride));
    const __m256 ds = _mm256_mul_ps(d, da);
    const __m256 ms = _mm256_mul_ps(dmin, da);
    const __m256 f = _mm256_sub_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(isum[t]), ds),
                                   _mm256_mul_ps(_mm256_cvtepi32_ps(imin), ms));
    acc[t].half[h] = _mm256_add_ps(acc[t].half[h], f);
  }
}

}  // namespace

void packed_gemm_q4_k(int64_t n, const void* packed, int64_t row0, int64_t n_rows, const void* act,
                      int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  packed_driver<PackedQ4K>(n, packed, row0, n_rows, act, act_stride, n_tokens, y, y_stride);
}

}  // namespace loco::kernels::avx2
