// Stand-in v3 features: mean-pooled input token embeddings of the base model.
#include <fmt/format.h>

#include "loco/error.h"
#include "loco/model.h"
#include "loco/quantize.h"
#include "loco/router_learned.h"
#include "loco/tokenizer.h"

namespace loco {

FeatureExtractor token_embedding_features(std::shared_ptr<const Model> model,
                                          const std::string& model_label) {
  auto tokenizer = std::make_shared<Tokenizer>(Tokenizer::from_gguf(model->file()));
  const ModelConfig& c = model->config();
  FeatureExtractor f;
  f.name = fmt::format("mean input token embedding of {} (n_vocab {}, n_embd {})", model_label,
                       c.n_vocab, c.n_embd);
  f.dim = c.n_embd;
  f.compute = [model, tokenizer](std::string_view query) {
    const Matrix& embd = model->weights().token_embd;
    const int64_t n = embd.n_in;
    std::vector<float> sum(static_cast<size_t>(n), 0.0f), row(static_cast<size_t>(n));
    const std::vector<TokenId> ids =
        tokenizer->encode(query, /*add_bos=*/false, /*parse_special=*/false);
    for (TokenId id : ids) {
      if (id < 0 || id >= embd.n_out) {
        throw Error(
            fmt::format("token {} has no row in the model's token_embd ({} rows)", id, embd.n_out));
      }
      dequantize_row(embd.type, embd.row(id), row.data(), n);
      for (int64_t i = 0; i < n; ++i) sum[static_cast<size_t>(i)] += row[static_cast<size_t>(i)];
    }
    if (!ids.empty()) {
      for (float& v : sum) v /= static_cast<float>(ids.size());
    }
    return sum;
  };
  return f;
}

}  // namespace loco
