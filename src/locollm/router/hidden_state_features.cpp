// v3 router features: the base model's own mean-pooled final hidden state of the query.
#include <fmt/format.h>

#include <mutex>

#include "loco/error.h"
#include "loco/model.h"
#include "loco/router_learned.h"
#include "loco/session.h"
#include "loco/tokenizer.h"

namespace loco {

FeatureExtractor hidden_state_features(std::shared_ptr<const Model> model, const std::string& model_label,
                                       int32_t max_tokens) {
  struct State {
    State(std::shared_ptr<const Model> m, const SessionOptions& so)
        : tokenizer(Tokenizer::from_gguf(m->file())), session(std::move(m), so) {}
    Tokenizer tokenizer;
    Session session;
    std::mutex mutex;
  };
  SessionOptions so;
  so.n_ctx = max_tokens;
  auto state = std::make_shared<State>(model, so);
  const ModelConfig& c = model->config();
  FeatureExtractor f;
  f.name = fmt::format("mean final hidden state of {} ({} layers, n_vocab {}, n_embd {})", model_label,
                       c.n_layer, c.n_vocab, c.n_embd);
  f.dim = c.n_embd;
  f.compute = [state, max_tokens, n_embd = c.n_embd](std::string_view query) {
    std::vector<TokenId> ids = state->tokenizer.encode(query, /*add_bos=*/false, /*parse_special=*/false);
    if (ids.empty()) return std::vector<float>(static_cast<size_t>(n_embd), 0.0f);
    // A long query is represented by its beginning: routing needs the gist, not all of it.
    if (static_cast<int32_t>(ids.size()) > max_tokens) ids.resize(static_cast<size_t>(max_tokens));
    std::lock_guard lock(state->mutex);
    return state->session.embed_mean(0, ids);
  };
  return f;
}

}  // namespace loco
