#include "train/ffn_block.h"

#include "kernels/kernels.h"
#include "train/row_backward.h"

namespace loco::train {

void ffn_forward(const FfnWeights& w, const float* x, int64_t n_tokens, float* out, FfnActivations& keep,
                 ThreadPool& pool) {
  const int64_t n_embd = w.gate.n_in, n_ff = w.gate.n_out;
  const int64_t rank_g = w.lora_gate->rank, rank_u = w.lora_up->rank, rank_d = w.lora_down->rank;
  const kernels::RowKernels& k = kernels::active_kernels().rows;
  keep.normed.resize(static_cast<size_t>(n_tokens * n_embd));
  keep.gate.resize(static_cast<size_t>(n_tokens * n_ff));
  keep.up.resize(static_cast<size_t>(n_tokens * n_ff));
  keep.act.resize(static_cast<size_t>(n_tokens * n_ff));
  keep.h_gate.resize(static_cast<size_t>(n_tokens * rank_g));
  keep.h_up.resize(static_cast<size_t>(n_tokens * rank_u));
  keep.h_down.resize(static_cast<size_t>(n_tokens * rank_d));
  for (int64_t t = 0; t < n_tokens; ++t) k.rms_norm(x + t * n_embd, w.norm, keep.normed.data() + t * n_embd, n_embd, w.eps);
  lora_linear_forward(w.gate, *w.lora_gate, w.scale, keep.normed.data(), n_tokens, keep.gate.data(), keep.h_gate.data(), pool);
  lora_linear_forward(w.up, *w.lora_up, w.scale, keep.normed.data(), n_tokens, keep.up.data(), keep.h_up.data(), pool);
  for (int64_t t = 0; t < n_tokens; ++t) {
    k.silu_mul(keep.gate.data() + t * n_ff, keep.up.data() + t * n_ff, keep.act.data() + t * n_ff, n_ff);
  }
  lora_linear_forward(w.down, *w.lora_down, w.scale, keep.act.data(), n_tokens, out, keep.h_down.data(), pool);
  for (int64_t t = 0; t < n_tokens; ++t) k.add(out + t * n_embd, x + t * n_embd, n_embd);
}

void ffn_backward(const FfnWeights& w, const float* x, int64_t n_tokens, const FfnActivations& keep,
                  const float* d_out, LoraGrads& g_gate, LoraGrads& g_up, LoraGrads& g_down, float* dx,
                  ThreadPool& pool) {
  const int64_t n_embd = w.gate.n_in, n_ff = w.gate.n_out;
  std::vector<float> d_act(static_cast<size_t>(n_tokens * n_ff), 0.0f);
  lora_linear_backward(w.down, *w.lora_down, w.scale, keep.act.data(), keep.h_down.data(), d_out, n_tokens, g_down,
                       d_act.data(), pool);
  std::vector<float> d_gate(d_act.size(), 0.0f), d_up(d_act.size(), 0.0f);
  for (int64_t t = 0; t < n_tokens; ++t) {
    silu_mul_backward(keep.gate.data() + t * n_ff, keep.up.data() + t * n_ff, d_act.data() + t * n_ff, n_ff,
                      d_gate.data() + t * n_ff, d_up.data() + t * n_ff);
  }
  std::vector<float> d_normed(static_cast<size_t>(n_tokens * n_embd), 0.0f);
  lora_linear_backward(w.gate, *w.lora_gate, w.scale, keep.normed.data(), keep.h_gate.data(), d_gate.data(), n_tokens,
                       g_gate, d_normed.data(), pool);
  lora_linear_backward(w.up, *w.lora_up, w.scale, keep.normed.data(), keep.h_up.data(), d_up.data(), n_tokens, g_up,
                       d_normed.data(), pool);
  pre_norm_residual_backward(x, w.norm, w.eps, d_normed.data(), d_out, n_tokens, n_embd, dx);
}

}  // namespace loco::train
