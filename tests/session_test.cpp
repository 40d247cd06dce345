// Several sequences in one KV cache: batches that mix sequences, forks that share a
// prefix, truncation, and the context limit.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "loco/error.h"
#include "loco/model.h"
#include "loco/session.h"
#include "test_paths.h"

namespace loco {
namespace {

std::vector<float> copy(std::span<const float> s) { return {s.begin(), s.end()}; }

void expect_close(const std::vector<float>& a, const std::vector<float>& b, const char* what) {
  ASSERT_EQ(a.size(), b.size());
  double max_diff = 0.0;
  for (size_t i = 0; i < a.size(); ++i) max_diff = std::max(max_diff, double(std::abs(a[i] - b[i])));
  EXPECT_LT(max_diff, 1e-4) << what;
}

struct SessionTest : ::testing::Test {
  std::shared_ptr<const Model> model = Model::load(test::model_path("tiny-qwen3-q4_k_m.gguf"));
  SessionOptions options(int n_seq, int n_ctx = 128) {
    SessionOptions so;
    so.n_seq = n_seq;
    so.n_ctx = n_ctx;
    so.n_ctx_total = n_seq * n_ctx;
    so.n_threads = 2;
    return so;
  }
  // Logits of every position of `tokens` evaluated alone in a fresh session.
  std::vector<std::vector<float>> alone(const std::vector<TokenId>& tokens) {
    Session s(model, options(1));
    s.decode_sequence(0, tokens, true);
    std::vector<std::vector<float>> out;
    for (int32_t i = 0; i < s.n_logits(); ++i) out.push_back(copy(s.logits(i)));
    return out;
  }
};

TEST_F(SessionTest, InterleavedSequencesMatchSeparateRuns) {
  const std::vector<TokenId> a = {10, 200, 3000, 45, 7, 81, 900};
  const std::vector<TokenId> b = {4097, 1, 2, 3, 4000};
  const auto ref_a = alone(a), ref_b = alone(b);

  Session s(model, options(3));
  // Prefill both in one batch, interleaved.
  std::vector<BatchToken> batch;
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    if (i < a.size()) batch.push_back({a[i], 0, true});
    if (i < b.size()) batch.push_back({b[i], 2, true});
  }
  s.decode(batch);
  int32_t row = 0;
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    if (i < a.size()) expect_close(copy(s.logits(row++)), ref_a[i], "sequence a");
    if (i < b.size()) expect_close(copy(s.logits(row++)), ref_b[i], "sequence b");
  }
  EXPECT_EQ(s.length(0), static_cast<int32_t>(a.size()));
  EXPECT_EQ(s.length(1), 0);
  EXPECT_EQ(s.length(2), static_cast<int32_t>(b.size()));
}

// Batch invariance: a sequence's logits are bit for bit the same whether its tokens are
// evaluated as one prefill, one at a time, or interleaved with another sequence, and
// whatever the thread count (self-consistency votes decode N samples as one batch and
// each must be the sample its seed gives alone). Models with K-quant, 8-bit, float16 and
// bfloat16 weights and both rope pairings.
TEST_F(SessionTest, LogitsAreBitwiseTheSameAloneOrInABatch) {
  const std::vector<TokenId> a = {10, 200, 3000, 45, 7, 81, 900, 12, 4096};
  const std::vector<TokenId> b = {4097, 1, 2, 3, 4000, 17};
  auto expect_same = [](std::span<const float> got, const std::vector<float>& want, const std::string& what) {
    ASSERT_EQ(got.size(), want.size());
    EXPECT_EQ(std::memcmp(got.data(), want.data(), want.size() * sizeof(float)), 0) << what;
  };
  for (const char* file : {"tiny-qwen3-q4_k_m.gguf", "tiny-qwen3-q8_0.gguf", "tiny-llama-f16.gguf", "tiny-qwen3-bf16.gguf"}) {
    SCOPED_TRACE(file);
    model = Model::load(test::model_path(file));
    const auto ref_a = alone(a), ref_b = alone(b);
    {
      Session s(model, options(1));
      for (size_t i = 0; i < a.size(); ++i) {
        s.decode_sequence(0, std::span<const TokenId>(&a[i], 1));
        expect_same(s.logits(0), ref_a[i], "a one token at a time, position " + std::to_string(i));
      }
    }
    for (int threads : {1, 3}) {
      SessionOptions so = options(2);
      so.n_threads = threads;
      Session s(model, so);
      // Interleaved prefill of the first tokens, then one batch per step with a token of each.
      const size_t prefill = 4;
      std::vector<BatchToken> batch;
      for (size_t i = 0; i < prefill; ++i) {
        batch.push_back({a[i], 0, true});
        batch.push_back({b[i], 1, true});
      }
      s.decode(batch);
      for (size_t i = 0; i < prefill; ++i) {
        expect_same(s.logits(static_cast<int32_t>(2 * i)), ref_a[i], "a interleaved, position " + std::to_string(i));
        expect_same(s.logits(static_cast<int32_t>(2 * i + 1)), ref_b[i], "b interleaved, position " + std::to_string(i));
      }
      for (size_t i = prefill; i < a.size(); ++i) {
        std::vector<BatchToken> step = {{a[i], 0, true}};
        if (i < b.size()) step.push_back({b[i], 1, true});
        s.decode(step);
        const std::string where = "position " + std::to_string(i) + ", threads " + std::to_string(threads);
        expect_same(s.logits(0), ref_a[i], "a in a decode batch, " + where);
        if (i < b.size()) expect_same(s.logits(1), ref_b[i], "b in a decode batch, " + where);
      }
    }
  }
}

TEST_F(SessionTest, ForkSharesThePrefix) {
  // 40 tokens: one full KV block of 32 shared, the partial one copied.
  std::vector<TokenId> prompt;
  for (int i = 0; i < 40; ++i) prompt.push_back(100 + 37 * i);
  const std::vector<TokenId> tail_a = {5, 6, 7}, tail_b = {8, 9};

  Session s(model, options(2));
  s.decode_sequence(0, prompt);
  const int32_t blocks_after_prompt = s.kv_cache().blocks_in_use();
  s.kv_cache().fork(0, 1);
  EXPECT_EQ(s.kv_cache().blocks_in_use(), blocks_after_prompt + 1);  // only the partial block copied
  // Decode the two continuations in one batch.
  std::vector<BatchToken> batch;
  for (TokenId t : tail_a) batch.push_back({t, 0, false});
  for (TokenId t : tail_b) batch.push_back({t, 1, false});
  batch[tail_a.size() - 1].want_logits = true;
  batch.back().want_logits = true;
  s.decode(batch);

  std::vector<TokenId> full_a = prompt, full_b = prompt;
  full_a.insert(full_a.end(), tail_a.begin(), tail_a.end());
  full_b.insert(full_b.end(), tail_b.begin(), tail_b.end());
  expect_close(copy(s.logits(0)), alone(full_a).back(), "fork a");
  expect_close(copy(s.logits(1)), alone(full_b).back(), "fork b");
  EXPECT_EQ(s.tokens_evaluated(), prompt.size() + tail_a.size() + tail_b.size());
}

TEST_F(SessionTest, TruncateAndContinue) {
  const std::vector<TokenId> tokens = {11, 22, 33, 44, 55, 66};
  Session s(model, options(1));
  const std::vector<TokenId> other = {99, 98, 97, 96};
  s.decode_sequence(0, other);
  s.kv_cache().truncate(0, 0);
  s.decode_sequence(0, tokens, true);
  const auto ref = alone(tokens);
  for (size_t i = 0; i < tokens.size(); ++i) expect_close(copy(s.logits(static_cast<int32_t>(i))), ref[i], "after truncate");
}

TEST_F(SessionTest, ContextLimitIsAClearErrorAndLeavesStateIntact) {
  Session s(model, options(1, 8));
  const std::vector<TokenId> five = {1, 2, 3, 4, 5};
  s.decode_sequence(0, five);
  const std::vector<TokenId> too_many = {6, 7, 8, 9};
  try {
    s.decode_sequence(0, too_many);
    FAIL() << "expected a context error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("context limit of 8"), std::string::npos) << e.what();
  }
  EXPECT_EQ(s.length(0), 5);
  const std::vector<BatchToken> no_such_seq = {{1, 5, false}}, bad_token = {{-1, 0, false}};
  EXPECT_THROW(s.decode(no_such_seq), Error);
  EXPECT_THROW(s.decode(bad_token), Error);
  EXPECT_EQ(s.length(0), 5);
}

TEST_F(SessionTest, PoolExhaustionIsAnError) {
  SessionOptions so = options(4, 64);
  so.n_ctx_total = 64;  // the four sequences share 64 positions
  Session s(model, so);
  std::vector<TokenId> tokens(40, 7);
  s.decode_sequence(0, tokens);
  EXPECT_THROW(s.decode_sequence(1, tokens), Error);
}

}  // namespace
}  // namespace loco

#include "logits_reference.h"

namespace loco {
namespace {

// The KV cache element type is the only difference: F32 is exact to float rounding, F16
// (the default) stays within the shared tolerance, Q8_0 trades about 1% for half the memory.
TEST(KvTypes, FidelityOfEachCacheType) {
  for (const test::LogitsCase& c : test::logits_cases(false)) {
    if (c.name != "np-tiny-qwen3-f32-long") continue;
    const auto ref = test::read_reference_logits(c);
    const size_t n_vocab = ref.size() / c.tokens.size();
    for (auto [type, bound] : {std::pair{KvType::F32, 1e-5}, {KvType::F16, c.tolerance}, {KvType::Q8_0, 0.02}}) {
      SessionOptions so;
      so.n_ctx = 256;
      so.kv_type = type;
      Session s(Model::load(test::model_path(c.model)), so);
      s.decode_sequence(0, c.tokens, true);
      double worst = 0;
      for (size_t p = 0; p < c.tokens.size(); ++p) {
        worst = std::max(worst, test::relative_rms(s.logits(static_cast<int32_t>(p)).data(), ref.data() + p * n_vocab, n_vocab));
      }
      EXPECT_LE(worst, bound) << "kv type " << static_cast<int>(type);
    }
  }
}

}  // namespace
}  // namespace loco
