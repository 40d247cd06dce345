// v3 router: the same logistic regression as v2, on dense features from a caller-supplied
// extractor (the base model's pooled hidden state), standardised per dimension.
#include <fmt/format.h>

#include <cmath>

#include "loco/error.h"
#include "loco/router_learned.h"
#include "locollm/router/learned_head.h"
#include "locollm/router/router_file.h"

namespace loco {

struct EmbeddingRouter::Standardiser {
  std::vector<double> mean;
  std::vector<double> scale;  // 1 / standard deviation; 0 for a constant dimension
};

namespace {

constexpr int64_t kMaxFeatureDim = int64_t{1} << 20;

std::vector<float> extract(const FeatureExtractor& features, std::string_view query) {
  std::vector<float> v = features.compute(query);
  if (static_cast<int64_t>(v.size()) != features.dim) {
    throw Error(fmt::format("feature extractor \"{}\" returned {} values, expected {}",
                            features.name, v.size(), features.dim));
  }
  for (float f : v) {
    if (!std::isfinite(f)) {
      throw Error(
          fmt::format("feature extractor \"{}\" returned a non-finite value", features.name));
    }
  }
  return v;
}

router::SparseVector standardise(const std::vector<float>& v, const std::vector<double>& mean,
                                 const std::vector<double>& scale) {
  router::SparseVector x;
  x.index.reserve(v.size());
  x.value.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    x.index.push_back(static_cast<uint32_t>(i));
    x.value.push_back(static_cast<float>((v[i] - mean[i]) * scale[i]));
  }
  return x;
}

void check_extractor(const FeatureExtractor& features) {
  if (features.dim <= 0 || features.dim > kMaxFeatureDim || !features.compute) {
    throw Error(fmt::format("feature extractor \"{}\" needs a dimension in [1, {}] and a function",
                            features.name, kMaxFeatureDim));
  }
}

}  // namespace

EmbeddingRouter EmbeddingRouter::train(FeatureExtractor features,
                                       const std::vector<LabelledQuery>& train,
                                       const std::vector<LabelledQuery>& calibration,
                                       const RouterTrainOptions& options,
                                       RouterTrainReport* report) {
  check_extractor(features);
  const auto dim = static_cast<size_t>(features.dim);
  std::vector<std::vector<float>> raw;
  std::vector<std::string> labels, calibration_labels;
  for (const LabelledQuery& q : train) {
    raw.push_back(extract(features, q.text));
    labels.push_back(q.label);
  }
  auto st = std::make_shared<Standardiser>();
  st->mean.assign(dim, 0.0);
  st->scale.assign(dim, 0.0);
  for (const auto& v : raw) {
    for (size_t i = 0; i < dim; ++i) st->mean[i] += v[i];
  }
  const double n = raw.empty() ? 1.0 : static_cast<double>(raw.size());
  for (double& m : st->mean) m /= n;
  std::vector<double> var(dim, 0.0);
  for (const auto& v : raw) {
    for (size_t i = 0; i < dim; ++i) var[i] += (v[i] - st->mean[i]) * (v[i] - st->mean[i]);
  }
  for (size_t i = 0; i < dim; ++i) {
    const double sd = std::sqrt(var[i] / n);
    st->scale[i] = sd > 1e-12 ? 1.0 / sd : 0.0;
  }

  std::vector<router::SparseVector> x, calibration_x;
  for (const auto& v : raw) x.push_back(standardise(v, st->mean, st->scale));
  for (const LabelledQuery& q : calibration) {
    calibration_x.push_back(standardise(extract(features, q.text), st->mean, st->scale));
    calibration_labels.push_back(q.label);
  }
  EmbeddingRouter r;
  r.head_ = std::make_shared<LearnedHead>(
      train_head(x, labels, calibration_x, calibration_labels, features.dim, options, report));
  r.standardiser_ = std::move(st);
  r.features_ = std::move(features);
  r.threshold_ = options.threshold;
  return r;
}

const std::vector<std::string>& EmbeddingRouter::classes() const { return head_->classes; }
double EmbeddingRouter::temperature() const { return head_->temperature; }

void EmbeddingRouter::set_threshold(double threshold) {
  check_threshold(threshold);
  threshold_ = threshold;
}

std::vector<double> EmbeddingRouter::probabilities(std::string_view query, bool calibrated) const {
  return head_->probabilities(
      standardise(extract(features_, query), standardiser_->mean, standardiser_->scale),
      calibrated);
}

RouteDecision EmbeddingRouter::route(std::string_view query) const {
  const router::SparseVector x =
      standardise(extract(features_, query), standardiser_->mean, standardiser_->scale);
  return head_->decide(x, threshold_, nullptr);
}

void EmbeddingRouter::save(const std::string& path) const {
  nlohmann::json body;
  body["threshold"] = threshold_;
  body["features"] = {{"type", "dense"},
                      {"name", features_.name},
                      {"dim", features_.dim},
                      {"mean", standardiser_->mean},
                      {"scale", standardiser_->scale}};
  body["head"] = head_to_json(*head_);
  router::write_router_json(path, "embedding", std::move(body));
}

EmbeddingRouter EmbeddingRouter::load(const std::string& path, FeatureExtractor features) {
  check_extractor(features);
  const nlohmann::json j = router::read_router_json(path, "embedding");
  const nlohmann::json& f = router::field(j, "features", path);
  if (!f.is_object()) throw FormatError(path + ": \"features\" is not an object");
  if (router::string_field(f, "type", path) != "dense") {
    throw FormatError(path + ": embedding features must be of type \"dense\"");
  }
  const std::string name = router::string_field(f, "name", path);
  const int64_t dim = router::integer_field(f, "dim", path, 1, kMaxFeatureDim);
  if (name != features.name || dim != features.dim) {
    throw FormatError(fmt::format(
        "{}: router was trained on features \"{}\" of dimension {}, but the features at hand "
        "are \"{}\" of dimension {}",
        path, name, dim, features.name, features.dim));
  }
  auto st = std::make_shared<Standardiser>();
  st->mean = router::number_array(f, "mean", path, dim, 1e12);
  st->scale = router::number_array(f, "scale", path, dim, 1e12);
  const nlohmann::json& h = router::field(j, "head", path);
  if (!h.is_object()) throw FormatError(path + ": \"head\" is not an object");
  EmbeddingRouter r;
  r.head_ = std::make_shared<LearnedHead>(head_from_json(h, dim, path));
  r.standardiser_ = std::move(st);
  r.features_ = std::move(features);
  const double threshold = router::number_field(j, "threshold", path);
  if (!(threshold >= 0 && threshold <= 1)) throw FormatError(path + ": threshold outside [0, 1]");
  r.threshold_ = threshold;
  return r;
}

}  // namespace loco
