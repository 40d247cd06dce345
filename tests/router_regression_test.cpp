// The learning parts of the router: the softmax-regression gradient against finite
// differences, L-BFGS on functions with known minima, recovery of a separable problem,
// temperature scaling and the calibration error.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "locollm/router/calibration.h"
#include "locollm/router/lbfgs.h"
#include "locollm/router/softmax_regression.h"

namespace loco::router {
namespace {

// Uniform in [0, 1) from the raw engine output (std distributions differ across libraries).
double uniform(std::mt19937& rng) { return static_cast<double>(rng()) / 4294967296.0; }

LabelledRows random_rows(std::mt19937& rng, int n, int n_features, int n_classes) {
  LabelledRows d;
  for (int i = 0; i < n; ++i) {
    SparseVector x;
    for (int j = 0; j < n_features; ++j) {
      if (uniform(rng) < 0.5) {
        x.index.push_back(static_cast<uint32_t>(j));
        x.value.push_back(static_cast<float>(uniform(rng) * 2 - 1));
      }
    }
    d.x.push_back(x);
    d.y.push_back(static_cast<int>(rng() % static_cast<unsigned>(n_classes)));
    d.weight.push_back(0.5 + uniform(rng));
  }
  return d;
}

TEST(RouterRegression, GradientMatchesFiniteDifferences) {
  std::mt19937 rng(7);
  const int K = 3, D = 5;
  LabelledRows d = random_rows(rng, 9, D, K);
  std::vector<double> p(K * (D + 1));
  for (double& v : p) v = uniform(rng) * 2 - 1;
  const double l2 = 0.3;
  std::vector<double> g;
  softmax_objective(d, K, D, l2, p, &g);
  ASSERT_EQ(g.size(), p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    const double h = 1e-5;
    std::vector<double> a = p, b = p;
    a[i] += h;
    b[i] -= h;
    const double numeric =
        (softmax_objective(d, K, D, l2, a, nullptr) - softmax_objective(d, K, D, l2, b, nullptr)) /
        (2 * h);
    EXPECT_NEAR(g[i], numeric, 1e-8 + 1e-6 * std::abs(numeric)) << "parameter " << i;
  }
}

// The objective at zero weights is ln K whatever the data (every class has p = 1/K).
TEST(RouterRegression, ObjectiveAtZeroIsLogK) {
  std::mt19937 rng(3);
  LabelledRows d = random_rows(rng, 20, 4, 5);
  std::vector<double> p(5 * 5, 0.0);
  EXPECT_NEAR(softmax_objective(d, 5, 4, 1.0, p, nullptr), std::log(5.0), 1e-12);
}

TEST(RouterRegression, LbfgsFindsKnownMinima) {
  // A badly scaled quadratic with its minimum at (1, -2, 3).
  Objective quad = [](const std::vector<double>& x, std::vector<double>& g) {
    const double a[3] = {1, -2, 3}, s[3] = {1, 100, 0.01};
    double f = 0;
    g.assign(3, 0);
    for (int i = 0; i < 3; ++i) {
      f += 0.5 * s[i] * (x[i] - a[i]) * (x[i] - a[i]);
      g[i] = s[i] * (x[i] - a[i]);
    }
    return f;
  };
  LbfgsOptions o;
  o.gradient_tolerance = 1e-10;
  LbfgsResult r = lbfgs_minimize(quad, {0, 0, 0}, o);
  EXPECT_TRUE(r.converged);
  EXPECT_NEAR(r.x[0], 1, 1e-8);
  EXPECT_NEAR(r.x[1], -2, 1e-8);
  EXPECT_NEAR(r.x[2], 3, 1e-6);

  // Rosenbrock's valley from the classic start (-1.2, 1); minimum at (1, 1).
  Objective rosen = [](const std::vector<double>& x, std::vector<double>& g) {
    const double a = 1 - x[0], b = x[1] - x[0] * x[0];
    g = {-2 * a - 400 * x[0] * b, 200 * b};
    return a * a + 100 * b * b;
  };
  r = lbfgs_minimize(rosen, {-1.2, 1}, o);
  EXPECT_NEAR(r.x[0], 1, 1e-6);
  EXPECT_NEAR(r.x[1], 1, 1e-6);
}

// Three classes, each marked by its own feature among noise features: the trained model
// must classify unseen points by the marker alone.
TEST(RouterRegression, RecoversSeparableProblem) {
  std::mt19937 rng(11);
  const int K = 3, D = 8;
  auto make = [&](int n) {
    LabelledRows d;
    for (int i = 0; i < n; ++i) {
      const int c = i % K;
      SparseVector x;
      for (int j = 0; j < D; ++j) {
        double v = j < K ? (j == c ? 1.0 : 0.0) : uniform(rng) * 2 - 1;  // marker, then noise
        if (v != 0) {
          x.index.push_back(static_cast<uint32_t>(j));
          x.value.push_back(static_cast<float>(v));
        }
      }
      d.x.push_back(x);
      d.y.push_back(c);
      d.weight.push_back(1.0);
    }
    return d;
  };
  LabelledRows train = make(60), test = make(30);
  SoftmaxTrainOptions o;
  o.l2 = 1e-4;
  SoftmaxTrainResult r = train_softmax(train, K, D, o);
  EXPECT_TRUE(r.converged);
  for (size_t i = 0; i < test.x.size(); ++i) {
    const std::vector<double> p = softmax(r.model.logits(test.x[i]));
    EXPECT_GT(p[static_cast<size_t>(test.y[i])], 0.9) << "test point " << i;
  }
  // The markers carry the weight: each class's own marker weighs more than any noise weight.
  for (int c = 0; c < K; ++c) {
    const double* w = r.model.weights.data() + c * D;
    for (int j = K; j < D; ++j) EXPECT_GT(w[c], std::abs(w[j]) * 3) << c << " " << j;
  }
}

TEST(RouterRegression, BalancedClassWeights) {
  const std::vector<double> w = balanced_class_weights({0, 0, 0, 2}, 3);
  ASSERT_EQ(w.size(), 4u);
  EXPECT_DOUBLE_EQ(w[0], 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(w[3], 2.0);
}

TEST(RouterCalibration, ExpectedCalibrationErrorByHand) {
  // Top probabilities 0.9 (right), 0.8 (wrong), 0.7 (right), 0.6 (right), one per bin:
  // (0.1 + 0.8 + 0.3 + 0.4) / 4.
  const std::vector<std::vector<double>> p = {{0.9, 0.1}, {0.8, 0.2}, {0.3, 0.7}, {0.6, 0.4}};
  EXPECT_NEAR(expected_calibration_error(p, {0, 1, 1, 0}), 0.4, 1e-12);
  // Two in one bin: confidences 0.95 and 0.91, one right: |1 - 1.86| / 2.
  EXPECT_NEAR(expected_calibration_error({{0.95, 0.05}, {0.91, 0.09}}, {0, 1}), 0.43, 1e-12);
}

// Labels drawn from softmax(z / 2): logits z are overconfident by a factor 2. A temperature
// fitted on one sample must come out near 2 and lower the NLL on another sample.
TEST(RouterCalibration, TemperatureLowersHeldOutNll) {
  std::mt19937 rng(5);
  auto sample = [&](int n, std::vector<std::vector<double>>& z, std::vector<int>& y) {
    for (int i = 0; i < n; ++i) {
      std::vector<double> zi(4);
      for (double& v : zi) v = (uniform(rng) * 2 - 1) * 6;
      const std::vector<double> p = softmax(zi, 2.0);
      double u = uniform(rng), acc = 0;
      int label = 3;
      for (int k = 0; k < 4; ++k) {
        acc += p[static_cast<size_t>(k)];
        if (u < acc) {
          label = k;
          break;
        }
      }
      z.push_back(zi);
      y.push_back(label);
    }
  };
  std::vector<std::vector<double>> z_fit, z_test;
  std::vector<int> y_fit, y_test;
  sample(3000, z_fit, y_fit);
  sample(3000, z_test, y_test);
  const double t = fit_temperature(z_fit, y_fit);
  EXPECT_NEAR(t, 2.0, 0.25);
  EXPECT_LT(mean_nll(z_test, y_test, t), mean_nll(z_test, y_test, 1.0) - 0.05);
  // The fitted temperature is the minimum on its own sample.
  EXPECT_LE(mean_nll(z_fit, y_fit, t), mean_nll(z_fit, y_fit, t * 1.05));
  EXPECT_LE(mean_nll(z_fit, y_fit, t), mean_nll(z_fit, y_fit, t / 1.05));

  std::vector<std::vector<double>> p1, pt;
  for (const auto& zi : z_test) {
    p1.push_back(softmax(zi, 1.0));
    pt.push_back(softmax(zi, t));
  }
  EXPECT_LT(expected_calibration_error(pt, y_test), expected_calibration_error(p1, y_test));
}

}  // namespace
}  // namespace loco::router
