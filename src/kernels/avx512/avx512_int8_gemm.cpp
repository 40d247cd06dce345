// The int8 transposed products of kernels/int8_gemm.h with AVX-512 VNNI. The tile's
// quantization takes 16 columns at a time (their maximum over the 256 rows, then four rows'
// levels packed into each column's dword); the product is gemm_acc.inc's tiling — 8 tokens
// × 32 columns, 16 accumulators — with one `vpdpbusd` per accumulator and quad of rows,
// the unsigned operand the tile (level + 128) and the signed one four bytes of the token's
// quantized gradient; the +128 is taken off once per run through the block's sums.
#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

#include "kernels/avx512/avx512.h"
#include "kernels/int8_gemm.h"
#include "tensor/blocks.h"

namespace loco::kernels::avx512 {
namespace {

constexpr int kTileTokens = 8;
constexpr int kActQs = static_cast<int>(offsetof(BlockQ8K, qs));
constexpr int kActSums = static_cast<int>(offsetof(BlockQ8K, bsums));

inline __mmask16 first(int64_t n) { return n >= 16 ? __mmask16(0xffff) : static_cast<__mmask16>((1U << n) - 1U); }

// Σ of a block's 256 levels, from its 16 partial sums.
inline int32_t block_sum(const uint8_t* blk) {
  const __m256i sums = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + kActSums));
  return _mm512_reduce_add_epi32(_mm512_cvtepi16_epi32(sums));
}

// R tokens × cols (≤ 32) columns; kFull: cols is 32 (unmasked loads, the common case).
template <int R, bool kFull>
void tile(int64_t cols, int64_t n, const uint8_t* act, int64_t act_stride, const uint8_t* b, const float* scale,
          float* c, int64_t ldc) {
  __m512i acc0[R], acc1[R];
  for (int r = 0; r < R; ++r) acc0[r] = acc1[r] = _mm512_setzero_si512();
  const int64_t n0 = std::min<int64_t>(cols, 16), n1 = cols - n0;
  const __mmask16 m0 = first(n0), m1 = first(n1);
  for (int64_t q = 0; q < kInt8Run / 4; ++q) {
    __m512i b0, b1;
    if constexpr (kFull) {
      b0 = _mm512_loadu_si512(b + q * n * 4);
      b1 = _mm512_loadu_si512(b + q * n * 4 + 64);
    } else {
      b0 = _mm512_maskz_loadu_epi32(m0, b + q * n * 4);
      b1 = _mm512_maskz_loadu_epi32(m1, b + q * n * 4 + 64);
    }
    for (int r = 0; r < R; ++r) {
      const __m512i a = _mm512_set1_epi32(load_as<int32_t>(act + r * act_stride + kActQs + 4 * q));
      acc0[r] = dpbusd(acc0[r], b0, a);
      acc1[r] = dpbusd(acc1[r], b1, a);
    }
  }
  const __m512 s0 = _mm512_maskz_loadu_ps(m0, scale), s1 = _mm512_maskz_loadu_ps(m1, scale + 16);
  for (int r = 0; r < R; ++r) {
    const uint8_t* blk = act + r * act_stride;
    const __m512i offset = _mm512_set1_epi32(128 * block_sum(blk));
    const __m512 d = _mm512_set1_ps(load_as<float>(blk));
    float* cr = c + r * ldc;
    const __m512 f0 = _mm512_mul_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(acc0[r], offset)), s0), d);
    _mm512_mask_storeu_ps(cr, m0, _mm512_add_ps(_mm512_maskz_loadu_ps(m0, cr), f0));
    if (n1 > 0) {
      const __m512 f1 = _mm512_mul_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(acc1[r], offset)), s1), d);
      _mm512_mask_storeu_ps(cr + 16, m1, _mm512_add_ps(_mm512_maskz_loadu_ps(m1, cr + 16), f1));
    }
  }
}

using TileFn = void (*)(int64_t, int64_t, const uint8_t*, int64_t, const uint8_t*, const float*, float*, int64_t);

template <bool kFull, int... Rs>
constexpr std::array<TileFn, sizeof...(Rs)> tile_table(std::integer_sequence<int, Rs...>) {
  return {tile<Rs + 1, kFull>...};
}

}  // namespace

void quantize_tile_int8(const float* rows, int64_t ld, int64_t n, uint8_t* out, float* scale) {
  const __m512 sign = _mm512_set1_ps(-0.0f);
  for (int64_t j = 0; j < n; j += 16) {
    const __mmask16 m = first(n - j);
    __m512 amax = _mm512_setzero_ps();
    for (int64_t o = 0; o < kInt8Run; ++o) amax = _mm512_max_ps(amax, _mm512_andnot_ps(sign, _mm512_maskz_loadu_ps(m, rows + o * ld + j)));
    const __mmask16 nonzero = _mm512_cmp_ps_mask(amax, _mm512_setzero_ps(), _CMP_GT_OQ);
    const __m512 id = _mm512_maskz_div_ps(nonzero, _mm512_set1_ps(127.0f), amax);
    _mm512_mask_storeu_ps(scale + j, m, _mm512_div_ps(amax, _mm512_set1_ps(127.0f)));
    const __m512i bias = _mm512_set1_epi32(128);
    for (int64_t q = 0; q < kInt8Run / 4; ++q) {
      __m512i packed = _mm512_setzero_si512();
      for (int i = 0; i < 4; ++i) {
        const __m512 x = _mm512_maskz_loadu_ps(m, rows + (4 * q + i) * ld + j);
        const __m512i level = _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(x, id)), bias);
        packed = _mm512_or_si512(packed, _mm512_slli_epi32(level, 8 * i));
      }
      _mm512_mask_storeu_epi32(out + (q * n + j) * 4, m, packed);
    }
  }
}

void gemm_acc_int8(int64_t m, int64_t n, const void* act, int64_t act_stride, const uint8_t* b, const float* scale,
                   float* c, int64_t ldc) {
  static constexpr auto kFullTiles = tile_table<true>(std::make_integer_sequence<int, kTileTokens>{});
  static constexpr auto kPartTiles = tile_table<false>(std::make_integer_sequence<int, kTileTokens>{});
  const auto* a = static_cast<const uint8_t*>(act);
  for (int64_t t = 0; t < m; t += kTileTokens) {
    const size_t rows = static_cast<size_t>(std::min<int64_t>(kTileTokens, m - t) - 1);
    for (int64_t j = 0; j < n; j += 32) {
      const int64_t cols = std::min<int64_t>(32, n - j);
      (cols == 32 ? kFullTiles : kPartTiles)[rows](cols, n, a + t * act_stride, act_stride, b + j * 4, scale + j,
                                                    c + t * ldc + j, ldc);
    }
  }
}

}  // namespace loco::kernels::avx512
