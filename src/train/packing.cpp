#include "train/packing.h"

#include <fmt/format.h>

#include <numeric>

#include "loco/error.h"
#include "loco/rng.h"

namespace loco::train {

std::vector<std::vector<size_t>> plan_batches(const std::vector<TrainExample>& examples, int64_t batch_tokens,
                                              uint64_t seed, int64_t epoch) {
  if (batch_tokens < 2) throw Error("--batch-tokens must be at least 2");
  std::vector<size_t> order(examples.size());
  std::iota(order.begin(), order.end(), size_t{0});
  Pcg32 rng(seed, 0x5eed0000ULL + static_cast<uint64_t>(epoch));
  for (size_t i = order.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(rng.next_double() * static_cast<double>(i));
    std::swap(order[i - 1], order[j]);
  }
  std::vector<std::vector<size_t>> batches;
  int64_t used = 0;
  for (size_t idx : order) {
    const int64_t n = static_cast<int64_t>(examples[idx].tokens.size());
    if (n > batch_tokens) {
      throw Error(fmt::format("{}: {} tokens, more than --batch-tokens {}", examples[idx].where, n, batch_tokens));
    }
    if (batches.empty() || used + n > batch_tokens) {
      batches.emplace_back();
      used = 0;
    }
    batches.back().push_back(idx);
    used += n;
  }
  return batches;
}

PackedBatch pack_examples(const std::vector<TrainExample>& examples, const std::vector<size_t>& indices) {
  PackedBatch b;
  for (size_t idx : indices) {
    const TrainExample& e = examples[idx];
    const size_t n = e.tokens.size();
    b.tokens.insert(b.tokens.end(), e.tokens.begin(), e.tokens.end());
    for (size_t i = 0; i < n; ++i) b.targets.push_back(i + 1 < n && e.target[i + 1] != 0 ? e.tokens[i + 1] : -1);
    b.segments.push_back(static_cast<int64_t>(n));
  }
  return b;
}

}  // namespace loco::train
