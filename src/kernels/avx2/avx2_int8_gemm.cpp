// The int8 transposed products of kernels/int8_gemm.h with AVX2, at weight level 63:
// `vpmaddubsw` adds two u8 · s8 products in int16, which with levels + 64 ≤ 127 and
// activations ≥ −128 stays within ±32512 (8-bit levels could saturate), and `vpmaddwd` by
// ones adds the pairs into int32 lanes, each the sum of four rows as `vpdpbusd` gives it.
// The tile's quantization takes 8 columns at a time; the product is 4 tokens × 16 columns
// (8 accumulators), the +64 taken off once per run through the block's sums.
#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

#include "kernels/avx2/avx2.h"
#include "kernels/int8_gemm.h"
#include "tensor/blocks.h"

namespace loco::kernels::avx2 {
namespace {

constexpr int kLevel = 63;
constexpr int kTileTokens = 4;
constexpr int kActQs = static_cast<int>(offsetof(BlockQ8K, qs));
constexpr int kActSums = static_cast<int>(offsetof(BlockQ8K, bsums));

// Lanes [0, n) of 8 set, as a mask for the maskload/maskstore instructions.
inline __m256i first(int64_t n) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(std::min<int64_t>(n, 8))), lanes);
}

// Σ of a block's 256 levels, from its 16 partial sums.
inline int32_t block_sum(const uint8_t* blk) {
  int32_t sum = 0;
  for (int i = 0; i < 16; ++i) sum += load_as<int16_t>(blk + kActSums + 2 * i);
  return sum;
}

// R tokens × cols (≤ 16) columns; kFull: cols is 16.
template <int R, bool kFull>
void tile(int64_t cols, int64_t n, const uint8_t* act, int64_t act_stride, const uint8_t* b, const float* scale,
          float* c, int64_t ldc) {
  __m256i acc0[R], acc1[R];
  for (int r = 0; r < R; ++r) acc0[r] = acc1[r] = _mm256_setzero_si256();
  const __m256i m0 = first(cols), m1 = first(cols - 8);
  const __m256i ones = _mm256_set1_epi16(1);
  for (int64_t q = 0; q < kInt8Run / 4; ++q) {
    __m256i b0, b1;
    if constexpr (kFull) {
      b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + q * n * 4));
      b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + q * n * 4 + 32));
    } else {
      b0 = _mm256_maskload_epi32(reinterpret_cast<const int*>(b + q * n * 4), m0);
      b1 = _mm256_maskload_epi32(reinterpret_cast<const int*>(b + q * n * 4 + 32), m1);
    }
    for (int r = 0; r < R; ++r) {
      const __m256i a = _mm256_set1_epi32(load_as<int32_t>(act + r * act_stride + kActQs + 4 * q));
      acc0[r] = _mm256_add_epi32(acc0[r], _mm256_madd_epi16(_mm256_maddubs_epi16(b0, a), ones));
      acc1[r] = _mm256_add_epi32(acc1[r], _mm256_madd_epi16(_mm256_maddubs_epi16(b1, a), ones));
    }
  }
  const __m256 s0 = _mm256_castsi256_ps(_mm256_maskload_epi32(reinterpret_cast<const int*>(scale), m0));
  const __m256 s1 = _mm256_castsi256_ps(_mm256_maskload_epi32(reinterpret_cast<const int*>(scale + 8), m1));
  for (int r = 0; r < R; ++r) {
    const uint8_t* blk = act + r * act_stride;
    const __m256i offset = _mm256_set1_epi32((kLevel + 1) * block_sum(blk));
    const __m256 d = _mm256_set1_ps(load_as<float>(blk));
    float* cr = c + r * ldc;
    const __m256 f0 = _mm256_mul_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(acc0[r], offset)), s0), d);
    _mm256_maskstore_ps(cr, m0, _mm256_add_ps(_mm256_maskload_ps(cr, m0), f0));
    if (cols > 8) {
      const __m256 f1 = _mm256_mul_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(acc1[r], offset)), s1), d);
      _mm256_maskstore_ps(cr + 8, m1, _mm256_add_ps(_mm256_maskload_ps(cr + 8, m1), f1));
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
  const __m256 sign = _mm256_set1_ps(-0.0f), level = _mm256_set1_ps(static_cast<float>(kLevel));
  const __m256i bias = _mm256_set1_epi32(kLevel + 1);
  for (int64_t j = 0; j < n; j += 8) {
    const __m256i m = first(n - j);
    __m256 amax = _mm256_setzero_ps();
    for (int64_t o = 0; o < kInt8Run; ++o) {
      amax = _mm256_max_ps(amax, _mm256_andnot_ps(sign, _mm256_maskload_ps(rows + o * ld + j, m)));
    }
    const __m256 nonzero = _mm256_cmp_ps(amax, _mm256_setzero_ps(), _CMP_GT_OQ);
    const __m256 id = _mm256_and_ps(nonzero, _mm256_div_ps(level, amax));
    _mm256_maskstore_ps(scale + j, m, _mm256_div_ps(amax, level));
    for (int64_t q = 0; q < kInt8Run / 4; ++q) {
      __m256i packed = _mm256_setzero_si256();
      for (int i = 0; i < 4; ++i) {
        const __m256 x = _mm256_maskload_ps(rows + (4 * q + i) * ld + j, m);
        const __m256i lv = _mm256_add_epi32(_mm256_cvtps_epi32(_mm256_mul_ps(x, id)), bias);
        packed = _mm256_or_si256(packed, _mm256_slli_epi32(lv, 8 * i));
      }
      _mm256_maskstore_epi32(reinterpret_cast<int*>(out + (q * n + j) * 4), m, packed);
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
    for (int64_t j = 0; j < n; j += 16) {
      const int64_t cols = std::min<int64_t>(16, n - j);
      (cols == 16 ? kFullTiles : kPartTiles)[rows](cols, n, a + t * act_stride, act_stride, b + j * 4, scale + j,
                                                    c + t * ldc + j, ldc);
    }
  }
}

}  // namespace loco::kernels::avx2
