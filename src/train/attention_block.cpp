#include "train/attention_block.h"

#include <cmath>
#include <numeric>

#include "kernels/kernels.h"
#include "loco/error.h"
#include "train/row_backward.h"

namespace loco::train {
namespace {

AttentionShape shape_of(const AttentionWeights& w, int64_t n_tokens) {
  return {n_tokens, w.n_head, w.n_head_kv, w.head_dim, 1.0f / std::sqrt(static_cast<float>(w.head_dim))};
}

int64_t rank_of(const LoraParams* p) { return p == nullptr ? 0 : p->rank; }

// Calls f(first token, length, offset into probs) for each segment.
template <typename F>
void for_each_segment(const std::vector<int64_t>& segments, int64_t n_head, F&& f) {
  int64_t first = 0, probs = 0;
  for (int64_t len : segments) {
    f(first, len, probs);
    first += len;
    probs += n_head * len * len;
  }
}

}  // namespace

void attention_block_forward(const AttentionWeights& w, const float* x, int64_t n_tokens, float* out,
                             AttentionActivations& keep, ThreadPool& pool, std::span<const int64_t> segments) {
  const kernels::RowKernels& k = kernels::active_kernels().rows;
  const int64_t n_embd = w.wq.n_in, dq = w.n_head * w.head_dim, dkv = w.n_head_kv * w.head_dim;
  const int64_t half = w.head_dim / 2;
  if (segments.empty()) {
    keep.segments.assign(1, n_tokens);
  } else {
    keep.segments.assign(segments.begin(), segments.end());
  }
  if (std::accumulate(keep.segments.begin(), keep.segments.end(), int64_t{0}) != n_tokens) {
    throw Error("internal: packed segment lengths do not add up to the batch");
  }
  ops::RopeTable own_rope;
  if (w.rope == nullptr) own_rope = ops::make_rope_table(static_cast<int>(w.head_dim), w.rope_base, 1.0f, {}, w.rope_neox);
  const ops::RopeTable& rope = w.rope != nullptr ? *w.rope : own_rope;

  auto size = [&](std::vector<float>& v, int64_t n) { v.assign(static_cast<size_t>(n), 0.0f); };
  size(keep.normed, n_tokens * n_embd);
  size(keep.q_raw, n_tokens * dq);
  size(keep.k_raw, n_tokens * dkv);
  size(keep.v, n_tokens * dkv);
  size(keep.h_q, n_tokens * rank_of(w.lora_q));
  size(keep.h_k, n_tokens * rank_of(w.lora_k));
  size(keep.h_v, n_tokens * rank_of(w.lora_v));
  size(keep.h_o, n_tokens * rank_of(w.lora_o));
  size(keep.cos, n_tokens * half);
  size(keep.sin, n_tokens * half);
  for (int64_t t = 0; t < n_tokens; ++t) k.rms_norm(x + t * n_embd, w.norm, keep.normed.data() + t * n_embd, n_embd, w.eps);
  linear_forward(w.wq, w.lora_q, w.scale, keep.normed.data(), n_tokens, keep.q_raw.data(), keep.h_q.data(), pool, w.drop_q);
  linear_forward(w.wk, w.lora_k, w.scale, keep.normed.data(), n_tokens, keep.k_raw.data(), keep.h_k.data(), pool, w.drop_k);
  linear_forward(w.wv, w.lora_v, w.scale, keep.normed.data(), n_tokens, keep.v.data(), keep.h_v.data(), pool, w.drop_v);
  for (int64_t t = 0; t < n_tokens; ++t) {
    if (w.bq != nullptr) {
      k.add(keep.q_raw.data() + t * dq, w.bq, dq);
      k.add(keep.k_raw.data() + t * dkv, w.bk, dkv);
      k.add(keep.v.data() + t * dkv, w.bv, dkv);
    }
  }
  keep.q = keep.q_raw;
  keep.k = keep.k_raw;
  for_each_segment(keep.segments, w.n_head, [&](int64_t first, int64_t len, int64_t) {
    for (int64_t pos = 0; pos < len; ++pos) {
      const int64_t t = first + pos;
      ops::rope_angles(rope, pos, keep.cos.data() + t * half, keep.sin.data() + t * half);
      float* qt = keep.q.data() + t * dq;
      float* kt = keep.k.data() + t * dkv;
      if (w.q_norm != nullptr) {
        for (int64_t h = 0; h < w.n_head; ++h) k.rms_norm(qt + h * w.head_dim, w.q_norm, qt + h * w.head_dim, w.head_dim, w.eps);
        for (int64_t h = 0; h < w.n_head_kv; ++h) k.rms_norm(kt + h * w.head_dim, w.k_norm, kt + h * w.head_dim, w.head_dim, w.eps);
      }
      k.rope(qt, w.n_head, w.head_dim, keep.cos.data() + t * half, keep.sin.data() + t * half, rope.neox);
      k.rope(kt, w.n_head_kv, w.head_dim, keep.cos.data() + t * half, keep.sin.data() + t * half, rope.neox);
    }
  });
  size(keep.attn, n_tokens * dq);
  int64_t n_probs = 0;
  for (int64_t len : keep.segments) n_probs += w.n_head * len * len;
  size(keep.probs, n_probs);
  for_each_segment(keep.segments, w.n_head, [&](int64_t first, int64_t len, int64_t probs) {
    attention_forward(shape_of(w, len), keep.q.data() + first * dq, keep.k.data() + first * dkv,
                      keep.v.data() + first * dkv, keep.attn.data() + first * dq, keep.probs.data() + probs, &pool);
  });
  linear_forward(w.wo, w.lora_o, w.scale, keep.attn.data(), n_tokens, out, keep.h_o.data(), pool, w.drop_o);
  if (out == nullptr) return;
  for (int64_t t = 0; t < n_tokens; ++t) k.add(out + t * n_embd, x + t * n_embd, n_embd);
}

void attention_block_backward(const AttentionWeights& w, const float* x, int64_t n_tokens,
                              const AttentionActivations& keep, const float* d_out, LoraGrads* g_q, LoraGrads* g_k,
                              LoraGrads* g_v, LoraGrads* g_o, float* dx, ThreadPool& pool) {
  const int64_t n_embd = w.wq.n_in, dq = w.n_head * w.head_dim, dkv = w.n_head_kv * w.head_dim;
  const int64_t half = w.head_dim / 2;
  const bool neox = w.rope != nullptr ? w.rope->neox : w.rope_neox;
  std::vector<float> d_attn(static_cast<size_t>(n_tokens * dq), 0.0f);
  linear_backward(w.wo, w.lora_o, w.scale, keep.attn.data(), keep.h_o.data(), d_out, n_tokens, g_o, d_attn.data(),
                  w.grad_wo, pool, w.drop_o, w.backward);
  std::vector<float> d_q(d_attn.size(), 0.0f), d_k(static_cast<size_t>(n_tokens * dkv), 0.0f), d_v(d_k.size(), 0.0f);
  for_each_segment(keep.segments, w.n_head, [&](int64_t first, int64_t len, int64_t probs) {
    attention_backward(shape_of(w, len), keep.q.data() + first * dq, keep.k.data() + first * dkv,
                       keep.v.data() + first * dkv, keep.probs.data() + probs, d_attn.data() + first * dq,
                       d_q.data() + first * dq, d_k.data() + first * dkv, d_v.data() + first * dkv, &pool);
  });
  // Back through RoPE, then the per-head norms, to the raw projections (biases pass the
  // gradient through unchanged and are frozen).
  std::vector<float> d_q_raw(d_q.size(), 0.0f), d_k_raw(d_k.size(), 0.0f);
  for (int64_t t = 0; t < n_tokens; ++t) {
    float* dqt = d_q.data() + t * dq;
    float* dkt = d_k.data() + t * dkv;
    rope_backward(dqt, w.n_head, w.head_dim, keep.cos.data() + t * half, keep.sin.data() + t * half, neox);
    rope_backward(dkt, w.n_head_kv, w.head_dim, keep.cos.data() + t * half, keep.sin.data() + t * half, neox);
    if (w.q_norm != nullptr) {
      for (int64_t h = 0; h < w.n_head; ++h) {
        const int64_t o = t * dq + h * w.head_dim;
        rms_norm_backward(keep.q_raw.data() + o, w.q_norm, dqt + h * w.head_dim, w.head_dim, w.eps, d_q_raw.data() + o,
                          w.grad_q_norm);
      }
      for (int64_t h = 0; h < w.n_head_kv; ++h) {
        const int64_t o = t * dkv + h * w.head_dim;
        rms_norm_backward(keep.k_raw.data() + o, w.k_norm, dkt + h * w.head_dim, w.head_dim, w.eps, d_k_raw.data() + o,
                          w.grad_k_norm);
      }
    }
  }
  if (w.q_norm == nullptr) {
    d_q_raw = d_q;
    d_k_raw = d_k;
  }
  std::vector<float> d_normed(static_cast<size_t>(n_tokens * n_embd), 0.0f);
  linear_backward(w.wq, w.lora_q, w.scale, keep.normed.data(), keep.h_q.data(), d_q_raw.data(), n_tokens, g_q,
                  d_normed.data(), w.grad_wq, pool, w.drop_q, w.backward);
  linear_backward(w.wk, w.lora_k, w.scale, keep.normed.data(), keep.h_k.data(), d_k_raw.data(), n_tokens, g_k,
                  d_normed.data(), w.grad_wk, pool, w.drop_k, w.backward);
  linear_backward(w.wv, w.lora_v, w.scale, keep.normed.data(), keep.h_v.data(), d_v.data(), n_tokens, g_v,
                  d_normed.data(), w.grad_wv, pool, w.drop_v, w.backward);
  pre_norm_residual_backward(x, w.norm, w.eps, d_normed.data(), d_out, n_tokens, n_embd, dx, w.grad_norm);
}

}  // namespace loco::train
