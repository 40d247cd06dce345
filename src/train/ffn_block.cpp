#include "train/ffn_block.h"

#include "kernels/kernels.h"
#include "train/row_backward.h"

namespace loco::train {
namespace {

int64_t rank_of(const LoraParams* p) { return p == nullptr ? 0 : p->rank; }

}  // namespace

void ffn_forward(const FfnWeights& w, const float* x, int64_t n_tokens, float* out, FfnActivations& keep,
                 ThreadPool& pool) {
  const int64_t n_embd = w.gate.n_in, n_ff = w.gate.n_out;
  const kernels::RowKernels& k = kernels::active_kernels().rows;
  keep.normed.resize(static_cast<size_t>(n_tokens * n_embd));
  keep.gate.resize(static_cast<size_t>(n_tokens * n_ff));
  keep.up.resize(static_cast<size_t>(n_tokens * n_ff));
  keep.act.resize(static_cast<size_t>(n_tokens * n_ff));
  keep.h_gate.resize(static_cast<size_t>(n_tokens * rank_of(w.lora_gate)));
  keep.h_up.resize(static_cast<size_t>(n_tokens * rank_of(w.lora_up)));
  keep.h_down.resize(static_cast<size_t>(n_tokens * rank_of(w.lora_down)));
  for (int64_t t = 0; t < n_tokens; ++t) k.rms_norm(x + t * n_embd, w.norm, keep.normed.data() + t * n_embd, n_embd, w.eps);
  linear_forward(w.gate, w.lora_gate, w.scale, keep.normed.data(), n_tokens, keep.gate.data(), keep.h_gate.data(), pool,
                 w.drop_gate);
  linear_forward(w.up, w.lora_up, w.scale, keep.normed.data(), n_tokens, keep.up.data(), keep.h_up.data(), pool,
                 w.drop_up);
  for (int64_t t = 0; t < n_tokens; ++t) {
    k.silu_mul(keep.gate.data() + t * n_ff, keep.up.data() + t * n_ff, keep.act.data() + t * n_ff, n_ff);
  }
  linear_forward(w.down, w.lora_down, w.scale, keep.act.data(), n_tokens, out, keep.h_down.data(), pool, w.drop_down);
  if (out == nullptr) return;
  for (int64_t t = 0; t < n_tokens; ++t) k.add(out + t * n_embd, x + t * n_embd, n_embd);
}

void ffn_backward(const FfnWeights& w, const float* x, int64_t n_tokens, const FfnActivations& keep,
                  const float* d_out, LoraGrads* g_gate, LoraGrads* g_up, LoraGrads* g_down, float* dx,
                  ThreadPool& pool) {
  const int64_t n_embd = w.gate.n_in, n_ff = w.gate.n_out;
  std::vector<float> d_act(static_cast<size_t>(n_tokens * n_ff), 0.0f);
  linear_backward(w.down, w.lora_down, w.scale, keep.act.data(), keep.h_down.data(), d_out, n_tokens, g_down,
                  d_act.data(), w.grad_down, pool, w.drop_down, w.backward);
  std::vector<float> d_gate(d_act.size(), 0.0f), d_up(d_act.size(), 0.0f);
  for (int64_t t = 0; t < n_tokens; ++t) {
    silu_mul_backward(keep.gate.data() + t * n_ff, keep.up.data() + t * n_ff, d_act.data() + t * n_ff, n_ff,
                      d_gate.data() + t * n_ff, d_up.data() + t * n_ff);
  }
  std::vector<float> d_normed(static_cast<size_t>(n_tokens * n_embd), 0.0f);
  linear_backward(w.gate, w.lora_gate, w.scale, keep.normed.data(), keep.h_gate.data(), d_gate.data(), n_tokens,
                  g_gate, d_normed.data(), w.grad_gate, pool, w.drop_gate, w.backward);
  linear_backward(w.up, w.lora_up, w.scale, keep.normed.data(), keep.h_up.data(), d_up.data(), n_tokens, g_up,
                  d_normed.data(), w.grad_up, pool, w.drop_up, w.backward);
  pre_norm_residual_backward(x, w.norm, w.eps, d_normed.data(), d_out, n_tokens, n_embd, dx, w.grad_norm);
}

}  // namespace loco::train
