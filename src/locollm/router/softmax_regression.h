// Multinomial logistic regression (softmax regression) on sparse features, trained with
// L-BFGS on the weighted mean cross-entropy plus an L2 penalty on the weights.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "locollm/router/text_features.h"

namespace loco::router {

// Training data: one feature vector, class and weight per example.
struct LabelledRows {
  std::vector<SparseVector> x;
  std::vector<int> y;          // in [0, n_classes)
  std::vector<double> weight;  // per example (class weights), all positive
};

struct SoftmaxModel {
  int n_classes = 0;
  int64_t n_features = 0;
  std::vector<double> weights;  // n_classes rows of n_features
  std::vector<double> bias;     // n_classes

  std::vector<double> logits(const SparseVector& x) const;
};

struct SoftmaxTrainOptions {
  double l2 = 1e-3;  // lambda in  lambda/2 * |W|^2  (the bias is not penalised)
  int max_iterations = 500;
  double gradient_tolerance = 1e-6;
};

// The training objective at params = [weights..., bias...] (the layout of SoftmaxModel):
//   sum_i weight_i * (-log softmax(W x_i + b)[y_i]) / sum_i weight_i  +  l2/2 * |W|^2
// and, when gradient is not null, its gradient in the same layout.
double softmax_objective(const LabelledRows& data, int n_classes, int64_t n_features, double l2,
                         std::span<const double> params, std::vector<double>* gradient);

struct SoftmaxTrainResult {
  SoftmaxModel model;
  double objective = 0;
  int iterations = 0;
  bool converged = false;
};

// Starts from zero weights, so the result is deterministic.
SoftmaxTrainResult train_softmax(const LabelledRows& data, int n_classes, int64_t n_features,
                                 const SoftmaxTrainOptions& options);

// Weights that make every class count as much as the others in the objective:
// n_examples / (n_classes_present * n_examples_of_that_class), per example (scikit-learn's
// class_weight="balanced" counting only the classes that occur).
std::vector<double> balanced_class_weights(const std::vector<int>& y, int n_classes);

}  // namespace loco::router
