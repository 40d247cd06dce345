// AVX-512 kernels of the float weight types F32, F16 and BF16 (activations stay
// float32). gemm works on tiles of up to 4 rows × 4 tokens: each 16 weights are
// converted once and multiplied with every token of the tile, and the values go in
// chunks so that the tile's activations stay in L1. Rows of any length are handled,
// the tail with masked loads.
#include "kernels/avx512/avx512.h"

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

// out[r·T + t] = Σ_{i0 <= i < i1} w[r][i]·act[t][i]. Small tiles keep U independent
// accumulator sets so the FMA latency is hidden.
template <class W, int R, int T>
void tile(const uint8_t* w, int64_t w_stride, const uint8_t* act, int64_t act_stride, int64_t i0,
          int64_t i1, float* out) {
  constexpr int U = R * T >= 4 ? 1 : (R * T == 1 ? 4 : 2);
  __m512 acc[U][R][T];
  for (int u = 0; u < U; ++u)
    for (int r = 0; r < R; ++r)
      for (int t = 0; t < T; ++t) acc[u][r][t] = _mm512_setzero_ps();
  int64_t i = i0;
  for (; i + 16 * U <= i1; i += 16 * U) {
    for (int u = 0; u < U; ++u) {
      const int64_t k = i + 16 * u;
      __m512 wv[R];
      for (int r = 0; r < R; ++r) wv[r] = W::load(w + r * w_stride + k * W::kBytes);
      for (int t = 0; t < T; ++t) {
        const __m512 a = _mm512_loadu_ps(act + t * act_stride + k * 4);
        for (int r = 0; r < R; ++r) acc[u][r][t] = _mm512_fmadd_ps(wv[r], a, acc[u][r][t]);
      }
    }
  }
  for (; i < i1; i += 16) {
    const int64_t left = i1 - i;
    const __mmask16 m = left >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << left) - 1);
    __m512 wv[R];
    for (int r = 0; r < R; ++r) wv[r] = W::load(w + r * w_stride + i * W::kBytes, m);
    for (int t = 0; t < T; ++t) {
      const __m512 a = _mm512_maskz_loadu_ps(m, act + t * act_stride + i * 4);
      for (int r = 0; r < R; ++r) acc[0][r][t] = _mm512_fmadd_ps(wv[r], a, acc[0][r][t]);
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int t = 0; t < T; ++t) {
      __m512 s = acc[0][r][t];
      for (int u = 1; u < U; ++u) s = _mm512_add_ps(s, acc[u][r][t]);
      out[r * T + t] = hsum(s);
    }
  }
}

using TileFn = void (*)(const uint8_t*, int64_t, const uint8_t*, int64_t, int64_t, int64_t, float*);

constexpr int kTile = 4;
constexpr int64_t kChunk = 2048;  // values per chunk: 4 tokens' activations are 32 KB

template <class W>
TileFn tile_for(int rows, int tokens) {
  static constexpr TileFn table[kTile][kTile] = {
      {tile<W, 1, 1>, tile<W, 1, 2>, tile<W, 1, 3>, tile<W, 1, 4>},
      {tile<W, 2, 1>, tile<W, 2, 2>, tile<W, 2, 3>, tile<W, 2, 4>},
      {tile<W, 3, 1>, tile<W, 3, 2>, tile<W, 3, 3>, tile<W, 3, 4>},
      {tile<W, 4, 1>, tile<W, 4, 2>, tile<W, 4, 3>, tile<W, 4, 4>},
  };
  return table[rows - 1][tokens - 1];
}

template <class W>
void float_gemm(int64_t n, const void* w, int64_t w_stride, int64_t n_rows, const void* act,
                int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  const auto* wb = static_cast<const uint8_t*>(w);
  const auto* ab = static_cast<const uint8_t*>(act);
  for (int64_t t0 = 0; t0 < n_tokens; t0 += kTile) {
    const int tokens = static_cast<int>(n_tokens - t0 < kTile ? n_tokens - t0 : kTile);
    for (int64_t i0 = 0; i0 < n; i0 += kChunk) {
      const int64_t i1 = n - i0 < kChunk ? n : i0 + kChunk;
      for (int64_t r0 = 0; r0 < n_rows; r0 += kTile) {
        const int rows = static_cast<int>(n_rows - r0 < kTile ? n_rows - r0 : kTile);
        float out[kTile * kTile];
        tile_for<W>(rows, tokens)(wb + r0 * w_stride, w_stride, ab + t0 * act_stride, act_stride, i0, i1, out);
        for (int r = 0; r < rows; ++r) {
          for (int t = 0; t < tokens; ++t) {
            float& dst = y[(t0 + t) * y_stride + r0 + r];
            dst = i0 == 0 ? out[r * tokens + t] : dst + out[r * tokens + t];
          }
        }
      }
    }
  }
}

template <class W>
float float_vec_dot(int64_t n, const void* w, const void* act) {
  float out;
  tile<W, 1, 1>(static_cast<const uint8_t*>(w), 0, static_cast<const uint8_t*>(act), 0, 0, n, &out);
  return out;
}

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

float vec_dot_f32(int64_t n, const void* w, const void* act) { return float_vec_dot<WeightF32>(n, w, act); }
float vec_dot_f16(int64_t n, const void* w, const void* act) { return float_vec_dot<WeightF16>(n, w, act); }
float vec_dot_bf16(int64_t n, const void* w, const void* act) { return float_vec_dot<WeightBF16>(n, w, act); }

void gemm_f32(int64_t n, const void* w, int64_t w_stride, int64_t n_rows, const void* act,
              int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  float_gemm<WeightF32>(n, w, w_stride, n_rows, act, act_stride, n_tokens, y, y_stride);
}
void gemm_f16(int64_t n, const void* w, int64_t w_stride, int64_t n_rows, const void* act,
              int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  float_gemm<WeightF16>(n, w, w_stride, n_rows, act, act_stride, n_tokens, y, y_stride);
}
void gemm_bf16(int64_t n, const void* w, int64_t w_stride, int64_t n_rows, const void* act,
               int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  float_gemm<WeightBF16>(n, w, w_stride, n_rows, act, act_stride, n_tokens, y, y_stride);
}

void dequantize_f16(const void* src, float* dst, int64_t n) { float_to_float<WeightF16>(src, dst, n); }
void dequantize_bf16(const void* src, float* dst, int64_t n) { float_to_float<WeightBF16>(src, dst, n); }

}  // namespace loco::kernels::avx512
