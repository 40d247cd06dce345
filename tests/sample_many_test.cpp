// N samples decoded together: the prompt is evaluated once, each sample equals a separate
// generation with its seed, and the caller can stop the run early.
#include <gtest/gtest.h>

#include <set>

#include "loco/error.h"
#include "loco/model.h"
#include "loco/sample_many.h"
#include "loco/tokenizer.h"
#include "test_paths.h"

namespace loco {
namespace {

struct SampleManyTest : ::testing::Test {
  std::shared_ptr<const Model> model = Model::load(test::model_path("tiny-qwen3-q4_k_m.gguf"));
  Tokenizer tokenizer = Tokenizer::from_gguf(model->file());
  std::vector<TokenId> prompt = tokenizer.encode("Question: what is two plus two? Answer:", false, false);

  GenerateOptions options() {
    GenerateOptions go;
    go.max_tokens = 12;
    go.sampling.temperature = 0.9f;
    go.sampling.top_k = 0;
    go.sampling.top_p = 1.0f;
    go.sampling.min_p = 0.0f;
    go.sampling.seed = 1000;
    return go;
  }
  SessionOptions session_options(int n) {
    SessionOptions so;
    so.n_ctx = 128;
    so.n_seq = n;
    so.n_ctx_total = 128 * n;
    return so;
  }
};

TEST_F(SampleManyTest, PromptIsEvaluatedOnceAndSamplesMatchSeparateRuns) {
  const int n = 5;
  Session session(model, session_options(n));
  SampleManyResult r = sample_many(session, tokenizer, prompt, n, options());
  EXPECT_EQ(r.prompt_tokens_evaluated, prompt.size());
  uint64_t generated_evaluated = 0;
  for (const Sample& s : r.samples) {
    EXPECT_TRUE(s.finished);
    // Every generated token is evaluated except the last one of each sample.
    generated_evaluated += s.tokens.empty() ? 0 : s.tokens.size() - (s.stop == StopReason::MaxTokens ? 1 : 0);
  }
  EXPECT_EQ(session.tokens_evaluated(), prompt.size() + generated_evaluated);

  std::set<std::vector<TokenId>> distinct;
  for (int i = 0; i < n; ++i) {
    Session alone(model, session_options(1));
    GenerateOptions go = options();
    go.sampling.seed += static_cast<uint64_t>(i);
    GenerateResult g = generate(alone, tokenizer, prompt, go);
    EXPECT_EQ(r.samples[static_cast<size_t>(i)].tokens, g.tokens) << "sample " << i;
    EXPECT_EQ(r.samples[static_cast<size_t>(i)].text, g.text) << "sample " << i;
    distinct.insert(g.tokens);
  }
  EXPECT_GT(distinct.size(), 1u);  // different seeds, different samples
}

TEST_F(SampleManyTest, CallerCanStopEarly) {
  Session session(model, session_options(4));
  int calls = 0;
  SampleManyResult r = sample_many(session, tokenizer, prompt, 4, options(), [&](const auto& samples, size_t i) {
    ++calls;
    EXPECT_TRUE(samples[i].finished);
    return true;  // the first finished sample decides
  });
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(r.stopped_early);
  int cancelled = 0;
  for (const Sample& s : r.samples) cancelled += s.stop == StopReason::Cancelled;
  EXPECT_EQ(cancelled, 3);
}

TEST_F(SampleManyTest, TooFewSequencesIsAnError) {
  Session session(model, session_options(2));
  EXPECT_THROW(sample_many(session, tokenizer, prompt, 3, options()), Error);
}

}  // namespace
}  // namespace loco
