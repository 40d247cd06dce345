// The sampling chain of loco/sampler.h.
#include "loco/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "loco/error.h"

namespace loco {
namespace sampling {
namespace {

// Candidate order everywhere: higher logit first, then lower id. A total order (NaN never
// enters a candidate list), so sorting gives the same result with every standard library.
bool ranks_before(const TokenCandidate& a, const TokenCandidate& b) {
  if (a.logit != b.logit) return a.logit > b.logit;
  return a.id < b.id;
}

void sort_if_needed(std::vector<TokenCandidate>& c) {
  if (!std::is_sorted(c.begin(), c.end(), ranks_before)) {
    std::sort(c.begin(), c.end(), ranks_before);
  }
}

void renormalise(std::vector<TokenCandidate>& c) {
  double total = 0.0;
  for (const TokenCandidate& t : c) total += t.p;
  if (total <= 0.0) return;
  for (TokenCandidate& t : c) t.p = static_cast<float>(t.p / total);
}

}  // namespace

void apply_penalties(std::span<float> logits, std::span<const int32_t> recent,
                     float repeat_penalty, float presence_penalty, float frequency_penalty) {
  if (recent.empty()) return;
  std::vector<int32_t> ids(recent.begin(), recent.end());
  std::sort(ids.begin(), ids.end());
  for (size_t i = 0; i < ids.size();) {
    size_t j = i;
    while (j < ids.size() && ids[j] == ids[i]) ++j;
    const int32_t id = ids[i];
    const auto count = static_cast<float>(j - i);
    i = j;
    if (id < 0 || static_cast<size_t>(id) >= logits.size()) continue;
    float& logit = logits[static_cast<size_t>(id)];
    if (repeat_penalty != 1.0f) {
      logit = logit > 0.0f ? logit / repeat_penalty : logit * repeat_penalty;
    }
    logit -= count * frequency_penalty + presence_penalty;
  }
}

void candidates_from_logits(std::span<const float> logits, std::vector<TokenCandidate>& out) {
  out.clear();
  out.reserve(logits.size());
  for (size_t i = 0; i < logits.size(); ++i) {
    const float l = logits[i];
    if (std::isnan(l) || l == -std::numeric_limits<float>::infinity()) continue;
    out.push_back({static_cast<int32_t>(i), l, 0.0f});
  }
}

void top_k(std::vector<TokenCandidate>& candidates, int k) {
  if (k <= 0 || static_cast<size_t>(k) >= candidates.size()) return;
  const auto kept = candidates.begin() + k;
  std::partial_sort(candidates.begin(), kept, candidates.end(), ranks_before);
  candidates.erase(kept, candidates.end());
}

void softmax(std::vector<TokenCandidate>& candidates, float temperature) {
  if (candidates.empty()) return;
  float max_logit = -std::numeric_limits<float>::infinity();
  for (const TokenCandidate& t : candidates) max_logit = std::max(max_logit, t.logit);
  if (std::isinf(max_logit) && max_logit > 0) {
    size_t n_inf = 0;
    for (const TokenCandidate& t : candidates) n_inf += std::isinf(t.logit) ? 1 : 0;
    for (TokenCandidate& t : candidates) {
      t.p = std::isinf(t.logit) ? static_cast<float>(1.0 / static_cast<double>(n_inf)) : 0.0f;
    }
    return;
  }
  // Unnormalised weights go into p first (each in [0, 1], so float loses nothing that
  // matters); the sum is kept in double.
  double total = 0.0;
  for (TokenCandidate& t : candidates) {
    const double scaled = (static_cast<double>(t.logit) - max_logit) / temperature;
    t.p = static_cast<float>(std::exp(scaled));
    total += t.p;
  }
  for (TokenCandidate& t : candidates) t.p = static_cast<float>(t.p / total);
}

void top_p(std::vector<TokenCandidate>& candidates, float p) {
  if (p >= 1.0f || candidates.empty()) return;
  // The kept run is usually short and the vocabulary long, so it is found by selection
  // (expected linear time), then only it is sorted. Probability mass is counted in fixed
  // point (units of 2^-40): integer sums do not depend on the order of addition, so the
  // run is the same whatever arrangement a standard library's nth_element leaves.
  const auto units = [](float q) {
    return static_cast<uint64_t>(static_cast<double>(q) * 0x1p40 + 0.5);  // q in [0, 1]
  };
  uint64_t total = 0;
  for (const TokenCandidate& t : candidates) total += units(t.p);
  uint64_t need = static_cast<uint64_t>(
      std::ceil(static_cast<double>(std::max(p, 0.0f)) * static_cast<double>(total)));

  const auto at = [&](size_t i) { return candidates.begin() + static_cast<std::ptrdiff_t>(i); };
  size_t lo = 0, hi = candidates.size();  // the run ends in (lo, hi]; [0, lo) is all kept
  while (hi - lo > 64) {
    const size_t mid = lo + (hi - lo) / 2;
    std::nth_element(at(lo), at(mid), at(hi), ranks_before);
    uint64_t mass = 0;
    for (size_t i = lo; i < mid; ++i) mass += units(candidates[i].p);
    if (mass >= need) {
      hi = mid;
    } else {
      need -= mass;
      lo = mid;
    }
  }
  std::sort(at(lo), at(hi), ranks_before);
  size_t keep = hi;
  uint64_t cumulative = 0;
  for (size_t i = lo; i < hi; ++i) {
    cumulative += units(candidates[i].p);
    if (cumulative >= need) {
      keep = i + 1;
      break;
    }
  }
  std::sort(at(0), at(lo), ranks_before);
  candidates.resize(keep);
  renormalise(candidates);
}

void min_p(std::vector<TokenCandidate>& candidates, float min_p) {
  if (min_p <= 0.0f || candidates.empty()) return;
  const auto top = std::min_element(candidates.begin(), candidates.end(), ranks_before);
  const double threshold = static_cast<double>(min_p) * top->p;
  if (top->p < threshold) {  // min_p > 1: only the most probable survives
    const TokenCandidate best = *top;
    candidates.assign(1, best);
  } else {
    std::erase_if(candidates, [&](const TokenCandidate& t) { return t.p < threshold; });
  }
  sort_if_needed(candidates);
  renormalise(candidates);
}

size_t pick(std::span<const TokenCandidate> candidates, double u) {
  double total = 0.0;
  for (const TokenCandidate& t : candidates) total += t.p;
  const double target = u * total;
  double cumulative = 0.0;
  size_t last_positive = 0;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (candidates[i].p <= 0.0f) continue;
    last_positive = i;
    cumulative += candidates[i].p;
    if (target < cumulative) return i;
  }
  return last_positive;  // rounding left target at the very top
}

int32_t argmax(std::span<const float> logits) {
  int32_t best = -1;
  for (size_t i = 0; i < logits.size(); ++i) {
    if (std::isnan(logits[i])) continue;
    if (best < 0 || logits[i] > logits[static_cast<size_t>(best)]) best = static_cast<int32_t>(i);
  }
  return best;
}

}  // namespace sampling

namespace {

void check_config(const SamplerConfig& c) {
  const auto bad = [](float v) { return std::isnan(v); };
  if (bad(c.temperature) || bad(c.top_p) || bad(c.min_p) || bad(c.presence_penalty) ||
      bad(c.frequency_penalty) || bad(c.repeat_penalty)) {
    throw Error("sampler: a sampling parameter is NaN");
  }
  if (!(c.repeat_penalty > 0.0f)) {
    throw Error("sampler: repeat_penalty must be > 0 (1 turns it off), got " +
                std::to_string(c.repeat_penalty));
  }
  if (c.repeat_last_n < -1) {
    throw Error("sampler: repeat_last_n must be >= -1, got " + std::to_string(c.repeat_last_n));
  }
}

}  // namespace

Sampler::Sampler(const SamplerConfig& config, int32_t n_vocab)
    : config_(config), n_vocab_(n_vocab), rng_(config.seed) {
  if (n_vocab <= 0) {
    throw Error("sampler: n_vocab must be positive, got " + std::to_string(n_vocab));
  }
  check_config(config_);
}

int32_t Sampler::sample(std::span<const float> logits) {
  if (logits.size() != static_cast<size_t>(n_vocab_)) {
    throw Error("sampler: got " + std::to_string(logits.size()) + " logits for a vocabulary of " +
                std::to_string(n_vocab_));
  }
  logits_.assign(logits.begin(), logits.end());

  const bool penalise = config_.repeat_penalty != 1.0f || config_.presence_penalty != 0.0f ||
                        config_.frequency_penalty != 0.0f;
  if (penalise && config_.repeat_last_n != 0 && !history_.empty()) {
    std::span<const int32_t> recent = history_;
    if (config_.repeat_last_n > 0 && recent.size() > static_cast<size_t>(config_.repeat_last_n)) {
      recent = recent.last(static_cast<size_t>(config_.repeat_last_n));
    }
    sampling::apply_penalties(logits_, recent, config_.repeat_penalty, config_.presence_penalty,
                              config_.frequency_penalty);
  }

  if (config_.temperature <= 0.0f) {
    const int32_t best = sampling::argmax(logits_);
    if (best < 0 || logits_[static_cast<size_t>(best)] == -std::numeric_limits<float>::infinity()) {
      throw Error("sampler: every logit is NaN or -inf");
    }
    return best;
  }

  sampling::candidates_from_logits(logits_, candidates_);
  if (candidates_.empty()) throw Error("sampler: every logit is NaN or -inf");
  sampling::top_k(candidates_, config_.top_k);
  sampling::softmax(candidates_, config_.temperature);
  sampling::top_p(candidates_, config_.top_p);
  sampling::min_p(candidates_, config_.min_p);
  return candidates_[sampling::pick(candidates_, rng_.next_double())].id;
}

void Sampler::accept(int32_t token) {
  if (token < 0 || token >= n_vocab_) {
    throw Error("sampler: token id " + std::to_string(token) + " is outside the vocabulary of " +
                std::to_string(n_vocab_));
  }
  history_.push_back(token);
  // Keep the window bounded: trim once the buffer holds twice what the penalties need.
  if (config_.repeat_last_n >= 0) {
    const size_t window = static_cast<size_t>(config_.repeat_last_n);
    if (history_.size() > 2 * window + 64) {
      history_.erase(history_.begin(), history_.end() - static_cast<std::ptrdiff_t>(window));
    }
  }
}

void Sampler::reset() {
  history_.clear();
  rng_.reseed(config_.seed);
}

float Sampler::log_prob(std::span<const float> logits, int32_t token) {
  if (token < 0 || static_cast<size_t>(token) >= logits.size()) {
    throw Error("sampler: token id " + std::to_string(token) + " is outside the " +
                std::to_string(logits.size()) + " logits");
  }
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const double x = logits[static_cast<size_t>(token)];
  if (std::isnan(x) || x == -kInf) return -std::numeric_limits<float>::infinity();
  double max_logit = -kInf;
  size_t n_inf = 0;
  for (const float l : logits) {
    if (std::isnan(l)) continue;
    max_logit = std::max(max_logit, static_cast<double>(l));
    n_inf += (l == std::numeric_limits<float>::infinity()) ? 1 : 0;
  }
  if (n_inf > 0) {
    return x == kInf ? static_cast<float>(-std::log(static_cast<double>(n_inf)))
                     : -std::numeric_limits<float>::infinity();
  }
  double total = 0.0;
  for (const float l : logits) {
    if (!std::isnan(l)) total += std::exp(static_cast<double>(l) - max_logit);
  }
  return static_cast<float>(x - max_logit - std::log(total));
}

}  // namespace loco
