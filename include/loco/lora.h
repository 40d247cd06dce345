// LoRA adapters applied at run time: y = W·x + s·B·(A·x), never touching the base weights.
//
// Two layouts load: GGUF (`general.type = adapter`, tensors `<base>.lora_a` / `.lora_b`)
// and PEFT (a directory with adapter_config.json and adapter_model.safetensors). An
// adapter is checked against the base model it will be used with: architecture, every
// tensor's shape, and the options loco cannot honour (DoRA, modules_to_save) are refused
// with a message naming the file and the tensor or key.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loco/ggml_type.h"
#include "loco/model.h"

namespace loco {

// The matrices of a layer an adapter may target.
enum class LoraTarget : uint8_t { Q, K, V, O, Gate, Up, Down };
constexpr int kLoraTargets = 7;
const char* lora_target_name(LoraTarget target);  // attn_q, attn_k, ..., ffn_down
// The base matrix of a layer that `target` adapts.
const Matrix& lora_target_matrix(const LayerWeights& layer, LoraTarget target);

// One adapted matrix: A is rank rows of n_in values, B is n_out rows of rank values, both
// stored as F32, F16 or BF16 (other types are converted to F32 at load).
struct LoraPair {
  GgmlType type = GgmlType::F32;
  int32_t rank = 0;
  int64_t n_in = 0, n_out = 0;
  std::vector<uint8_t> a, b;
  float scale = 1.0f;  // alpha / rank (or alpha / sqrt(rank) for rsLoRA), before the user's scale

  const uint8_t* a_row(int64_t r) const { return a.data() + r * row_bytes(type, n_in); }
  const uint8_t* b_row(int64_t r) const { return b.data() + r * row_bytes(type, rank); }
};

class LoraAdapter {
 public:
  // Loads a GGUF adapter file or a PEFT directory and checks it against `base`.
  static std::shared_ptr<const LoraAdapter> load(const std::string& path, const Model& base);

  const std::string& path() const { return path_; }
  const std::string& format() const { return format_; }  // "gguf" | "peft"
  // The pair adapting `target` of `layer`, or nullptr.
  const LoraPair* find(int32_t layer, LoraTarget target) const {
    return layers_[static_cast<size_t>(layer)][static_cast<size_t>(target)].get();
  }
  int32_t n_layer() const { return static_cast<int32_t>(layers_.size()); }
  int32_t max_rank() const;
  int n_pairs() const;
  uint64_t bytes() const;
  // e.g. "attn_q, attn_k, attn_v, attn_output"
  std::string targets_summary() const;

 private:
  LoraAdapter() = default;
  friend class LoraLoader;
  std::string path_;
  std::string format_;
  std::vector<std::array<std::unique_ptr<LoraPair>, kLoraTargets>> layers_;
};

// Writes `base` with the adapter merged into its weights (W + scale·s·B·A), each merged
// tensor requantized to its original type.
void merge_lora(const std::string& base_path, const std::string& adapter_path, float scale,
                const std::string& output, int n_threads = 0);

}  // namespace loco
