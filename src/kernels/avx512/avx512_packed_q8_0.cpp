// AVX-512 VNNI product of packed Q8_0 (kernels/packed_q8_0.h): 16 rows at once, one row per
// 32-bit lane. Per 32-value block, eight 64-byte loads give four levels of each row; per
// token, eight `vpdpbusd` with activation bytes broadcast, started from −128 times the
// block's activation sum (so the chain ends at the exact Σ q·a), and a float epilogue
// shared by the 16 rows.
#include <cstddef>

#include "kernels/avx512/avx512.h"
#include "kernels/packed_driver.h"
#include "kernels/packed_q8_0.h"
#include "tensor/blocks.h"

namespace loco::kernels::avx512 {
namespace {

constexpr int kTokens = 8;  // tokens per pass
constexpr int64_t kActBlock = sizeof(BlockQ8A);
constexpr int kActQs = static_cast<int>(offsetof(BlockQ8A, qs));

inline __m512i load512(const void* p) { return _mm512_loadu_si512(p); }
inline __m512i broadcast32(const uint8_t* p) { return _mm512_set1_epi32(load_as<int32_t>(p)); }

struct PackedQ8_0 : PackedAcc16 {
  using Block = PackedQ8_0Block;
  static constexpr PackedActs kActs = PackedActs::q8a_sums;
  static constexpr int kTokens = avx512::kTokens;
  template <int T>
  static void blocks(const PackedQ8_0Block* group, int h, const uint8_t* act, int64_t act_stride, int64_t b0,
                     int64_t b1, const int32_t* sums, Acc* acc);
};

template <int T>
void PackedQ8_0::blocks(const PackedQ8_0Block* group, int, const uint8_t* act, int64_t act_stride, int64_t b0,
                        int64_t b1, const int32_t* sums, Acc* acc) {
  for (int64_t b = b0; b < b1; ++b) {
    const PackedQ8_0Block& p = group[b];
    prefetch_block(reinterpret_cast<const uint8_t*>(&p) + 2 * sizeof(PackedQ8_0Block), sizeof(PackedQ8_0Block));
    const uint8_t* a_sb = act + b * 8 * kActBlock;
    for (int k = 0; k < 8; ++k) {
      __m512i q[8];
      for (int i = 0; i < 8; ++i) q[i] = load512(p.qs[8 * k + i]);
      const __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.d[k])));
      for (int t = 0; t < T; ++t) {
        const uint8_t* a_blk = a_sb + t * act_stride + k * kActBlock;
        __m512i dot0 = _mm512_set1_epi32(sums[(t * (b1 - b0) + (b - b0)) * 8 + k]);
        __m512i dot1 = _mm512_setzero_si512();
        for (int i = 0; i < 8; i += 2) {
          dot0 = _mm512_dpbusd_epi32(dot0, q[i], broadcast32(a_blk + kActQs + 4 * i));
          dot1 = _mm512_dpbusd_epi32(dot1, q[i + 1], broadcast32(a_blk + kActQs + 4 * i + 4));
        }
        const __m512i dot = _mm512_add_epi32(dot0, dot1);
        const __m512 ds = _mm512_mul_ps(d, _mm512_set1_ps(load_as<float>(a_blk)));
        acc[t] = _mm512_add_ps(acc[t], _mm512_mul_ps(_mm512_cvtepi32_ps(dot), ds));
      }
    }
  }
}

}  // namespace

void packed_gemm_q8_0(int64_t n, const void* packed, int64_t row0, int64_t n_rows, const void* act,
                      int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  packed_driver<PackedQ8_0>(n, packed, row0, n_rows, act, act_stride, n_tokens, y, y_stride);
}

}  // namespace loco::kernels::avx512
