// AVX-512 VNNI product of packed Q4_K (kernels/packed_q4k.h): 16 rows at once, one row per
// 32-bit lane. Per super-block and token, 64 `vpdpbusd` (four weights of each row times
// four activation bytes broadcast), one `vpmulld` per sub-block for the 16 rows' scales,
// four `vpdpwssd` for the minimums, and a float epilogue per lane: about 6 instructions
// per row and super-block against about 50 for the one-row kernel (avx512_kquants.cpp),
// whose nibble and scale unpacking is done once at load instead.
#include <cstddef>

#include "kernels/avx512/avx512.h"
#include "kernels/packed_driver.h"
#include "kernels/packed_q4k.h"
#include "tensor/blocks.h"

namespace loco::kernels::avx512 {
namespace {

constexpr int kTokens = 8;          // tokens per pass (their accumulators live in registers)
constexpr int kActQs = 4;           // byte offset of qs inside BlockQ8K

inline __m512i load512(const void* p) { return _mm512_loadu_si512(p); }
inline __m512i broadcast32(const uint8_t* p) { return _mm512_set1_epi32(load_as<int32_t>(p)); }

struct PackedQ4K : PackedAcc16 {
  using Block = PackedQ4KBlock;
  static constexpr PackedActs kActs = PackedActs::q8k_pairs;
  static constexpr int kTokens = avx512::kTokens;
  template <int T>
  static void blocks(const PackedQ4KBlock* group, int h, const uint8_t* act, int64_t act_stride, int64_t b0,
                     int64_t b1, const int32_t* pairs, Acc* acc);
};

// The 16 rows of one group times T tokens over super-blocks [b0, b1): acc[t] (16 rows'
// float sums) takes f of each super-block in order. pairs[(t·passes + b − b0)·4 + i] holds
// the token's sub-block sums 2i and 2i+1 as two int16.
template <int T>
void PackedQ4K::blocks(const PackedQ4KBlock* group, int, const uint8_t* act, int64_t act_stride, int64_t b0,
                       int64_t b1, const int32_t* pairs, Acc* acc) {
  const __m512i low4 = _mm512_set1_epi8(0x0f);
  for (int64_t b = b0; b < b1; ++b) {
    const PackedQ4KBlock& p = group[b];
    prefetch_block(reinterpret_cast<const uint8_t*>(&p) + 2 * sizeof(PackedQ4KBlock), sizeof(PackedQ4KBlock));
    const uint8_t* a_blk = act + b * static_cast<int64_t>(sizeof(BlockQ8K));
    __m512i isum[T];
    for (int t = 0; t < T; ++t) isum[t] = _mm512_setzero_si512();
    for (int j = 0; j < 8; ++j) {
      __m512i dot[T];
      for (int t = 0; t < T; ++t) dot[t] = _mm512_setzero_si512();
      for (int k = 0; k < 4; ++k) {
        const int pair = 4 * j + k;
        const __m512i packed = load512(p.qs[pair]);
        const __m512i lo = _mm512_and_si512(packed, low4);
        const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(packed, 4), low4);
        for (int t = 0; t < T; ++t) {
          const uint8_t* aq = a_blk + t * act_stride + kActQs + 8 * pair;
          dot[t] = _mm512_dpbusd_epi32(dot[t], lo, broadcast32(aq));
          dot[t] = _mm512_dpbusd_epi32(dot[t], hi, broadcast32(aq + 4));
        }
      }
      const __m512i sc = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p.scales[j])));
      for (int t = 0; t < T; ++t) isum[t] = _mm512_add_epi32(isum[t], _mm512_mullo_epi32(dot[t], sc));
    }
    __m512i mins[4];
    for (int i = 0; i < 4; ++i) {
      mins[i] = _mm512_cvtepu8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.mins[i])));
    }
    const __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.d)));
    const __m512 dmin = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.dmin)));
    for (int t = 0; t < T; ++t) {
      const int32_t* pr = pairs + (t * (b1 - b0) + (b - b0)) * 4;
      __m512i imin = _mm512_dpwssd_epi32(_mm512_setzero_si512(), mins[0], _mm512_set1_epi32(pr[0]));
      imin = _mm512_dpwssd_epi32(imin, mins[1], _mm512_set1_epi32(pr[1]));
      imin = _mm512_dpwssd_epi32(imin, mins[2], _mm512_set1_epi32(pr[2]));
      imin = _mm512_dpwssd_epi32(imin, mins[3], _mm512_set1_epi32(pr[3]));
      const __m512 da = _mm512_set1_ps(load_as<float>(a_blk + t * act_stride));
      const __m512 ds = _mm512_mul_ps(d, da);
      const __m512 ms = _mm512_mul_ps(dmin, da);
      const __m512 f = _mm512_sub_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(isum[t]), ds),
                                     _mm512_mul_ps(_mm512_cvtepi32_ps(imin), ms));
      acc[t] = _mm512_add_ps(acc[t], f);
    }
  }
}

}  // namespace

void packed_gemm_q4_k(int64_t n, const void* packed, int64_t row0, int64_t n_rows, const void* act,
                      int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  packed_driver<PackedQ4K>(n, packed, row0, n_rows, act, act_stride, n_tokens, y, y_stride);
}

}  // namespace loco::kernels::avx512
