// What the classifier and embedding routers share once a query is a feature vector: the
// class list, the logistic regression, the temperature, the decision and its reasons,
// training with calibration, and the JSON form of all of it.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "loco/router.h"
#include "loco/router_learned.h"
#include "locollm/router/softmax_regression.h"

namespace loco {

struct LearnedHead {
  std::vector<std::string> classes;  // adapters, then "none" if present
  router::SoftmaxModel model;
  double temperature = 1;

  std::vector<double> probabilities(const router::SparseVector& x, bool calibrated = true) const;
  // `why(c)`: the evidence for class c, shown beside its score (may be empty).
  RouteDecision decide(const router::SparseVector& x, double threshold,
                       const std::function<std::string(int)>& why) const;
};

// Trains on featurised queries: classes in order of first appearance with "none" last,
// balanced class weights if asked, then the temperature on the calibration rows.
LearnedHead train_head(const std::vector<router::SparseVector>& train_x,
                       const std::vector<std::string>& train_labels,
                       const std::vector<router::SparseVector>& calibration_x,
                       const std::vector<std::string>& calibration_labels, int64_t n_features,
                       const RouterTrainOptions& options, RouterTrainReport* report);

nlohmann::json head_to_json(const LearnedHead& head);
// Checks the classes (2 to 64, unique, non-empty) and every size against n_features.
LearnedHead head_from_json(const nlohmann::json& j, int64_t n_features, const std::string& path);

void check_threshold(double threshold);

}  // namespace loco
