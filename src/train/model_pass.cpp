#include "train/model_pass.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "kernels/kernels.h"
#include "loco/error.h"
#include "loco/rng.h"
#include "ops/matmul.h"
#include "ops/matmul_transposed.h"
#include "ops/outer_product.h"
#include "ops/ops.h"
#include "train/attention_block.h"
#include "train/ffn_block.h"
#include "train/row_backward.h"

namespace loco::train {
namespace {

// Output rows are computed in chunks whose logits and their gradient fit in this many
// bytes (n_vocab floats a token: 600 KB for Qwen3's vocabulary). Each chunk reads the whole
// output matrix (and the backward pass dequantizes it): few large chunks, within reason.
constexpr int64_t kLogitBytes = int64_t{64} << 20;

// splitmix64's step: the golden-ratio increment, then the finaliser.
uint64_t mix(uint64_t z) { return mix64(z + 0x9e3779b97f4a7c15ULL); }

LoraDropout dropout_for(const PassOptions& o, int32_t layer, LoraTarget t) {
  if (o.dropout <= 0.0f) return {};
  return {o.dropout, mix(o.dropout_key ^ mix(static_cast<uint64_t>(layer) * kLoraTargets + static_cast<uint64_t>(t)))};
}

struct Blocks {
  AttentionWeights attn;
  FfnWeights ffn;
};

Blocks blocks_of(const ModelConfig& c, const ModelWeights& mw, const TrainableAdapter* adapter,
                 const ops::RopeTable& rope, int32_t il, const PassOptions& o, ModelGrads* full) {
  const LayerWeights& l = mw.layers[static_cast<size_t>(il)];
  auto pair = [&](LoraTarget t) { return adapter == nullptr ? nullptr : adapter->find(il, t); };
  Blocks b;
  AttentionWeights& a = b.attn;
  a.wq = l.wq;
  a.wk = l.wk;
  a.wv = l.wv;
  a.wo = l.wo;
  a.norm = l.attn_norm.data();
  a.q_norm = l.q_norm.empty() ? nullptr : l.q_norm.data();
  a.k_norm = l.k_norm.empty() ? nullptr : l.k_norm.data();
  a.bq = l.bq.empty() ? nullptr : l.bq.data();
  a.bk = l.bk.empty() ? nullptr : l.bk.data();
  a.bv = l.bv.empty() ? nullptr : l.bv.data();
  a.eps = c.rms_eps;
  a.n_head = c.n_head;
  a.n_head_kv = c.n_head_kv;
  a.head_dim = c.head_dim;
  a.rope = &rope;
  a.lora_q = pair(LoraTarget::Q);
  a.lora_k = pair(LoraTarget::K);
  a.lora_v = pair(LoraTarget::V);
  a.lora_o = pair(LoraTarget::O);
  a.drop_q = dropout_for(o, il, LoraTarget::Q);
  a.drop_k = dropout_for(o, il, LoraTarget::K);
  a.drop_v = dropout_for(o, il, LoraTarget::V);
  a.drop_o = dropout_for(o, il, LoraTarget::O);
  a.backward = o.backward;
  FfnWeights& f = b.ffn;
  f.gate = l.w_gate;
  f.up = l.w_up;
  f.down = l.w_down;
  f.norm = l.ffn_norm.data();
  f.eps = c.rms_eps;
  f.lora_gate = pair(LoraTarget::Gate);
  f.lora_up = pair(LoraTarget::Up);
  f.lora_down = pair(LoraTarget::Down);
  f.drop_gate = dropout_for(o, il, LoraTarget::Gate);
  f.drop_up = dropout_for(o, il, LoraTarget::Up);
  f.drop_down = dropout_for(o, il, LoraTarget::Down);
  f.backward = o.backward;
  if (full != nullptr) {
    LayerGrads& g = full->layers[static_cast<size_t>(il)];
    auto ptr = [](std::vector<float>& v) { return v.empty() ? nullptr : v.data(); };
    a.grad_wq = ptr(g.wq);
    a.grad_wk = ptr(g.wk);
    a.grad_wv = ptr(g.wv);
    a.grad_wo = ptr(g.wo);
    a.grad_norm = ptr(g.attn_norm);
    a.grad_q_norm = ptr(g.q_norm);
    a.grad_k_norm = ptr(g.k_norm);
    f.grad_gate = ptr(g.w_gate);
    f.grad_up = ptr(g.w_up);
    f.grad_down = ptr(g.w_down);
    f.grad_norm = ptr(g.ffn_norm);
  }
  return b;
}

void check_batch(const ModelConfig& c, const TrainableAdapter* adapter, const PackedBatch& batch) {
  const int64_t n = static_cast<int64_t>(batch.tokens.size());
  if (n == 0) throw Error("an empty training batch");
  if (batch.targets.size() != batch.tokens.size()) throw Error("internal: a batch's targets and tokens differ in count");
  if (std::accumulate(batch.segments.begin(), batch.segments.end(), int64_t{0}) != n) {
    throw Error("internal: a batch's segment lengths do not add up to its tokens");
  }
  for (int64_t len : batch.segments) {
    if (len < 1) throw Error("internal: an empty segment in a packed batch");
  }
  for (size_t i = 0; i < batch.tokens.size(); ++i) {
    if (batch.tokens[i] < 0 || batch.tokens[i] >= c.n_vocab) {
      throw Error(fmt::format("token id {} is outside the vocabulary (0..{})", batch.tokens[i], c.n_vocab - 1));
    }
    if (batch.targets[i] < -1 || batch.targets[i] >= c.n_vocab) {
      throw Error(fmt::format("target token id {} is outside the vocabulary (0..{})", batch.targets[i], c.n_vocab - 1));
    }
  }
  if (adapter != nullptr && static_cast<int32_t>(adapter->layers.size()) != c.n_layer) {
    throw Error(fmt::format("the adapter has {} layers, the base model {}", adapter->layers.size(), c.n_layer));
  }
}

// The output head over the final hidden states x: for the positions with a target, the
// cross-entropy, and (d_x not null) its gradient with respect to x (times loss_weight).
// all_logits, when not null, receives every position's logits instead.
PassResult output_head(const ModelConfig& c, const ModelWeights& w, const PackedBatch& batch, const float* x,
                       float loss_weight, ops::Precision backward, float* d_x, ModelGrads* full,
                       std::vector<float>* all_logits, ThreadPool& pool) {
  const int64_t n = static_cast<int64_t>(batch.tokens.size()), d = c.n_embd, nv = c.n_vocab;
  const kernels::RowKernels& k = kernels::active_kernels().rows;
  std::vector<int64_t> rows;  // positions whose logits are needed
  for (int64_t t = 0; t < n; ++t) {
    if (all_logits != nullptr || batch.targets[static_cast<size_t>(t)] >= 0) rows.push_back(t);
  }
  if (all_logits != nullptr) all_logits->assign(static_cast<size_t>(n * nv), 0.0f);
  PassResult r;
  std::vector<float> normed, logits, d_logits, d_normed;
  const int64_t chunk = std::max<int64_t>(8, kLogitBytes / (2 * 4 * nv));
  for (size_t first = 0; first < rows.size(); first += static_cast<size_t>(chunk)) {
    const int64_t m = std::min<int64_t>(chunk, static_cast<int64_t>(rows.size() - first));
    normed.assign(static_cast<size_t>(m * d), 0.0f);
    for (int64_t i = 0; i < m; ++i) k.rms_norm(x + rows[first + i] * d, w.output_norm.data(), normed.data() + i * d, d, c.rms_eps);
    logits.assign(static_cast<size_t>(m * nv), 0.0f);
    float* out = logits.data();
    ops::Activations acts;
    acts.reset(normed.data(), m, d, d);
    ops::matmul(w.output, acts, out, nv, pool);
    if (all_logits != nullptr) {
      for (int64_t i = 0; i < m; ++i) {
        std::copy_n(out + i * nv, nv, all_logits->data() + rows[first + i] * nv);
      }
    }
    if (d_x != nullptr) d_logits.assign(static_cast<size_t>(m * nv), 0.0f);
    for (int64_t i = 0; i < m; ++i) {
      const int32_t target = batch.targets[static_cast<size_t>(rows[first + i])];
      if (target < 0) continue;
      r.loss_sum += cross_entropy(out + i * nv, nv, target, loss_weight,
                                  d_x != nullptr ? d_logits.data() + i * nv : nullptr);
      ++r.n_targets;
    }
    if (d_x == nullptr) continue;
    d_normed.assign(static_cast<size_t>(m * d), 0.0f);
    ops::matmul_transposed_add(w.output, d_logits.data(), nv, m, d_normed.data(), d, pool, backward);
    if (full != nullptr) {
      float* d_out_w = c.tied_embeddings ? full->token_embd.data() : full->output.data();
      ops::outer_product_add(d_logits.data(), nv, normed.data(), d, m, nv, d, d_out_w, pool);
    }
    for (int64_t i = 0; i < m; ++i) {
      const int64_t t = rows[first + i];
      if (batch.targets[static_cast<size_t>(t)] < 0) continue;
      rms_norm_backward(x + t * d, w.output_norm.data(), d_normed.data() + i * d, d, c.rms_eps, d_x + t * d,
                        full != nullptr ? full->output_norm.data() : nullptr);
    }
  }
  return r;
}

struct LayerState {
  AttentionActivations attn;
  FfnActivations ffn;
};

PassResult run(const ModelConfig& c, const ModelWeights& w, const TrainableAdapter* adapter, const PackedBatch& batch,
               const PassOptions& o, AdapterGrads* grads, ModelGrads* full, std::vector<float>* all_logits,
               ThreadPool& pool) {
  check_batch(c, adapter, batch);
  if (grads != nullptr && adapter == nullptr) throw Error("internal: gradients asked for without an adapter");
  const bool backward = grads != nullptr || full != nullptr;
  const int64_t n = static_cast<int64_t>(batch.tokens.size()), d = c.n_embd;
  const size_t width = static_cast<size_t>(n * d);
  const ops::RopeTable rope = ops::make_rope_table(c.head_dim, c.rope_base, c.rope_freq_scale, w.rope_freq_factors,
                                                   c.rope_style == RopeStyle::Neox);
  const kernels::KernelTable& kt = kernels::active_kernels();

  // inputs[2l] enters layer l's attention, inputs[2l + 1] its feed-forward sublayer;
  // inputs[2·n_layer] is the final hidden state.
  std::vector<std::vector<float>> inputs(static_cast<size_t>(2 * c.n_layer + 1), std::vector<float>(width));
  for (int64_t t = 0; t < n; ++t) {
    kt.of(w.token_embd.type).to_float(w.token_embd.row(batch.tokens[static_cast<size_t>(t)]), inputs[0].data() + t * d, d);
  }
  const bool keep_all = backward && !o.recompute;
  std::vector<LayerState> states(keep_all ? static_cast<size_t>(c.n_layer) : 1);
  for (int32_t il = 0; il < c.n_layer; ++il) {
    const Blocks b = blocks_of(c, w, adapter, rope, il, o, nullptr);
    LayerState& s = states[keep_all ? static_cast<size_t>(il) : 0];
    attention_block_forward(b.attn, inputs[static_cast<size_t>(2 * il)].data(), n,
                            inputs[static_cast<size_t>(2 * il + 1)].data(), s.attn, pool, batch.segments);
    ffn_forward(b.ffn, inputs[static_cast<size_t>(2 * il + 1)].data(), n, inputs[static_cast<size_t>(2 * il + 2)].data(),
                s.ffn, pool);
  }
  std::vector<float> d_x(backward ? width : 0, 0.0f);
  const PassResult r = output_head(c, w, batch, inputs.back().data(), o.loss_weight, o.backward, backward ? d_x.data() : nullptr,
                                   full, all_logits, pool);
  if (!backward) return r;

  std::vector<float> d_mid(width), d_in(width);
  for (int32_t il = c.n_layer - 1; il >= 0; --il) {
    const Blocks b = blocks_of(c, w, adapter, rope, il, o, full);
    LayerState& s = states[keep_all ? static_cast<size_t>(il) : 0];
    const float* x_attn = inputs[static_cast<size_t>(2 * il)].data();
    const float* x_ffn = inputs[static_cast<size_t>(2 * il + 1)].data();
    if (!keep_all) {
      attention_block_forward(b.attn, x_attn, n, nullptr, s.attn, pool, batch.segments);
      ffn_forward(b.ffn, x_ffn, n, nullptr, s.ffn, pool);
    }
    auto g = [&](LoraTarget t) { return grads != nullptr ? grads->find(il, t) : nullptr; };
    std::fill(d_mid.begin(), d_mid.end(), 0.0f);
    ffn_backward(b.ffn, x_ffn, n, s.ffn, d_x.data(), g(LoraTarget::Gate), g(LoraTarget::Up), g(LoraTarget::Down),
                 d_mid.data(), pool);
    std::fill(d_in.begin(), d_in.end(), 0.0f);
    attention_block_backward(b.attn, x_attn, n, s.attn, d_mid.data(), g(LoraTarget::Q), g(LoraTarget::K),
                             g(LoraTarget::V), g(LoraTarget::O), d_in.data(), pool);
    d_x.swap(d_in);
  }
  if (full != nullptr) {
    // The embedding rows of the batch's tokens, in token order.
    const kernels::RowKernels& k = kernels::active_kernels().rows;
    for (int64_t t = 0; t < n; ++t) {
      k.axpy_f32(d, 1.0f, d_x.data() + t * d, full->token_embd.data() + int64_t{batch.tokens[static_cast<size_t>(t)]} * d);
    }
  }
  return r;
}

}  // namespace

int64_t PackedBatch::n_targets() const {
  return std::count_if(targets.begin(), targets.end(), [](int32_t t) { return t >= 0; });
}

PassResult model_pass(const Model& base, const TrainableAdapter* adapter, const PackedBatch& batch,
                      const PassOptions& options, AdapterGrads* grads, ThreadPool& pool) {
  return run(base.config(), base.weights(), adapter, batch, options, grads, nullptr, nullptr, pool);
}

PassResult model_pass(const ModelConfig& config, const ModelWeights& weights, const TrainableAdapter* adapter,
                      const PackedBatch& batch, const PassOptions& options, AdapterGrads* grads, ModelGrads* full,
                      ThreadPool& pool) {
  return run(config, weights, adapter, batch, options, grads, full, nullptr, pool);
}

std::vector<float> model_logits(const Model& base, const TrainableAdapter* adapter, const PackedBatch& batch,
                                ThreadPool& pool) {
  std::vector<float> logits;
  run(base.config(), base.weights(), adapter, batch, PassOptions{}, nullptr, nullptr, &logits, pool);
  return logits;
}

std::vector<float> model_logits(const ModelConfig& config, const ModelWeights& weights, const PackedBatch& batch,
                                ThreadPool& pool) {
  std::vector<float> logits;
  run(config, weights, nullptr, batch, PassOptions{}, nullptr, nullptr, &logits, pool);
  return logits;
}

int64_t activation_bytes(const ModelConfig& c, const PackedBatch& batch) {
  const int64_t n = static_cast<int64_t>(batch.tokens.size());
  int64_t squares = 0;
  for (int64_t len : batch.segments) squares += len * len;
  // Per layer: the norms' outputs, q/k/v before and after their norms, the attention
  // output, the feed-forward's gate, up and product, and the attention probabilities.
  const int64_t per_layer = n * (4 * int64_t{c.n_embd} + 3 * c.q_dim() + 4 * c.kv_dim() + 3 * int64_t{c.n_ff}) +
                            int64_t{c.n_head} * squares;
  return 4 * (per_layer * c.n_layer + n * c.n_embd * (2 * int64_t{c.n_layer} + 1));
}

PackedBatch next_token_batch(const std::vector<TokenId>& tokens) {
  PackedBatch b;
  b.tokens = tokens;
  b.targets.assign(tokens.size(), -1);
  for (size_t i = 0; i + 1 < tokens.size(); ++i) b.targets[i] = tokens[i + 1];
  b.segments = {static_cast<int64_t>(tokens.size())};
  return b;
}

}  // namespace loco::train
