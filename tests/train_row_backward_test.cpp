// The row operations' backward passes against central finite differences of the forward
// definitions (the reference kernels), in double where the forward allows.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernels/kernels.h"
#include "loco/error.h"
#include "train/row_backward.h"

namespace loco::train {
namespace {

std::vector<float> values(int64_t n, uint32_t seed, float scale) {
  std::vector<float> v(static_cast<size_t>(n));
  uint32_t s = seed;
  for (float& x : v) {
    s = s * 1664525u + 1013904223u;
    x = scale * (static_cast<float>(s >> 8) / 16777216.0f - 0.5f);
  }
  return v;
}

// L = Σ c·f(inputs): the numeric derivative with respect to input k by central differences.
template <class F>
double numeric(std::vector<float>& in, size_t k, F loss, float eps) {
  const float keep = in[k];
  in[k] = keep + eps;
  const double up = loss();
  in[k] = keep - eps;
  const double down = loss();
  in[k] = keep;
  return (up - down) / (2.0 * static_cast<double>(eps));
}

TEST(RowBackward, RmsNormMatchesFiniteDifferences) {
  const int64_t n = 40;
  const float eps = 1e-6f;
  std::vector<float> x = values(n, 1, 4.0f), w = values(n, 2, 2.0f);
  const std::vector<float> c = values(n, 3, 2.0f);
  auto loss = [&] {
    std::vector<float> y(static_cast<size_t>(n));
    kernels::ref_kernels().rows.rms_norm(x.data(), w.data(), y.data(), n, eps);
    double s = 0;
    for (int64_t i = 0; i < n; ++i) s += static_cast<double>(c[static_cast<size_t>(i)]) * y[static_cast<size_t>(i)];
    return s;
  };
  std::vector<float> dx(static_cast<size_t>(n), 0.0f), dw(static_cast<size_t>(n), 0.0f);
  rms_norm_backward(x.data(), w.data(), c.data(), n, eps, dx.data(), dw.data());
  for (size_t k = 0; k < static_cast<size_t>(n); k += 3) {
    EXPECT_NEAR(dx[k], numeric(x, k, loss, 1e-2f), 2e-3) << "dx " << k;
    EXPECT_NEAR(dw[k], numeric(w, k, loss, 1e-2f), 2e-3) << "dw " << k;
  }
  // A frozen norm: no weight gradient, the same input gradient.
  std::vector<float> dx2(static_cast<size_t>(n), 0.0f);
  rms_norm_backward(x.data(), w.data(), c.data(), n, eps, dx2.data(), nullptr);
  EXPECT_EQ(dx2, dx);
}

TEST(RowBackward, SiluMulMatchesFiniteDifferences) {
  const int64_t n = 33;
  std::vector<float> g = values(n, 4, 12.0f), u = values(n, 5, 3.0f);
  const std::vector<float> c = values(n, 6, 2.0f);
  auto loss = [&] {
    std::vector<float> y(static_cast<size_t>(n));
    kernels::ref_kernels().rows.silu_mul(g.data(), u.data(), y.data(), n);
    double s = 0;
    for (int64_t i = 0; i < n; ++i) s += static_cast<double>(c[static_cast<size_t>(i)]) * y[static_cast<size_t>(i)];
    return s;
  };
  std::vector<float> dg(static_cast<size_t>(n), 0.0f), du(static_cast<size_t>(n), 0.0f);
  silu_mul_backward(g.data(), u.data(), c.data(), n, dg.data(), du.data());
  for (size_t k = 0; k < static_cast<size_t>(n); ++k) {
    EXPECT_NEAR(dg[k], numeric(g, k, loss, 1e-3f), 2e-3 * (1 + std::fabs(dg[k]))) << "d_gate " << k;
    EXPECT_NEAR(du[k], numeric(u, k, loss, 1e-3f), 2e-3 * (1 + std::fabs(du[k]))) << "d_up " << k;
  }
}

TEST(RowBackward, CrossEntropyValueAndGradient) {
  // Hand-computed: logits (0, ln 3) → p = (1/4, 3/4); target 1 → loss −ln(3/4).
  const float two[] = {0.0f, std::log(3.0f)};
  float d[2];
  EXPECT_NEAR(cross_entropy(two, 2, 1, 1.0f, d), -std::log(0.75), 1e-6);
  EXPECT_NEAR(d[0], 0.25, 1e-6);
  EXPECT_NEAR(d[1], -0.25, 1e-6);
  // Large logits stay finite (computed relative to the maximum).
  const float big[] = {1000.0f, 0.0f, -1000.0f};
  EXPECT_NEAR(cross_entropy(big, 3, 0, 1.0f, nullptr), 0.0, 1e-9);
  EXPECT_NEAR(cross_entropy(big, 3, 1, 1.0f, nullptr), 1000.0, 1e-3);
  // Against finite differences, with a weight.
  std::vector<float> logits = values(50, 7, 8.0f);
  std::vector<float> grad(50);
  cross_entropy(logits.data(), 50, 17, 0.5f, grad.data());
  auto loss = [&] { return 0.5 * cross_entropy(logits.data(), 50, 17, 1.0f, nullptr); };
  for (size_t k = 0; k < 50; k += 7) EXPECT_NEAR(grad[k], numeric(logits, k, loss, 1e-3f), 1e-4) << k;
  EXPECT_THROW(cross_entropy(two, 2, 2, 1.0f, nullptr), Error);
}

}  // namespace
}  // namespace loco::train
