// A transformer model loaded from GGUF: configuration read from metadata, weights viewed
// in place from the memory-mapped file (never copied, except small norm/bias vectors).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loco/ggml_type.h"
#include "loco/gguf.h"

namespace loco {

enum class Arch { Llama, Qwen2, Qwen3 };

// How rope pairs up the dimensions of a head: Normal rotates (2i, 2i+1), as GGUF Llama
// files expect after the converter's q/k permutation; Neox rotates (i, i + d/2).
enum class RopeStyle { Normal, Neox };

struct ModelConfig {
  Arch arch = Arch::Llama;
  std::string arch_name;  // general.architecture
  std::string name;       // general.name, if any
  int32_t n_vocab = 0;
  int32_t n_embd = 0;
  int32_t n_layer = 0;
  int32_t n_head = 0;
  int32_t n_head_kv = 0;
  int32_t head_dim = 0;
  int32_t n_ff = 0;
  int32_t n_ctx_train = 0;
  float rms_eps = 1e-6f;
  float rope_base = 10000.0f;
  float rope_freq_scale = 1.0f;  // linear rope scaling: positions are multiplied by this
  RopeStyle rope_style = RopeStyle::Normal;
  bool has_qk_norm = false;      // qwen3: RMS norm over each head's q and k
  bool has_qkv_bias = false;     // qwen2: biases on q, k, v
  bool tied_embeddings = false;  // no output.weight: the output projection is token_embd

  int32_t q_dim() const { return n_head * head_dim; }
  int32_t kv_dim() const { return n_head_kv * head_dim; }
};

// A weight matrix mapping n_in to n_out, viewed in the file: n_out rows of n_in values.
struct Matrix {
  const GgufTensor* tensor = nullptr;
  GgmlType type = GgmlType::F32;
  int64_t n_in = 0;
  int64_t n_out = 0;
  int64_t row_bytes = 0;
  const uint8_t* data = nullptr;
  // The same weights repacked at load for the active kernel table's packed product
  // (kernels.h: pack_rows groups), or null. `data` stays valid for row access.
  const uint8_t* packed = nullptr;

  const uint8_t* row(int64_t r) const { return data + r * row_bytes; }
  explicit operator bool() const { return data != nullptr; }
};

struct LayerWeights {
  std::vector<float> attn_norm;
  Matrix wq, wk, wv, wo;
  std::vector<float> bq, bk, bv;          // qwen2 only
  std::vector<float> q_norm, k_norm;      // qwen3 only (head_dim each)
  std::vector<float> ffn_norm;
  Matrix w_gate, w_up, w_down;
};

struct ModelWeights {
  Matrix token_embd;                      // n_vocab rows of n_embd
  std::vector<float> output_norm;
  Matrix output;                          // token_embd when tied
  std::vector<float> rope_freq_factors;   // llama 3.1+: per-pair divisors, or empty
  std::vector<LayerWeights> layers;
};

class Model {
 public:
  // Maps and validates a model file. Throws Error with the file and the offending key or
  // tensor named when the metadata and the tensors disagree or a type is unsupported.
  static std::shared_ptr<const Model> load(const std::string& path);
  static std::shared_ptr<const Model> from_gguf(GgufFile file);

  const ModelConfig& config() const { return config_; }
  const ModelWeights& weights() const { return weights_; }
  const GgufFile& file() const { return file_; }

  // Bytes of weights in the file, and the KV cache bytes per token of context.
  uint64_t weight_bytes() const;
  uint64_t kv_bytes_per_token(GgmlType kv_type) const;

 private:
  Model(GgufFile file) : file_(std::move(file)) {}
  // Repacks the layer matrices and the output (tied or not) whose type the active kernel table
  // has a packed product for; $LOCO_PACK=0 turns it off, $LOCO_PACK=Q4_K packs only Q4_K.
  void pack_weights();
  struct Unmap {
    size_t bytes = 0;
    void operator()(uint8_t* p) const;
  };
  GgufFile file_;
  std::vector<std::unique_ptr<uint8_t[], Unmap>> packed_;
  ModelConfig config_;
  ModelWeights weights_;
};

// Reads and validates the configuration alone (used by `loco info`).
ModelConfig read_model_config(const GgufFile& file);

}  // namespace loco
