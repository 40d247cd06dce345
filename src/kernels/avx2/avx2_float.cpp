// AVX2 kernels of the float weight types F32, F16 and BF16 (activations stay float32).
// gemm works on tiles of up to 4 rows × 2 tokens (8 accumulators, 4 weight registers):
// each 8 weights are converted once and used for every token of the tile. The loop
// nest is gemm_driver.h's, with chunks of 1024 values. A row tail shorter than 8 is
// copied into zero-padded buffers.
//
// Each (row, token) pair has ONE accumulator, one FMA chain per chunk, in every tile
// shape (batch invariance, gemm_driver.h). A few-token gemm hides the FMA latency with
// the tile's independent rows: decode is the 4×1 tile, four chains. vec_dot, the 1×1
// tile, is a single chain; the forward pass does not use it for weight matrices.
// (Two accumulators per pair would halve the weight reuse of the big tiles, which must
// keep the same per-pair structure: measured, 512-token gemm ran at half speed. Running
// whole chunks of a row side by side in vec_dot was slower too, the hardware
// prefetchers losing the single sequential stream.)
#include <array>
#include <utility>

#include "kernels/avx2/avx2.h"
#include "kernels/gemm_driver.h"

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

// How far ahead of the current values a tile prefetches its weight rows: rows are read
// in runs of one chunk (2 KB of float16), too short for the hardware prefetchers to
// ramp up on their own.
constexpr int64_t kPrefetchBytes = 1024;

// out[r·T + t] = Σ_{i0 <= i < i1} w[r][i]·act[t][i] (one chunk), one accumulator per pair.
template <class W, int R, int T>
void chunk_tile(const uint8_t* w, int64_t w_stride, const uint8_t* act, int64_t act_stride, int64_t i0,
                int64_t i1, float* out) {
  __m256 acc[R][T];
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < T; ++t) acc[r][t] = _mm256_setzero_ps();
  auto step = [&](const uint8_t* const* wp, const uint8_t* const* ap) {
    __m256 wv[R];
    for (int r = 0; r < R; ++r) wv[r] = W::load(wp[r]);
    for (int t = 0; t < T; ++t) {
      const __m256 a = load_act(ap[t]);
      for (int r = 0; r < R; ++r) acc[r][t] = _mm256_fmadd_ps(wv[r], a, acc[r][t]);
    }
  };
  const uint8_t* wp[R];
  const uint8_t* ap[T];
  int64_t i = i0;
  for (; i + 8 <= i1; i += 8) {
    for (int r = 0; r < R; ++r) {
      wp[r] = w + r * w_stride + i * W::kBytes;
      prefetch_block(wp[r] + kPrefetchBytes, 8 * W::kBytes);
    }
    for (int t = 0; t < T; ++t) ap[t] = act + t * act_stride + i * 4;
    step(wp, ap);
  }
  if (i < i1) {
    // Fewer than 8 values left: zero-padded copies.
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
    step(wp, ap);
  }
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < T; ++t) out[r * T + t] = hsum(acc[r][t]);
}

// The tile of gemm_driver.h: chunk_tile per chunk of [i0, i1).
constexpr int64_t kChunk = 1024;

template <class W, int R, int T>
void tile(const uint8_t* w, int64_t w_stride, const uint8_t* act, int64_t act_stride, int64_t i0,
          int64_t i1, float* out) {
  for (int64_t i = i0; i < i1; i += kChunk, out += R * T) {
    chunk_tile<W, R, T>(w, w_stride, act, act_stride, i, i1 - i < kChunk ? i1 : i + kChunk, out);
  }
}

template <class W>
struct FloatKernel {
  static constexpr int kRowTile = 4;
  static constexpr int kTokenTile = 2;
  static constexpr int kBlockValues = 1;
  static constexpr int kActBlockBytes = 4;
  static constexpr int64_t kChunkBlocks = kChunk;
  static constexpr int64_t kActBudget = kGemmL1Budget;

  template <int R, int... Ts>
  static constexpr std::array<TileFn, kTokenTile> row_of(std::integer_sequence<int, Ts...>) {
    return {tile<W, R, Ts + 1>...};
  }
  template <int... Rs>
  static constexpr std::array<std::array<TileFn, kTokenTile>, kRowTile> table_of(std::integer_sequence<int, Rs...>) {
    return {row_of<Rs + 1>(std::make_integer_sequence<int, kTokenTile>{})...};
  }
  static TileFn tile_for(int rows, int tokens) {
    static constexpr auto table = table_of(std::make_integer_sequence<int, kRowTile>{});
    return table[rows - 1][tokens - 1];
  }
};

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

}  // namespace loco::kernels::avx2
