// NEON kernels of the float weight types F32, F16 and BF16 (activations stay float32).
// gemm works on tiles of up to 4 rows × 2 tokens; each 8 weights are converted once and
// used for every token of the tile. The loop nest is gemm_driver.h's, with chunks of
// 1024 values. A row tail shorter than 8 is copied into zero-padded buffers.
//
// Each (row, token) pair has two accumulators (values 0-3 and 4-7 of each step of 8), in
// every tile shape, so all tiles sum alike (batch invariance, gemm_driver.h) and the
// 1×1 tile of vec_dot still has two independent FMA chains. 4×2 pairs take 16 of the 32
// vector registers.
#include <array>
#include <utility>

#include "kernels/gemm_driver.h"
#include "kernels/neon/neon.h"

namespace loco::kernels::neon {
namespace {

struct Pair {
  float32x4_t lo, hi;
};

struct WeightF32 {
  static constexpr int kBytes = 4;
  static Pair load(const uint8_t* p) {
    const auto* f = reinterpret_cast<const float*>(p);
    return {vld1q_f32(f), vld1q_f32(f + 4)};
  }
};

struct WeightF16 {
  static constexpr int kBytes = 2;
  static Pair load(const uint8_t* p) {
    const float16x8_t h = vreinterpretq_f16_u16(vld1q_u16(reinterpret_cast<const uint16_t*>(p)));
    return {vcvt_f32_f16(vget_low_f16(h)), vcvt_high_f32_f16(h)};
  }
};

struct WeightBF16 {
  static constexpr int kBytes = 2;
  static Pair load(const uint8_t* p) {
    const uint16x8_t h = vld1q_u16(reinterpret_cast<const uint16_t*>(p));
    return {vreinterpretq_f32_u32(vshll_n_u16(vget_low_u16(h), 16)),
            vreinterpretq_f32_u32(vshll_high_n_u16(h, 16))};
  }
};

inline Pair load_act(const uint8_t* p) { return WeightF32::load(p); }

constexpr int64_t kPrefetchBytes = 1024;

// out[r·T + t] = Σ_{i0 <= i < i1} w[r][i]·act[t][i] (one chunk).
template <class W, int R, int T>
void chunk_tile(const uint8_t* w, int64_t w_stride, const uint8_t* act, int64_t act_stride, int64_t i0,
                int64_t i1, float* out) {
  Pair acc[R][T];
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < T; ++t) acc[r][t] = {vdupq_n_f32(0.0f), vdupq_n_f32(0.0f)};
  auto step = [&](const uint8_t* const* wp, const uint8_t* const* ap) {
    Pair wv[R];
    for (int r = 0; r < R; ++r) wv[r] = W::load(wp[r]);
    for (int t = 0; t < T; ++t) {
      const Pair a = load_act(ap[t]);
      for (int r = 0; r < R; ++r) {
        acc[r][t].lo = vfmaq_f32(acc[r][t].lo, wv[r].lo, a.lo);
        acc[r][t].hi = vfmaq_f32(acc[r][t].hi, wv[r].hi, a.hi);
      }
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
    alignas(16) uint8_t wtail[R][8 * W::kBytes] = {};
    alignas(16) uint8_t atail[T][32] = {};
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
    for (int t = 0; t < T; ++t) out[r * T + t] = vaddvq_f32(vaddq_f32(acc[r][t].lo, acc[r][t].hi));
}

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

}  // namespace loco::kernels::neon
