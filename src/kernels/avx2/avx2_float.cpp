// AVX2 kernels of the float weight types F32, F16 and BF16 (activations stay float32).
// gemm works on tiles of up to 4 rows × 2 tokens (8 accumulators, 4 weight registers):
// each 8 weights are converted once and used for every token of the tile, and the
// values go in chunks so that the tile's activations stay in L1. A row tail shorter
// than 8 is copied into zero-padded buffers.
#include "kernels/avx2/avx2.h"

namespace loco::kernels::avx2 {
namespace {

struct WeightF32 {
  static constexpr int kBytes = 4;
  static __m256 load(const uint8_t* p) { return _mm256_loadu_ps(reinterpret_cast<const float*>(p)); }
};

struct WeightF16 {
  static constexpr int kBytes = 2;
  static __m256 load(const uint8_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
};

struct WeightBF16 {
  static constexpr int kBytes = 2;
  static __m256 load(const uint8_t* p) {
    const __m256i wide = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    return _mm256_castsi256_ps(_mm256_slli_epi32(wide, 16));
  }
};

inline __m256 load_act(const uint8_t* p) { return _mm256_loadu_ps(reinterpret_cast<const float*>(p)); }

// out[r·T + t] = Σ_{i0 <= i < i1} w[r][i]·act[t][i]. Small tiles keep U independent
// accumulator sets so the FMA latency is hidden.
template <class W, int R, int T>
void tile(const uint8_t* w, int64_t w_stride, const uint8_t* act, int64_t act_stride, int64_t i0,
          int64_t i1, float* out) {
  constexpr int U = R * T >= 4 ? 1 : (R * T == 1 ? 4 : 2);
  __m256 acc[U][R][T];
  for (int u = 0; u < U; ++u)
    for (int r = 0; r < R; ++r)
      for (int t = 0; t < T; ++t) acc[u][r][t] = _mm256_setzero_ps();
  auto step = [&](int u, const uint8_t* const* wp, const uint8_t* const* ap) {
    __m256 wv[R];
    for (int r = 0; r < R; ++r) wv[r] = W::load(wp[r]);
    for (int t = 0; t < T; ++t) {
      const __m256 a = load_act(ap[t]);
      for (int r = 0; r < R; ++r) acc[u][r][t] = _mm256_fmadd_ps(wv[r], a, acc[u][r][t]);
    }
  };
  const uint8_t* wp[R];
  const uint8_t* ap[T];
  int64_t i = i0;
  for (; i + 8 <= i1;) {
    for (int u = 0; u < U && i + 8 <= i1; ++u, i += 8) {
      for (int r = 0; r < R; ++r) wp[r] = w + r * w_stride + i * W::kBytes;
      for (int t = 0; t < T; ++t) ap[t] = act + t * act_stride + i * 4;
      step(u, wp, ap);
    }
  }
  if (i < i1) {
    alignas(32) uint8_t wtail[R][8 * W::kBytes] = {};
    alignas(32) uint8_t atail[T][32] = {};
    const int64_t left = i1 - i;
    for (int r = 0; r < R; ++r) {
      std::memcpy(wtail[r], w + r * w_stride + i * W::kBytes, static_cast<size_t>(left * W::kBytes));
      wp[r] = wtail[r];
    }
    for (int t = 0; t < T; ++t) {
      std::memcpy(atail[t], act + t * act_stride + i * 4, static_cast<size_t>(left * 4));
      ap[t] = atail[t];
    }
    step(0, wp, ap);
  }
  for (int r = 0; r < R; ++r) {
    for (int t = 0; t < T; ++t) {
      __m256 s = acc[0][r][t];
      for (int u = 1; u < U; ++u) s = _mm256_add_ps(s, acc[u][r][t]);
      out[r * T + t] = hsum(s);
    }
  }
}

using TileFn = void (*)(const uint8_t*, int64_t, const uint8_t*, int64_t, int64_t, int64_t, float*);

constexpr int kRowTile = 4;
constexpr int kTokenTile = 2;
constexpr int64_t kChunk = 2048;  // values per chunk: 2 tokens' activations are 16 KB

template <class W>
TileFn tile_for(int rows, int tokens) {
  static constexpr TileFn table[kRowTile][kTokenTile] = {
      {tile<W, 1, 1>, tile<W, 1, 2>},
      {tile<W, 2, 1>, tile<W, 2, 2>},
      {tile<W, 3, 1>, tile<W, 3, 2>},
      {tile<W, 4, 1>, tile<W, 4, 2>},
  };
  return table[rows - 1][tokens - 1];
}

template <class W>
void float_gemm(int64_t n, const void* w, int64_t w_stride, int64_t n_rows, const void* act,
                int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  const auto* wb = static_cast<const uint8_t*>(w);
  const auto* ab = static_cast<const uint8_t*>(act);
  for (int64_t t0 = 0; t0 < n_tokens; t0 += kTokenTile) {
    const int tokens = static_cast<int>(n_tokens - t0 < kTokenTile ? n_tokens - t0 : kTokenTile);
    for (int64_t i0 = 0; i0 < n; i0 += kChunk) {
      const int64_t i1 = n - i0 < kChunk ? n : i0 + kChunk;
      for (int64_t r0 = 0; r0 < n_rows; r0 += kRowTile) {
        const int rows = static_cast<int>(n_rows - r0 < kRowTile ? n_rows - r0 : kRowTile);
        float out[kRowTile * kTokenTile];
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
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, W::load(s + i * W::kBytes));
  if (i < n) {
    alignas(32) uint8_t tail[8 * W::kBytes] = {};
    alignas(32) float out[8];
    std::memcpy(tail, s + i * W::kBytes, static_cast<size_t>((n - i) * W::kBytes));
    _mm256_store_ps(out, W::load(tail));
    std::memcpy(dst + i, out, static_cast<size_t>(n - i) * sizeof(float));
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

}  // namespace loco::kernels::avx2
