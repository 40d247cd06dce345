// The adapter being trained: a float LoRA pair for each targeted matrix of each layer of a
// base model, and the gradients beside it. Made fresh (A random, B zero: the adapted model
// starts exactly at the base) or from an adapter file (for `loco train grad` and for
// continuing a run).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loco/lora.h"
#include "loco/model.h"
#include "train/lora_linear.h"

namespace loco::train {

// Which matrices an adapter targets: bit i is LoraTarget i.
using TargetMask = uint8_t;
constexpr TargetMask kAttentionTargets = 0x0f;  // q, k, v, o
constexpr TargetMask kFfnTargets = 0x70;        // gate, up, down
// Parses "attn,ffn", "q,k,v,o,gate,up,down", "all" (or a mix); throws Error naming a bad word.
TargetMask parse_targets(const std::string& text);

struct TrainableAdapter {
  int32_t rank = 0;     // of a fresh adapter (0 for one loaded with mixed ranks)
  float alpha = 0.0f;   // ditto
  std::vector<std::array<std::unique_ptr<LoraParams>, kLoraTargets>> layers;

  LoraParams* find(int32_t layer, LoraTarget t) const {
    return layers[static_cast<size_t>(layer)][static_cast<size_t>(t)].get();
  }
  int64_t n_params() const;
  // Visits every pair as (layer, target, pair), in layer then target order.
  template <typename F>
  void for_each(F&& f) const {
    for (size_t l = 0; l < layers.size(); ++l) {
      for (int t = 0; t < kLoraTargets; ++t) {
        if (layers[l][static_cast<size_t>(t)]) f(static_cast<int32_t>(l), static_cast<LoraTarget>(t), *layers[l][static_cast<size_t>(t)]);
      }
    }
  }
};

// A fresh adapter: A drawn uniformly from ±1/sqrt(n_in) (PEFT's default Kaiming-uniform),
// B zero, every pair's scale alpha / rank.
TrainableAdapter make_trainable_adapter(const Model& base, int32_t rank, float alpha, TargetMask targets,
                                        uint64_t seed);

// The pairs of a loaded adapter as floats, each with its own scale times `user_scale`.
TrainableAdapter trainable_from(const LoraAdapter& adapter, float user_scale);

struct AdapterGrads {
  std::vector<std::array<std::unique_ptr<LoraGrads>, kLoraTargets>> layers;
  explicit AdapterGrads(const TrainableAdapter& adapter);
  LoraGrads* find(int32_t layer, LoraTarget t) const {
    return layers[static_cast<size_t>(layer)][static_cast<size_t>(t)].get();
  }
  void zero();
};

}  // namespace loco::train
