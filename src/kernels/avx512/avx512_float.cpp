// AVX-512 kernels of the float weight types F32, F16 and BF16 (activations stay
// float32). gemm works on tiles of up to 2 rows × 6 tokens: each 16 weights are
// converted once and multiplied with every token of the tile; the loop nest is
// gemm_driver.h's (chunks of 1024 values). Rows of any length are handled, the tail
// with masked loads.
#include "kernels/avx512/avx512.h"
#include "kernels/gemm_driver.h"

namespace loco::kernels::avx512 {
namespace {

struct WeightF32 {
  static constexpr int kBytes = 4;
  static __m512 load(const uint8_t* p) { return _mm512_loadu_ps(p); }
  static __m512 load(const uint8_t* p, __mmask16 m) { return _mm512_maskz_loadu_ps(m, p); }
};

struct WeightF16 {
  static constexpr int kBytes = 2;
  static __m512 load(const uint8_t* p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  static __m512 load(const uint8_t* p, __mmask16 m) { return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, p)); }
};

struct WeightBF16 {
  static constexpr int kBytes = 2;
  static __m512 widen(__m256i h) { return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16)); }
  static __m512 load(const uint8_t* p) { return widen(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p))); }
  static __m512 load(const uint8_t* p, __mmask16 m) { return widen(_mm256_maskz_loadu_epi16(m, p)); }
};

// out[r·T + t] = Σ_{i0 <= i < i1} w[r][i]·act[t][i]. Every (row, token) pair has two
// accumulators that take alternate runs of 16 values: two FMA chains hide the latency
// in the 1×1 tile (vec_dot), and every tile shape must sum alike (gemm_driver.h).
template <class W, int R, int T>
void tile(const uint8_t* w, int64_t w_stride, const uint8_t* act, int64_t act_stride, int64_t i0,
          int64_t i1, float* out) {
  __m512 acc[2][R][T];
  for (int u = 0; u < 2; ++u)
    for (int r = 0; r < R; ++r)
      for (int t = 0; t < T; ++t) acc[u][r][t] = _mm512_setzero_ps();
  auto step = [&](int u, int64_t i, __mmask16 m, bool full) {
    __m512 wv[R];
    for (int r = 0; r < R; ++r) {
      const uint8_t* p = w + r * w_stride + i * W::kBytes;
      wv[r] = full ? W::load(p) : W::load(p, m);
    }
    for (int t = 0; t < T; ++t) {
      const uint8_t* p = act + t * act_stride + i * 4;
      const __m512 a = full ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(m, p);
      for (int r = 0; r < R; ++r) acc[u][r][t] = _mm512_fmadd_ps(wv[r], a, acc[u][r][t]);
    }
  };
  constexpr __mmask16 kAll = 0xffff;
  int64_t i = i0;
  for (; i + 32 <= i1; i += 32) {
    step(0, i, kAll, true);
    step(1, i + 16, kAll, true);
  }
  for (int u = 0; u < 2 && i < i1; ++u, i += 16) {
    const int64_t left = i1 - i;
    step(u, i, left >= 16 ? kAll : static_cast<__mmask16>((1u << left) - 1), false);
  }
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < T; ++t) out[r * T + t] = hsum(_mm512_add_ps(acc[0][r][t], acc[1][r][t]));
}

// Tiles of up to 2 rows × 6 tokens: 24 accumulators, 2 weight registers and one for the
// activations. Six tokens let a batch of 5-6 sequences share one pass over the weights.
template <class W>
struct FloatKernel {
  static constexpr int kRowTile = 2;
  static constexpr int kTokenTile = 6;
  static constexpr int kBlockValues = 1;
  static constexpr int kActBlockBytes = 4;
  static constexpr int64_t kChunkBlocks = 1024;  // 6 tokens' activations are 24 KB
  static constexpr int64_t kActBudget = kGemmL1Budget;

  static TileFn tile_for(int rows, int tokens) {
    static constexpr TileFn table[kRowTile][kTokenTile] = {
        {tile<W, 1, 1>, tile<W, 1, 2>, tile<W, 1, 3>, tile<W, 1, 4>, tile<W, 1, 5>, tile<W, 1, 6>},
        {tile<W, 2, 1>, tile<W, 2, 2>, tile<W, 2, 3>, tile<W, 2, 4>, tile<W, 2, 5>, tile<W, 2, 6>},
    };
    return table[rows - 1][tokens - 1];
  }
};

template <class W>
void float_to_float(const void* src, float* dst, int64_t n) {
  const auto* s = static_cast<const uint8_t*>(src);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(dst + i, W::load(s + i * W::kBytes));
  if (i < n) {
    const auto m = static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(dst + i, m, W::load(s + i * W::kBytes, m));
  }
}

}  // namespace

float vec_dot_f32(int64_t n, const void* w, const void* act) { return tiled_vec_dot<FloatKernel<WeightF32>>(n, w, act); }
float vec_dot_f16(int64_t n, const void* w, const void* act) { return tiled_vec_dot<FloatKernel<WeightF16>>(n, w, act); }
float vec_dot_bf16(int64_t n, const void* w, const void* act) { return tiled_vec_dot<FloatKernel<WeightBF16>>(n, w, act); }

void gemm_f32(int64_t n, const void* w, int64_t w_stride, int64_t n_rows, const void* act,
              int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  tiled_gemm<FloatKernel<WeightF32>>(n, w, w_stride, n_rows, act, act_stride, n_tokens, y, y_stride);
}
void gemm_f16(int64_t n, const void* w, int64_t w_stride, int64_t n_rows, const void* act,
              int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  tiled_gemm<FloatKernel<WeightF16>>(n, w, w_stride, n_rows, act, act_stride, n_tokens, y, y_stride);
}
void gemm_bf16(int64_t n, const void* w, int64_t w_stride, int64_t n_rows, const void* act,
               int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  tiled_gemm<FloatKernel<WeightBF16>>(n, w, w_stride, n_rows, act, act_stride, n_tokens, y, y_stride);
}

void dequantize_f16(const void* src, float* dst, int64_t n) { float_to_float<WeightF16>(src, dst, n); }
void dequantize_bf16(const void* src, float* dst, int64_t n) { float_to_float<WeightBF16>(src, dst, n); }

}  // namespace loco::kernels::avx512
