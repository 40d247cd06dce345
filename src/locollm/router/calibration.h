// Turning logits into calibrated probabilities: temperature scaling (Guo et al. 2017, "On
// Calibration of Modern Neural Networks") and the measures used to judge it.
#pragma once

#include <span>
#include <vector>

namespace loco::router {

double log_sum_exp(std::span<const double> z);
// softmax(z / temperature).
std::vector<double> softmax(std::span<const double> z, double temperature = 1.0);

// Mean of -log softmax(z_i / temperature)[y_i].
double mean_nll(const std::vector<std::vector<double>>& logits, const std::vector<int>& y,
                double temperature);

// The temperature in [1/20, 20] minimising mean_nll. The NLL is convex in 1/temperature,
// so a golden-section search over 1/temperature finds the minimum. Returns 1 for no data.
double fit_temperature(const std::vector<std::vector<double>>& logits, const std::vector<int>& y);

// Expected calibration error with equal-width bins of the top-class probability:
// sum over bins of (examples in bin / n) * |accuracy in bin - mean top probability in bin|.
double expected_calibration_error(const std::vector<std::vector<double>>& probabilities,
                                  const std::vector<int>& y, int bins = 10);

}  // namespace loco::router
