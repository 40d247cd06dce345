// Adds the LoRA corrections of a batch to a matrix product already computed:
// y[t] += scale_t · B · (A · x[t]) for every token t whose sequence has an adapter with a
// pair for this matrix. Tokens without one are left untouched.
#pragma once

#include <cstdint>
#include <span>

#include "loco/lora.h"
#include "loco/thread_pool.h"

namespace loco::ops {

struct TokenAdapter {
  const LoraAdapter* adapter = nullptr;
  float scale = 1.0f;
};

void apply_lora(std::span<const TokenAdapter> tokens, int32_t layer, LoraTarget target,
                const float* x, int64_t x_stride, float* y, int64_t y_stride, ThreadPool& pool);

}  // namespace loco::ops
