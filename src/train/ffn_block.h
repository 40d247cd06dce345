// The feed-forward sublayer of a Qwen3/Llama block with optional LoRA pairs on its three
// matrices, forward and backward, composed from the tested pieces (lora_linear, row_backward):
//   n = RMSNorm(x)·w_norm,  g = gate(n),  u = up(n),  a = silu(g)·u,  out = x + down(a)
// where each of gate, up and down is W·v (+ s·B·A·drop(v) where the matrix has a pair),
// W frozen.
#pragma once

#include <cstdint>
#include <vector>

#include "loco/model.h"
#include "loco/thread_pool.h"
#include "train/lora_linear.h"

namespace loco::train {

struct FfnWeights {
  Matrix gate, up, down;             // frozen: n_ff × n_embd, n_ff × n_embd, n_embd × n_ff
  const float* norm = nullptr;       // n_embd, frozen
  float eps = 1e-6f;
  LoraParams* lora_gate = nullptr;   // trainable pairs; null: that matrix is not adapted
  LoraParams* lora_up = nullptr;
  LoraParams* lora_down = nullptr;
  float scale = 1.0f;                // s, times each pair's own scale
  LoraDropout drop_gate, drop_up, drop_down;
  ops::Precision backward = ops::Precision::f32;  // the frozen matrices' transposed products
  // Full training: where the weights' own gradients are added (null: frozen). The
  // matrices must then be float32.
  float* grad_gate = nullptr;
  float* grad_up = nullptr;
  float* grad_down = nullptr;
  float* grad_norm = nullptr;
};

// What the forward pass keeps for the backward pass (n_tokens rows of each).
struct FfnActivations {
  std::vector<float> normed, gate, up, act, h_gate, h_up, h_down;
};

// out (n_tokens × n_embd) = x + FFN(x). out may be null: then only `keep` is filled (a
// recomputation skips the down projection, which the backward pass does not need).
void ffn_forward(const FfnWeights& w, const float* x, int64_t n_tokens, float* out, FfnActivations& keep,
                 ThreadPool& pool);

// From d_out: adds the pairs' gradients into g_gate, g_up, g_down (each needed where its
// pair exists) and the input's gradient (residual included) into dx.
void ffn_backward(const FfnWeights& w, const float* x, int64_t n_tokens, const FfnActivations& keep,
                  const float* d_out, LoraGrads* g_gate, LoraGrads* g_up, LoraGrads* g_down, float* dx,
                  ThreadPool& pool);

}  // namespace loco::train
