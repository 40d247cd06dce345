// The attention sublayer of a Qwen3/Llama block with optional LoRA pairs on q, k, v and o,
// forward and backward, composed from the tested pieces (lora_linear, row_backward,
// attention_backward):
//   n = RMSNorm(x)·w_norm;  q = Wq·n, k = Wk·n, v = Wv·n (each + s·B·A·drop(n), + bias);
//   Qwen3: q and k RMS-normed per head; RoPE on q and k at each token's position;
//   o = causal attention(q, k, v);  out = x + Wo·o (+ s·B·A·drop(o))
// Packed batches: the tokens are split into consecutive segments (independent sequences);
// a token attends only within its segment, and positions restart at 0 in each.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "loco/model.h"
#include "loco/thread_pool.h"
#include "ops/ops.h"
#include "train/attention_backward.h"
#include "train/lora_linear.h"

namespace loco::train {

struct AttentionWeights {
  Matrix wq, wk, wv, wo;                 // frozen
  const float* norm = nullptr;           // n_embd, frozen
  const float* q_norm = nullptr;         // head_dim, or null (Llama)
  const float* k_norm = nullptr;
  const float* bq = nullptr;             // Qwen2's biases, or null
  const float* bk = nullptr;
  const float* bv = nullptr;
  float eps = 1e-6f;
  int64_t n_head = 0, n_head_kv = 0, head_dim = 0;
  // The model's rotary table (frequency scaling and factors included); when null, one is
  // made from rope_base and rope_neox.
  const ops::RopeTable* rope = nullptr;
  float rope_base = 10000.0f;
  bool rope_neox = true;                 // Qwen3: true; Llama: false
  LoraParams* lora_q = nullptr;          // trainable pairs; null: that matrix is not adapted
  LoraParams* lora_k = nullptr;
  LoraParams* lora_v = nullptr;
  LoraParams* lora_o = nullptr;
  float scale = 1.0f;                    // s, times each pair's own scale
  LoraDropout drop_q, drop_k, drop_v, drop_o;
  ops::Precision backward = ops::Precision::f32;  // the frozen matrices' transposed products
  // Full training: where the weights' own gradients are added (null: frozen). The
  // matrices must then be float32. Biases are never trained.
  float* grad_wq = nullptr;
  float* grad_wk = nullptr;
  float* grad_wv = nullptr;
  float* grad_wo = nullptr;
  float* grad_norm = nullptr;
  float* grad_q_norm = nullptr;
  float* grad_k_norm = nullptr;
};

struct AttentionActivations {
  std::vector<float> normed, q_raw, k_raw, q, k, v, probs, attn, h_q, h_k, h_v, h_o, cos, sin;
  std::vector<int64_t> segments;  // the segment lengths the forward pass used
};

// segments: the lengths of the packed sequences, summing to n_tokens; empty: one sequence.
// out may be null: then only `keep` is filled (a recomputation before the backward pass
// skips the o projection, which the backward pass does not need).
void attention_block_forward(const AttentionWeights& w, const float* x, int64_t n_tokens, float* out,
                             AttentionActivations& keep, ThreadPool& pool, std::span<const int64_t> segments = {});

void attention_block_backward(const AttentionWeights& w, const float* x, int64_t n_tokens,
                              const AttentionActivations& keep, const float* d_out, LoraGrads* g_q, LoraGrads* g_k,
                              LoraGrads* g_v, LoraGrads* g_o, float* dx, ThreadPool& pool);

}  // namespace loco::train
