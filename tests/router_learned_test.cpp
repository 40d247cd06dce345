// ClassifierRouter and EmbeddingRouter: decisions and the threshold, save/load round
// trips, and refusal of malformed or mismatched router files.
#include "loco/router_learned.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "loco/error.h"
#include "loco/model.h"
#include "loco/quantize.h"
#include "loco/tokenizer.h"
#include "test_paths.h"

namespace loco {
namespace {

using nlohmann::json;

std::vector<LabelledQuery> toy_queries() {
  std::vector<LabelledQuery> q;
  auto add = [&](const char* label, std::initializer_list<const char*> texts) {
    for (const char* t : texts) q.push_back({t, label, "toy", ""});
  };
  add("math", {"What is 12 plus 30?", "Add 7 and 8.", "What is 9 times 6?", "Subtract 4 from 19.",
               "How much is 100 divided by 4?", "Multiply 13 by 3.", "What is 2 plus 2?",
               "What is 81 divided by 9?"});
  add("code", {"Write a Python function to reverse a list.", "Python: sort a dict by value.",
               "How do I open a file in Python?", "Fix my Python loop.",
               "Write a Python class for a stack.", "Python function that checks for primes.",
               "Explain this Python error.", "Write a Python script to rename files."});
  add("none", {"Tell me a joke.", "What is the capital of France?", "Write a poem about rain.",
               "Recommend a good book.", "How are you today?", "Who painted the Mona Lisa?",
               "Plan a trip to Rome.", "What should I cook tonight?"});
  return q;
}

std::string temp_file(const std::string& name) { return test::temp_dir() + "/" + name; }

json read_json(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in);
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

TEST(RouterClassifier, LearnsToyClassesAndExplains) {
  RouterTrainReport report;
  ClassifierRouter r = ClassifierRouter::train(toy_queries(), {}, RouterTrainOptions{}, &report);
  EXPECT_EQ(r.classes(), (std::vector<std::string>{"math", "code", "none"}));
  EXPECT_EQ(report.n_train, 24);
  EXPECT_DOUBLE_EQ(report.train_accuracy, 1.0);
  EXPECT_TRUE(report.converged);
  EXPECT_EQ(r.temperature(), 1.0);  // no calibration queries

  RouteDecision d = r.route("What is 5 plus 9?");
  EXPECT_EQ(d.adapter, "math");
  ASSERT_EQ(d.scores.size(), 3u);
  EXPECT_EQ(d.scores[0].adapter, "math");
  // Numbers are what the toy math queries share.
  EXPECT_EQ(d.scores[0].why.rfind("terms for it: \"<num>\" +", 0), 0u) << d.scores[0].why;
  double sum = 0;
  for (const RouteScore& s : d.scores) sum += s.score;
  EXPECT_NEAR(sum, 1.0, 1e-12);
  EXPECT_EQ(r.route("Write a Python function for sorting.").adapter, "code");
  EXPECT_EQ(r.route("Tell me about Rome.").adapter, "");
  EXPECT_NE(r.route("Tell me about Rome.").explanation.find("\"none\""), std::string::npos);
}

TEST(RouterClassifier, ThresholdSendsUnsureQueriesToTheBaseModel) {
  ClassifierRouter r = ClassifierRouter::train(toy_queries(), {}, RouterTrainOptions{});
  const std::string q = "What is 5 plus 9?";
  const std::vector<double> p = r.probabilities(q);
  ASSERT_GT(p[0], p[1]);
  ASSERT_GT(p[0], p[2]);
  r.set_threshold(p[0] - 1e-9);
  EXPECT_EQ(r.route(q).adapter, "math");
  r.set_threshold(p[0] + 1e-9);
  RouteDecision d = r.route(q);
  EXPECT_EQ(d.adapter, "");
  EXPECT_NE(d.explanation.find("below the threshold"), std::string::npos) << d.explanation;
  EXPECT_DOUBLE_EQ(d.confidence, p[2]);  // the decision stands for "none"
  EXPECT_THROW(r.set_threshold(1.5), Error);
  EXPECT_THROW(r.set_threshold(-0.1), Error);
}

TEST(RouterClassifier, CalibrationUsesTheCalibrationQueries) {
  std::vector<LabelledQuery> all = toy_queries();
  std::vector<LabelledQuery> train, calibration;
  for (size_t i = 0; i < all.size(); ++i) (i % 4 == 3 ? calibration : train).push_back(all[i]);
  RouterTrainReport report;
  ClassifierRouter r = ClassifierRouter::train(train, calibration, RouterTrainOptions{}, &report);
  EXPECT_EQ(report.calibration.n, 6);
  EXPECT_EQ(report.calibration.temperature, r.temperature());
  EXPECT_NE(r.temperature(), 1.0);
  EXPECT_LE(report.calibration.nll_after, report.calibration.nll_before);
  // Calibrated probabilities are softmax(logits / T): their log-odds are the raw ones / T.
  const std::vector<double> p1 = r.probabilities("Add 3 and 4.", false);
  const std::vector<double> pt = r.probabilities("Add 3 and 4.", true);
  EXPECT_NEAR(std::log(pt[0] / pt[1]), std::log(p1[0] / p1[1]) / r.temperature(), 1e-9);

  std::vector<LabelledQuery> bad = calibration;
  bad.push_back({"??", "poetry", "", ""});
  EXPECT_THROW(ClassifierRouter::train(train, bad, RouterTrainOptions{}), Error);
}

TEST(RouterClassifier, NeedsTwoClasses) {
  std::vector<LabelledQuery> one = {{"a", "math", "", ""}, {"b", "math", "", ""}};
  EXPECT_THROW(ClassifierRouter::train(one, {}, RouterTrainOptions{}), Error);
}

TEST(RouterClassifier, SaveLoadRoundTripIsExact) {
  std::vector<LabelledQuery> all = toy_queries();
  ClassifierRouter r =
      ClassifierRouter::train(all, {all[0], all[9], all[17]}, RouterTrainOptions{});
  r.set_threshold(0.37);
  const std::string path = temp_file("classifier.json");
  r.save(path);
  EXPECT_EQ(router_file_kind(path), "classifier");
  ClassifierRouter loaded = ClassifierRouter::load(path);
  EXPECT_EQ(loaded.classes(), r.classes());
  EXPECT_EQ(loaded.temperature(), r.temperature());
  EXPECT_EQ(loaded.threshold(), 0.37);
  for (const char* q :
       {"What is 3 plus 3?", "python sort", "hello there", "", "caf\xc3\xa9 \xff\xfe"}) {
    EXPECT_EQ(loaded.probabilities(q), r.probabilities(q)) << q;
    const RouteDecision a = r.route(q), b = loaded.route(q);
    EXPECT_EQ(a.adapter, b.adapter);
    EXPECT_EQ(a.explanation, b.explanation);
  }
}

// Every way a router file can be wrong ends in a FormatError naming the file.
TEST(RouterClassifier, MalformedFilesAreRefused) {
  ClassifierRouter r = ClassifierRouter::train(toy_queries(), {}, RouterTrainOptions{});
  const std::string good = temp_file("good.json");
  r.save(good);
  const json base = read_json(good);
  const size_t n_vocab = base["features"]["vocabulary"].size();

  std::vector<std::pair<std::string, std::string>> cases;  // name, file text
  auto edited = [&](const char* name, const std::function<void(json&)>& edit) {
    json j = base;
    edit(j);
    cases.emplace_back(name, j.dump());
  };
  cases.emplace_back("empty", "");
  cases.emplace_back("not json", "router!");
  cases.emplace_back("truncated", base.dump().substr(0, base.dump().size() / 2));
  cases.emplace_back("array", "[1, 2, 3]");
  cases.emplace_back("deep", std::string(100000, '[') + std::string(100000, ']'));
  edited("format", [](json& j) { j["format"] = "gguf"; });
  edited("no format", [](json& j) { j.erase("format"); });
  edited("version", [](json& j) { j["version"] = 2; });
  edited("version type", [](json& j) { j["version"] = "1"; });
  edited("huge version", [](json& j) { j["version"] = 18446744073709551615ull; });
  edited("kind", [](json& j) { j["kind"] = "embedding"; });
  edited("no head", [](json& j) { j.erase("head"); });
  edited("head type", [](json& j) { j["head"] = 3; });
  edited("threshold", [](json& j) { j["threshold"] = 1.5; });
  edited("threshold type", [](json& j) { j["threshold"] = "high"; });
  edited("temperature", [](json& j) { j["head"]["temperature"] = 0; });
  edited("negative temperature", [](json& j) { j["head"]["temperature"] = -1; });
  edited("huge temperature", [](json& j) { j["head"]["temperature"] = 1e300; });
  edited("huge weight", [](json& j) { j["head"]["weights"][0] = 1e300; });
  edited("huge idf", [](json& j) { j["features"]["idf"][0] = 1e300; });
  edited("one class", [](json& j) { j["head"]["classes"] = {"math"}; });
  edited("repeated class", [](json& j) { j["head"]["classes"] = {"math", "math", "none"}; });
  edited("class type", [](json& j) { j["head"]["classes"][0] = 7; });
  edited("short weights", [](json& j) { j["head"]["weights"].erase(0); });
  edited("long weights", [](json& j) { j["head"]["weights"].push_back(0.5); });
  edited("weight type", [](json& j) { j["head"]["weights"][3] = "x"; });
  edited("weights object", [](json& j) { j["head"]["weights"] = json::object(); });
  edited("short bias", [](json& j) { j["head"]["bias"].erase(0); });
  edited("idf size", [](json& j) { j["features"]["idf"].push_back(1.0); });
  edited("idf value", [](json& j) { j["features"]["idf"][0] = -2.0; });
  edited("vocabulary repeat",
         [&](json& j) { j["features"]["vocabulary"][1] = j["features"]["vocabulary"][0]; });
  edited("vocabulary type", [](json& j) { j["features"]["vocabulary"][0] = json::array(); });
  edited("feature type", [](json& j) { j["features"]["type"] = "dense"; });
  edited("bigrams type", [](json& j) { j["features"]["bigrams"] = 1; });
  edited("no features", [](json& j) { j.erase("features"); });
  std::string overflow = base.dump();
  const size_t bias_at = overflow.find("\"bias\":[") + 8;
  overflow.replace(bias_at, overflow.find(',', bias_at) - bias_at, "1e999");
  cases.emplace_back("infinite bias", overflow);
  ASSERT_GT(n_vocab, 10u);

  for (const auto& [name, text] : cases) {
    const std::string path = temp_file("bad.json");
    write_text(path, text);
    try {
      ClassifierRouter::load(path);
      ADD_FAILURE() << name << ": loaded";
    } catch (const Error& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.rfind(path + ": ", 0), 0u) << name << ": " << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << name;
    }
  }
  EXPECT_THROW(ClassifierRouter::load(temp_file("missing.json")), Error);
  EXPECT_THROW(ClassifierRouter::load(test::temp_dir()), Error);
}

// A deterministic stand-in for the base model's hidden state: hashed word counts in 16
// dimensions plus a constant one (a dimension standardisation must cope with).
FeatureExtractor hashed_words() {
  FeatureExtractor f;
  f.name = "hashed words (test)";
  f.dim = 17;
  f.compute = [](std::string_view q) {
    std::vector<float> v(17, 0.0f);
    v[16] = 1.0f;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i <= q.size(); ++i) {
      const char c = i < q.size() ? q[i] : ' ';
      if (std::isalnum(static_cast<unsigned char>(c))) {
        h = (h ^ static_cast<uint32_t>(std::tolower(static_cast<unsigned char>(c)))) * 16777619u;
      } else if (h != 2166136261u) {
        v[h % 16] += 1.0f;
        h = 2166136261u;
      }
    }
    return v;
  };
  return f;
}

TEST(RouterEmbedding, TrainsRoutesAndRoundTrips) {
  std::vector<LabelledQuery> all = toy_queries();
  RouterTrainReport report;
  EmbeddingRouter r = EmbeddingRouter::train(hashed_words(), all, {all[1], all[10], all[20]},
                                             RouterTrainOptions{}, &report);
  EXPECT_EQ(report.n_features, 17);
  EXPECT_GE(report.train_accuracy, 0.9);
  EXPECT_EQ(r.classes(), (std::vector<std::string>{"math", "code", "none"}));

  const std::string path = temp_file("embedding.json");
  r.save(path);
  EXPECT_EQ(router_file_kind(path), "embedding");
  EmbeddingRouter loaded = EmbeddingRouter::load(path, hashed_words());
  for (const LabelledQuery& q : all) {
    EXPECT_EQ(loaded.probabilities(q.text), r.probabilities(q.text)) << q.text;
    EXPECT_EQ(loaded.route(q.text).adapter, r.route(q.text).adapter);
  }

  FeatureExtractor renamed = hashed_words();
  renamed.name = "other features";
  EXPECT_THROW(EmbeddingRouter::load(path, renamed), FormatError);
  FeatureExtractor wider = hashed_words();
  wider.dim = 18;
  EXPECT_THROW(EmbeddingRouter::load(path, wider), FormatError);
  EXPECT_THROW(ClassifierRouter::load(path), FormatError);
  EXPECT_THROW(EmbeddingRouter::load(temp_file("nothing.json"), hashed_words()), Error);

  json huge = read_json(path);
  huge["features"]["scale"][0] = 1e300;
  const std::string bad_scale = temp_file("huge_scale.json");
  write_text(bad_scale, huge.dump());
  EXPECT_THROW(EmbeddingRouter::load(bad_scale, hashed_words()), FormatError);

  json j = read_json(path);
  j["features"]["mean"].erase(0);
  const std::string bad = temp_file("bad_embedding.json");
  write_text(bad, j.dump());
  EXPECT_THROW(EmbeddingRouter::load(bad, hashed_words()), FormatError);
}

TEST(RouterEmbedding, ExtractorOfTheWrongSizeIsAnError) {
  FeatureExtractor f = hashed_words();
  f.dim = 5;  // returns 17 values
  EXPECT_THROW(EmbeddingRouter::train(f, toy_queries(), {}, RouterTrainOptions{}), Error);
  f.dim = 0;
  EXPECT_THROW(EmbeddingRouter::train(f, toy_queries(), {}, RouterTrainOptions{}), Error);
}

// The v3 stand-in features of a real (tiny, random-weight) model: the mean of the query's
// token embedding rows, and a router trained on them.
TEST(RouterEmbedding, TokenEmbeddingFeaturesOfTinyModel) {
  const std::string path = test::model_path("tiny-qwen3-q8_0.gguf");
  if (!std::ifstream(path)) GTEST_SKIP() << "no " << path;
  std::shared_ptr<const Model> model = Model::load(path);
  FeatureExtractor f = token_embedding_features(model, "tiny-qwen3-q8_0");
  ASSERT_EQ(f.dim, 256);

  const std::string q = "What is 12 plus 30?";
  const std::vector<TokenId> ids = Tokenizer::from_gguf(model->file()).encode(q, false, false);
  ASSERT_GT(ids.size(), 2u);
  const Matrix& e = model->weights().token_embd;
  std::vector<double> expect(256, 0.0);
  std::vector<float> row(256);
  for (TokenId id : ids) {
    dequantize_row(e.type, e.row(id), row.data(), 256);
    for (int i = 0; i < 256; ++i)
      expect[static_cast<size_t>(i)] +=
          row[static_cast<size_t>(i)] / static_cast<double>(ids.size());
  }
  const std::vector<float> got = f.compute(q);
  for (size_t i = 0; i < 256; ++i) EXPECT_NEAR(got[i], expect[i], 1e-5) << i;
  for (float v : f.compute("")) EXPECT_EQ(v, 0.0f);

  RouterTrainReport report;
  EmbeddingRouter r = EmbeddingRouter::train(f, toy_queries(), {}, RouterTrainOptions{}, &report);
  EXPECT_GE(report.train_accuracy, 0.9);
  const std::string file = temp_file("tiny_embedding.json");
  r.save(file);
  EmbeddingRouter loaded =
      EmbeddingRouter::load(file, token_embedding_features(model, "tiny-qwen3-q8_0"));
  EXPECT_EQ(loaded.probabilities(q), r.probabilities(q));
  EXPECT_THROW(EmbeddingRouter::load(file, token_embedding_features(model, "another model")),
               FormatError);
}

}  // namespace
}  // namespace loco

namespace loco {
namespace {

// Labels that have nothing to do with the text: a model that saw the query would get it
// right (training accuracy 1), one that did not is at chance. Cross-validation must be at
// chance, which shows no query is routed by a model trained on it.
TEST(RouterClassifier, CrossValidationNeverSeesTheQuery) {
  std::mt19937 rng(42);
  const char* words[] = {"alpha", "beta", "gamma", "delta", "omega", "sigma", "kappa", "zeta"};
  std::vector<LabelledQuery> q;
  const char* labels[] = {"math", "code", "none"};
  for (int i = 0; i < 150; ++i) {
    std::string text = "w";  // a word of its own: memorisable
    text.append(std::to_string(i));
    for (int k = 0; k < 4; ++k) text.append(" ").append(words[rng() % 8]);
    q.push_back({text, labels[rng() % 3], "", ""});
  }
  RouterTrainOptions o;
  o.l2 = 1e-5;
  o.threshold = 0;
  RouterTrainReport report;
  ClassifierRouter::train(q, {}, o, &report);
  EXPECT_GT(report.train_accuracy, 0.95);
  const RouterEvaluation e = cross_validate_classifier(q, 5, o);
  EXPECT_EQ(e.n, 150);
  EXPECT_LT(e.accuracy, 0.5);  // chance is 1/3; 0.5 is far out for 150 queries
  EXPECT_THROW(cross_validate_classifier(q, 1, o), Error);
}

}  // namespace
}  // namespace loco
