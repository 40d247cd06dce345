// Seeded choices for the data generators: uniform integers and picks from lists, the same
// on every platform (Pcg32 and a rejection step, never std's distributions).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "loco/rng.h"

namespace loco::datagen {

class Picker {
 public:
  Picker(uint64_t seed, uint64_t stream) : rng_(seed, stream) {}

  // Uniform in [lo, hi], without modulo bias.
  int64_t uniform(int64_t lo, int64_t hi) {
    const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
    const uint64_t limit = (uint64_t{1} << 32) - ((uint64_t{1} << 32) % span);
    uint64_t r = rng_.next_u32();
    while (r >= limit) r = rng_.next_u32();
    return lo + static_cast<int64_t>(r % span);
  }

  bool coin() { return uniform(0, 1) == 1; }

  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[static_cast<size_t>(uniform(0, static_cast<int64_t>(items.size()) - 1))];
  }

  // Two different entries.
  template <typename T>
  std::pair<T, T> pick_two(const std::vector<T>& items) {
    const auto n = static_cast<int64_t>(items.size());
    const int64_t i = uniform(0, n - 1);
    const int64_t j = (i + uniform(1, n - 1)) % n;
    return {items[static_cast<size_t>(i)], items[static_cast<size_t>(j)]};
  }

 private:
  Pcg32 rng_;
};

}  // namespace loco::datagen
