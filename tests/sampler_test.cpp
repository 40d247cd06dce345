// Sampler steps on small hand-computed distributions, the RNG against the PCG reference
// output, and the whole chain by its seeded behaviour and empirical frequencies.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "loco/error.h"
#include "loco/rng.h"
#include "loco/sampler.h"

namespace loco {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::vector<int32_t> ids(const std::vector<TokenCandidate>& c) {
  std::vector<int32_t> out;
  for (const TokenCandidate& t : c) out.push_back(t.id);
  return out;
}

std::vector<TokenCandidate> from_logits(const std::vector<float>& logits) {
  std::vector<TokenCandidate> c;
  sampling::candidates_from_logits(logits, c);
  return c;
}

// Sorted candidates with given probabilities (logits consistent with the order).
std::vector<TokenCandidate> distribution(const std::vector<std::pair<int32_t, float>>& id_p) {
  std::vector<TokenCandidate> c;
  for (const auto& [id, p] : id_p) c.push_back({id, std::log(p), p});
  return c;
}

SamplerConfig plain(float temperature, uint64_t seed = 0) {
  SamplerConfig c;
  c.temperature = temperature;
  c.top_k = 0;
  c.top_p = 1.0f;
  c.min_p = 0.0f;
  c.seed = seed;
  return c;
}

// ---- RNG ----------------------------------------------------------------------------------

TEST(Pcg32, MatchesReferenceOutput) {
  // pcg32-demo from the PCG reference C implementation: seed 42, stream 54.
  Pcg32 rng(42, 54);
  const uint32_t expected[] = {0xa15c02b7u, 0x7b47f409u, 0xba1d3330u,
                               0x83d2f293u, 0xbfa4784bu, 0xcbed606eu};
  for (uint32_t e : expected) EXPECT_EQ(rng.next_u32(), e);
}

TEST(Pcg32, DoublesAreInUnitIntervalAndBuiltFromTwoWords) {
  Pcg32 a(7), b(7);
  double sum = 0.0;
  for (int i = 0; i < 10000; ++i) {
    const double u = a.next_double();
    const uint64_t hi = b.next_u32(), lo = b.next_u32();
    EXPECT_EQ(u, static_cast<double>(((hi << 32) | lo) >> 11) / 9007199254740992.0);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / 10000, 0.5, 0.02);
}

// ---- Steps ---------------------------------------------------------------------------------

TEST(SamplingSteps, CandidatesSkipNaNAndMinusInfinity) {
  const auto c = from_logits({1.0f, kNaN, -kInf, kInf, -2.0f});
  EXPECT_EQ(ids(c), (std::vector<int32_t>{0, 3, 4}));
}

TEST(SamplingSteps, TopKKeepsHighestLogitsTiesToLowerId) {
  const std::vector<float> logits = {1.0f, 3.0f, 2.0f, 3.0f, 0.0f};
  auto c = from_logits(logits);
  sampling::top_k(c, 2);
  EXPECT_EQ(ids(c), (std::vector<int32_t>{1, 3}));
  c = from_logits(logits);
  sampling::top_k(c, 3);
  EXPECT_EQ(ids(c), (std::vector<int32_t>{1, 3, 2}));
  for (int k : {0, -1, 5, 1000}) {  // no limit: everything, in id order
    c = from_logits(logits);
    sampling::top_k(c, k);
    EXPECT_EQ(ids(c), (std::vector<int32_t>{0, 1, 2, 3, 4})) << k;
  }
}

TEST(SamplingSteps, SoftmaxWithTemperature) {
  const std::vector<float> logits = {0.0f, std::log(2.0f), std::log(3.0f)};
  auto c = from_logits(logits);
  sampling::softmax(c, 1.0f);  // 1 : 2 : 3
  EXPECT_NEAR(c[0].p, 1.0 / 6, 1e-6);
  EXPECT_NEAR(c[1].p, 2.0 / 6, 1e-6);
  EXPECT_NEAR(c[2].p, 3.0 / 6, 1e-6);

  c = from_logits(logits);
  sampling::softmax(c, 0.5f);  // exp(2 l): 1 : 4 : 9
  EXPECT_NEAR(c[0].p, 1.0 / 14, 1e-6);
  EXPECT_NEAR(c[1].p, 4.0 / 14, 1e-6);
  EXPECT_NEAR(c[2].p, 9.0 / 14, 1e-6);

  c = from_logits(logits);
  sampling::softmax(c, 2.0f);  // exp(l / 2): 1 : sqrt 2 : sqrt 3
  const double z = 1.0 + std::sqrt(2.0) + std::sqrt(3.0);
  EXPECT_NEAR(c[0].p, 1.0 / z, 1e-6);
  EXPECT_NEAR(c[1].p, std::sqrt(2.0) / z, 1e-6);
  EXPECT_NEAR(c[2].p, std::sqrt(3.0) / z, 1e-6);
}

TEST(SamplingSteps, SoftmaxIsStableForLargeLogitsAndSharesInfinity) {
  auto c = from_logits({1000.0f, 1000.0f + std::log(3.0f)});
  sampling::softmax(c, 1.0f);
  EXPECT_NEAR(c[0].p, 0.25, 1e-5);
  EXPECT_NEAR(c[1].p, 0.75, 1e-5);

  c = from_logits({1.0f, kInf, 0.0f, kInf});
  sampling::softmax(c, 0.7f);
  EXPECT_EQ(c[0].p, 0.0f);
  EXPECT_EQ(c[1].p, 0.5f);
  EXPECT_EQ(c[2].p, 0.0f);
  EXPECT_EQ(c[3].p, 0.5f);
}

TEST(SamplingSteps, TopPKeepsShortestPrefixReachingP) {
  const auto base = distribution({{3, 0.5f}, {1, 0.3f}, {0, 0.15f}, {2, 0.05f}});

  auto c = base;
  sampling::top_p(c, 0.75f);  // 0.5 + 0.3 >= 0.75
  ASSERT_EQ(ids(c), (std::vector<int32_t>{3, 1}));
  EXPECT_NEAR(c[0].p, 0.625, 1e-6);
  EXPECT_NEAR(c[1].p, 0.375, 1e-6);

  c = base;
  sampling::top_p(c, 0.85f);  // needs the third
  ASSERT_EQ(ids(c), (std::vector<int32_t>{3, 1, 0}));
  EXPECT_NEAR(c[0].p, 0.5 / 0.95, 1e-6);
  EXPECT_NEAR(c[1].p, 0.3 / 0.95, 1e-6);
  EXPECT_NEAR(c[2].p, 0.15 / 0.95, 1e-6);

  c = base;
  sampling::top_p(c, 0.1f);  // always at least one
  ASSERT_EQ(ids(c), (std::vector<int32_t>{3}));
  EXPECT_NEAR(c[0].p, 1.0, 1e-6);

  c = base;
  sampling::top_p(c, 1.0f);  // off
  EXPECT_EQ(ids(c), (std::vector<int32_t>{3, 1, 0, 2}));
  EXPECT_EQ(c[3].p, 0.05f);
}

TEST(SamplingSteps, TopPSortsUnsortedInput) {
  auto c = from_logits({std::log(0.2f), std::log(0.7f), std::log(0.1f)});
  sampling::softmax(c, 1.0f);
  sampling::top_p(c, 0.8f);  // 0.7 + 0.2
  ASSERT_EQ(ids(c), (std::vector<int32_t>{1, 0}));
  EXPECT_NEAR(c[0].p, 0.7 / 0.9, 1e-6);
  EXPECT_NEAR(c[1].p, 0.2 / 0.9, 1e-6);
}

TEST(SamplingSteps, TopPOnALongUnsortedListMatchesAFullSort) {
  // 1000 candidates in scrambled id order with distinct, slowly falling logits: the kept
  // run (about half of them) spans several rounds of the partial sort.
  std::vector<float> logits(1000);
  for (int rank = 0; rank < 1000; ++rank) {
    logits[static_cast<size_t>((rank * 7919) % 1000)] = -0.001f * static_cast<float>(rank);
  }
  auto c = from_logits(logits);
  sampling::softmax(c, 1.0f);

  auto reference = c;  // straightforward: sort everything, walk until the mass reaches p
  std::sort(reference.begin(), reference.end(),
            [](const TokenCandidate& a, const TokenCandidate& b) { return a.p > b.p; });
  double mass = 0.0;
  size_t keep = 0;
  while (keep < reference.size() && mass < 0.5) mass += reference[keep++].p;
  reference.resize(keep);
  ASSERT_GT(keep, 300u);

  sampling::top_p(c, 0.5f);
  EXPECT_EQ(ids(c), ids(reference));
  double total = 0.0;
  for (const TokenCandidate& t : c) total += t.p;
  EXPECT_NEAR(total, 1.0, 1e-5);
}

TEST(SamplingSteps, MinPOnUnsortedInputAndAboveOne) {
  auto c = from_logits({std::log(0.2f), std::log(0.7f), std::log(0.1f)});
  sampling::softmax(c, 1.0f);
  sampling::min_p(c, 0.25f);  // threshold 0.175
  ASSERT_EQ(ids(c), (std::vector<int32_t>{1, 0}));
  EXPECT_NEAR(c[0].p, 0.7 / 0.9, 1e-6);

  c = from_logits({std::log(0.2f), std::log(0.7f), std::log(0.1f)});
  sampling::softmax(c, 1.0f);
  sampling::min_p(c, 2.0f);  // nothing reaches twice the top: the top one stays
  ASSERT_EQ(ids(c), (std::vector<int32_t>{1}));
  EXPECT_NEAR(c[0].p, 1.0, 1e-6);
}

TEST(SamplingSteps, MinPKeepsTokensNearTheTop) {
  const auto base = distribution({{3, 0.5f}, {1, 0.3f}, {0, 0.15f}, {2, 0.05f}});

  auto c = base;
  sampling::min_p(c, 0.2f);  // threshold 0.1
  ASSERT_EQ(ids(c), (std::vector<int32_t>{3, 1, 0}));
  EXPECT_NEAR(c[0].p, 0.5 / 0.95, 1e-6);
  EXPECT_NEAR(c[2].p, 0.15 / 0.95, 1e-6);

  c = base;
  sampling::min_p(c, 0.7f);  // threshold 0.35
  ASSERT_EQ(ids(c), (std::vector<int32_t>{3}));
  EXPECT_NEAR(c[0].p, 1.0, 1e-6);

  c = base;
  sampling::min_p(c, 0.0f);  // off
  EXPECT_EQ(c.size(), 4u);
}

TEST(SamplingSteps, PickWalksCumulativeProbability) {
  const auto c = distribution({{10, 0.2f}, {11, 0.5f}, {12, 0.3f}});
  EXPECT_EQ(sampling::pick(c, 0.0), 0u);
  EXPECT_EQ(sampling::pick(c, 0.1), 0u);
  EXPECT_EQ(sampling::pick(c, 0.5), 1u);
  EXPECT_EQ(sampling::pick(c, 0.69), 1u);
  EXPECT_EQ(sampling::pick(c, 0.71), 2u);
  EXPECT_EQ(sampling::pick(c, 0.9999999), 2u);

  std::vector<TokenCandidate> gap = {{0, 0.0f, 0.5f}, {1, 0.0f, 0.0f}, {2, 0.0f, 0.5f}};
  EXPECT_EQ(sampling::pick(gap, 0.5), 2u);  // a zero-probability token is never picked
  gap[2].p = 0.0f;
  EXPECT_EQ(sampling::pick(gap, 0.9999999), 0u);
}

TEST(SamplingSteps, PenaltiesByHand) {
  const std::vector<int32_t> recent = {0, 1, 1, 4, 7, -2};  // 7 and -2 are outside: ignored

  std::vector<float> logits = {2.0f, -1.0f, 0.5f, 3.0f, 1.0f};
  sampling::apply_penalties(logits, recent, 2.0f, 0.0f, 0.0f);
  // positive logits halve, negative ones double, once per distinct token
  EXPECT_EQ(logits, (std::vector<float>{1.0f, -2.0f, 0.5f, 3.0f, 0.5f}));

  logits = {2.0f, -1.0f, 0.5f, 3.0f, 1.0f};
  sampling::apply_penalties(logits, recent, 2.0f, 0.5f, 0.25f);
  // then minus presence 0.5 and 0.25 per occurrence
  EXPECT_FLOAT_EQ(logits[0], 1.0f - 0.5f - 0.25f);
  EXPECT_FLOAT_EQ(logits[1], -2.0f - 0.5f - 0.5f);
  EXPECT_FLOAT_EQ(logits[2], 0.5f);
  EXPECT_FLOAT_EQ(logits[3], 3.0f);
  EXPECT_FLOAT_EQ(logits[4], 0.5f - 0.5f - 0.25f);
}

TEST(SamplingSteps, ArgmaxTiesToLowestIdAndSkipsNaN) {
  EXPECT_EQ(sampling::argmax(std::vector<float>{1.0f, 5.0f, 5.0f, 2.0f}), 1);
  EXPECT_EQ(sampling::argmax(std::vector<float>{kNaN, 1.0f, 2.0f}), 2);
  EXPECT_EQ(sampling::argmax(std::vector<float>{1.0f, kInf, kInf}), 1);
  EXPECT_EQ(sampling::argmax(std::vector<float>{kNaN, kNaN}), -1);
}

// ---- Sampler --------------------------------------------------------------------------------

TEST(Sampler, GreedyIgnoresSeedAndPicksLowestIdOnTies) {
  const std::vector<float> logits = {1.0f, 5.0f, 5.0f, kNaN, 2.0f};
  SamplerConfig c = plain(0.0f, 1);
  Sampler a(c, 5);
  c.seed = 999;
  Sampler b(c, 5);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(a.sample(logits), 1);
    EXPECT_EQ(b.sample(logits), 1);
  }
  c.temperature = -1.0f;
  Sampler negative(c, 5);
  EXPECT_EQ(negative.sample(logits), 1);
}

TEST(Sampler, RepetitionWindowFollowsRepeatLastN) {
  // logits 5, 4, 1; history 0, 1, 1; penalty 10.
  const std::vector<float> logits = {5.0f, 4.0f, 1.0f};
  const auto pick_with_window = [&](int last_n) {
    SamplerConfig c = plain(0.0f);
    c.repeat_penalty = 10.0f;
    c.repeat_last_n = last_n;
    Sampler s(c, 3);
    for (int32_t t : {0, 1, 1}) s.accept(t);
    return s.sample(logits);
  };
  EXPECT_EQ(pick_with_window(0), 0);   // no penalty
  EXPECT_EQ(pick_with_window(2), 0);   // {1, 1}: 5, 0.4, 1
  EXPECT_EQ(pick_with_window(3), 2);   // {0, 1, 1}: 0.5, 0.4, 1
  EXPECT_EQ(pick_with_window(-1), 2);  // whole history
}

TEST(Sampler, FrequencyPenaltyCountsOccurrences) {
  const std::vector<float> logits = {3.0f, 2.5f};
  SamplerConfig c = plain(0.0f);
  c.frequency_penalty = 0.2f;
  Sampler s(c, 2);
  s.accept(0);
  s.accept(0);
  EXPECT_EQ(s.sample(logits), 0);  // 3 - 0.4 = 2.6 > 2.5
  s.accept(0);
  EXPECT_EQ(s.sample(logits), 1);  // 3 - 0.6 = 2.4 < 2.5
  s.reset();
  EXPECT_EQ(s.sample(logits), 0);  // history forgotten
}

TEST(Sampler, LongHistoryKeepsTheLastWindow) {
  SamplerConfig c = plain(0.0f);
  c.repeat_penalty = 100.0f;
  c.repeat_last_n = 4;
  Sampler s(c, 3);
  const std::vector<float> logits = {3.0f, 2.0f, 1.0f};
  for (int i = 0; i < 1000; ++i) s.accept(0);
  for (int i = 0; i < 4; ++i) s.accept(2);  // token 0 has left the window
  EXPECT_EQ(s.sample(logits), 0);
  s.accept(0);  // back in the window
  EXPECT_EQ(s.sample(logits), 1);
}

TEST(Sampler, SameSeedSameTokensDifferentSeedDifferentTokens) {
  std::vector<float> logits(50);
  for (size_t i = 0; i < logits.size(); ++i) logits[i] = std::sin(static_cast<float>(i));
  SamplerConfig c = plain(1.0f, 1234);
  Sampler a(c, 50), b(c, 50);
  c.seed = 1235;
  Sampler other(c, 50);
  std::vector<int32_t> seq_a, seq_b, seq_other;
  for (int i = 0; i < 200; ++i) {
    seq_a.push_back(a.sample(logits));
    seq_b.push_back(b.sample(logits));
    seq_other.push_back(other.sample(logits));
  }
  EXPECT_EQ(seq_a, seq_b);
  EXPECT_NE(seq_a, seq_other);
  a.reset();
  std::vector<int32_t> again;
  for (int i = 0; i < 200; ++i) again.push_back(a.sample(logits));
  EXPECT_EQ(again, seq_a);
}

TEST(Sampler, DrawsFollowTheDocumentedRandomStream) {
  // Two tokens with probabilities 1/4 and 3/4 and no truncation step: candidates stay in
  // id order, so token 0 is drawn exactly when u < 1/4, where u is the next double of
  // Pcg32(seed) (stream 54).
  const std::vector<float> logits = {0.0f, std::log(3.0f)};
  for (uint64_t seed : {0ull, 1ull, 42ull, 0xdeadbeefull}) {
    Sampler s(plain(1.0f, seed), 2);
    Pcg32 rng(seed, 54);
    for (int i = 0; i < 100; ++i) {
      const double u = rng.next_double();
      const int32_t token = s.sample(logits);
      if (std::abs(u - 0.25) < 1e-6) continue;  // too close to call in float
      EXPECT_EQ(token, u < 0.25 ? 0 : 1) << "seed " << seed << " draw " << i;
    }
  }
}

// Pearson's chi-square statistic of `counts` against probabilities `p`.
double chi_square(const std::vector<int>& counts, const std::vector<double>& p, int n) {
  double chi2 = 0.0;
  for (size_t i = 0; i < p.size(); ++i) {
    const double expected = p[i] * n;
    chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
  }
  return chi2;
}

std::vector<int> histogram(Sampler& s, const std::vector<float>& logits, int n) {
  std::vector<int> counts(logits.size(), 0);
  for (int i = 0; i < n; ++i) ++counts[static_cast<size_t>(s.sample(logits))];
  return counts;
}

TEST(Sampler, EmpiricalFrequenciesMatchTheDistribution) {
  const std::vector<float> logits = {std::log(0.1f), std::log(0.2f), std::log(0.3f),
                                     std::log(0.4f)};
  constexpr int n = 40000;
  // 3 degrees of freedom: P(chi2 > 16.27) = 0.001.
  Sampler t1(plain(1.0f, 7), 4);
  EXPECT_LT(chi_square(histogram(t1, logits, n), {0.1, 0.2, 0.3, 0.4}, n), 16.27);

  // Temperature 2 flattens to sqrt(p) / sum sqrt(p).
  Sampler t2(plain(2.0f, 8), 4);
  const double z = std::sqrt(0.1) + std::sqrt(0.2) + std::sqrt(0.3) + std::sqrt(0.4);
  EXPECT_LT(chi_square(histogram(t2, logits, n),
                       {std::sqrt(0.1) / z, std::sqrt(0.2) / z, std::sqrt(0.3) / z,
                        std::sqrt(0.4) / z},
                       n),
            16.27);
}

TEST(Sampler, TruncationStepsRemoveTokensFromTheDraw) {
  const std::vector<float> logits = {std::log(0.1f), std::log(0.2f), std::log(0.3f),
                                     std::log(0.4f)};
  constexpr int n = 20000;
  // Each of these keeps exactly tokens 3 and 2, in ratio 4 : 3 (1 degree of freedom:
  // P(chi2 > 10.83) = 0.001).
  SamplerConfig top_k = plain(1.0f, 11);
  top_k.top_k = 2;
  SamplerConfig top_p = plain(1.0f, 12);
  top_p.top_p = 0.65f;  // 0.4 + 0.3 >= 0.65
  SamplerConfig min_p = plain(1.0f, 13);
  min_p.min_p = 0.6f;  // threshold 0.24
  for (const SamplerConfig& c : {top_k, top_p, min_p}) {
    Sampler s(c, 4);
    const std::vector<int> counts = histogram(s, logits, n);
    EXPECT_EQ(counts[0], 0);
    EXPECT_EQ(counts[1], 0);
    EXPECT_LT(chi_square({counts[3], counts[2]}, {4.0 / 7, 3.0 / 7}, n), 10.83);
  }
}

TEST(Sampler, HandlesInfinityNaNAndLargeTopK) {
  SamplerConfig c = plain(1.0f, 3);
  c.top_k = 1000;  // more than n_vocab
  Sampler s(c, 4);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(s.sample(std::vector<float>{0.0f, kInf, kNaN, 100.0f}), 1);
    const int32_t t = s.sample(std::vector<float>{kNaN, 0.0f, -kInf, 0.0f});
    EXPECT_TRUE(t == 1 || t == 3) << t;
  }
  EXPECT_THROW(s.sample(std::vector<float>{kNaN, -kInf, kNaN, -kInf}), Error);
  Sampler greedy(plain(0.0f), 2);
  EXPECT_THROW(greedy.sample(std::vector<float>{-kInf, kNaN}), Error);
}

TEST(Sampler, RejectsBadInput) {
  EXPECT_THROW(Sampler(plain(1.0f), 0), Error);
  SamplerConfig c = plain(1.0f);
  c.repeat_penalty = 0.0f;
  EXPECT_THROW(Sampler(c, 4), Error);
  c = plain(kNaN);
  EXPECT_THROW(Sampler(c, 4), Error);

  Sampler s(plain(1.0f), 4);
  EXPECT_THROW(s.sample(std::vector<float>{0.0f, 1.0f}), Error);
  EXPECT_THROW(s.accept(4), Error);
  EXPECT_THROW(s.accept(-1), Error);
}

TEST(Sampler, LogProbAtTemperatureOne) {
  const std::vector<float> logits = {0.0f, std::log(2.0f), std::log(3.0f)};
  EXPECT_NEAR(Sampler::log_prob(logits, 0), std::log(1.0 / 6), 1e-6);
  EXPECT_NEAR(Sampler::log_prob(logits, 1), std::log(2.0 / 6), 1e-6);
  EXPECT_NEAR(Sampler::log_prob(logits, 2), std::log(3.0 / 6), 1e-6);

  const std::vector<float> shifted = {5000.0f, 5000.0f};
  EXPECT_NEAR(Sampler::log_prob(shifted, 1), std::log(0.5), 1e-6);

  const std::vector<float> odd = {kNaN, 0.0f, 0.0f, -kInf};
  EXPECT_NEAR(Sampler::log_prob(odd, 1), std::log(0.5), 1e-6);
  EXPECT_EQ(Sampler::log_prob(odd, 0), -kInf);
  EXPECT_EQ(Sampler::log_prob(odd, 3), -kInf);

  const std::vector<float> infinite = {kInf, 0.0f, kInf};
  EXPECT_NEAR(Sampler::log_prob(infinite, 0), std::log(0.5), 1e-6);
  EXPECT_EQ(Sampler::log_prob(infinite, 1), -kInf);

  EXPECT_THROW(Sampler::log_prob(logits, 3), Error);
}

}  // namespace
}  // namespace loco
