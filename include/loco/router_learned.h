// Learned routers: multinomial logistic regression over the adapters and a "none" class
// (the base model), with temperature-scaled probabilities and a confidence threshold.
//
// ClassifierRouter (v2) reads the query through TF-IDF word and bigram features.
// EmbeddingRouter (v3) reads it through a feature function, meant to be the base model's
// mean-pooled hidden state, so no model beyond the base model is needed.
//
// Decision: the class with the highest calibrated probability; if that is "none", or its
// probability is below the threshold, the base model answers. Confidence is the
// probability of the class the decision stands for ("none" for the base model).
//
// Both save to versioned JSON and load with every field checked: a malformed, truncated
// or hostile file gives a FormatError naming the file and the field.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "loco/router.h"
#include "loco/router_data.h"

namespace loco {

struct RouterTrainOptions {
  double l2 = 1e-4;             // L2 penalty on the weights (objective: mean loss + l2/2 |W|^2)
  double threshold = 0.5;       // below this probability the base model answers
  bool balance_classes = true;  // weight examples so every class counts equally
  bool bigrams = true;          // classifier: word bigrams as well as words
  int min_df = 1;               // classifier: terms in fewer training queries are dropped
  int max_iterations = 500;     // L-BFGS iterations
};

struct CalibrationReport {
  int64_t n = 0;  // calibration queries
  double temperature = 1;
  double nll_before = 0, nll_after = 0;  // mean negative log-likelihood, T = 1 vs fitted
  double ece_before = 0, ece_after = 0;  // expected calibration error, 10 bins
};

struct RouterTrainReport {
  int64_t n_train = 0;
  int64_t n_features = 0;
  int iterations = 0;
  bool converged = false;
  double train_accuracy = 0;  // argmax class on the training queries, no threshold
  CalibrationReport calibration;
};

// The model shared by both learned routers; defined in the library.
struct LearnedHead;

class ClassifierRouter : public Router {
 public:
  // Classes: the labels in order of first appearance, "none" moved last. Needs at least two
  // classes. The calibration queries (may be empty: temperature 1) fit the temperature.
  static ClassifierRouter train(const std::vector<LabelledQuery>& train,
                                const std::vector<LabelledQuery>& calibration,
                                const RouterTrainOptions& options,
                                RouterTrainReport* report = nullptr);
  static ClassifierRouter load(const std::string& path);
  void save(const std::string& path) const;

  RouteDecision route(std::string_view query) const override;
  std::string_view kind() const override { return "classifier"; }

  const std::vector<std::string>& classes() const;
  // Probabilities in classes() order: temperature-scaled unless calibrated is false.
  std::vector<double> probabilities(std::string_view query, bool calibrated = true) const;
  double temperature() const;
  double threshold() const { return threshold_; }
  void set_threshold(double threshold);  // Error outside [0, 1]

 private:
  ClassifierRouter() = default;
  struct Features;
  std::shared_ptr<const Features> features_;
  std::shared_ptr<const LearnedHead> head_;
  double threshold_ = 0.5;
};

// A query's dense feature vector. `name` says what it is (for example which model and
// pooling) and is stored with the router, so a router is never fed other features.
struct FeatureExtractor {
  std::string name;
  int64_t dim = 0;
  std::function<std::vector<float>(std::string_view)> compute;
};

class EmbeddingRouter : public Router {
 public:
  // Features are standardised (training mean and standard deviation per dimension) before
  // the regression. Throws Error if the extractor returns a vector of the wrong size.
  static EmbeddingRouter train(FeatureExtractor features, const std::vector<LabelledQuery>& train,
                               const std::vector<LabelledQuery>& calibration,
                               const RouterTrainOptions& options,
                               RouterTrainReport* report = nullptr);
  // Throws FormatError if the file records another feature name or dimension.
  static EmbeddingRouter load(const std::string& path, FeatureExtractor features);
  void save(const std::string& path) const;

  RouteDecision route(std::string_view query) const override;
  std::string_view kind() const override { return "embedding"; }

  const std::vector<std::string>& classes() const;
  std::vector<double> probabilities(std::string_view query, bool calibrated = true) const;
  double temperature() const;
  double threshold() const { return threshold_; }
  void set_threshold(double threshold);

 private:
  EmbeddingRouter() = default;
  struct Standardiser;
  FeatureExtractor features_;
  std::shared_ptr<const Standardiser> standardiser_;
  std::shared_ptr<const LearnedHead> head_;
  double threshold_ = 0.5;
};

// K-fold cross-validation of the classifier: queries are dealt into `folds` folds by the
// hash of their group (or text); each fold is routed by a classifier trained on the other
// folds, calibrated on those of them that router_split_of puts in the calibration split.
// Every query is thus routed once by a router that never saw it. Needs folds >= 2.
RouterEvaluation cross_validate_classifier(const std::vector<LabelledQuery>& queries, int folds,
                                           const RouterTrainOptions& options,
                                           const std::vector<std::string>& label_order = {});

class Model;

// v3 features until the engine exposes hidden states: the mean of the query's input token
// embeddings (dequantized rows of token_embd; the query tokenized without BOS; zeros for
// an empty query). It is the base model's own representation, so no extra model is
// needed, but it ignores word order and context, which the final hidden state would not.
// The name records the kind of feature, `model_label` and the model's shape.
FeatureExtractor token_embedding_features(std::shared_ptr<const Model> model,
                                          const std::string& model_label);

// v3 features proper: the mean over the query's tokens of the base model's final hidden
// state (after the output norm), from a forward pass of the query alone (no chat
// template), cut to its first `max_tokens` tokens.
FeatureExtractor hidden_state_features(std::shared_ptr<const Model> model, const std::string& model_label,
                                       int32_t max_tokens = 256);

// How well a learned router's probabilities fit labelled queries (every label must be one
// of `classes`): mean negative log-likelihood, expected calibration error (10 bins) and
// argmax accuracy without the threshold.
struct ProbabilityQuality {
  int64_t n = 0;
  double nll = 0, ece = 0, accuracy = 0;
};
ProbabilityQuality probability_quality(
    const std::vector<std::string>& classes,
    const std::function<std::vector<double>(std::string_view)>& probabilities,
    const std::vector<LabelledQuery>& queries);

// The "kind" a saved router file declares ("classifier" or "embedding"), checking only
// the header. Throws FormatError for a file that is not a loco router file.
std::string router_file_kind(const std::string& path);

}  // namespace loco
