// v2 router: TF-IDF word and bigram features, logistic regression, temperature scaling.
#include <fmt/format.h>

#include <algorithm>

#include "loco/error.h"
#include "loco/router_learned.h"
#include "locollm/router/learned_head.h"
#include "locollm/router/router_file.h"
#include "locollm/router/text_features.h"

namespace loco {

struct ClassifierRouter::Features {
  router::TfidfVectorizer tfidf;
};

ClassifierRouter ClassifierRouter::train(const std::vector<LabelledQuery>& train,
                                         const std::vector<LabelledQuery>& calibration,
                                         const RouterTrainOptions& options,
                                         RouterTrainReport* report) {
  std::vector<std::string> texts, labels, calibration_labels;
  for (const LabelledQuery& q : train) {
    texts.push_back(q.text);
    labels.push_back(q.label);
  }
  auto features = std::make_shared<Features>();
  features->tfidf =
      router::TfidfVectorizer::fit(texts, options.bigrams, std::max(1, options.min_df));
  std::vector<router::SparseVector> x, calibration_x;
  for (const std::string& t : texts) x.push_back(features->tfidf.transform(t));
  for (const LabelledQuery& q : calibration) {
    calibration_x.push_back(features->tfidf.transform(q.text));
    calibration_labels.push_back(q.label);
  }
  const auto n_features = static_cast<int64_t>(features->tfidf.size());
  ClassifierRouter r;
  r.head_ = std::make_shared<LearnedHead>(
      train_head(x, labels, calibration_x, calibration_labels, n_features, options, report));
  r.features_ = std::move(features);
  r.threshold_ = options.threshold;
  return r;
}

const std::vector<std::string>& ClassifierRouter::classes() const { return head_->classes; }
double ClassifierRouter::temperature() const { return head_->temperature; }

void ClassifierRouter::set_threshold(double threshold) {
  check_threshold(threshold);
  threshold_ = threshold;
}

std::vector<double> ClassifierRouter::probabilities(std::string_view query, bool calibrated) const {
  return head_->probabilities(features_->tfidf.transform(query), calibrated);
}

RouteDecision ClassifierRouter::route(std::string_view query) const {
  const router::SparseVector x = features_->tfidf.transform(query);
  // The evidence for a class: the terms that push its logit up the most.
  auto why = [&](int c) {
    const router::SoftmaxModel& m = head_->model;
    const double* w = m.weights.data() + static_cast<size_t>(c) * static_cast<size_t>(m.n_features);
    std::vector<std::pair<double, uint32_t>> parts;
    for (size_t j = 0; j < x.index.size(); ++j) {
      const double contribution = w[x.index[j]] * x.value[j];
      if (contribution > 0) parts.emplace_back(contribution, x.index[j]);
    }
    std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    if (parts.empty()) return std::string("no term speaks for it");
    std::string s = "terms for it:";
    for (size_t i = 0; i < std::min<size_t>(3, parts.size()); ++i) {
      s += fmt::format("{} \"{}\" +{:.2f}", i == 0 ? "" : ",",
                       features_->tfidf.vocabulary()[parts[i].second], parts[i].first);
    }
    return s;
  };
  return head_->decide(x, threshold_, why);
}

void ClassifierRouter::save(const std::string& path) const {
  nlohmann::json body;
  body["threshold"] = threshold_;
  body["features"] = {{"type", "tfidf"},
                      {"bigrams", features_->tfidf.bigrams()},
                      {"vocabulary", features_->tfidf.vocabulary()},
                      {"idf", features_->tfidf.idf()}};
  body["head"] = head_to_json(*head_);
  router::write_router_json(path, "classifier", std::move(body));
}

ClassifierRouter ClassifierRouter::load(const std::string& path) {
  const nlohmann::json j = router::read_router_json(path, "classifier");
  const nlohmann::json& f = router::field(j, "features", path);
  if (!f.is_object()) throw FormatError(path + ": \"features\" is not an object");
  if (router::string_field(f, "type", path) != "tfidf") {
    throw FormatError(path + ": classifier features must be of type \"tfidf\"");
  }
  std::vector<std::string> vocabulary = router::string_array(f, "vocabulary", path);
  std::vector<double> idf =
      router::number_array(f, "idf", path, static_cast<int64_t>(vocabulary.size()), 1e3);
  auto features = std::make_shared<Features>();
  try {
    features->tfidf = router::TfidfVectorizer::from_parts(std::move(vocabulary), std::move(idf),
                                                          router::bool_field(f, "bigrams", path));
  } catch (const FormatError& e) {
    throw FormatError(path + ": " + e.what());
  }
  const nlohmann::json& h = router::field(j, "head", path);
  if (!h.is_object()) throw FormatError(path + ": \"head\" is not an object");
  ClassifierRouter r;
  r.head_ = std::make_shared<LearnedHead>(
      head_from_json(h, static_cast<int64_t>(features->tfidf.size()), path));
  r.features_ = std::move(features);
  const double threshold = router::number_field(j, "threshold", path);
  if (!(threshold >= 0 && threshold <= 1)) throw FormatError(path + ": threshold outside [0, 1]");
  r.threshold_ = threshold;
  return r;
}

std::string router_file_kind(const std::string& path) {
  return router::string_field(router::read_router_json(path, ""), "kind", path);
}

}  // namespace loco

namespace loco {

RouterEvaluation cross_validate_classifier(const std::vector<LabelledQuery>& queries, int folds,
                                           const RouterTrainOptions& options,
                                           const std::vector<std::string>& label_order) {
  if (folds < 2 || folds > 100) throw Error("cross-validation needs 2 to 100 folds");
  // FNV-1a again, but folds come from the high bits so they do not line up with the split.
  auto fold_of = [&](const LabelledQuery& q) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (char c : q.group.empty() ? q.text : q.group) {
      h ^= static_cast<unsigned char>(c);
      h *= 0x100000001b3ull;
    }
    return static_cast<int>((h >> 32) % static_cast<uint64_t>(folds));
  };
  std::vector<RouteDecision> decisions(queries.size());
  for (int f = 0; f < folds; ++f) {
    std::vector<LabelledQuery> train, calibration;
    std::vector<size_t> test;
    for (size_t i = 0; i < queries.size(); ++i) {
      if (fold_of(queries[i]) == f) {
        test.push_back(i);
      } else if (router_split_of(queries[i]) == RouterSplit::Calibration) {
        calibration.push_back(queries[i]);
      } else {
        train.push_back(queries[i]);
      }
    }
    if (test.empty()) continue;
    const ClassifierRouter r = ClassifierRouter::train(train, calibration, options);
    for (size_t i : test) decisions[i] = r.route(queries[i].text);
  }
  return evaluate_decisions(queries, std::move(decisions), label_order);
}

}  // namespace loco
