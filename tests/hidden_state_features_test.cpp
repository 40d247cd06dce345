// The v3 router's features: Session::embed_mean is the mean of the final (normed) hidden
// states, checked through the output projection against the independent float64 forward
// pass: logits = E·h is linear in h, so E·mean(h) must equal the mean of the reference
// logits over the positions. And hidden_state_features names the model by its content.
#include <gtest/gtest.h>

#include <cmath>

#include "loco/gguf.h"
#include "loco/model.h"
#include "loco/quantize.h"
#include "loco/router_learned.h"
#include "loco/session.h"
#include "loco/tokenizer.h"
#include "reference_forward.h"
#include "test_paths.h"

namespace loco {
namespace {

TEST(HiddenStateFeatures, EmbedMeanIsTheMeanFinalHiddenState) {
  const std::string path = test::model_path("tiny-qwen3-f32.gguf");
  auto model = Model::load(path);
  const GgufFile& file = model->file();
  const std::vector<TokenId> tokens = {9, 11, 1246, 525, 498, 30, 358, 1079, 3915, 13};
  SessionOptions so;
  so.n_ctx = 64;
  so.kv_type = KvType::F32;  // the reference keeps keys and values in float64
  Session session(model, so);
  const std::vector<float> m = session.embed_mean(0, tokens);
  const int64_t n_embd = model->config().n_embd, n_vocab = model->config().n_vocab;
  ASSERT_EQ(static_cast<int64_t>(m.size()), n_embd);

  const auto ref = test::reference_forward(file, tokens);
  const GgufTensor* embd = file.find_tensor("token_embd.weight");  // tied: the output projection
  ASSERT_NE(embd, nullptr);
  std::vector<float> row(static_cast<size_t>(n_embd));
  double err = 0, norm = 0;
  for (int64_t v = 0; v < n_vocab; ++v) {
    dequantize_row(embd->type, embd->row(v), row.data(), n_embd);
    double projected = 0;
    for (int64_t k = 0; k < n_embd; ++k) projected += static_cast<double>(row[static_cast<size_t>(k)]) * m[static_cast<size_t>(k)];
    double mean_logit = 0;
    for (const auto& pos : ref) mean_logit += pos[static_cast<size_t>(v)];
    mean_logit /= static_cast<double>(ref.size());
    err += (projected - mean_logit) * (projected - mean_logit);
    norm += mean_logit * mean_logit;
  }
  EXPECT_LT(std::sqrt(err / norm), 1e-4) << "relative RMS error of E·embed_mean against the mean reference logits";

  // The sequence is cleared afterwards: the same call gives the same vector.
  EXPECT_EQ(session.embed_mean(0, tokens), m);
  EXPECT_EQ(session.length(0), 0);
}

TEST(HiddenStateFeatures, FeaturesAreTheQuerysEmbedMean) {
  const std::string path = test::model_path("tiny-qwen3-f32.gguf");
  auto model = Model::load(path);
  FeatureExtractor f = hidden_state_features(model, "tiny-qwen3 (sha256 1234)", 8);
  EXPECT_EQ(f.dim, model->config().n_embd);
  EXPECT_NE(f.name.find("sha256 1234"), std::string::npos) << f.name;
  const Tokenizer tok = Tokenizer::from_gguf(model->file());
  SessionOptions so;
  so.n_ctx = 64;
  Session session(model, so);
  const std::string query = "How many apples are left?";
  std::vector<TokenId> ids = tok.encode(query, false, false);
  EXPECT_EQ(f.compute(query), session.embed_mean(0, ids));
  // Cut to the first max_tokens tokens.
  const std::string long_query = "one two three four five six seven eight nine ten eleven twelve";
  ids = tok.encode(long_query, false, false);
  ASSERT_GT(ids.size(), 8u);
  ids.resize(8);
  EXPECT_EQ(f.compute(long_query), session.embed_mean(0, ids));
  EXPECT_EQ(f.compute(""), std::vector<float>(static_cast<size_t>(f.dim), 0.0f));
  EXPECT_NE(f.compute("Write a function"), f.compute(query));
}

}  // namespace
}  // namespace loco
