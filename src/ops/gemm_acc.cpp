#include "ops/gemm_acc.h"

#include <algorithm>

#include "kernels/kernels.h"

namespace loco::ops {
namespace {

// Tiles of 64 rows by 256 columns: a few hundred KB of B per tile at most, and enough
// tiles to keep every thread busy on training-sized products.
constexpr int64_t kTileRows = 64, kTileCols = 256;
// Below this many multiply-adds the threads cost more than they save.
constexpr int64_t kSerialWork = 1 << 18;

}  // namespace

void gemm_acc(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
              int64_t ldc, ThreadPool& pool) {
  if (m <= 0 || n <= 0 || k <= 0) return;
  const auto kernel = kernels::active_kernels().rows.gemm_acc_f32;
  if (m * n * k <= kSerialWork || pool.size() == 1) {
    kernel(m, n, k, a, lda, b, ldb, c, ldc);
    return;
  }
  const int64_t row_tiles = (m + kTileRows - 1) / kTileRows, col_tiles = (n + kTileCols - 1) / kTileCols;
  pool.parallel_for(row_tiles * col_tiles, [&](int64_t task, int) {
    const int64_t i0 = (task / col_tiles) * kTileRows, j0 = (task % col_tiles) * kTileCols;
    kernel(std::min(kTileRows, m - i0), std::min(kTileCols, n - j0), k, a + i0 * lda, lda, b + j0, ldb,
           c + i0 * ldc + j0, ldc);
  });
}

void transpose(int64_t m, int64_t n, const float* in, int64_t ld_in, float* out, int64_t ld_out) {
  // Blocks of 32 × 32 keep both sides in cache lines.
  constexpr int64_t kBlock = 32;
  for (int64_t i0 = 0; i0 < m; i0 += kBlock) {
    for (int64_t j0 = 0; j0 < n; j0 += kBlock) {
      for (int64_t i = i0; i < std::min(m, i0 + kBlock); ++i) {
        for (int64_t j = j0; j < std::min(n, j0 + kBlock); ++j) out[j * ld_out + i] = in[i * ld_in + j];
      }
    }
  }
}

}  // namespace loco::ops
