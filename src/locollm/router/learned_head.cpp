#include "locollm/router/learned_head.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "loco/error.h"
#include "locollm/router/calibration.h"
#include "locollm/router/router_file.h"

namespace loco {

using router::SparseVector;

std::vector<double> LearnedHead::probabilities(const SparseVector& x, bool calibrated) const {
  return router::softmax(model.logits(x), calibrated ? temperature : 1.0);
}

ProbabilityQuality probability_quality(
    const std::vector<std::string>& classes,
    const std::function<std::vector<double>(std::string_view)>& probabilities,
    const std::vector<LabelledQuery>& queries) {
  ProbabilityQuality q;
  std::vector<std::vector<double>> p;
  std::vector<int> y;
  double nll = 0;
  int64_t correct = 0;
  for (const LabelledQuery& query : queries) {
    auto it = std::find(classes.begin(), classes.end(), query.label);
    if (it == classes.end())
      throw Error("label \"" + query.label + "\" is not one of the router's classes");
    y.push_back(static_cast<int>(it - classes.begin()));
    p.push_back(probabilities(query.text));
    const std::vector<double>& pi = p.back();
    nll -= std::log(std::max(pi[static_cast<size_t>(y.back())], 1e-300));
    correct += (std::max_element(pi.begin(), pi.end()) - pi.begin()) == y.back() ? 1 : 0;
  }
  q.n = static_cast<int64_t>(queries.size());
  if (q.n > 0) {
    q.nll = nll / static_cast<double>(q.n);
    q.accuracy = static_cast<double>(correct) / static_cast<double>(q.n);
    q.ece = router::expected_calibration_error(p, y);
  }
  return q;
}

RouteDecision LearnedHead::decide(const SparseVector& x, double threshold,
                                  const std::function<std::string(int)>& why) const {
  const std::vector<double> p = probabilities(x);
  RouteDecision d;
  for (size_t c = 0; c < classes.size(); ++c) {
    d.scores.push_back({classes[c], p[c], why ? why(static_cast<int>(c)) : std::string()});
  }
  const auto top = static_cast<size_t>(std::max_element(p.begin(), p.end()) - p.begin());
  auto none_it = std::find(classes.begin(), classes.end(), kBaseModelLabel);
  const double p_none =
      none_it == classes.end() ? 0.0 : p[static_cast<size_t>(none_it - classes.begin())];
  if (classes[top] == kBaseModelLabel) {
    d.confidence = p[top];
    d.explanation = fmt::format(
        "\"none\" (a general query) is the most likely class (p={:.2f}), so the base model answers",
        p[top]);
  } else if (p[top] < threshold) {
    d.confidence = p_none;
    d.explanation = fmt::format(
        "the most likely adapter, {}, has p={:.2f}, below the threshold {:.2f}, so the base "
        "model answers",
        classes[top], p[top], threshold);
  } else {
    d.adapter = classes[top];
    d.confidence = p[top];
    d.explanation = fmt::format("{} is the most likely class (p={:.2f}, threshold {:.2f})",
                                classes[top], p[top], threshold);
  }
  return d;
}

void check_threshold(double threshold) {
  if (!(threshold >= 0 && threshold <= 1)) {
    throw Error(fmt::format("router threshold {} is outside [0, 1]", threshold));
  }
}

LearnedHead train_head(const std::vector<SparseVector>& train_x,
                       const std::vector<std::string>& train_labels,
                       const std::vector<SparseVector>& calibration_x,
                       const std::vector<std::string>& calibration_labels, int64_t n_features,
                       const RouterTrainOptions& options, RouterTrainReport* report) {
  check_threshold(options.threshold);
  if (!(options.l2 >= 0) || !std::isfinite(options.l2)) throw Error("router l2 must be >= 0");
  LearnedHead head;
  bool has_none = false;
  for (const std::string& label : train_labels) {
    if (label.empty()) throw Error("router training: a query has an empty label");
    if (label == kBaseModelLabel) {
      has_none = true;
    } else if (std::find(head.classes.begin(), head.classes.end(), label) == head.classes.end()) {
      head.classes.push_back(label);
    }
  }
  if (has_none) head.classes.emplace_back(kBaseModelLabel);
  if (head.classes.size() < 2) {
    throw Error("router training needs queries of at least two classes");
  }
  auto class_of = [&](const std::string& label) {
    auto it = std::find(head.classes.begin(), head.classes.end(), label);
    if (it == head.classes.end()) {
      throw Error("router calibration: label \"" + label + "\" has no training queries");
    }
    return static_cast<int>(it - head.classes.begin());
  };

  router::LabelledRows rows;
  rows.x = train_x;
  for (const std::string& label : train_labels) rows.y.push_back(class_of(label));
  const int n_classes = static_cast<int>(head.classes.size());
  rows.weight = options.balance_classes ? router::balanced_class_weights(rows.y, n_classes)
                                        : std::vector<double>(rows.y.size(), 1.0);
  router::SoftmaxTrainOptions so;
  so.l2 = options.l2;
  so.max_iterations = options.max_iterations;
  router::SoftmaxTrainResult trained = router::train_softmax(rows, n_classes, n_features, so);
  head.model = std::move(trained.model);

  std::vector<std::vector<double>> logits;
  std::vector<int> y;
  for (size_t i = 0; i < calibration_x.size(); ++i) {
    logits.push_back(head.model.logits(calibration_x[i]));
    y.push_back(class_of(calibration_labels[i]));
  }
  head.temperature = router::fit_temperature(logits, y);

  if (report) {
    report->n_train = static_cast<int64_t>(train_x.size());
    report->n_features = n_features;
    report->iterations = trained.iterations;
    report->converged = trained.converged;
    int64_t correct = 0;
    for (size_t i = 0; i < train_x.size(); ++i) {
      const std::vector<double> z = head.model.logits(train_x[i]);
      correct += (std::max_element(z.begin(), z.end()) - z.begin()) == rows.y[i] ? 1 : 0;
    }
    report->train_accuracy =
        train_x.empty() ? 0 : static_cast<double>(correct) / static_cast<double>(train_x.size());
    CalibrationReport& c = report->calibration;
    c.n = static_cast<int64_t>(logits.size());
    c.temperature = head.temperature;
    c.nll_before = router::mean_nll(logits, y, 1.0);
    c.nll_after = router::mean_nll(logits, y, head.temperature);
    std::vector<std::vector<double>> p1, pt;
    for (const auto& z : logits) {
      p1.push_back(router::softmax(z, 1.0));
      pt.push_back(router::softmax(z, head.temperature));
    }
    c.ece_before = router::expected_calibration_error(p1, y);
    c.ece_after = router::expected_calibration_error(pt, y);
  }
  return head;
}

nlohmann::json head_to_json(const LearnedHead& head) {
  nlohmann::json j;
  j["classes"] = head.classes;
  j["temperature"] = head.temperature;
  j["weights"] = head.model.weights;  // classes rows of n_features, row-major
  j["bias"] = head.model.bias;
  return j;
}

LearnedHead head_from_json(const nlohmann::json& j, int64_t n_features, const std::string& path) {
  LearnedHead head;
  head.classes = router::string_array(j, "classes", path);
  if (head.classes.size() < 2 || head.classes.size() > 64) {
    throw FormatError(path + ": a router needs 2 to 64 classes, the file has " +
                      std::to_string(head.classes.size()));
  }
  std::set<std::string> unique;
  for (const std::string& c : head.classes) {
    if (c.empty() || !unique.insert(c).second) {
      throw FormatError(path + ": class names must be non-empty and distinct");
    }
  }
  head.temperature = router::number_field(j, "temperature", path);
  if (!(head.temperature >= 1e-3 && head.temperature <= 1e3)) {
    throw FormatError(path + ": temperature must lie in [0.001, 1000]");
  }
  const auto n_classes = static_cast<int64_t>(head.classes.size());
  head.model.n_classes = static_cast<int>(n_classes);
  head.model.n_features = n_features;
  // n_features is bounded by what the file holds, so this product cannot overflow.
  // Trained weights stay far below 1e6; the bound keeps logits finite for any features.
  head.model.weights = router::number_array(j, "weights", path, n_classes * n_features, 1e6);
  head.model.bias = router::number_array(j, "bias", path, n_classes, 1e6);
  return head;
}

}  // namespace loco
