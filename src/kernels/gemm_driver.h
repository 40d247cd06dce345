// The loop nest shared by the SIMD gemm kernels, and the vec_dot that goes with it.
//
// The instruction-set specific part is a tile: R weight rows times T activation rows
// over a range of weight blocks, each weight block unpacked once and used for every
// token of the tile. A tile keeps separate accumulators per (row, token) pair and
// treats every pair alike, so the pair's sum does not depend on R or T.
//
// Batch invariance. y[t][r] must be bit for bit the table's vec_dot(row r, token t)
// however many rows and tokens a call holds, where the rows start and how threads split
// them: a sequence decoded alone must give the same numbers as inside a batch. Every
// pair's float operations therefore follow one sequence that depends on n alone: the
// row is cut into chunks of Kernel::kChunkBlocks blocks (a constant), a tile sums each
// chunk from zero and reduces it to one float, and the chunk sums are added in order,
//   y = ((c_0 + c_1) + c_2) + ...
// vec_dot is the 1×1 tile over the same chunks.
//
// Speed. Tokens go in groups of up to kTokenTile. A pass covers as many consecutive
// chunks as the group's activations for them fit the kernel's budget (kActBudget bytes:
// L1 for the compute-bound kernels), so the activations are read from cache for every
// row while the weights stream through once per group. With few tokens a pass covers
// the whole row (up to kMaxPassChunks chunks) in one tile call, so each row is read in
// one sequential run. The tiles prefetch their weights, as the hardware prefetchers
// lose track of rows read in passes.
//
// No intrinsics here: every instantiation is keyed by an instruction-set specific
// Kernel type, so the avx2, avx512, neon and neon_dotprod compilations never share a
// function.
#pragma once

#include <cstdint>

namespace loco::kernels {

// A tile: R weight rows (w_stride bytes apart) times T tokens (act_stride bytes apart)
// over the weight blocks [b0, b1), which start at a chunk boundary and span whole chunks
// (the last may be the row's shorter one). Each chunk's sums are separate:
//   out[k·R·T + r·T + t] = Σ over the blocks of chunk k of row r times token t.
using TileFn = void (*)(const uint8_t* w, int64_t w_stride, const uint8_t* act, int64_t act_stride,
                        int64_t b0, int64_t b1, float* out);

// The most chunks one tile call covers (its output buffer lives on the stack).
constexpr int64_t kMaxPassChunks = 16;

// Bytes of activations a token group may occupy when it should stay in L1 (about two
// thirds of a 48 KB L1): the budget of the compute-bound kernels.
constexpr int64_t kGemmL1Budget = 32 * 1024;
// The budget of kernels that do so little per weight byte that streaming the weights
// in long sequential runs matters more than L1 hits on the activations (they come from L2).
constexpr int64_t kGemmL2Budget = 512 * 1024;

// Kernels that work on one weight row at a time (R = 1) provide
// `template <int T> static void row(w_row, act, act_stride, b0, b1, out)` for the blocks
// of one chunk, out[t] for t < T; this makes them tiles.
template <class Kernel, int T>
void row_tile(const uint8_t* w, int64_t /*w_stride*/, const uint8_t* act, int64_t act_stride,
              int64_t b0, int64_t b1, float* out) {
  for (int64_t b = b0; b < b1; b += Kernel::kChunkBlocks, out += T) {
    Kernel::template row<T>(w, act, act_stride, b, b1 - b < Kernel::kChunkBlocks ? b1 : b + Kernel::kChunkBlocks, out);
  }
}

template <class Kernel, int T = Kernel::kTokenTile>
TileFn row_tile_for(int tokens) {
  if constexpr (T == 1) {
    return &row_tile<Kernel, 1>;
  } else {
    return tokens == T ? &row_tile<Kernel, T> : row_tile_for<Kernel, T - 1>(tokens);
  }
}

// Base of the one-row kernels (CRTP): struct Q4K : RowTiles<Q4K> { ... }.
template <class Kernel>
struct RowTiles {
  static constexpr int kRowTile = 1;
  static TileFn tile_for(int /*rows*/, int tokens) { return row_tile_for<Kernel>(tokens); }
};

// Kernel provides:
//   kRowTile, kTokenTile     the largest tile
//   kBlockValues             values per weight block (1 for the float types)
//   kActBlockBytes           activation bytes per weight block
//   kChunkBlocks             blocks per chunk: fixes the order of the float sums
//   kActBudget               bytes of activations one pass may cover
//   static TileFn tile_for(int rows, int tokens)   1 <= rows <= kRowTile, 1 <= tokens <= kTokenTile
template <class Kernel>
void tiled_gemm(int64_t n, const void* w, int64_t w_stride, int64_t n_rows, const void* act,
                int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  const auto* wb = static_cast<const uint8_t*>(w);
  const auto* ab = static_cast<const uint8_t*>(act);
  const int64_t n_blocks = n / Kernel::kBlockValues;
  const int64_t chunk = Kernel::kChunkBlocks;
  const int64_t n_chunks = (n_blocks + chunk - 1) / chunk;
  if (n_chunks == 0) {
    for (int64_t t = 0; t < n_tokens; ++t)
      for (int64_t r = 0; r < n_rows; ++r) y[t * y_stride + r] = 0.0f;
    return;
  }
  for (int64_t t0 = 0; t0 < n_tokens; t0 += Kernel::kTokenTile) {
    const int tokens = static_cast<int>(n_tokens - t0 < Kernel::kTokenTile ? n_tokens - t0 : Kernel::kTokenTile);
    const uint8_t* group = ab + t0 * act_stride;
    float* y_group = y + t0 * y_stride;
    int64_t per_pass = Kernel::kActBudget / (tokens * chunk * Kernel::kActBlockBytes);
    per_pass = per_pass < 1 ? 1 : per_pass > kMaxPassChunks ? kMaxPassChunks : per_pass;
    for (int64_t c0 = 0; c0 < n_chunks; c0 += per_pass) {
      const int64_t c1 = n_chunks - c0 < per_pass ? n_chunks : c0 + per_pass;
      const int64_t b0 = c0 * chunk;
      const int64_t b1 = c1 * chunk < n_blocks ? c1 * chunk : n_blocks;
      for (int64_t r0 = 0; r0 < n_rows; r0 += Kernel::kRowTile) {
        const int rows = static_cast<int>(n_rows - r0 < Kernel::kRowTile ? n_rows - r0 : Kernel::kRowTile);
        float out[kMaxPassChunks * Kernel::kRowTile * Kernel::kTokenTile];
        Kernel::tile_for(rows, tokens)(wb + r0 * w_stride, w_stride, group, act_stride, b0, b1, out);
        for (int64_t c = c0; c < c1; ++c) {
          const float* sums = out + (c - c0) * rows * tokens;
          for (int r = 0; r < rows; ++r) {
            for (int t = 0; t < tokens; ++t) {
              float& dst = y_group[t * y_stride + r0 + r];
              dst = c == 0 ? sums[r * tokens + t] : dst + sums[r * tokens + t];
            }
          }
        }
      }
    }
  }
}

// vec_dot: the 1×1 tile over the same chunks, the sums added in the same order.
template <class Kernel>
float tiled_vec_dot(int64_t n, const void* w, const void* act) {
  const auto* wb = static_cast<const uint8_t*>(w);
  const auto* ab = static_cast<const uint8_t*>(act);
  const int64_t n_blocks = n / Kernel::kBlockValues;
  const int64_t chunk = Kernel::kChunkBlocks;
  const TileFn tile = Kernel::tile_for(1, 1);
  float sum = 0.0f;
  for (int64_t b0 = 0; b0 < n_blocks; b0 += kMaxPassChunks * chunk) {
    const int64_t b1 = n_blocks - b0 < kMaxPassChunks * chunk ? n_blocks : b0 + kMaxPassChunks * chunk;
    float out[kMaxPassChunks] = {};
    tile(wb, 0, ab, 0, b0, b1, out);
    for (int64_t k = 0; k * chunk < b1 - b0; ++k) sum = b0 == 0 && k == 0 ? out[k] : sum + out[k];
  }
  return sum;
}

}  // namespace loco::kernels
