// A linear layer with a LoRA pair: gradients of A, B and the input against central finite
// differences of the loss L = Σ c·y (float32 weights, where every product is exact enough),
// and, over a quantized matrix, the input's gradient against a double-precision reference.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernel_random_data.h"
#include "kernels/kernels.h"
#include "loco/error.h"
#include "ops/matmul_transposed.h"
#include "train/lora_linear.h"

namespace loco {
namespace {

using namespace kernel_test;

struct Layer {
  RandomMatrix matrix;
  Matrix w;
  train::LoraParams p;
};

Layer make_layer(Rng& rng, GgmlType type, int64_t n_in, int64_t n_out, int64_t rank) {
  Layer l;
  l.matrix = random_matrix(rng, type, n_in, n_out);
  l.w = l.matrix.m;
  l.p.rank = rank;
  l.p.n_in = n_in;
  l.p.n_out = n_out;
  for (int64_t i = 0; i < rank * n_in; ++i) l.p.a.push_back(0.1f * rng.normal());
  for (int64_t i = 0; i < n_out * rank; ++i) l.p.b.push_back(0.1f * rng.normal());
  return l;
}

std::vector<float> randoms(Rng& rng, int64_t n) {
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = rng.normal();
  return v;
}

// L = Σ_t Σ_o c[t][o]·y[t][o], in double.
double loss(const Layer& l, float scale, const std::vector<float>& x, const std::vector<float>& c, int64_t tokens) {
  ThreadPool pool(1);
  std::vector<float> y(static_cast<size_t>(tokens * l.w.n_out)), h(static_cast<size_t>(tokens * l.p.rank));
  train::lora_linear_forward(l.w, l.p, scale, x.data(), tokens, y.data(), h.data(), pool);
  double s = 0;
  for (size_t i = 0; i < y.size(); ++i) s += static_cast<double>(c[i]) * y[i];
  return s;
}

TEST(LoraLinear, GradientsMatchFiniteDifferences) {
  Rng rng{21};
  const int64_t n_in = 48, n_out = 24, rank = 4, tokens = 3;
  const float scale = 2.0f;
  Layer l = make_layer(rng, GgmlType::F32, n_in, n_out, rank);
  std::vector<float> x = randoms(rng, tokens * n_in);
  const std::vector<float> c = randoms(rng, tokens * n_out);  // dL/dy

  ThreadPool pool(2);
  std::vector<float> y(static_cast<size_t>(tokens * n_out)), h(static_cast<size_t>(tokens * rank));
  train::lora_linear_forward(l.w, l.p, scale, x.data(), tokens, y.data(), h.data(), pool);
  train::LoraGrads g(l.p);
  std::vector<float> dx(static_cast<size_t>(tokens * n_in), 0.0f);
  train::lora_linear_backward(l.w, l.p, scale, x.data(), h.data(), c.data(), tokens, g, dx.data(), pool);

  // L is linear in each of A, B and x alone, so a central difference is exact up to
  // rounding: compare with a tolerance of rounding size.
  auto check = [&](std::vector<float>& param, const std::vector<float>& grad, const char* what) {
    for (size_t k = 0; k < param.size(); k += param.size() / 23 + 1) {
      const float keep = param[k];
      const float eps = 0.05f;
      param[k] = keep + eps;
      const double up = loss(l, scale, x, c, tokens);
      param[k] = keep - eps;
      const double down = loss(l, scale, x, c, tokens);
      param[k] = keep;
      const double numeric = (up - down) / (2.0 * eps);
      EXPECT_NEAR(grad[k], numeric, 2e-3 * (1.0 + std::fabs(numeric))) << what << " element " << k;
    }
  };
  check(l.p.a, g.a, "A");
  check(l.p.b, g.b, "B");
  check(x, dx, "x");
}

// Over a quantized base the input's gradient is Wᵀ·dy (the reference's dequantized
// weights, in double) plus Aᵀ·dh; the A and B gradients do not depend on W at all.
TEST(LoraLinear, QuantizedBaseInputGradientMatchesTheReference) {
  for (GgmlType type : {GgmlType::Q4_K, GgmlType::Q6_K, GgmlType::Q8_0}) {
    Rng rng{5};
    const int64_t n_in = 512, n_out = 40, rank = 8, tokens = 2;
    const float scale = 0.5f;
    Layer l = make_layer(rng, type, n_in, n_out, rank);
    const std::vector<float> x = randoms(rng, tokens * n_in);
    const std::vector<float> dy = randoms(rng, tokens * n_out);
    ThreadPool pool(2);
    std::vector<float> y(static_cast<size_t>(tokens * n_out)), h(static_cast<size_t>(tokens * rank));
    train::lora_linear_forward(l.w, l.p, scale, x.data(), tokens, y.data(), h.data(), pool);
    train::LoraGrads g(l.p);
    std::vector<float> dx(static_cast<size_t>(tokens * n_in), 0.0f);
    train::lora_linear_backward(l.w, l.p, scale, x.data(), h.data(), dy.data(), tokens, g, dx.data(), pool);

    // Reference: h and dh in double from A, B; then Wᵀ·dy + Aᵀ·dh.
    std::vector<float> ref(static_cast<size_t>(tokens * n_in), 0.0f);
    ops::matmul_transposed_add_reference(l.w, dy.data(), n_out, tokens, ref.data(), n_in);
    double scale_sum = 0;
    for (int64_t t = 0; t < tokens; ++t) {
      for (int64_t j = 0; j < rank; ++j) {
        double dh = 0, hj = 0;
        for (int64_t o = 0; o < n_out; ++o) dh += scale * static_cast<double>(l.p.b[o * rank + j]) * dy[t * n_out + o];
        for (int64_t i = 0; i < n_in; ++i) hj += static_cast<double>(l.p.a[j * n_in + i]) * x[t * n_in + i];
        EXPECT_NEAR(h[t * rank + j], hj, 1e-4 * (1.0 + std::fabs(hj)));
        for (int64_t i = 0; i < n_in; ++i) {
          ref[t * n_in + i] += static_cast<float>(l.p.a[j * n_in + i] * dh);
          // dA[j][i] = Σ_t dh·x: checked for the last token's share only through the total below.
        }
        scale_sum += std::fabs(dh);
      }
    }
    for (size_t k = 0; k < dx.size(); ++k) ASSERT_NEAR(dx[k], ref[k], 1e-3 * (1.0 + std::fabs(ref[k]))) << k;

    // A and B gradients: the same as over F32 weights with the same A, B, x and dy.
    Layer f = l;
    f.matrix = random_matrix(rng, GgmlType::F32, n_in, n_out);
    f.w = f.matrix.m;
    train::LoraGrads gf(f.p);
    train::lora_linear_backward(f.w, f.p, scale, x.data(), h.data(), dy.data(), tokens, gf, nullptr, pool);
    EXPECT_EQ(gf.a, g.a);
    EXPECT_EQ(gf.b, g.b);
    EXPECT_GT(scale_sum, 0.0);
  }
}

TEST(LoraLinear, MismatchedPairIsAClearError) {
  Rng rng{1};
  Layer l = make_layer(rng, GgmlType::F32, 32, 16, 2);
  l.p.a.pop_back();
  ThreadPool pool(1);
  std::vector<float> x(32), y(16), h(2);
  try {
    train::lora_linear_forward(l.w, l.p, 1.0f, x.data(), 1, y.data(), h.data(), pool);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not fit its matrix"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace loco
