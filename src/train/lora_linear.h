// One linear layer with a trainable LoRA pair over a frozen base matrix, forward and
// backward: the building block of LoRA training over a quantized base (loco train).
//   h[t] = A·x[t],   y[t] = W·x[t] + s·B·h[t]
// A is rank × n_in and B is n_out × rank, row-major float; W stays in its file type.
#pragma once

#include <cstdint>
#include <vector>

#include "loco/model.h"
#include "loco/thread_pool.h"

namespace loco::train {

struct LoraParams {
  int64_t rank = 0, n_in = 0, n_out = 0;
  std::vector<float> a;  // rank × n_in
  std::vector<float> b;  // n_out × rank
};

// Gradients of the loss with respect to A and B, same shapes; backward adds into them.
struct LoraGrads {
  std::vector<float> a, b;
  explicit LoraGrads(const LoraParams& p)
      : a(static_cast<size_t>(p.rank * p.n_in), 0.0f), b(static_cast<size_t>(p.n_out * p.rank), 0.0f) {}
};

// y (n_tokens × n_out) and h (n_tokens × rank, kept for backward) from x (n_tokens × n_in).
// W·x is the engine's product (quantized activations for quantized W).
void lora_linear_forward(const Matrix& w, const LoraParams& p, float scale, const float* x, int64_t n_tokens,
                         float* y, float* h, ThreadPool& pool);

// From dy (n_tokens × n_out): grads.b += s·Σ_t dy[t]·h[t]ᵀ; dh[t] = s·Bᵀ·dy[t];
// grads.a += Σ_t dh[t]·x[t]ᵀ; and, when dx is not null, dx[t] += Wᵀ·dy[t] + Aᵀ·dh[t]
// (the input's gradient, for the layer below). Sums run in token order.
void lora_linear_backward(const Matrix& w, const LoraParams& p, float scale, const float* x, const float* h,
                          const float* dy, int64_t n_tokens, LoraGrads& grads, float* dx, ThreadPool& pool);

}  // namespace loco::train
