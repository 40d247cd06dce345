// Fidelity against the float64 reference logits of ../shared/testdata/manifest.json: every
// case must stay within its tolerance at every position, whether the sequence is evaluated
// as one batch or fed one token at a time through the KV cache.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "logits_reference.h"
#include "loco/model.h"
#include "loco/session.h"
#include "test_paths.h"

namespace loco {
namespace {

class ReferenceLogits : public ::testing::TestWithParam<test::LogitsCase> {};

void expect_within_tolerance(const test::LogitsCase& c, const std::vector<std::vector<float>>& got) {
  const std::vector<float> ref = test::read_reference_logits(c);
  const size_t n_vocab = static_cast<size_t>(test::manifest()["n_vocab"].get<int>());
  ASSERT_EQ(ref.size(), c.tokens.size() * n_vocab);
  ASSERT_EQ(got.size(), c.tokens.size());
  double worst = 0.0;
  for (size_t p = 0; p < c.tokens.size(); ++p) {
    ASSERT_EQ(got[p].size(), n_vocab);
    const double err = test::relative_rms(got[p].data(), ref.data() + p * n_vocab, n_vocab);
    worst = std::max(worst, err);
    EXPECT_LE(err, c.tolerance) << c.name << " position " << p;
  }
  ::testing::Test::RecordProperty("worst_rel_rms", std::to_string(worst));
  if (std::getenv("LOCO_TEST_VERBOSE") != nullptr) {
    std::printf("%s: worst rel rms %.6f (tolerance %.6f)\n", c.name.c_str(), worst, c.tolerance);
  }
}

TEST_P(ReferenceLogits, WholeSequenceAsOneBatch) {
  const test::LogitsCase& c = GetParam();
  auto model = Model::load(test::model_path(c.model));
  SessionOptions options;
  options.n_ctx = 512;
  options.n_threads = 2;
  Session session(model, options);
  test::apply_lora_if_any(session, c);
  session.decode_sequence(0, c.tokens, /*all_logits=*/true);
  std::vector<std::vector<float>> got;
  for (int32_t i = 0; i < session.n_logits(); ++i) {
    auto row = session.logits(i);
    got.emplace_back(row.begin(), row.end());
  }
  expect_within_tolerance(c, got);
}

TEST_P(ReferenceLogits, OneTokenAtATime) {
  const test::LogitsCase& c = GetParam();
  auto model = Model::load(test::model_path(c.model));
  SessionOptions options;
  options.n_ctx = 512;
  options.n_threads = 1;
  Session session(model, options);
  test::apply_lora_if_any(session, c);
  std::vector<std::vector<float>> got;
  for (TokenId token : c.tokens) {
    session.decode_sequence(0, std::span<const TokenId>(&token, 1));
    auto row = session.logits(0);
    got.emplace_back(row.begin(), row.end());
  }
  expect_within_tolerance(c, got);
}

INSTANTIATE_TEST_SUITE_P(Manifest, ReferenceLogits,
                         ::testing::ValuesIn(test::logits_cases(/*with_lora=*/false)),
                         [](const auto& param_info) { return test::gtest_name(param_info.param.name); });

}  // namespace
}  // namespace loco
