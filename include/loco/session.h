// A Session runs the model forward over batches of tokens from one or more sequences,
// keeping their keys and values in a shared KV cache.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "loco/kv_cache.h"
#include "loco/lora.h"
#include "loco/model.h"
#include "loco/thread_pool.h"

namespace loco {

using TokenId = int32_t;

struct SessionOptions {
  int32_t n_ctx = 4096;     // most tokens one sequence may hold
  int32_t n_seq = 1;        // independent sequences evaluated together
  int32_t n_ctx_total = 0;  // KV positions across sequences (0: n_ctx)
  KvType kv_type = KvType::F16;
  int n_threads = 0;        // 0: one per physical core
  int32_t max_batch = 256;  // tokens per forward chunk (bounds scratch memory)
};

// One token to evaluate: appended to `seq` at its next position.
struct BatchToken {
  TokenId token = 0;
  int32_t seq = 0;
  bool want_logits = false;
};

class Session {
 public:
  Session(std::shared_ptr<const Model> model, const SessionOptions& options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const Model& model() const { return *model_; }
  const ModelConfig& config() const { return model_->config(); }
  KvCache& kv_cache() { return kv_; }
  int32_t length(int32_t seq) const { return kv_.length(seq); }

  // Evaluates the tokens in order. Logits of the tokens that asked for them are available
  // afterwards through logits(i), i counting those tokens in batch order.
  void decode(std::span<const BatchToken> batch);
  // Convenience: appends `tokens` to one sequence; logits of the last one (or all).
  void decode_sequence(int32_t seq, std::span<const TokenId> tokens, bool all_logits = false);

  int32_t n_logits() const { return n_logits_; }
  std::span<const float> logits(int32_t i) const;

  // Tokens evaluated by this session so far (each token of each sequence counts once).
  uint64_t tokens_evaluated() const { return tokens_evaluated_; }

  // Binds an adapter (or none, with nullptr) at `scale` to a sequence: every later token of
  // it goes through W·x + scale·s·B·(A·x). Sequences with different adapters share one
  // forward pass. A binding that differs from the current one clears the sequence: keys
  // and values computed under one (adapter, scale) are never reused under another.
  void set_adapter(int32_t seq, std::shared_ptr<const LoraAdapter> adapter, float scale = 1.0f);
  const std::shared_ptr<const LoraAdapter>& adapter(int32_t seq) const;
  float adapter_scale(int32_t seq) const;

  // Sequence management that keeps the adapter bindings with the cached state.
  void clear(int32_t seq) { kv_.clear(seq); }
  void truncate(int32_t seq, int32_t length) { kv_.truncate(seq, length); }
  // dst becomes a copy of src, adapter binding included (the prompt's blocks are shared).
  void fork(int32_t src, int32_t dst);

  // Mean over `tokens` of the final hidden state (after the output norm): the model's own
  // embedding of a text. Evaluates them in `seq`, which is cleared before and after.
  std::vector<float> embed_mean(int32_t seq, std::span<const TokenId> tokens);

 private:
  struct Scratch;
  struct Binding {
    std::shared_ptr<const LoraAdapter> adapter;
    float scale = 1.0f;
  };
  void forward_chunk(std::span<const BatchToken> chunk, std::span<const int32_t> positions,
                     int32_t first_logit_row);

  std::shared_ptr<const Model> model_;
  SessionOptions options_;
  KvCache kv_;
  ThreadPool pool_;
  std::unique_ptr<Scratch> scratch_;
  size_t scratch_per_thread_ = 0;  // attention scores and row buffers, floats
  std::vector<float> logits_;
  int32_t n_logits_ = 0;
  uint64_t tokens_evaluated_ = 0;
  std::vector<Binding> bindings_;      // per sequence
  std::vector<float>* hidden_sum_ = nullptr;  // set by embed_mean while it runs
};

}  // namespace loco
