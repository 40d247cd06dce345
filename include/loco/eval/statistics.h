// The statistics `loco eval` reports, small enough to check by hand: each is tested against
// values worked out independently (tests/eval_statistics_test.cpp). Proportions get Wilson
// intervals because the usual normal interval misbehaves at small n and near 0 or 1, which
// is exactly where a 20-item set and a 4-bit model live.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace loco::eval {

struct Interval {
  double low = 0, high = 0;
};

double mean(std::span<const double> values);  // 0 for none
// Sample standard deviation (n − 1) over √n; 0 when n < 2.
double standard_error(std::span<const double> values);
// Wilson score interval of k successes in n trials; n == 0 gives [0, 1].
Interval wilson_interval(int64_t successes, int64_t n, double z = 1.959963984540054);
// McNemar's exact test on the discordant pairs: min(1, 2·P(X ≤ min(b, c))), X ~ Bin(b + c, ½).
double mcnemar_exact_p(int64_t only_a, int64_t only_b);

// Two conditions on the same items: a[i], b[i] say whether item i was right under each.
struct PairedDifference {
  int64_t n = 0, both = 0, only_a = 0, only_b = 0, neither = 0;
  double accuracy_a = 0, accuracy_b = 0;
  double difference = 0;  // accuracy_b − accuracy_a
  // Wald interval of a paired difference: se = √(b + c − (c − b)²/n) / n, clamped to [−1, 1].
  Interval ci95;
  double p_value = 1;       // McNemar exact
  bool measurable = false;  // the interval excludes zero
};
// Throws loco::Error when the sizes differ.
PairedDifference paired_difference(std::span<const bool> a, std::span<const bool> b);

// Percentile bootstrap of `statistic`, seeded (PCG32: the same interval on every platform).
Interval bootstrap_interval(std::span<const double> values,
                            const std::function<double(std::span<const double>)>& statistic, int resamples,
                            uint64_t seed, double level = 0.95);

// Unbiased pass@k (Chen et al., 2021): 1 − C(n−c, k)/C(n, k) as the stable product
// 1 − ∏_{i=n−c+1}^{n} (1 − k/i). Throws loco::Error for k < 1, k > n, c < 0 or c > n.
double pass_at_k(int n, int c, int k);

// SQuAD normalisation: ASCII lower case, ASCII punctuation removed, the articles a / an /
// the removed as words, whitespace collapsed.
std::string normalize_answer_text(std::string_view text);
std::vector<std::string> answer_tokens(std::string_view text);
// Token-level F1 (multiset overlap, as SQuAD). Both empty: 1; one empty: 0.
double token_f1(std::string_view prediction, std::string_view reference);
// ROUGE-L F1 on the normalised tokens (longest common subsequence). Both empty: 1.
double rouge_l(std::string_view prediction, std::string_view reference);

}  // namespace loco::eval
