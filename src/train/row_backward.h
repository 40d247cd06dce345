// Backward passes of the row operations of the transformer (one token's vector each),
// matching the forward definitions in kernels/kernels.h, and the training loss.
#pragma once

#include <cstdint>

namespace loco::train {

// y[i] = x[i]·s·w[i], s = 1/sqrt(Σx²/n + eps).  Adds into dx and dw:
//   dw[i] += dy[i]·x[i]·s
//   dx[i] += s·w[i]·dy[i] − x[i]·s³/n · Σ_j dy[j]·w[j]·x[j]
// dw may be null (a frozen norm, as in LoRA training).
void rms_norm_backward(const float* x, const float* w, const float* dy, int64_t n, float eps, float* dx, float* dw);

// out[i] = silu(g[i])·u[i], silu(g) = g·σ(g).  Adds into d_gate and d_up:
//   d_up[i] += dy[i]·silu(g[i]);  d_gate[i] += dy[i]·u[i]·σ(g[i])·(1 + g[i]·(1 − σ(g[i])))
void silu_mul_backward(const float* gate, const float* up, const float* dy, int64_t n, float* d_gate, float* d_up);

// The input side of a pre-norm residual sublayer, out = x + f(RMSNorm(x)·w): given the
// gradient of the normed input (d_normed) and of the output (d_out), adds into dx, for
// each of n_tokens rows of n values, d_out (the residual path) plus the norm's backward
// of d_normed; and, when dw is not null, the norm weights' gradient into dw.
void pre_norm_residual_backward(const float* x, const float* w, float eps, const float* d_normed, const float* d_out,
                                int64_t n_tokens, int64_t n, float* dx, float* dw = nullptr);

// Cross-entropy of the logits of one position against `target`: returns
// −log softmax(logits)[target] (computed stably in double) and, when d_logits is not null,
// writes its gradient softmax(logits) − onehot(target), times `weight` (1/number of
// targets, to average over a batch).
double cross_entropy(const float* logits, int64_t n_vocab, int32_t target, float weight, float* d_logits);

}  // namespace loco::train
