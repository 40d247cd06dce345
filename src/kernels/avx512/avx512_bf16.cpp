// The bfloat16 products of kernels/bf16_gemm.h with AVX512_BF16 (compiled with
// -mavx512bf16 besides the AVX-512 set; only tables of CPUs that report it use them).
// gemm_acc_bf16 is gemm_acc.inc's tiling — 8 rows × 32 columns, 16 accumulators — with
// one `vdpbf16ps` per accumulator and pair of k, so each instruction does twice the
// multiply-adds of a float FMA. The conversions round with integer operations, as the
// reference does, rather than with `vcvtne2ps2bf16`.
#include <algorithm>
#include <array>
#include <utility>

#include "kernels/avx512/avx512.h"

namespace loco::kernels::avx512 {
namespace {

constexpr int kTileRows = 8;

// Round to nearest even; NaN stays NaN (quiet), as fp16.h's float_to_bf16_bits.
inline __m256i round_bf16(__m512 x) {
  const __m512i bits = _mm512_castps_si512(x);
  const __m512i odd = _mm512_and_si512(_mm512_srli_epi32(bits, 16), _mm512_set1_epi32(1));
  const __m512i rounded = _mm512_srli_epi32(_mm512_add_epi32(bits, _mm512_add_epi32(odd, _mm512_set1_epi32(0x7fff))), 16);
  const __mmask16 nan = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
  const __m512i quiet = _mm512_or_si512(_mm512_srli_epi32(bits, 16), _mm512_set1_epi32(0x0040));
  return _mm512_cvtepi32_epi16(_mm512_mask_blend_epi32(nan, rounded, quiet));
}

inline __mmask16 first(int64_t n) { return n >= 16 ? __mmask16(0xffff) : static_cast<__mmask16>((1U << n) - 1U); }

template <int R>
void gemm_tile(int64_t cols, int64_t k2, const uint16_t* a, int64_t lda, const uint16_t* b, int64_t ldb, float* c,
               int64_t ldc) {
  __m512 acc0[R], acc1[R];
  for (int r = 0; r < R; ++r) acc0[r] = acc1[r] = _mm512_setzero_ps();
  const int64_t n0 = std::min<int64_t>(cols, 16), n1 = cols - n0;
  const __mmask16 m0 = first(n0), m1 = first(n1);
  for (int64_t q = 0; q < k2; ++q) {
    const __m512bh b0 = (__m512bh)_mm512_maskz_loadu_epi32(m0, b + q * ldb);
    const __m512bh b1 = (__m512bh)_mm512_maskz_loadu_epi32(m1, b + q * ldb + 32);
    for (int r = 0; r < R; ++r) {
      const __m512bh av = (__m512bh)_mm512_set1_epi32(load_as<int32_t>(a + r * lda + 2 * q));
      acc0[r] = _mm512_dpbf16_ps(acc0[r], av, b0);
      acc1[r] = _mm512_dpbf16_ps(acc1[r], av, b1);
    }
  }
  for (int r = 0; r < R; ++r) {
    float* cr = c + r * ldc;
    _mm512_mask_storeu_ps(cr, m0, _mm512_add_ps(_mm512_maskz_loadu_ps(m0, cr), acc0[r]));
    if (n1 > 0) _mm512_mask_storeu_ps(cr + 16, m1, _mm512_add_ps(_mm512_maskz_loadu_ps(m1, cr + 16), acc1[r]));
  }
}

using TileFn = void (*)(int64_t, int64_t, const uint16_t*, int64_t, const uint16_t*, int64_t, float*, int64_t);

template <int... Rs>
constexpr std::array<TileFn, sizeof...(Rs)> tile_table(std::integer_sequence<int, Rs...>) {
  return {gemm_tile<Rs + 1>...};
}

}  // namespace

void to_bf16(const float* x, int64_t n, uint16_t* out) {
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = first(n - i);
    _mm256_mask_storeu_epi16(out + i, m, round_bf16(_mm512_maskz_loadu_ps(m, x + i)));
  }
}

void bf16_pairs(const float* even, const float* odd, int64_t n, uint16_t* out) {
  for (int64_t j = 0; j < n; j += 16) {
    const __mmask16 m = first(n - j);
    const __m512i e = _mm512_cvtepu16_epi32(round_bf16(_mm512_maskz_loadu_ps(m, even + j)));
    const __m512i o = _mm512_cvtepu16_epi32(round_bf16(_mm512_maskz_loadu_ps(m, odd + j)));
    _mm512_mask_storeu_epi32(out + 2 * j, m, _mm512_or_si512(e, _mm512_slli_epi32(o, 16)));
  }
}

void gemm_acc_bf16(int64_t m, int64_t n, int64_t k2, const uint16_t* a, int64_t lda, const uint16_t* b, int64_t ldb,
                   float* c, int64_t ldc) {
  static constexpr auto kTiles = tile_table(std::make_integer_sequence<int, kTileRows>{});
  for (int64_t i = 0; i < m; i += kTileRows) {
    const TileFn tile = kTiles[static_cast<size_t>(std::min<int64_t>(kTileRows, m - i) - 1)];
    for (int64_t j = 0; j < n; j += 32) tile(std::min<int64_t>(32, n - j), k2, a + i * lda, lda, b + 2 * j, ldb, c + i * ldc + j, ldc);
  }
}

}  // namespace loco::kernels::avx512
