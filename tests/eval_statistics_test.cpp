// The statistics `loco eval` reports, against values worked out independently of this
// code: by hand, or in Python with exact integer arithmetic (math.comb, fractions.Fraction)
// or the textbook formula, as the comment by each case says.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "loco/error.h"
#include "loco/eval/statistics.h"

namespace loco::eval {
namespace {

TEST(EvalStatistics, MeanAndStandardError) {
  EXPECT_EQ(mean({}), 0);
  EXPECT_EQ(mean(std::vector<double>{1, 2, 3, 4}), 2.5);
  // statistics.stdev([1,0,1,1]) / sqrt(4): sd = sqrt(0.75/3) = 0.5, over 2.
  EXPECT_NEAR(standard_error(std::vector<double>{1, 0, 1, 1}), 0.25, 1e-12);
  // statistics.stdev([2,4,4,4,5,5,7,9]) / math.sqrt(8)
  EXPECT_NEAR(standard_error(std::vector<double>{2, 4, 4, 4, 5, 5, 7, 9}), 0.7559289460184544, 1e-12);
  EXPECT_EQ(standard_error(std::vector<double>{5}), 0);
  EXPECT_EQ(standard_error({}), 0);
  EXPECT_EQ(standard_error(std::vector<double>{3, 3, 3}), 0);
}

TEST(EvalStatistics, WilsonInterval) {
  // Python: p=k/n; d=1+z*z/n; c=(p+z*z/(2*n))/d; h=z*math.sqrt(p*(1-p)/n+z*z/(4*n*n))/d; (c-h, c+h)
  const Interval a = wilson_interval(8, 10);
  EXPECT_NEAR(a.low, 0.49016247153664183, 1e-9);
  EXPECT_NEAR(a.high, 0.9433178485456247, 1e-9);
  const Interval half = wilson_interval(50, 100);
  EXPECT_NEAR(half.low, 0.4038315303659956, 1e-9);
  EXPECT_NEAR(half.high, 0.5961684696340044, 1e-9);
  const Interval third = wilson_interval(1, 3);
  EXPECT_NEAR(third.low, 0.06149194472039621, 1e-9);
  EXPECT_NEAR(third.high, 0.7923403991979522, 1e-9);
  // At 0 and n the interval still has width, unlike the Wald interval.
  const Interval none = wilson_interval(0, 10);
  EXPECT_NEAR(none.low, 0, 1e-12);
  EXPECT_NEAR(none.high, 0.2775327998628892, 1e-9);
  const Interval all = wilson_interval(10, 10);
  EXPECT_NEAR(all.low, 0.7224672001371107, 1e-9);
  EXPECT_NEAR(all.high, 1, 1e-12);
  EXPECT_GE(none.low, 0);
  EXPECT_LE(all.high, 1);
  const Interval empty = wilson_interval(0, 0);
  EXPECT_EQ(empty.low, 0);
  EXPECT_EQ(empty.high, 1);
  // z = 0 collapses to the point estimate.
  const Interval point = wilson_interval(3, 4, 0);
  EXPECT_NEAR(point.low, 0.75, 1e-15);
  EXPECT_NEAR(point.high, 0.75, 1e-15);
}

TEST(EvalStatistics, McNemarExactSmallCases) {
  // By hand: Bin(7, 1/2), P(X <= 1) = (1 + 7) / 128, doubled = 0.125.
  EXPECT_NEAR(mcnemar_exact_p(1, 6), 0.125, 1e-14);
  EXPECT_NEAR(mcnemar_exact_p(6, 1), 0.125, 1e-14);
  EXPECT_EQ(mcnemar_exact_p(0, 0), 1);
  EXPECT_NEAR(mcnemar_exact_p(0, 5), 0.0625, 1e-14);      // 2 / 32
  EXPECT_NEAR(mcnemar_exact_p(10, 0), 0.001953125, 1e-15);  // 2 / 1024
  EXPECT_NEAR(mcnemar_exact_p(2, 8), 0.109375, 1e-14);    // 2 * (1 + 10 + 45) / 1024
  EXPECT_EQ(mcnemar_exact_p(3, 3), 1);                    // capped at 1
  EXPECT_EQ(mcnemar_exact_p(4, 5), 1);
}

TEST(EvalStatistics, McNemarExactLargeCases) {
  // Python, exact: m=b+c; s=sum(math.comb(m,i) for i in range(min(b,c)+1));
  // float(min(Fraction(1), Fraction(2*s, 2**m)))
  EXPECT_NEAR(mcnemar_exact_p(40, 60), 0.05688793364098079, 1e-11);
  EXPECT_NEAR(mcnemar_exact_p(480, 520), 0.21744829320414094, 1e-10);
  // b + c = 100000: relative accuracy, since the tail can be tiny.
  EXPECT_NEAR(mcnemar_exact_p(49900, 50100) / 0.5291572940801932, 1, 1e-7);
  EXPECT_NEAR(mcnemar_exact_p(49500, 50500) / 0.0015823598788515956, 1, 1e-7);
  EXPECT_NEAR(mcnemar_exact_p(51000, 49000) / 2.588716038346898e-10, 1, 1e-7);
  EXPECT_EQ(mcnemar_exact_p(50000, 50000), 1);
}

TEST(EvalStatistics, PairedDifferenceCounts) {
  const bool a[] = {true, true, false, false, true, false, true, false, true, true};
  const bool b[] = {true, true, true, true, true, true, true, false, true, true};
  const PairedDifference d = paired_difference(a, b);
  EXPECT_EQ(d.n, 10);
  EXPECT_EQ(d.both, 6);
  EXPECT_EQ(d.only_a, 0);
  EXPECT_EQ(d.only_b, 3);
  EXPECT_EQ(d.neither, 1);
  EXPECT_NEAR(d.accuracy_a, 0.6, 1e-15);
  EXPECT_NEAR(d.accuracy_b, 0.9, 1e-15);
  EXPECT_NEAR(d.difference, 0.3, 1e-15);
  // Python: se = math.sqrt(3 - 9/10) / 10; (0.3 - z*se, 0.3 + z*se)
  EXPECT_NEAR(d.ci95.low, 0.015974234910674623, 1e-9);
  EXPECT_NEAR(d.ci95.high, 0.5840257650893254, 1e-9);
  EXPECT_TRUE(d.measurable);
  EXPECT_NEAR(d.p_value, 0.25, 1e-14);  // 2 * (1/2)^3
}

TEST(EvalStatistics, PairedDifferenceNotMeasurable) {
  const bool a[] = {true, false, true, false};
  const bool b[] = {false, true, true, false};
  const PairedDifference d = paired_difference(a, b);
  EXPECT_EQ(d.both, 1);
  EXPECT_EQ(d.only_a, 1);
  EXPECT_EQ(d.only_b, 1);
  EXPECT_EQ(d.neither, 1);
  EXPECT_EQ(d.difference, 0);
  // Python: se = math.sqrt(2 - 0/4) / 4; z*se
  EXPECT_NEAR(d.ci95.low, -0.692951912174839, 1e-9);
  EXPECT_NEAR(d.ci95.high, 0.692951912174839, 1e-9);
  EXPECT_FALSE(d.measurable);
  EXPECT_EQ(d.p_value, 1);
}

TEST(EvalStatistics, PairedDifferenceLargeEffectAndClamp) {
  // Thirty items: B gets all of them, A only the last ten.
  bool a[30], b[30];
  for (size_t i = 0; i < 30; ++i) {
    a[i] = i >= 20;
    b[i] = true;
  }
  const PairedDifference d = paired_difference(a, b);
  EXPECT_EQ(d.only_b, 20);
  EXPECT_EQ(d.both, 10);
  EXPECT_NEAR(d.difference, 2.0 / 3.0, 1e-15);
  // Python: se = math.sqrt(20 - 400/30) / 30
  EXPECT_NEAR(d.ci95.low, 0.4979798250824453, 1e-9);
  EXPECT_NEAR(d.ci95.high, 0.8353535082508879, 1e-9);
  EXPECT_NEAR(d.p_value, 1.9073486328125e-06, 1e-18);  // 2 / 2^20
  EXPECT_TRUE(d.measurable);

  // Nine of ten only right under B: 0.9 + z * sqrt(0.9) / 10 > 1, so the top is clamped.
  bool none[10] = {}, nine[10] = {true, true, true, true, true, true, true, true, true, false};
  const PairedDifference c = paired_difference(none, nine);
  EXPECT_EQ(c.ci95.high, 1);
  EXPECT_NEAR(c.ci95.low, 0.7140614903086315, 1e-9);  // 0.9 - z*math.sqrt(9 - 81/10)/10
  // Worse under B: the difference and its interval are negative.
  const PairedDifference r = paired_difference(nine, none);
  EXPECT_NEAR(r.difference, -0.9, 1e-15);
  EXPECT_EQ(r.ci95.low, -1);
  EXPECT_NEAR(r.ci95.high, -0.7140614903086315, 1e-9);
  EXPECT_TRUE(r.measurable);
}

TEST(EvalStatistics, PairedDifferenceSizesMustMatch) {
  const bool a[] = {true, false};
  const bool b[] = {true};
  EXPECT_THROW(paired_difference(a, b), loco::Error);
  const PairedDifference empty = paired_difference({}, {});
  EXPECT_EQ(empty.n, 0);
  EXPECT_FALSE(empty.measurable);
  EXPECT_EQ(empty.p_value, 1);
}

double mean_of(std::span<const double> v) { return mean(v); }

TEST(EvalStatistics, BootstrapIsSeededAndDeterministic) {
  const std::vector<double> values = {0.3, 1.7, 2.2, 5.9, 8.1, 0.05};
  const Interval a = bootstrap_interval(values, mean_of, 101, 42);
  const Interval b = bootstrap_interval(values, mean_of, 101, 42);
  EXPECT_EQ(a.low, b.low);
  EXPECT_EQ(a.high, b.high);
  // A Python port of PCG32 (checked against the reference pcg32_srandom_r(42, 54) outputs
  // 0xa15c02b7 0x7b47f409 0xba1d3330), the same rejection sampling and numpy-style
  // linear-interpolated percentiles: the interval is the same on every platform.
  EXPECT_DOUBLE_EQ(a.low, 1.3083333333333333);
  EXPECT_DOUBLE_EQ(a.high, 5.566666666666666);
  const Interval c = bootstrap_interval(values, mean_of, 101, 43);
  EXPECT_TRUE(c.low != a.low || c.high != a.high);
  EXPECT_LE(a.low, a.high);
}

TEST(EvalStatistics, BootstrapKnownShapes) {
  const std::vector<double> constant(30, 0.75);
  const Interval k = bootstrap_interval(constant, mean_of, 500, 1);
  EXPECT_EQ(k.low, 0.75);
  EXPECT_EQ(k.high, 0.75);

  std::vector<double> coin(100, 0.0);
  for (size_t i = 0; i < 50; ++i) coin[i] = 1;
  // The normal approximation gives 0.5 ± 1.96 * 0.05 = [0.402, 0.598].
  const Interval ci = bootstrap_interval(coin, mean_of, 2000, 7);
  EXPECT_NEAR(ci.low, 0.4, 0.03);
  EXPECT_NEAR(ci.high, 0.6, 0.03);
  const Interval wide = bootstrap_interval(coin, mean_of, 2000, 7, 0.99);
  const Interval narrow = bootstrap_interval(coin, mean_of, 2000, 7, 0.80);
  EXPECT_LE(wide.low, ci.low);
  EXPECT_GE(wide.high, ci.high);
  EXPECT_GE(narrow.low, ci.low);
  EXPECT_LE(narrow.high, ci.high);

  const Interval empty = bootstrap_interval({}, mean_of, 100, 1);
  EXPECT_EQ(empty.low, 0);
  EXPECT_EQ(empty.high, 0);
}

TEST(EvalStatistics, PassAtK) {
  // Python: float(1 - Fraction(math.comb(n-c, k), math.comb(n, k)))
  EXPECT_NEAR(pass_at_k(10, 3, 2), 0.5333333333333333, 1e-12);
  EXPECT_NEAR(pass_at_k(10, 3, 5), 0.9166666666666666, 1e-12);
  EXPECT_NEAR(pass_at_k(200, 13, 10), 0.49755111473060615, 1e-12);
  EXPECT_NEAR(pass_at_k(200, 13, 100), 0.9999194971988055, 1e-12);
  EXPECT_NEAR(pass_at_k(20, 1, 19), 0.95, 1e-12);
  EXPECT_EQ(pass_at_k(5, 0, 1), 0);
  EXPECT_EQ(pass_at_k(5, 5, 3), 1);
  EXPECT_EQ(pass_at_k(100, 50, 60), 1);  // n - c < k: every draw of 60 holds a pass
  // pass@1 is the fraction correct.
  for (int n : {1, 7, 10, 200}) {
    for (int c = 0; c <= n; c += (n > 10 ? 13 : 1)) {
      EXPECT_NEAR(pass_at_k(n, c, 1), static_cast<double>(c) / n, 1e-12) << n << " " << c;
    }
  }
  EXPECT_THROW(pass_at_k(10, 3, 0), loco::Error);
  EXPECT_THROW(pass_at_k(10, 3, 11), loco::Error);
  EXPECT_THROW(pass_at_k(10, -1, 1), loco::Error);
  EXPECT_THROW(pass_at_k(10, 11, 1), loco::Error);
}

TEST(EvalStatistics, NormalizeAnswerText) {
  EXPECT_EQ(normalize_answer_text("  The  Quick, brown-fox's  AN apple!\t"), "quick brownfoxs apple");
  EXPECT_EQ(normalize_answer_text("A theatre, another anthem"), "theatre another anthem");
  EXPECT_EQ(normalize_answer_text("$1,000.00"), "100000");
  EXPECT_EQ(normalize_answer_text("the a an THE"), "");
  EXPECT_EQ(normalize_answer_text(""), "");
  // Only ASCII is folded: UTF-8 bytes pass through.
  EXPECT_EQ(normalize_answer_text("\xC3\x89lan the caf\xC3\xA9!"), "\xC3\x89lan caf\xC3\xA9");
  EXPECT_EQ(answer_tokens("The cat, the hat."), (std::vector<std::string>{"cat", "hat"}));
  EXPECT_TRUE(answer_tokens("  the  ").empty());
  EXPECT_TRUE(answer_tokens("").empty());
}

TEST(EvalStatistics, TokenF1) {
  // ["cat","sat"] vs ["cat","sat","down"]: P = 1, R = 2/3, F1 = 0.8.
  EXPECT_NEAR(token_f1("the cat sat", "a cat sat down"), 0.8, 1e-12);
  // Multiset overlap: one "cat" in common; P = 1/3, R = 1/2, F1 = 0.4.
  EXPECT_NEAR(token_f1("cat cat cat", "cat dog"), 0.4, 1e-12);
  EXPECT_NEAR(token_f1("The Cat!", "cat"), 1, 1e-12);
  EXPECT_NEAR(token_f1("z y x", "x y z"), 1, 1e-12);  // order does not matter
  EXPECT_EQ(token_f1("dog", "cat"), 0);
  EXPECT_EQ(token_f1("", ""), 1);
  EXPECT_EQ(token_f1("the", "an"), 1);  // both normalise to nothing
  EXPECT_EQ(token_f1("", "cat"), 0);
  EXPECT_EQ(token_f1("cat", "the"), 0);
}

TEST(EvalStatistics, RougeL) {
  // [cat sat on mat] vs [cat lay on mat]: LCS 3, P = R = 3/4.
  EXPECT_NEAR(rouge_l("the cat sat on the mat", "the cat lay on the mat"), 0.75, 1e-12);
  // Lin (2004)'s example: [police killed gunman] vs [police kill gunman]: LCS 2, F = 2/3;
  // [gunman kill police] vs the same reference: LCS 1, F = 1/3.
  EXPECT_NEAR(rouge_l("police killed the gunman", "police kill the gunman"), 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(rouge_l("the gunman kill police", "police killed the gunman"), 1.0 / 3.0, 1e-12);
  // LCS 3 of 6 predicted and 3 reference tokens: P = 1/2, R = 1, F = 2/3.
  EXPECT_NEAR(rouge_l("one two three four five six", "two four six"), 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(rouge_l("two four six", "one two three four five six"), 2.0 / 3.0, 1e-12);
  // Order matters, unlike token F1: LCS of [z y x] and [x y z] is 1.
  EXPECT_NEAR(rouge_l("z y x", "x y z"), 1.0 / 3.0, 1e-12);
  EXPECT_EQ(rouge_l("dog", "cat"), 0);
  EXPECT_EQ(rouge_l("", ""), 1);
  EXPECT_EQ(rouge_l("", "cat"), 0);
  EXPECT_EQ(rouge_l("cat", ""), 0);
}

TEST(EvalStatistics, RougeLOnLongTexts) {
  // 4000 distinct words against every other one of them: LCS 2000, P = 1/2, R = 1.
  std::string full, every_other;
  for (int i = 0; i < 4000; ++i) {
    std::string w = std::to_string(i);
    w.insert(w.begin(), 'w');
    w.push_back(' ');
    full.append(w);
    if (i % 2 == 0) every_other.append(w);
  }
  EXPECT_NEAR(rouge_l(full, every_other), 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(rouge_l(full, full), 1, 1e-12);
}

}  // namespace
}  // namespace loco::eval
