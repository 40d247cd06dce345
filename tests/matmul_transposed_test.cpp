// The transposed product of the backward pass against its scalar reference, its
// independence of the thread count, and the adjoint identity <Wᵀdy, x> = <dy, W x>.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernel_random_data.h"
#include "kernels/int8_gemm.h"
#include "kernels/kernels.h"
#include "ops/matmul_transposed.h"
#include "tensor/blocks.h"

namespace loco {
namespace {

using namespace kernel_test;

std::vector<float> random_floats(Rng& rng, size_t n) {
  std::vector<float> v(n);
  for (float& x : v) x = rng.normal();
  return v;
}

class MatmulTransposed : public ::testing::TestWithParam<GgmlType> {};

// Against the reference (double sums of the reference dequantization), relative to the
// scale of the terms: Σ_r |W[r][i]|·|dy[t][r]|.
TEST_P(MatmulTransposed, MatchesTheReference) {
  const GgmlType type = GetParam();
  Rng rng{7};
  const int64_t block = type_info(type).block_size;
  for (const auto& [n_in, n_out, tokens] : {std::tuple<int64_t, int64_t, int64_t>{3 * 256, 37, 1},
                                             {5 * 256, 64, 3}, {2 * 256, 129, 5}}) {
    const int64_t in = n_in / block * block;
    RandomMatrix w = random_matrix(rng, type, in, n_out);
    const std::vector<float> dy = random_floats(rng, static_cast<size_t>(tokens * n_out));
    const std::vector<float> start = random_floats(rng, static_cast<size_t>(tokens * in));
    std::vector<float> fast = start, ref = start;
    ThreadPool pool(2);
    ops::matmul_transposed_add(w.m, dy.data(), n_out, tokens, fast.data(), in, pool);
    ops::matmul_transposed_add_reference(w.m, dy.data(), n_out, tokens, ref.data(), in);
    // The scale of each element's terms, from the reference dequantization.
    std::vector<float> row(static_cast<size_t>(in));
    std::vector<double> scale(static_cast<size_t>(tokens * in), 0.0);
    for (int64_t r = 0; r < n_out; ++r) {
      kernels::ref_kernels().of(type).to_float(w.m.row(r), row.data(), in);
      for (int64_t t = 0; t < tokens; ++t)
        for (int64_t i = 0; i < in; ++i)
          scale[static_cast<size_t>(t * in + i)] +=
              std::fabs(row[static_cast<size_t>(i)] * dy[static_cast<size_t>(t * n_out + r)]);
    }
    for (size_t k = 0; k < fast.size(); ++k) {
      const double tol = 1e-5 * (scale[k] + std::fabs(start[k])) + 1e-30;
      ASSERT_NEAR(fast[k], ref[k], tol) << type_name(type) << " element " << k << " of " << in << "x" << n_out;
    }
  }
}

// Each dx element is summed by one thread in row order, and dy is quantized per token: any
// thread count gives the same bits, in float32 and in int8 (300 rows: a whole run of 256).
TEST_P(MatmulTransposed, SameBitsForAnyThreadCount) {
  const GgmlType type = GetParam();
  for (const auto& [precision, n_out] :
       {std::pair{ops::Precision::f32, int64_t{45}}, std::pair{ops::Precision::int8, int64_t{300}}}) {
    Rng rng{11};
    const int64_t in = 7 * 256, tokens = 3;
    RandomMatrix w = random_matrix(rng, type, in, n_out);
    const std::vector<float> dy = random_floats(rng, static_cast<size_t>(tokens * n_out));
    std::vector<float> first;
    for (int threads : {1, 2, 3, 5}) {
      std::vector<float> dx(static_cast<size_t>(tokens * in), 0.5f);
      ThreadPool pool(threads);
      ops::matmul_transposed_add(w.m, dy.data(), n_out, tokens, dx.data(), in, pool, precision);
      if (first.empty()) first = dx;
      EXPECT_EQ(dx, first) << threads << " threads, n_out " << n_out;
    }
    // And a token alone gives the same as inside the batch.
    std::vector<float> alone(static_cast<size_t>(in), 0.5f);
    ThreadPool pool(2);
    ops::matmul_transposed_add(w.m, dy.data() + 2 * n_out, n_out, 1, alone.data(), in, pool, precision);
    EXPECT_TRUE(std::equal(alone.begin(), alone.end(), first.begin() + 2 * in)) << "n_out " << n_out;
  }
}

// int8 products where they apply (block-quantized weights, whole runs of 256 rows; the
// last partial run in float32): within about 1 % of the reference and, where used, the
// bits of the scalar int8 reference; elsewhere exactly the float32 path.
TEST_P(MatmulTransposed, Int8ProductsStayWithinTheirRounding) {
  const GgmlType type = GetParam();
  Rng rng{13};
  const int64_t block = type_info(type).block_size;
  const int64_t n_in = 1024 / block * block, n_out = 300, tokens = 9;  // two slices; a whole run and 44 rows
  RandomMatrix w = random_matrix(rng, type, n_in, n_out);
  const std::vector<float> dy = random_floats(rng, static_cast<size_t>(tokens * n_out));
  std::vector<float> int8(static_cast<size_t>(tokens * n_in), 0.0f), f32 = int8, ref = int8;
  ThreadPool pool(2);
  ops::matmul_transposed_add(w.m, dy.data(), n_out, tokens, int8.data(), n_in, pool, ops::Precision::int8);
  ops::matmul_transposed_add(w.m, dy.data(), n_out, tokens, f32.data(), n_in, pool, ops::Precision::f32);
  ops::matmul_transposed_add_reference(w.m, dy.data(), n_out, tokens, ref.data(), n_in);
  const bool quantized = type != GgmlType::F32 && type != GgmlType::F16 && type != GgmlType::BF16;
  const kernels::KernelTable& table = kernels::active_kernels();
  EXPECT_EQ(ops::uses_int8(w.m), quantized && table.rows.gemm_acc_int8 != nullptr);
#if defined(__x86_64__)
  // AVX-512 VNNI machines must take the int8 path (the CI machines do not all have it).
  if (&table == kernels::avx512_kernels() && quantized) {
    EXPECT_TRUE(ops::uses_int8(w.m));
  }
#endif
  if (!ops::uses_int8(w.m)) {
    EXPECT_EQ(int8, f32);
    return;
  }
  double err2 = 0, ref2 = 0;
  for (size_t k = 0; k < ref.size(); ++k) {
    err2 += (int8[k] - ref[k]) * (int8[k] - ref[k]);
    ref2 += ref[k] * ref[k];
  }
  EXPECT_LT(std::sqrt(err2 / ref2), 0.02) << type_name(type) << ": relative RMS error";
  EXPECT_GT(std::sqrt(err2 / ref2), 1e-5) << type_name(type) << ": the int8 products were not used";
  // Bit for bit: the first run of 256 rows by the scalar int8 reference over the active
  // table's dequantization, slice by slice, then the last 44 rows in float32.
  std::vector<float> w_rows(static_cast<size_t>(n_out * n_in));
  for (int64_t r = 0; r < n_out; ++r) table.of(type).to_float(w.m.row(r), w_rows.data() + r * n_in, n_in);
  std::vector<uint8_t> act(static_cast<size_t>(tokens) * sizeof(BlockQ8K));
  for (int64_t t = 0; t < tokens; ++t) {
    kernels::ref_kernels().quantize_q8k(dy.data() + t * n_out, act.data() + t * sizeof(BlockQ8K), 256);
  }
  std::vector<float> want(int8.size(), 0.0f);
  for (int64_t c0 = 0; c0 < n_in; c0 += 512) {
    const int64_t len = std::min<int64_t>(512, n_in - c0);
    std::vector<uint8_t> tile(static_cast<size_t>(256 * len));
    std::vector<float> scale(static_cast<size_t>(len));
    kernels::quantize_tile_int8_ref(w_rows.data() + c0, n_in, len, tile.data(), scale.data());
    kernels::gemm_acc_int8_ref(tokens, len, act.data(), sizeof(BlockQ8K), tile.data(), scale.data(), want.data() + c0,
                               n_in);
    table.rows.gemm_acc_f32(tokens, len, n_out - 256, dy.data() + 256, n_out, w_rows.data() + 256 * n_in + c0, n_in,
                            want.data() + c0, n_in);
  }
  EXPECT_EQ(int8, want);
}

INSTANTIATE_TEST_SUITE_P(Types, MatmulTransposed,
                         ::testing::Values(GgmlType::F32, GgmlType::F16, GgmlType::BF16, GgmlType::Q8_0,
                                           GgmlType::Q4_0, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K),
                         [](const auto& p) { return std::string(type_name(p.param)); });

// The adjoint identity, independent of how either product is computed: for F32 weights,
// <Wᵀ·dy, x> equals <dy, W·x> with both sides summed in double.
TEST(MatmulTransposedAdjoint, InnerProductsAgree) {
  Rng rng{3};
  const int64_t in = 300, n_out = 41;
  RandomMatrix w = random_matrix(rng, GgmlType::F32, in, n_out);
  const std::vector<float> dy = random_floats(rng, static_cast<size_t>(n_out));
  const std::vector<float> x = random_floats(rng, static_cast<size_t>(in));
  std::vector<float> dx(static_cast<size_t>(in), 0.0f);
  ThreadPool pool(2);
  ops::matmul_transposed_add(w.m, dy.data(), n_out, 1, dx.data(), in, pool);
  double left = 0, right = 0, scale = 0;
  for (int64_t i = 0; i < in; ++i) left += static_cast<double>(dx[static_cast<size_t>(i)]) * x[static_cast<size_t>(i)];
  for (int64_t r = 0; r < n_out; ++r) {
    const auto* row = reinterpret_cast<const float*>(w.m.row(r));
    double wx = 0;
    for (int64_t i = 0; i < in; ++i) {
      wx += static_cast<double>(row[i]) * x[static_cast<size_t>(i)];
      scale += std::fabs(static_cast<double>(row[i]) * x[static_cast<size_t>(i)] * dy[static_cast<size_t>(r)]);
    }
    right += wx * dy[static_cast<size_t>(r)];
  }
  EXPECT_NEAR(left, right, 1e-6 * scale);
}

}  // namespace
}  // namespace loco
