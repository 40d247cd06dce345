// Causal self-attention of one sequence for training: the forward pass keeps the
// attention probabilities, the backward pass turns the output's gradient into the
// gradients of q, k and v. Grouped-query: n_head query heads share n_head_kv key/value
// heads (head h reads kv head h / (n_head / n_head_kv)), as in Qwen3 and Llama.
#pragma once

#include <cstdint>

#include "loco/thread_pool.h"

namespace loco::train {

struct AttentionShape {
  int64_t n_tokens = 0, n_head = 0, n_head_kv = 0, head_dim = 0;
  float scale = 1.0f;  // usually 1/sqrt(head_dim)
};

// q, out: n_tokens × n_head × head_dim; k, v: n_tokens × n_head_kv × head_dim;
// probs: n_head × n_tokens × n_tokens (row t holds p[t][s] for s <= t, zeros after).
// With a pool, query heads run in parallel.
void attention_forward(const AttentionShape& a, const float* q, const float* k, const float* v, float* out,
                       float* probs, ThreadPool* pool = nullptr);

// Adds the gradients into dq, dk and dv (shaped like q, k and v) from d_out:
//   dv[s] += Σ_t p[t][s]·do[t];  dp[t][s] = do[t]·v[s];  da = p ⊙ (dp − Σ_s p·dp)
//   dq[t] += scale·Σ_s da[t][s]·k[s];  dk[s] += scale·Σ_t da[t][s]·q[t]
// With a pool, key/value heads (each with its query heads) run in parallel; the result
// is the same for any thread count.
void attention_backward(const AttentionShape& a, const float* q, const float* k, const float* v, const float* probs,
                        const float* d_out, float* dq, float* dk, float* dv, ThreadPool* pool = nullptr);

// RoPE rotates each pair by an angle; its backward rotates the gradient back by the same
// angle: (a, b) -> (a·cos + b·sin, −a·sin + b·cos), in place, with the forward kernel's
// pairing (neox: i and i + head_dim/2, else 2i and 2i + 1).
void rope_backward(float* dx, int64_t n_heads, int64_t head_dim, const float* cos, const float* sin, bool neox);

}  // namespace loco::train
