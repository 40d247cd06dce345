// A model whose every weight trains (`loco train model`): float32 master weights the
// trainer owns, seen by the forward and backward passes through the same ModelWeights
// views as a file-backed model, initialised from a configuration or copied (dequantized)
// from a GGUF model, and written back as a GGUF model with a vocabulary.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "loco/ggml_type.h"
#include "loco/gguf.h"
#include "loco/model.h"

namespace loco::train {

struct FullModel {
  ModelConfig config;
  ModelWeights weights;  // matrices: float32 views into `matrices`; norm vectors are parameters themselves
  std::vector<std::vector<float>> matrices;

  FullModel() = default;
  FullModel(const FullModel&) = delete;  // the views point into matrices
  FullModel& operator=(const FullModel&) = delete;

  struct Tensor {
    std::string name;           // the GGUF tensor name
    std::vector<int64_t> ne;    // GGUF order: ne[0] is the row length
    std::span<float> values;
    bool decay = true;          // matrices and embeddings; not norms
  };
  // Every parameter in ModelGrads::all() order.
  std::vector<Tensor> tensors();
  int64_t n_params() const;
};

// A configuration from YAML: arch (qwen3 | llama), n_embd, n_layer, n_head, n_head_kv
// (default n_head), head_dim (default n_embd / n_head), n_ff, n_ctx (default 512),
// rope_base (default 10000), rms_eps (default 1e-6), tied_embeddings (default true), name.
// n_vocab comes from the vocabulary. Throws Error naming the file and key.
ModelConfig parse_model_config(const std::string& yaml_text, const std::string& path, int32_t n_vocab);

// Weights drawn N(0, 0.02) (the output projections of attention and the feed-forward
// block N(0, 0.02/sqrt(2·n_layer)), as GPT-2 does), norms 1.
std::unique_ptr<FullModel> init_full_model(const ModelConfig& config, uint64_t seed);

// A float32 copy of a model's weights (for checks against its logits, and to continue
// training it). Qwen2's biases are refused (they would stay frozen).
std::unique_ptr<FullModel> full_model_from(const Model& model);

// Writes the model with `vocab`'s tokenizer (padded to n_vocab), tensors in `type` (F32,
// F16 or BF16; quantize with `loco quantize` afterwards), and string notes as
// `loco.train.<key>`.
void write_full_model(FullModel& model, const GgufFile& vocab, const std::string& path, GgmlType type,
                      const std::map<std::string, std::string>& notes = {});

}  // namespace loco::train
