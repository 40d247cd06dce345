#include "train/trainable_adapter.h"

#include <cmath>

#include "loco/error.h"
#include "loco/quantize.h"
#include "loco/rng.h"

namespace loco::train {

TargetMask parse_targets(const std::string& text) {
  TargetMask mask = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (word == "attn") {
      mask |= kAttentionTargets;
    } else if (word == "ffn") {
      mask |= kFfnTargets;
    } else if (word == "all") {
      mask |= kAttentionTargets | kFfnTargets;
    } else {
      static const char* const kShort[kLoraTargets] = {"q", "k", "v", "o", "gate", "up", "down"};
      bool found = false;
      for (int t = 0; t < kLoraTargets; ++t) {
        if (word == kShort[t] || word == lora_target_name(static_cast<LoraTarget>(t))) {
          mask |= static_cast<TargetMask>(1u << t);
          found = true;
        }
      }
      if (!found) {
        throw Error("unknown LoRA target '" + word + "' (use attn, ffn, all, or q, k, v, o, gate, up, down)");
      }
    }
    start = end + 1;
  }
  return mask;
}

int64_t TrainableAdapter::n_params() const {
  int64_t n = 0;
  for_each([&](int32_t, LoraTarget, const LoraParams& p) { n += p.rank * (p.n_in + p.n_out); });
  return n;
}

TrainableAdapter make_trainable_adapter(const Model& base, int32_t rank, float alpha, TargetMask targets,
                                        uint64_t seed) {
  const ModelConfig& c = base.config();
  if (rank < 1 || rank > 4096) throw Error("LoRA rank must be from 1 to 4096, not " + std::to_string(rank));
  if (!(alpha > 0.0f) || !std::isfinite(alpha)) throw Error("LoRA alpha must be a positive number");
  if (targets == 0) throw Error("an adapter needs at least one target matrix");
  TrainableAdapter a;
  a.rank = rank;
  a.alpha = alpha;
  a.layers.resize(static_cast<size_t>(c.n_layer));
  Pcg32 rng(seed, 0x10ad);
  for (int32_t l = 0; l < c.n_layer; ++l) {
    for (int t = 0; t < kLoraTargets; ++t) {
      if ((targets & (1u << t)) == 0) continue;
      const Matrix& w = lora_target_matrix(base.weights().layers[static_cast<size_t>(l)], static_cast<LoraTarget>(t));
      auto p = std::make_unique<LoraParams>();
      p->rank = rank;
      p->n_in = w.n_in;
      p->n_out = w.n_out;
      p->scale = alpha / static_cast<float>(rank);
      p->a.resize(static_cast<size_t>(rank * w.n_in));
      const double bound = 1.0 / std::sqrt(static_cast<double>(w.n_in));
      for (float& v : p->a) v = static_cast<float>((2.0 * rng.next_double() - 1.0) * bound);
      p->b.assign(static_cast<size_t>(w.n_out * rank), 0.0f);
      a.layers[static_cast<size_t>(l)][static_cast<size_t>(t)] = std::move(p);
    }
  }
  return a;
}

TrainableAdapter trainable_from(const LoraAdapter& adapter, float user_scale) {
  TrainableAdapter a;
  a.layers.resize(static_cast<size_t>(adapter.n_layer()));
  for (int32_t l = 0; l < adapter.n_layer(); ++l) {
    for (int t = 0; t < kLoraTargets; ++t) {
      const LoraPair* src = adapter.find(l, static_cast<LoraTarget>(t));
      if (src == nullptr) continue;
      auto p = std::make_unique<LoraParams>();
      p->rank = src->rank;
      p->n_in = src->n_in;
      p->n_out = src->n_out;
      p->scale = src->scale * user_scale;
      p->a.resize(static_cast<size_t>(p->rank * p->n_in));
      p->b.resize(static_cast<size_t>(p->n_out * p->rank));
      for (int64_t r = 0; r < p->rank; ++r) dequantize_row(src->type, src->a_row(r), p->a.data() + r * p->n_in, p->n_in);
      for (int64_t r = 0; r < p->n_out; ++r) dequantize_row(src->type, src->b_row(r), p->b.data() + r * p->rank, p->rank);
      a.layers[static_cast<size_t>(l)][static_cast<size_t>(t)] = std::move(p);
    }
  }
  return a;
}

AdapterGrads::AdapterGrads(const TrainableAdapter& adapter) {
  layers.resize(adapter.layers.size());
  adapter.for_each([&](int32_t l, LoraTarget t, const LoraParams& p) {
    layers[static_cast<size_t>(l)][static_cast<size_t>(t)] = std::make_unique<LoraGrads>(p);
  });
}

void AdapterGrads::zero() {
  for (auto& layer : layers) {
    for (auto& g : layer) {
      if (!g) continue;
      std::fill(g->a.begin(), g->a.end(), 0.0f);
      std::fill(g->b.begin(), g->b.end(), 0.0f);
    }
  }
}

}  // namespace loco::train
