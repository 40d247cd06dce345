// The threaded products of training (ops/gemm_acc.h, ops/outer_product.h): the same bits
// for any thread count, and against sums in double.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "loco/thread_pool.h"
#include "ops/gemm_acc.h"
#include "ops/outer_product.h"

namespace loco {
namespace {

std::vector<float> values(std::mt19937& rng, int64_t n) {
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = nd(rng);
  return v;
}

TEST(OpsGemmAcc, SameBitsForAnyThreadCountAndNearDouble) {
  std::mt19937 rng(5);
  const int64_t m = 150, n = 300, k = 70;
  const std::vector<float> a = values(rng, m * k), b = values(rng, k * n), c0 = values(rng, m * n);
  std::vector<float> first;
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    std::vector<float> c = c0;
    ops::gemm_acc(m, n, k, a.data(), k, b.data(), n, c.data(), n, pool);
    if (first.empty()) {
      first = c;
    } else {
      EXPECT_EQ(c, first) << threads << " threads";
    }
  }
  for (int64_t i = 0; i < m; i += 7) {
    for (int64_t j = 0; j < n; j += 11) {
      double sum = c0[static_cast<size_t>(i * n + j)], mag = std::fabs(sum);
      for (int64_t p = 0; p < k; ++p) {
        sum += static_cast<double>(a[static_cast<size_t>(i * k + p)]) * b[static_cast<size_t>(p * n + j)];
        mag += std::fabs(static_cast<double>(a[static_cast<size_t>(i * k + p)]) * b[static_cast<size_t>(p * n + j)]);
      }
      EXPECT_NEAR(first[static_cast<size_t>(i * n + j)], sum, 1e-6 * mag);
    }
  }
}

TEST(OpsOuterProduct, MatchesTheReferenceAndTheTranspose) {
  std::mt19937 rng(9);
  const int64_t tokens = 37, n_out = 70, n_in = 90, dy_stride = 75, x_stride = 95;
  const std::vector<float> dy = values(rng, tokens * dy_stride), x = values(rng, tokens * x_stride);
  const std::vector<float> w0 = values(rng, n_out * n_in);
  std::vector<float> fast = w0, ref = w0, one = w0;
  ThreadPool pool(3), single(1);
  ops::outer_product_add(dy.data(), dy_stride, x.data(), x_stride, tokens, n_out, n_in, fast.data(), pool);
  ops::outer_product_add(dy.data(), dy_stride, x.data(), x_stride, tokens, n_out, n_in, one.data(), single);
  ops::outer_product_add_reference(dy.data(), dy_stride, x.data(), x_stride, tokens, n_out, n_in, ref.data());
  EXPECT_EQ(fast, one);
  for (size_t i = 0; i < ref.size(); ++i) EXPECT_NEAR(fast[i], ref[i], 2e-5 * (1.0 + std::fabs(ref[i])));
  // A hand-computed entry: dW[2][3] += Σ_t dy[t][2]·x[t][3].
  double sum = w0[2 * n_in + 3];
  for (int64_t t = 0; t < tokens; ++t) sum += static_cast<double>(dy[t * dy_stride + 2]) * x[t * x_stride + 3];
  EXPECT_NEAR(fast[2 * n_in + 3], sum, 1e-5);
  std::vector<float> t(static_cast<size_t>(5 * 3));
  const float in[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  ops::transpose(3, 5, in, 5, t.data(), 3);
  EXPECT_EQ(t, (std::vector<float>{1, 6, 11, 2, 7, 12, 3, 8, 13, 4, 9, 14, 5, 10, 15}));
}

}  // namespace
}  // namespace loco
