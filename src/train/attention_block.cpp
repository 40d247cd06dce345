#include "train/attention_block.h"

#include <cmath>

#include "kernels/kernels.h"
#include "train/row_backward.h"

namespace loco::train {
namespace {

AttentionShape shape_of(const AttentionWeights& w, int64_t n_tokens) {
  return {n_tokens, w.n_head, w.n_head_kv, w.head_dim, 1.0f / std::sqrt(static_cast<float>(w.head_dim))};
}

}  // namespace

void attention_block_forward(const AttentionWeights& w, const float* x, int64_t n_tokens, float* out,
                             AttentionActivations& keep, ThreadPool& pool) {
  const kernels::RowKernels& k = kernels::active_kernels().rows;
  const int64_t n_embd = w.wq.n_in, dq = w.n_head * w.head_dim, dkv = w.n_head_kv * w.head_dim;
  const int64_t half = w.head_dim / 2;
  auto size = [&](std::vector<float>& v, int64_t n) { v.assign(static_cast<size_t>(n), 0.0f); };
  size(keep.normed, n_tokens * n_embd);
  size(keep.q_raw, n_tokens * dq);
  size(keep.k_raw, n_tokens * dkv);
  size(keep.v, n_tokens * dkv);
  size(keep.h_q, n_tokens * w.lora_q->rank);
  size(keep.h_k, n_tokens * w.lora_k->rank);
  size(keep.h_v, n_tokens * w.lora_v->rank);
  size(keep.h_o, n_tokens * w.lora_o->rank);
  size(keep.cos, n_tokens * half);
  size(keep.sin, n_tokens * half);
  for (int64_t t = 0; t < n_tokens; ++t) k.rms_norm(x + t * n_embd, w.norm, keep.normed.data() + t * n_embd, n_embd, w.eps);
  lora_linear_forward(w.wq, *w.lora_q, w.scale, keep.normed.data(), n_tokens, keep.q_raw.data(), keep.h_q.data(), pool);
  lora_linear_forward(w.wk, *w.lora_k, w.scale, keep.normed.data(), n_tokens, keep.k_raw.data(), keep.h_k.data(), pool);
  lora_linear_forward(w.wv, *w.lora_v, w.scale, keep.normed.data(), n_tokens, keep.v.data(), keep.h_v.data(), pool);
  keep.q = keep.q_raw;
  keep.k = keep.k_raw;
  for (int64_t t = 0; t < n_tokens; ++t) {
    for (int64_t i = 0; i < half; ++i) {
      const double angle = static_cast<double>(t) * std::pow(static_cast<double>(w.rope_base), -2.0 * i / w.head_dim);
      keep.cos[static_cast<size_t>(t * half + i)] = static_cast<float>(std::cos(angle));
      keep.sin[static_cast<size_t>(t * half + i)] = static_cast<float>(std::sin(angle));
    }
    float* qt = keep.q.data() + t * dq;
    float* kt = keep.k.data() + t * dkv;
    if (w.q_norm != nullptr) {
      for (int64_t h = 0; h < w.n_head; ++h) k.rms_norm(qt + h * w.head_dim, w.q_norm, qt + h * w.head_dim, w.head_dim, w.eps);
      for (int64_t h = 0; h < w.n_head_kv; ++h) k.rms_norm(kt + h * w.head_dim, w.k_norm, kt + h * w.head_dim, w.head_dim, w.eps);
    }
    k.rope(qt, w.n_head, w.head_dim, keep.cos.data() + t * half, keep.sin.data() + t * half, w.rope_neox);
    k.rope(kt, w.n_head_kv, w.head_dim, keep.cos.data() + t * half, keep.sin.data() + t * half, w.rope_neox);
  }
  size(keep.attn, n_tokens * dq);
  size(keep.probs, w.n_head * n_tokens * n_tokens);
  attention_forward(shape_of(w, n_tokens), keep.q.data(), keep.k.data(), keep.v.data(), keep.attn.data(),
                    keep.probs.data());
  lora_linear_forward(w.wo, *w.lora_o, w.scale, keep.attn.data(), n_tokens, out, keep.h_o.data(), pool);
  for (int64_t t = 0; t < n_tokens; ++t) k.add(out + t * n_embd, x + t * n_embd, n_embd);
}

void attention_block_backward(const AttentionWeights& w, const float* x, int64_t n_tokens,
                              const AttentionActivations& keep, const float* d_out, LoraGrads& g_q, LoraGrads& g_k,
                              LoraGrads& g_v, LoraGrads& g_o, float* dx, ThreadPool& pool) {
  const int64_t n_embd = w.wq.n_in, dq = w.n_head * w.head_dim, dkv = w.n_head_kv * w.head_dim;
  const int64_t half = w.head_dim / 2;
  std::vector<float> d_attn(static_cast<size_t>(n_tokens * dq), 0.0f);
  lora_linear_backward(w.wo, *w.lora_o, w.scale, keep.attn.data(), keep.h_o.data(), d_out, n_tokens, g_o,
                       d_attn.data(), pool);
  std::vector<float> d_q(d_attn.size(), 0.0f), d_k(static_cast<size_t>(n_tokens * dkv), 0.0f), d_v(d_k.size(), 0.0f);
  attention_backward(shape_of(w, n_tokens), keep.q.data(), keep.k.data(), keep.v.data(), keep.probs.data(),
                     d_attn.data(), d_q.data(), d_k.data(), d_v.data());
  // Back through RoPE, then the per-head norms, to the raw projections.
  std::vector<float> d_q_raw(d_q.size(), 0.0f), d_k_raw(d_k.size(), 0.0f);
  for (int64_t t = 0; t < n_tokens; ++t) {
    float* dqt = d_q.data() + t * dq;
    float* dkt = d_k.data() + t * dkv;
    rope_backward(dqt, w.n_head, w.head_dim, keep.cos.data() + t * half, keep.sin.data() + t * half, w.rope_neox);
    rope_backward(dkt, w.n_head_kv, w.head_dim, keep.cos.data() + t * half, keep.sin.data() + t * half, w.rope_neox);
    if (w.q_norm != nullptr) {
      for (int64_t h = 0; h < w.n_head; ++h) {
        const int64_t o = t * dq + h * w.head_dim;
        rms_norm_backward(keep.q_raw.data() + o, w.q_norm, dqt + h * w.head_dim, w.head_dim, w.eps, d_q_raw.data() + o,
                          nullptr);
      }
      for (int64_t h = 0; h < w.n_head_kv; ++h) {
        const int64_t o = t * dkv + h * w.head_dim;
        rms_norm_backward(keep.k_raw.data() + o, w.k_norm, dkt + h * w.head_dim, w.head_dim, w.eps, d_k_raw.data() + o,
                          nullptr);
      }
    }
  }
  if (w.q_norm == nullptr) {
    d_q_raw = d_q;
    d_k_raw = d_k;
  }
  std::vector<float> d_normed(static_cast<size_t>(n_tokens * n_embd), 0.0f);
  lora_linear_backward(w.wq, *w.lora_q, w.scale, keep.normed.data(), keep.h_q.data(), d_q_raw.data(), n_tokens, g_q,
                       d_normed.data(), pool);
  lora_linear_backward(w.wk, *w.lora_k, w.scale, keep.normed.data(), keep.h_k.data(), d_k_raw.data(), n_tokens, g_k,
                       d_normed.data(), pool);
  lora_linear_backward(w.wv, *w.lora_v, w.scale, keep.normed.data(), keep.h_v.data(), d_v.data(), n_tokens, g_v,
                       d_normed.data(), pool);
  pre_norm_residual_backward(x, w.norm, w.eps, d_normed.data(), d_out, n_tokens, n_embd, dx);
}

}  // namespace loco::train
