// The transformer forward pass shared by llama, qwen2 and qwen3: pre-norm attention with
// rotary positions and grouped-query heads, then a SwiGLU feed-forward block.
#include "loco/session.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "kernels/kernels.h"
#include "loco/error.h"
#include "ops/attention.h"
#include "ops/lora_apply.h"
#include "ops/matmul.h"
#include "ops/ops.h"

namespace loco {

struct Session::Scratch {
  std::vector<float> x, xn, q, k, v, att, tmp, gate, up, hidden;
  std::vector<float> rope_cos, rope_sin;  // per token, head_dim / 2 each
  std::vector<float> scores;  // per thread, n_ctx each
  ops::Activations acts;
  ops::RopeTable rope;
};

Session::Session(std::shared_ptr<const Model> model, const SessionOptions& options)
    : model_(std::move(model)),
      options_(options),
      kv_(model_->config(), KvCacheOptions{options.n_ctx, options.n_seq, options.n_ctx_total,
                                           options.kv_type}),
      pool_(options.n_threads > 0 ? options.n_threads : ThreadPool::default_threads()),
      scratch_(std::make_unique<Scratch>()),
      bindings_(static_cast<size_t>(options.n_seq)) {
  if (options_.max_batch < 1) options_.max_batch = 1;
  const ModelConfig& c = model_->config();
  const size_t b = static_cast<size_t>(options_.max_batch);
  Scratch& s = *scratch_;
  s.x.resize(b * c.n_embd);
  s.xn.resize(b * c.n_embd);
  s.q.resize(b * c.q_dim());
  s.k.resize(b * c.kv_dim());
  s.v.resize(b * c.kv_dim());
  s.att.resize(b * c.q_dim());
  s.tmp.resize(b * c.n_embd);
  s.gate.resize(b * c.n_ff);
  s.up.resize(b * c.n_ff);
  s.hidden.resize(b * c.n_ff);
  s.rope_cos.resize(b * static_cast<size_t>(c.head_dim / 2));
  s.rope_sin.resize(b * static_cast<size_t>(c.head_dim / 2));
  scratch_per_thread_ = static_cast<size_t>(c.n_head / c.n_head_kv) * static_cast<size_t>(options_.n_ctx) +
                        2 * static_cast<size_t>(c.head_dim);
  s.scores.resize(static_cast<size_t>(pool_.size()) * scratch_per_thread_);
  s.rope = ops::make_rope_table(c.head_dim, c.rope_base, c.rope_freq_scale,
                                model_->weights().rope_freq_factors, c.rope_style == RopeStyle::Neox);
}

Session::~Session() = default;

void Session::set_adapter(int32_t seq, std::shared_ptr<const LoraAdapter> adapter, float scale) {
  (void)kv_.length(seq);  // validates seq
  if (adapter != nullptr && adapter->n_layer() != config().n_layer) {
    throw Error(adapter->path() + ": the adapter was loaded for a model with another layer count");
  }
  Binding& b = bindings_[static_cast<size_t>(seq)];
  if (b.adapter != adapter || (adapter != nullptr && b.scale != scale)) kv_.clear(seq);
  b.adapter = std::move(adapter);
  b.scale = scale;
}

const std::shared_ptr<const LoraAdapter>& Session::adapter(int32_t seq) const {
  (void)kv_.length(seq);
  return bindings_[static_cast<size_t>(seq)].adapter;
}

float Session::adapter_scale(int32_t seq) const {
  (void)kv_.length(seq);
  return bindings_[static_cast<size_t>(seq)].scale;
}

void Session::fork(int32_t src, int32_t dst) {
  kv_.fork(src, dst);
  bindings_[static_cast<size_t>(dst)] = bindings_[static_cast<size_t>(src)];
}

std::vector<float> Session::embed_mean(int32_t seq, std::span<const TokenId> tokens) {
  if (tokens.empty()) throw Error("cannot embed an empty text");
  std::vector<float> sum(static_cast<size_t>(config().n_embd), 0.0f);
  kv_.clear(seq);
  hidden_sum_ = &sum;
  try {
    std::vector<BatchToken> batch;
    for (TokenId t : tokens) batch.push_back({t, seq, false});
    decode(batch);
  } catch (...) {
    hidden_sum_ = nullptr;
    kv_.clear(seq);
    throw;
  }
  hidden_sum_ = nullptr;
  kv_.clear(seq);
  for (float& v : sum) v /= static_cast<float>(tokens.size());
  return sum;
}

std::span<const float> Session::logits(int32_t i) const {
  if (i < 0 || i >= n_logits_) throw Error(fmt::format("no logits for output {}", i));
  const size_t n_vocab = static_cast<size_t>(config().n_vocab);
  return {logits_.data() + static_cast<size_t>(i) * n_vocab, n_vocab};
}

void Session::decode_sequence(int32_t seq, std::span<const TokenId> tokens, bool all_logits) {
  std::vector<BatchToken> batch;
  batch.reserve(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    batch.push_back({tokens[i], seq, all_logits || i + 1 == tokens.size()});
  }
  decode(batch);
}

void Session::decode(std::span<const BatchToken> batch) {
  const ModelConfig& c = config();
  // Check everything before touching the cache, so a bad batch leaves no trace.
  std::vector<int32_t> added(static_cast<size_t>(kv_.n_seq()), 0);
  int32_t n_want = 0;
  for (const BatchToken& bt : batch) {
    if (bt.token < 0 || bt.token >= c.n_vocab) {
      throw Error(fmt::format("token id {} is outside the vocabulary (0..{})", bt.token, c.n_vocab - 1));
    }
    if (bt.seq < 0 || bt.seq >= kv_.n_seq()) {
      throw Error(fmt::format("sequence {} does not exist (this session has {})", bt.seq, kv_.n_seq()));
    }
    if (kv_.length(bt.seq) + ++added[static_cast<size_t>(bt.seq)] > kv_.n_ctx()) {
      throw Error(fmt::format("context full: sequence {} would exceed the context limit of {} tokens",
                              bt.seq, kv_.n_ctx()));
    }
    n_want += bt.want_logits ? 1 : 0;
  }
  logits_.resize(static_cast<size_t>(n_want) * static_cast<size_t>(c.n_vocab));
  n_logits_ = n_want;

  int32_t logit_row = 0;
  for (size_t start = 0; start < batch.size(); start += static_cast<size_t>(options_.max_batch)) {
    const size_t n = std::min(batch.size() - start, static_cast<size_t>(options_.max_batch));
    std::span<const BatchToken> chunk = batch.subspan(start, n);
    std::vector<int32_t> positions(n);
    for (size_t i = 0; i < n; ++i) positions[i] = kv_.append(chunk[i].seq);
    forward_chunk(chunk, positions, logit_row);
    for (const BatchToken& bt : chunk) logit_row += bt.want_logits ? 1 : 0;
    tokens_evaluated_ += n;
  }
}

void Session::forward_chunk(std::span<const BatchToken> chunk, std::span<const int32_t> positions,
                            int32_t first_logit_row) {
  const ModelConfig& c = config();
  const ModelWeights& w = model_->weights();
  const kernels::KernelTable& kt = kernels::active_kernels();
  Scratch& s = *scratch_;
  const int64_t n = static_cast<int64_t>(chunk.size());
  const int64_t n_embd = c.n_embd, q_dim = c.q_dim(), kv_dim = c.kv_dim(), n_ff = c.n_ff;
  const int32_t hd = c.head_dim;
  const int32_t group = c.n_head / c.n_head_kv;
  const float attn_scale = 1.0f / std::sqrt(static_cast<float>(hd));

  // The adapter of each token's sequence; `linear` adds their corrections to W·x.
  std::vector<ops::TokenAdapter> adapters(static_cast<size_t>(n));
  bool any_adapter = false;
  for (int64_t t = 0; t < n; ++t) {
    const Binding& b = bindings_[static_cast<size_t>(chunk[static_cast<size_t>(t)].seq)];
    adapters[static_cast<size_t>(t)] = {b.adapter.get(), b.scale};
    any_adapter = any_adapter || b.adapter != nullptr;
  }
  auto linear = [&](const Matrix& m, int32_t layer, LoraTarget target, float* y, int64_t y_stride) {
    ops::matmul(m, s.acts, y, y_stride, pool_);
    if (any_adapter) {
      ops::apply_lora(adapters, layer, target, s.acts.floats(0), s.acts.stride(), y, y_stride, pool_);
    }
  };

  // Token embeddings, and the rotary angles of each token's position.
  const auto& embd_kernels = kt.of(w.token_embd.type);
  const int64_t half = hd / 2;
  for (int64_t t = 0; t < n; ++t) {
    embd_kernels.to_float(w.token_embd.row(chunk[static_cast<size_t>(t)].token), &s.x[t * n_embd], n_embd);
    ops::rope_angles(s.rope, positions[static_cast<size_t>(t)], &s.rope_cos[t * half], &s.rope_sin[t * half]);
  }

  for (int32_t il = 0; il < c.n_layer; ++il) {
    const LayerWeights& l = w.layers[static_cast<size_t>(il)];

    // Attention block.
    for (int64_t t = 0; t < n; ++t) {
      ops::rms_norm(&s.x[t * n_embd], l.attn_norm.data(), &s.xn[t * n_embd], n_embd, c.rms_eps);
    }
    s.acts.reset(s.xn.data(), n, n_embd, n_embd);
    linear(l.wq, il, LoraTarget::Q, s.q.data(), q_dim);
    linear(l.wk, il, LoraTarget::K, s.k.data(), kv_dim);
    linear(l.wv, il, LoraTarget::V, s.v.data(), kv_dim);

    for (int64_t t = 0; t < n; ++t) {
      float* q = &s.q[t * q_dim];
      float* k = &s.k[t * kv_dim];
      float* v = &s.v[t * kv_dim];
      if (!l.bq.empty()) {
        ops::add_inplace(q, l.bq.data(), q_dim);
        ops::add_inplace(k, l.bk.data(), kv_dim);
        ops::add_inplace(v, l.bv.data(), kv_dim);
      }
      if (!l.q_norm.empty()) {
        for (int32_t h = 0; h < c.n_head; ++h) ops::rms_norm(q + h * hd, l.q_norm.data(), q + h * hd, hd, c.rms_eps);
        for (int32_t h = 0; h < c.n_head_kv; ++h) ops::rms_norm(k + h * hd, l.k_norm.data(), k + h * hd, hd, c.rms_eps);
      }
      const int32_t pos = positions[static_cast<size_t>(t)];
      ops::apply_rope(s.rope, &s.rope_cos[t * half], &s.rope_sin[t * half], q, c.n_head, hd);
      ops::apply_rope(s.rope, &s.rope_cos[t * half], &s.rope_sin[t * half], k, c.n_head_kv, hd);
      const int32_t seq = chunk[static_cast<size_t>(t)].seq;
      for (int32_t h = 0; h < c.n_head_kv; ++h) {
        ops::store_kv(kv_.type(), k + h * hd, kv_.key(il, seq, pos, h), hd);
        ops::store_kv(kv_.type(), v + h * hd, kv_.value(il, seq, pos, h), hd);
      }
    }

    pool_.parallel_for(n * c.n_head_kv, [&](int64_t task, int thread) {
      const int64_t t = task / c.n_head_kv;
      const int32_t kvh = static_cast<int32_t>(task % c.n_head_kv);
      float* scratch = &s.scores[static_cast<size_t>(thread) * scratch_per_thread_];
      const int64_t first = t * q_dim + static_cast<int64_t>(kvh) * group * hd;
      ops::attend_group(kv_, il, chunk[static_cast<size_t>(t)].seq, kvh,
                        positions[static_cast<size_t>(t)] + 1, &s.q[first], group, hd, attn_scale,
                        scratch, &s.att[first]);
    });

    s.acts.reset(s.att.data(), n, q_dim, q_dim);
    linear(l.wo, il, LoraTarget::O, s.tmp.data(), n_embd);
    ops::add_inplace(s.x.data(), s.tmp.data(), n * n_embd);

    // Feed-forward block.
    for (int64_t t = 0; t < n; ++t) {
      ops::rms_norm(&s.x[t * n_embd], l.ffn_norm.data(), &s.xn[t * n_embd], n_embd, c.rms_eps);
    }
    s.acts.reset(s.xn.data(), n, n_embd, n_embd);
    linear(l.w_gate, il, LoraTarget::Gate, s.gate.data(), n_ff);
    linear(l.w_up, il, LoraTarget::Up, s.up.data(), n_ff);
    ops::silu_mul(s.gate.data(), s.up.data(), s.hidden.data(), n * n_ff);
    s.acts.reset(s.hidden.data(), n, n_ff, n_ff);
    linear(l.w_down, il, LoraTarget::Down, s.tmp.data(), n_embd);
    ops::add_inplace(s.x.data(), s.tmp.data(), n * n_embd);
  }

  if (hidden_sum_ != nullptr) {
    std::vector<float> normed(static_cast<size_t>(n_embd));
    for (int64_t t = 0; t < n; ++t) {
      ops::rms_norm(&s.x[t * n_embd], w.output_norm.data(), normed.data(), n_embd, c.rms_eps);
      ops::add_inplace(hidden_sum_->data(), normed.data(), n_embd);
    }
  }

  // Output projection, only for the tokens that asked for logits.
  int64_t n_out = 0;
  for (int64_t t = 0; t < n; ++t) {
    if (!chunk[static_cast<size_t>(t)].want_logits) continue;
    ops::rms_norm(&s.x[t * n_embd], w.output_norm.data(), &s.xn[n_out * n_embd], n_embd, c.rms_eps);
    ++n_out;
  }
  if (n_out == 0) return;
  s.acts.reset(s.xn.data(), n_out, n_embd, n_embd);
  ops::matmul(w.output, s.acts, logits_.data() + static_cast<size_t>(first_logit_row) * c.n_vocab,
              c.n_vocab, pool_);
}

}  // namespace loco
