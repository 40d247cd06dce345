#include "loco/eval/statistics.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "loco/error.h"
#include "loco/rng.h"

namespace loco::eval {
namespace {

constexpr double kZ95 = 1.959963984540054;  // two-sided 95 % normal quantile

// Explicit ASCII sets rather than <cctype>, whose answers for bytes >= 0x80 depend on the
// locale: the same text must normalise the same way everywhere (UTF-8 is left untouched).
bool is_ascii_punct(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

}  // namespace

double mean(std::span<const double> values) {
  if (values.empty()) return 0;
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

double standard_error(std::span<const double> values) {
  const size_t n = values.size();
  if (n < 2) return 0;
  const double m = mean(values);
  double ss = 0;
  for (double v : values) ss += (v - m) * (v - m);
  return std::sqrt(ss / static_cast<double>(n - 1)) / std::sqrt(static_cast<double>(n));
}

Interval wilson_interval(int64_t successes, int64_t n, double z) {
  if (n <= 0) return {0, 1};
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(successes) / nn;
  const double z2 = z * z;
  const double denom = 1 + z2 / nn;
  const double centre = (p + z2 / (2 * nn)) / denom;
  const double half = z * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / denom;
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

double mcnemar_exact_p(int64_t only_a, int64_t only_b) {
  const int64_t m = only_a + only_b;
  if (m == 0) return 1;
  const int64_t k = std::min(only_a, only_b);
  // P(X <= k), X ~ Bin(m, 1/2). The largest term, P(X = k) (k <= m/2), comes from lgamma so
  // that m in the hundred thousands neither overflows nor underflows; the smaller ones follow
  // by the ratio P(X = i-1) / P(X = i) = i / (m - i + 1), relative to it.
  const double md = static_cast<double>(m), kd = static_cast<double>(k);
  const double log_top = std::lgamma(md + 1) - std::lgamma(kd + 1) - std::lgamma(md - kd + 1) + md * std::log(0.5);
  double term = 1, sum = 1;
  for (int64_t i = k; i >= 1; --i) {
    term *= static_cast<double>(i) / static_cast<double>(m - i + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return std::min(1.0, 2 * std::exp(log_top + std::log(sum)));
}

PairedDifference paired_difference(std::span<const bool> a, std::span<const bool> b) {
  if (a.size() != b.size()) {
    throw Error("a paired comparison needs the same items in both conditions (" + std::to_string(a.size()) + " and " +
                std::to_string(b.size()) + ")");
  }
  PairedDifference d;
  d.n = static_cast<int64_t>(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] && b[i]) ++d.both;
    else if (a[i]) ++d.only_a;
    else if (b[i]) ++d.only_b;
    else ++d.neither;
  }
  if (d.n == 0) {
    d.ci95 = {0, 0};
    return d;
  }
  const double n = static_cast<double>(d.n);
  d.accuracy_a = static_cast<double>(d.both + d.only_a) / n;
  d.accuracy_b = static_cast<double>(d.both + d.only_b) / n;
  d.difference = static_cast<double>(d.only_b - d.only_a) / n;
  const double diff_count = static_cast<double>(d.only_b - d.only_a);
  const double var = static_cast<double>(d.only_a + d.only_b) - diff_count * diff_count / n;
  const double se = std::sqrt(std::max(0.0, var)) / n;
  d.ci95 = {std::max(-1.0, d.difference - kZ95 * se), std::min(1.0, d.difference + kZ95 * se)};
  d.p_value = mcnemar_exact_p(d.only_a, d.only_b);
  d.measurable = d.ci95.low > 0 || d.ci95.high < 0;
  return d;
}

Interval bootstrap_interval(std::span<const double> values,
                            const std::function<double(std::span<const double>)>& statistic, int resamples,
                            uint64_t seed, double level) {
  if (values.empty() || resamples < 1) return {0, 0};
  Pcg32 rng(seed);
  const auto n = static_cast<uint32_t>(values.size());
  // Rejection sampling keeps the index unbiased: draws at or above a multiple of n retry.
  const uint32_t limit = UINT32_MAX - UINT32_MAX % n;
  std::vector<double> sample(values.size()), stats;
  stats.reserve(static_cast<size_t>(resamples));
  for (int r = 0; r < resamples; ++r) {
    for (double& s : sample) {
      uint32_t x;
      do {
        x = rng.next_u32();
      } while (x >= limit);
      s = values[x % n];
    }
    stats.push_back(statistic(sample));
  }
  std::sort(stats.begin(), stats.end());
  const double alpha = std::clamp((1 - level) / 2, 0.0, 0.5);
  // Linear interpolation between order statistics (numpy's default percentile).
  auto at = [&](double q) {
    const double pos = q * static_cast<double>(stats.size() - 1);
    const auto lo = static_cast<size_t>(std::floor(pos));
    const size_t hi = std::min(stats.size() - 1, lo + 1);
    return stats[lo] + (pos - static_cast<double>(lo)) * (stats[hi] - stats[lo]);
  };
  return {at(alpha), at(1 - alpha)};
}

double pass_at_k(int n, int c, int k) {
  if (k < 1 || k > n || c < 0 || c > n) {
    throw Error("pass@k needs 1 <= k <= n and 0 <= c <= n (n " + std::to_string(n) + ", c " + std::to_string(c) +
                ", k " + std::to_string(k) + ")");
  }
  if (n - c < k) return 1.0;
  double prod = 1.0;
  for (int i = n - c + 1; i <= n; ++i) prod *= 1.0 - static_cast<double>(k) / static_cast<double>(i);
  return 1.0 - prod;
}

std::string normalize_answer_text(std::string_view text) {
  std::string lowered;
  lowered.reserve(text.size());
  for (char ch : text) {
    if (is_ascii_punct(ch)) continue;
    lowered += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
  }
  std::string out;
  size_t i = 0;
  while (i < lowered.size()) {
    while (i < lowered.size() && is_ascii_space(lowered[i])) ++i;
    size_t j = i;
    while (j < lowered.size() && !is_ascii_space(lowered[j])) ++j;
    if (j > i) {
      const std::string_view word(lowered.data() + i, j - i);
      if (word != "a" && word != "an" && word != "the") {
        if (!out.empty()) out += ' ';
        out += word;
      }
    }
    i = j;
  }
  return out;
}

std::vector<std::string> answer_tokens(std::string_view text) {
  const std::string norm = normalize_answer_text(text);
  std::vector<std::string> out;
  size_t start = 0;
  while (start < norm.size()) {
    size_t end = norm.find(' ', start);
    if (end == std::string::npos) end = norm.size();
    out.push_back(norm.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

double token_f1(std::string_view prediction, std::string_view reference) {
  const auto p = answer_tokens(prediction), r = answer_tokens(reference);
  if (p.empty() && r.empty()) return 1;
  if (p.empty() || r.empty()) return 0;
  std::map<std::string, int> counts;
  for (const std::string& t : r) ++counts[t];
  int common = 0;
  for (const std::string& t : p) {
    auto it = counts.find(t);
    if (it != counts.end() && it->second > 0) {
      --it->second;
      ++common;
    }
  }
  if (common == 0) return 0;
  const double precision = static_cast<double>(common) / static_cast<double>(p.size());
  const double recall = static_cast<double>(common) / static_cast<double>(r.size());
  return 2 * precision * recall / (precision + recall);
}

double rouge_l(std::string_view prediction, std::string_view reference) {
  const auto p = answer_tokens(prediction), r = answer_tokens(reference);
  if (p.empty() && r.empty()) return 1;
  if (p.empty() || r.empty()) return 0;
  // LCS with two rows over the shorter sequence.
  const auto& longer = p.size() >= r.size() ? p : r;
  const auto& shorter = p.size() >= r.size() ? r : p;
  std::vector<size_t> prev(shorter.size() + 1, 0), cur(shorter.size() + 1, 0);
  for (const std::string& x : longer) {
    for (size_t j = 1; j <= shorter.size(); ++j) {
      cur[j] = x == shorter[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
    }
    std::swap(prev, cur);
  }
  const auto lcs = static_cast<double>(prev[shorter.size()]);
  if (lcs == 0) return 0;
  const double precision = lcs / static_cast<double>(p.size());
  const double recall = lcs / static_cast<double>(r.size());
  return 2 * precision * recall / (precision + recall);
}

}  // namespace loco::eval
