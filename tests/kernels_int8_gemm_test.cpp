// The int8 transposed products of training's backward pass (kernels/int8_gemm.h): the
// scalar reference against hand-computed cases and sums in double, and the AVX-512 VNNI
// kernels against the reference bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <tuple>
#include <vector>

#include "kernels/int8_gemm.h"
#include "kernels/kernels.h"
#include "tensor/blocks.h"

namespace loco {
namespace {

using kernels::kInt8Run;

std::vector<float> normal(std::mt19937& rng, size_t n, float sigma) {
  std::normal_distribution<float> nd(0.0f, sigma);
  std::vector<float> v(n);
  for (float& x : v) x = nd(rng);
  return v;
}

// m tokens' gradients of kInt8Run values each, quantized as the engine quantizes activations.
std::vector<uint8_t> q8k_rows(const std::vector<float>& x, int64_t m) {
  std::vector<uint8_t> out(static_cast<size_t>(m) * sizeof(BlockQ8K));
  for (int64_t t = 0; t < m; ++t) {
    kernels::ref_kernels().quantize_q8k(x.data() + t * kInt8Run, out.data() + t * sizeof(BlockQ8K), kInt8Run);
  }
  return out;
}

TEST(Int8GemmReference, QuantizesEachColumnByItsLargestValue) {
  // Column 0: 0..255 scaled so the largest is 2.54: levels round(w·127/2.54) = round(w·50).
  // Column 1: all zero (scale 0, levels 0). Column 2: one value −1, the rest 0.25.
  const int64_t n = 3, ld = 5;
  std::vector<float> rows(static_cast<size_t>(kInt8Run * ld), 0.0f);
  for (int64_t o = 0; o < kInt8Run; ++o) {
    rows[static_cast<size_t>(o * ld)] = 2.54f * static_cast<float>(o) / 255.0f;
    rows[static_cast<size_t>(o * ld + 2)] = o == 7 ? -1.0f : 0.25f;
  }
  std::vector<uint8_t> tile(static_cast<size_t>(kInt8Run * n));
  float scale[3];
  kernels::quantize_tile_int8_ref(rows.data(), ld, n, tile.data(), scale);
  EXPECT_FLOAT_EQ(scale[0], 2.54f / 127.0f);
  EXPECT_EQ(scale[1], 0.0f);
  EXPECT_FLOAT_EQ(scale[2], 1.0f / 127.0f);
  auto level = [&](int64_t o, int64_t j) { return static_cast<int>(tile[static_cast<size_t>(((o / 4) * n + j) * 4 + o % 4)]) - 128; };
  EXPECT_EQ(level(255, 0), 127);
  EXPECT_EQ(level(0, 0), 0);
  EXPECT_EQ(level(100, 0), static_cast<int>(std::nearbyint(2.54f * 100.0f / 255.0f * (127.0f / 2.54f))));
  EXPECT_EQ(level(3, 1), 0);
  EXPECT_EQ(level(7, 2), -127);
  EXPECT_EQ(level(8, 2), 32);  // 0.25 · 127 = 31.75
}

TEST(Int8GemmReference, IsCPlusTheProductOfTheQuantizedOperands) {
  // Against double sums of the dequantized operands (level·scale), which the integer sums
  // reproduce up to the final float products.
  std::mt19937 rng(3);
  const int64_t m = 3, n = 5, ld = 7, ldc = 6;
  const std::vector<float> w = normal(rng, static_cast<size_t>(kInt8Run * ld), 1.0f);
  const std::vector<float> dy = normal(rng, static_cast<size_t>(m * kInt8Run), 0.1f);
  std::vector<uint8_t> tile(static_cast<size_t>(kInt8Run * n));
  std::vector<float> scale(static_cast<size_t>(n));
  kernels::quantize_tile_int8_ref(w.data(), ld, n, tile.data(), scale.data());
  const std::vector<uint8_t> act = q8k_rows(dy, m);
  std::vector<float> c(static_cast<size_t>(m * ldc), 0.5f);
  kernels::gemm_acc_int8_ref(m, n, act.data(), sizeof(BlockQ8K), tile.data(), scale.data(), c.data(), ldc);
  for (int64_t t = 0; t < m; ++t) {
    BlockQ8K a;
    std::memcpy(&a, act.data() + t * sizeof(BlockQ8K), sizeof a);
    for (int64_t j = 0; j < n; ++j) {
      double want = 0, exact = 0;
      for (int64_t o = 0; o < kInt8Run; ++o) {
        const int lw = static_cast<int>(tile[static_cast<size_t>(((o / 4) * n + j) * 4 + o % 4)]) - 128;
        want += static_cast<double>(lw) * scale[static_cast<size_t>(j)] * a.qs[o] * a.d;
        exact += static_cast<double>(w[static_cast<size_t>(o * ld + j)]) * dy[static_cast<size_t>(t * kInt8Run + o)];
      }
      EXPECT_NEAR(c[static_cast<size_t>(t * ldc + j)], 0.5 + want, 1e-5) << t << "," << j;
      // And the quantized product is within a few % of the float one for these sums.
      EXPECT_NEAR(want, exact, 0.05 * std::sqrt(static_cast<double>(kInt8Run)) * 0.1) << t << "," << j;
    }
  }
}

TEST(Int8GemmSimd, GivesTheReferenceBits) {
  const kernels::KernelTable* table = kernels::avx512_kernels();
  if (table == nullptr) GTEST_SKIP() << "this CPU has no AVX-512 VNNI";
  const kernels::RowKernels& r = table->rows;
  ASSERT_NE(r.quantize_tile_int8, nullptr);
  ASSERT_NE(r.gemm_acc_int8, nullptr);
  std::mt19937 rng(11);
  // Tiles and products at widths and token counts around the 16-column vectors and the
  // 8 × 32 tile, with leading dimensions wider than the operands.
  for (const auto& [m, n] : std::vector<std::tuple<int64_t, int64_t>>{
           {1, 1}, {1, 16}, {3, 17}, {7, 33}, {8, 32}, {9, 48}, {17, 100}, {64, 512}}) {
    const int64_t ld = n + 3, ldc = n + 5;
    std::vector<float> w = normal(rng, static_cast<size_t>(kInt8Run * ld), 0.02f);
    if (n > 2) {
      for (int64_t o = 0; o < kInt8Run; ++o) w[static_cast<size_t>(o * ld + 1)] = 0.0f;  // a zero column
    }
    std::vector<uint8_t> want_tile(static_cast<size_t>(kInt8Run * n)), got_tile(want_tile.size(), 9);
    std::vector<float> want_scale(static_cast<size_t>(n)), got_scale(want_scale.size(), -1.0f);
    kernels::quantize_tile_int8_ref(w.data(), ld, n, want_tile.data(), want_scale.data());
    r.quantize_tile_int8(w.data(), ld, n, got_tile.data(), got_scale.data());
    ASSERT_EQ(want_tile, got_tile) << m << "x" << n;
    ASSERT_EQ(std::memcmp(want_scale.data(), got_scale.data(), want_scale.size() * 4), 0) << m << "x" << n;
    const std::vector<float> dy = normal(rng, static_cast<size_t>(m * kInt8Run), 1.0f);
    const std::vector<uint8_t> act = q8k_rows(dy, m);
    const std::vector<float> c0 = normal(rng, static_cast<size_t>(m * ldc), 1.0f);
    std::vector<float> want = c0, got = c0;
    kernels::gemm_acc_int8_ref(m, n, act.data(), sizeof(BlockQ8K), want_tile.data(), want_scale.data(), want.data(), ldc);
    r.gemm_acc_int8(m, n, act.data(), sizeof(BlockQ8K), want_tile.data(), want_scale.data(), got.data(), ldc);
    EXPECT_EQ(std::memcmp(want.data(), got.data(), want.size() * 4), 0) << m << "x" << n;
  }
}

}  // namespace
}  // namespace loco
