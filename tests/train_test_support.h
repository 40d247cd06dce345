// Shared by the training tests: random LoRA pairs and the finite-difference check of a
// gradient against a scalar loss.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "kernel_random_data.h"
#include "train/lora_linear.h"

namespace loco::train_test {

inline train::LoraParams random_pair(kernel_test::Rng& rng, int64_t n_in, int64_t n_out, int64_t rank) {
  train::LoraParams p;
  p.rank = rank;
  p.n_in = n_in;
  p.n_out = n_out;
  for (int64_t i = 0; i < rank * n_in; ++i) p.a.push_back(0.3f * rng.normal());
  for (int64_t i = 0; i < n_out * rank; ++i) p.b.push_back(0.3f * rng.normal());
  return p;
}

// Compares grad[k] with the central difference (loss(p + h) − loss(p − h)) / 2h for about
// `samples` evenly spread k, within `rel`·(1 + |numeric|).
inline void expect_gradient(std::vector<float>& param, const std::vector<float>& grad,
                            const std::function<double()>& loss, const std::string& what, size_t samples,
                            float h = 1e-2f, double rel = 2e-2) {
  for (size_t k = 0; k < param.size(); k += param.size() / samples + 1) {
    const float kept = param[k];
    param[k] = kept + h;
    const double up = loss();
    param[k] = kept - h;
    const double down = loss();
    param[k] = kept;
    const double numeric = (up - down) / (2.0 * static_cast<double>(h));
    EXPECT_NEAR(grad[k], numeric, rel * (1.0 + std::fabs(numeric))) << what << " " << k;
  }
}

}  // namespace loco::train_test
