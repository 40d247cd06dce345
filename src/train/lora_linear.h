// One linear layer with a trainable LoRA pair over a frozen base matrix, forward and
// backward: the building block of LoRA training over a quantized base (loco train).
//   h[t] = A·drop(x[t]),   y[t] = W·x[t] + s·B·h[t]
// A is rank × n_in and B is n_out × rank, row-major float; W stays in its file type.
// drop() is LoRA dropout (PEFT's lora_dropout): during training each input value of the
// LoRA path is zeroed with probability p and the rest scaled by 1/(1 − p); W·x never is.
#pragma once

#include <cstdint>
#include <vector>

#include "loco/model.h"
#include "loco/thread_pool.h"
#include "ops/matmul_transposed.h"

namespace loco::train {

struct LoraParams {
  int64_t rank = 0, n_in = 0, n_out = 0;
  std::vector<float> a;  // rank × n_in
  std::vector<float> b;  // n_out × rank
  float scale = 1.0f;    // the pair's own alpha / rank; multiplies the caller's scale
};

// Gradients of the loss with respect to A and B, same shapes; backward adds into them.
struct LoraGrads {
  std::vector<float> a, b;
  explicit LoraGrads(const LoraParams& p)
      : a(static_cast<size_t>(p.rank * p.n_in), 0.0f), b(static_cast<size_t>(p.n_out * p.rank), 0.0f) {}
};

// The dropout mask is a pure function of (key, token, input index), so the backward pass
// recomputes it instead of storing it, and a resumed run draws the same masks.
// Each hash gives four 16-bit uniforms, so p is applied in steps of 1/65536 and the kept
// values are scaled by 1/(1 − that p), keeping the expectation exact.
struct LoraDropout {
  float p = 0.0f;    // 0: no dropout
  uint64_t key = 0;  // distinct per step, layer and matrix
  bool keeps(int64_t t, int64_t i) const;
  float keep_scale() const;
};

// y (n_tokens × n_out) and h (n_tokens × rank, kept for backward) from x (n_tokens × n_in).
// W·x is the engine's product (quantized activations for quantized W).
void lora_linear_forward(const Matrix& w, const LoraParams& p, float scale, const float* x, int64_t n_tokens,
                         float* y, float* h, ThreadPool& pool, const LoraDropout& drop = {});

// From dy (n_tokens × n_out): grads.b += s·Σ_t dy[t]·h[t]ᵀ; dh[t] = s·Bᵀ·dy[t];
// grads.a += Σ_t dh[t]·drop(x[t])ᵀ; and, when dx is not null, dx[t] += Wᵀ·dy[t] + dropᵀ(Aᵀ·dh[t])
// (the input's gradient, for the layer below). Sums run in token order. `precision` is the
// transposed product's (ops/matmul_transposed.h: int8 where it applies, if asked).
void lora_linear_backward(const Matrix& w, const LoraParams& p, float scale, const float* x, const float* h,
                          const float* dy, int64_t n_tokens, LoraGrads& grads, float* dx, ThreadPool& pool,
                          const LoraDropout& drop = {}, ops::Precision precision = ops::Precision::f32);

// The same where the pair is optional (a matrix the adapter does not target): with p null,
// y = W·x forward and dx += Wᵀ·dy backward; h and grads are then unused. With y null the
// forward computes only h (a recomputation needs the pair's hidden values, not the output). When dw is not
// null (full training: W is a float32 parameter), W's own gradient Σ_t dy[t]·x[t]ᵀ is
// added into it (n_out × n_in).
void linear_forward(const Matrix& w, const LoraParams* p, float scale, const float* x, int64_t n_tokens, float* y,
                    float* h, ThreadPool& pool, const LoraDropout& drop = {});
void linear_backward(const Matrix& w, const LoraParams* p, float scale, const float* x, const float* h,
                     const float* dy, int64_t n_tokens, LoraGrads* grads, float* dx, float* dw, ThreadPool& pool,
                     const LoraDropout& drop = {}, ops::Precision precision = ops::Precision::f32);

}  // namespace loco::train
