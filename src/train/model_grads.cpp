#include "train/model_grads.h"

#include <algorithm>

namespace loco::train {

ModelGrads::ModelGrads(const ModelConfig& c) {
  auto sized = [](int64_t n) { return std::vector<float>(static_cast<size_t>(n), 0.0f); };
  const int64_t e = c.n_embd, q = c.q_dim(), kv = c.kv_dim();
  token_embd = sized(int64_t{c.n_vocab} * e);
  output_norm = sized(e);
  if (!c.tied_embeddings) output = sized(int64_t{c.n_vocab} * e);
  layers.resize(static_cast<size_t>(c.n_layer));
  for (LayerGrads& l : layers) {
    l.attn_norm = sized(e);
    l.wq = sized(q * e);
    l.wk = sized(kv * e);
    l.wv = sized(kv * e);
    l.wo = sized(e * q);
    if (c.has_qk_norm) {
      l.q_norm = sized(c.head_dim);
      l.k_norm = sized(c.head_dim);
    }
    l.ffn_norm = sized(e);
    l.w_gate = sized(int64_t{c.n_ff} * e);
    l.w_up = sized(int64_t{c.n_ff} * e);
    l.w_down = sized(e * c.n_ff);
  }
}

std::vector<std::vector<float>*> ModelGrads::all() {
  std::vector<std::vector<float>*> out = {&token_embd, &output_norm};
  if (!output.empty()) out.push_back(&output);
  for (LayerGrads& l : layers) {
    for (std::vector<float>* v : {&l.attn_norm, &l.wq, &l.wk, &l.wv, &l.wo, &l.q_norm, &l.k_norm, &l.ffn_norm,
                                  &l.w_gate, &l.w_up, &l.w_down}) {
      if (!v->empty()) out.push_back(v);
    }
  }
  return out;
}

void ModelGrads::zero() {
  for (std::vector<float>* v : all()) std::fill(v->begin(), v->end(), 0.0f);
}

}  // namespace loco::train
