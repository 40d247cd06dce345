// The gradients of every weight of a model (full training, `loco train model`), shaped like
// the weights: matrices n_out × n_in row-major, norms one value per element. With tied
// embeddings the output projection's gradient goes into token_embd's.
#pragma once

#include <vector>

#include "loco/model.h"

namespace loco::train {

struct LayerGrads {
  std::vector<float> attn_norm, wq, wk, wv, wo, q_norm, k_norm, ffn_norm, w_gate, w_up, w_down;
};

struct ModelGrads {
  std::vector<float> token_embd, output_norm, output;  // output empty when tied
  std::vector<LayerGrads> layers;
  explicit ModelGrads(const ModelConfig& c);
  void zero();
  // Every gradient buffer, in a fixed order (the order of full_model.h's parameters).
  std::vector<std::vector<float>*> all();
};

}  // namespace loco::train
