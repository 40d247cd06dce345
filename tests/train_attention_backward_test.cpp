// Training attention: the forward pass by hand for one token, probabilities that sum to
// one and are causal, the backward pass against central finite differences (grouped
// query heads), and RoPE's backward as the adjoint of the forward kernel.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernels/kernels.h"
#include "train/attention_backward.h"

namespace loco::train {
namespace {

std::vector<float> values(size_t n, uint32_t seed, float scale) {
  std::vector<float> v(n);
  uint32_t s = seed;
  for (float& x : v) {
    s = s * 1664525u + 1013904223u;
    x = scale * (static_cast<float>(s >> 8) / 16777216.0f - 0.5f);
  }
  return v;
}

TEST(TrainAttention, ForwardByHandAndCausal) {
  AttentionShape a{3, 2, 1, 4, 0.5f};
  const std::vector<float> q = values(3 * 2 * 4, 1, 2.0f), k = values(3 * 4, 2, 2.0f), v = values(3 * 4, 3, 2.0f);
  std::vector<float> out(q.size()), probs(2 * 3 * 3);
  attention_forward(a, q.data(), k.data(), v.data(), out.data(), probs.data());
  // Token 0 sees only itself: its output is v[0] for both heads.
  for (int h = 0; h < 2; ++h)
    for (int i = 0; i < 4; ++i) EXPECT_FLOAT_EQ(out[static_cast<size_t>(h * 4 + i)], v[static_cast<size_t>(i)]);
  for (int h = 0; h < 2; ++h) {
    for (int t = 0; t < 3; ++t) {
      double sum = 0;
      for (int s = 0; s < 3; ++s) {
        const float p = probs[static_cast<size_t>((h * 3 + t) * 3 + s)];
        if (s > t) {
          EXPECT_EQ(p, 0.0f);
        }
        sum += p;
      }
      EXPECT_NEAR(sum, 1.0, 1e-6);
    }
  }
  // Token 1, head 0 by hand: softmax of scale·q·k over s = 0, 1.
  double a0 = 0, a1 = 0;
  for (int i = 0; i < 4; ++i) {
    a0 += 0.5 * q[static_cast<size_t>(8 + i)] * k[static_cast<size_t>(i)];
    a1 += 0.5 * q[static_cast<size_t>(8 + i)] * k[static_cast<size_t>(4 + i)];
  }
  const double p1 = 1.0 / (1.0 + std::exp(a0 - a1));
  EXPECT_NEAR(probs[static_cast<size_t>(3 + 1)], p1, 1e-6);
}

TEST(TrainAttention, BackwardMatchesFiniteDifferences) {
  AttentionShape a{5, 4, 2, 8, 1.0f / std::sqrt(8.0f)};
  std::vector<float> q = values(5 * 4 * 8, 4, 2.0f), k = values(5 * 2 * 8, 5, 2.0f), v = values(5 * 2 * 8, 6, 2.0f);
  const std::vector<float> c = values(q.size(), 7, 2.0f);
  std::vector<float> out(q.size()), probs(4 * 5 * 5);
  auto loss = [&] {
    attention_forward(a, q.data(), k.data(), v.data(), out.data(), probs.data());
    double s = 0;
    for (size_t i = 0; i < out.size(); ++i) s += static_cast<double>(c[i]) * out[i];
    return s;
  };
  loss();
  std::vector<float> dq(q.size(), 0.0f), dk(k.size(), 0.0f), dv(v.size(), 0.0f);
  attention_backward(a, q.data(), k.data(), v.data(), probs.data(), c.data(), dq.data(), dk.data(), dv.data());
  auto check = [&](std::vector<float>& x, const std::vector<float>& grad, const char* what) {
    for (size_t i = 0; i < x.size(); i += 5) {
      const float keep = x[i];
      x[i] = keep + 1e-3f;
      const double up = loss();
      x[i] = keep - 1e-3f;
      const double down = loss();
      x[i] = keep;
      EXPECT_NEAR(grad[i], (up - down) / 2e-3, 3e-3 * (1 + std::fabs(grad[i]))) << what << " " << i;
    }
  };
  check(q, dq, "dq");
  check(k, dk, "dk");
  check(v, dv, "dv");
}

// RoPE is a rotation, so its backward is its transpose: <R x, y> = <x, Rᵀ y> against the
// forward kernel, for both pairings.
TEST(TrainAttention, RopeBackwardIsTheAdjointOfTheForwardKernel) {
  const int64_t heads = 3, dim = 8;
  const std::vector<float> angles = values(dim / 2, 8, 6.0f);
  std::vector<float> cos(angles.size()), sin(angles.size());
  for (size_t i = 0; i < angles.size(); ++i) cos[i] = std::cos(angles[i]), sin[i] = std::sin(angles[i]);
  for (bool neox : {false, true}) {
    std::vector<float> x = values(heads * dim, 9, 2.0f), y = values(heads * dim, 10, 2.0f);
    std::vector<float> rx = x, ry = y;
    kernels::ref_kernels().rows.rope(rx.data(), heads, dim, cos.data(), sin.data(), neox);
    rope_backward(ry.data(), heads, dim, cos.data(), sin.data(), neox);
    double left = 0, right = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      left += static_cast<double>(rx[i]) * y[i];
      right += static_cast<double>(x[i]) * ry[i];
    }
    EXPECT_NEAR(left, right, 1e-5) << (neox ? "neox" : "normal");
  }
}

}  // namespace
}  // namespace loco::train
