#include "locollm/router/calibration.h"

#include <algorithm>
#include <cmath>

namespace loco::router {

double log_sum_exp(std::span<const double> z) {
  if (z.empty()) return -INFINITY;
  const double m = *std::max_element(z.begin(), z.end());
  double s = 0;
  for (double v : z) s += std::exp(v - m);
  return m + std::log(s);
}

std::vector<double> softmax(std::span<const double> z, double temperature) {
  std::vector<double> p(z.begin(), z.end());
  for (double& v : p) v /= temperature;
  const double lse = log_sum_exp(p);
  for (double& v : p) v = std::exp(v - lse);
  return p;
}

double mean_nll(const std::vector<std::vector<double>>& logits, const std::vector<int>& y,
                double temperature) {
  if (logits.empty()) return 0;
  double total = 0;
  std::vector<double> z;
  for (size_t i = 0; i < logits.size(); ++i) {
    z = logits[i];
    for (double& v : z) v /= temperature;
    total += log_sum_exp(z) - z[static_cast<size_t>(y[i])];
  }
  return total / static_cast<double>(logits.size());
}

double fit_temperature(const std::vector<std::vector<double>>& logits, const std::vector<int>& y) {
  if (logits.empty()) return 1.0;
  // Golden-section search over beta = 1 / temperature in [1/20, 20].
  const double phi = (std::sqrt(5.0) - 1) / 2;
  double lo = 1.0 / 20, hi = 20;
  auto nll = [&](double beta) { return mean_nll(logits, y, 1.0 / beta); };
  double a = hi - phi * (hi - lo), b = lo + phi * (hi - lo);
  double fa = nll(a), fb = nll(b);
  for (int i = 0; i < 100 && hi - lo > 1e-7; ++i) {
    if (fa <= fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - phi * (hi - lo);
      fa = nll(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + phi * (hi - lo);
      fb = nll(b);
    }
  }
  return 1.0 / ((lo + hi) / 2);
}

double expected_calibration_error(const std::vector<std::vector<double>>& probabilities,
                                  const std::vector<int>& y, int bins) {
  if (probabilities.empty() || bins <= 0) return 0;
  std::vector<double> count(static_cast<size_t>(bins)), correct(count.size()),
      confidence(count.size());
  for (size_t i = 0; i < probabilities.size(); ++i) {
    const std::vector<double>& p = probabilities[i];
    const auto top = static_cast<size_t>(std::max_element(p.begin(), p.end()) - p.begin());
    const int bin = p[top] >= 1 ? bins - 1 : p[top] > 0 ? static_cast<int>(p[top] * bins) : 0;
    count[static_cast<size_t>(bin)] += 1;
    correct[static_cast<size_t>(bin)] += static_cast<int>(top) == y[i] ? 1 : 0;
    confidence[static_cast<size_t>(bin)] += p[top];
  }
  double ece = 0;
  for (size_t b = 0; b < count.size(); ++b) {
    if (count[b] == 0) continue;
    ece += std::abs(correct[b] - confidence[b]) / static_cast<double>(probabilities.size());
  }
  return ece;
}

}  // namespace loco::router
