#include "locollm/router/softmax_regression.h"

#include <algorithm>
#include <cmath>

#include "locollm/router/calibration.h"
#include "locollm/router/lbfgs.h"

namespace loco::router {

std::vector<double> SoftmaxModel::logits(const SparseVector& x) const {
  std::vector<double> z(bias);
  for (int k = 0; k < n_classes; ++k) {
    const double* w = weights.data() + static_cast<size_t>(k) * static_cast<size_t>(n_features);
    double s = 0;
    for (size_t j = 0; j < x.index.size(); ++j) {
      if (x.index[j] < n_features) s += w[x.index[j]] * x.value[j];
    }
    z[static_cast<size_t>(k)] += s;
  }
  return z;
}

double softmax_objective(const LabelledRows& data, int n_classes, int64_t n_features, double l2,
                         std::span<const double> params, std::vector<double>* gradient) {
  const size_t K = static_cast<size_t>(n_classes);
  const size_t D = static_cast<size_t>(n_features);
  const double* W = params.data();
  const double* b = params.data() + K * D;
  if (gradient) gradient->assign(params.size(), 0.0);

  double total_weight = 0;
  for (double w : data.weight) total_weight += w;
  if (total_weight <= 0) total_weight = 1;

  double loss = 0;
  std::vector<double> z(K);
  for (size_t i = 0; i < data.x.size(); ++i) {
    const SparseVector& x = data.x[i];
    for (size_t k = 0; k < K; ++k) {
      double s = b[k];
      const double* w = W + k * D;
      for (size_t j = 0; j < x.index.size(); ++j) s += w[x.index[j]] * x.value[j];
      z[k] = s;
    }
    const double lse = log_sum_exp(z);
    const auto y = static_cast<size_t>(data.y[i]);
    const double wi = data.weight[i] / total_weight;
    loss += wi * (lse - z[y]);
    if (gradient) {
      for (size_t k = 0; k < K; ++k) {
        const double r = wi * (std::exp(z[k] - lse) - (k == y ? 1.0 : 0.0));
        double* gw = gradient->data() + k * D;
        for (size_t j = 0; j < x.index.size(); ++j) gw[x.index[j]] += r * x.value[j];
        (*gradient)[K * D + k] += r;
      }
    }
  }
  double penalty = 0;
  for (size_t i = 0; i < K * D; ++i) {
    penalty += W[i] * W[i];
    if (gradient) (*gradient)[i] += l2 * W[i];
  }
  return loss + 0.5 * l2 * penalty;
}

SoftmaxTrainResult train_softmax(const LabelledRows& data, int n_classes, int64_t n_features,
                                 const SoftmaxTrainOptions& options) {
  const size_t n_params = static_cast<size_t>(n_classes) * static_cast<size_t>(n_features + 1);
  Objective f = [&](const std::vector<double>& p, std::vector<double>& g) {
    return softmax_objective(data, n_classes, n_features, options.l2, p, &g);
  };
  LbfgsOptions lo;
  lo.max_iterations = options.max_iterations;
  lo.gradient_tolerance = options.gradient_tolerance;
  LbfgsResult r = lbfgs_minimize(f, std::vector<double>(n_params, 0.0), lo);

  SoftmaxTrainResult out;
  out.model.n_classes = n_classes;
  out.model.n_features = n_features;
  const auto split =
      static_cast<std::ptrdiff_t>(static_cast<size_t>(n_classes) * static_cast<size_t>(n_features));
  out.model.weights.assign(r.x.begin(), r.x.begin() + split);
  out.model.bias.assign(r.x.begin() + split, r.x.end());
  out.objective = r.value;
  out.iterations = r.iterations;
  out.converged = r.converged;
  return out;
}

std::vector<double> balanced_class_weights(const std::vector<int>& y, int n_classes) {
  std::vector<double> count(static_cast<size_t>(n_classes), 0.0);
  for (int c : y) count[static_cast<size_t>(c)] += 1;
  int present = 0;
  for (double c : count) present += c > 0 ? 1 : 0;
  std::vector<double> w;
  w.reserve(y.size());
  for (int c : y) {
    w.push_back(static_cast<double>(y.size()) / (present * count[static_cast<size_t>(c)]));
  }
  return w;
}

}  // namespace loco::router
