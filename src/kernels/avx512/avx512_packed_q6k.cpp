// AVX-512 VNNI product of packed Q6_K (kernels/packed_q6k.h): 16 rows at once, one row per
// 32-bit lane. Per 16-value sub-block, three 64-byte loads give four unsigned 6-bit levels
// of each row (low nibbles and top bits put together once for all tokens); per token, four
// `vpdpbusd` with activation bytes broadcast and one `vpmulld` by the 16 rows' scales.
// The levels' −32 offset is applied once per super-block and token: eight `vpdpwssd` of the
// scales paired as int16 by the activations' sums of 16.
#include <cstddef>

#include "kernels/avx512/avx512.h"
#include "kernels/packed_driver.h"
#include "kernels/packed_q6k.h"
#include "tensor/blocks.h"

namespace loco::kernels::avx512 {
namespace {

constexpr int kTokens = 8;                                     // tokens per pass
constexpr int kActQs = 4;                                      // byte offset of qs in BlockQ8K
constexpr int kActSums = static_cast<int>(offsetof(BlockQ8K, bsums));

inline __m512i load512(const void* p) { return _mm512_loadu_si512(p); }
inline __m512i broadcast32(const uint8_t* p) { return _mm512_set1_epi32(load_as<int32_t>(p)); }
inline __m512i scales32(const int8_t* p) {
  return _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

struct PackedQ6K : PackedAcc16 {
  using Block = PackedQ6KBlock;
  static constexpr PackedActs kActs = PackedActs::q8k;
  static constexpr int kTokens = avx512::kTokens;
  template <int T>
  static void blocks(const PackedQ6KBlock* group, int h, const uint8_t* act, int64_t act_stride, int64_t b0,
                     int64_t b1, const int32_t* pairs, Acc* acc);
};

template <int T>
void PackedQ6K::blocks(const PackedQ6KBlock* group, int, const uint8_t* act, int64_t act_stride, int64_t b0,
                       int64_t b1, const int32_t*, Acc* acc) {
  const __m512i low16 = _mm512_set1_epi32(0xffff);
  for (int64_t b = b0; b < b1; ++b) {
    const PackedQ6KBlock& p = group[b];
    prefetch_block(reinterpret_cast<const uint8_t*>(&p) + 2 * sizeof(PackedQ6KBlock), sizeof(PackedQ6KBlock));
    const uint8_t* a_blk = act + b * static_cast<int64_t>(sizeof(BlockQ8K));
    __m512i isum[T];
    for (int t = 0; t < T; ++t) isum[t] = _mm512_setzero_si512();
    for (int j = 0; j < 16; ++j) {
      const __m512i lo0 = load512(p.ql[2 * j]);
      const __m512i lo1 = load512(p.ql[2 * j + 1]);
      const __m512i h = load512(p.qh[j]);
      __m512i q[4];
      q6k_levels(lo0, lo1, h, q);
      const __m512i sc = scales32(p.scales[j]);
      for (int t = 0; t < T; ++t) {
        const uint8_t* aq = a_blk + t * act_stride + kActQs + 16 * j;
        __m512i dot = _mm512_dpbusd_epi32(_mm512_setzero_si512(), q[0], broadcast32(aq));
        dot = _mm512_dpbusd_epi32(dot, q[1], broadcast32(aq + 4));
        dot = _mm512_dpbusd_epi32(dot, q[2], broadcast32(aq + 8));
        dot = _mm512_dpbusd_epi32(dot, q[3], broadcast32(aq + 12));
        isum[t] = _mm512_add_epi32(isum[t], _mm512_mullo_epi32(dot, sc));
      }
    }
    __m512i scale_pairs[8];  // [i][row]: scales 2i and 2i + 1 as two int16
    for (int i = 0; i < 8; ++i) {
      scale_pairs[i] = _mm512_or_si512(_mm512_and_si512(scales32(p.scales[2 * i]), low16),
                                       _mm512_slli_epi32(scales32(p.scales[2 * i + 1]), 16));
    }
    const __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.d)));
    for (int t = 0; t < T; ++t) {
      const uint8_t* sums = a_blk + t * act_stride + kActSums;
      __m512i ioff = _mm512_setzero_si512();
      for (int i = 0; i < 8; ++i) ioff = _mm512_dpwssd_epi32(ioff, scale_pairs[i], broadcast32(sums + 4 * i));
      const __m512i total = _mm512_sub_epi32(isum[t], _mm512_slli_epi32(ioff, 5));
      const __m512 ds = _mm512_mul_ps(d, _mm512_set1_ps(load_as<float>(a_blk + t * act_stride)));
      acc[t] = _mm512_add_ps(acc[t], _mm512_mul_ps(_mm512_cvtepi32_ps(total), ds));
    }
  }
}

}  // namespace

void packed_gemm_q6_k(int64_t n, const void* packed, int64_t row0, int64_t n_rows, const void* act,
                      int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  packed_driver<PackedQ6K>(n, packed, row0, n_rows, act, act_stride, n_tokens, y, y_stride);
}

}  // namespace loco::kernels::avx512
