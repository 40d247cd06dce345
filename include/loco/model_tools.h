// Writing model files: quantizing a model into another file type, and synthesizing a
// random-weight model with the exact shapes and vocabulary of a real one (so speed can be
// measured without downloading anything).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loco/ggml_type.h"
#include "loco/gguf.h"
#include "loco/model.h"

namespace loco {

// general.file_type values, as llama.cpp numbers them.
enum class FileType : uint32_t {
  F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q8_0 = 7, Q5_0 = 8, Q5_1 = 9, Q2_K = 10,
  Q3_K_M = 12, Q4_K_S = 14, Q4_K_M = 15, Q5_K_S = 16, Q5_K_M = 17, Q6_K = 18, BF16 = 32,
};

// "q4_k_m", "Q8_0", "f16", ... (case-insensitive).
std::optional<FileType> file_type_from_name(std::string_view name);
std::string_view file_type_name(FileType type);
std::vector<std::string_view> file_type_names();

// The type a tensor gets in a file of `type`: 1-D tensors stay F32; the _M mixes keep the
// output projection (or tied embeddings) and some attn_v / ffn_down layers at higher
// precision, as llama.cpp's mixes do; K-quants fall back to a 32-value type for rows that
// are not a multiple of 256.
struct TensorPlace {
  std::string name;
  int n_dims = 2;
  int64_t row_length = 0;
  int layer = -1;        // from "blk.N.", -1 otherwise
  int n_layer = 0;
  bool has_output = false;  // the model has a separate output.weight
};
GgmlType tensor_type_for(FileType type, const TensorPlace& place);

using Progress = std::function<void(const std::string& tensor, size_t index, size_t count)>;

struct QuantizeOptions {
  FileType type = FileType::Q4_K_M;
  int n_threads = 0;  // 0: physical cores
};
// Reads `input` (any computable types) and writes `output` with every tensor converted.
void quantize_model(const std::string& input, const std::string& output,
                    const QuantizeOptions& options, const Progress& progress = {});

struct SynthShape {
  std::string name;  // qwen3-4b, ...
  std::string arch;  // qwen3 | llama
  int32_t n_embd, n_layer, n_head, n_head_kv, head_dim, n_ff, n_vocab;
  float rope_base;
  int32_t n_ctx_train;
  bool tied_embeddings;
  bool llama3_rope_factors;  // add rope_freqs.weight as Llama 3.1+ files carry
  std::string vocab_file;     // ggml-vocab-*.gguf the vocabulary comes from
};
std::optional<SynthShape> synth_shape(std::string_view like);

// The metadata a model file needs for `c` (architecture, sizes, rope, norm epsilon).
void set_model_metadata(const ModelConfig& c, GgufWriter& w);
// The tokenizer keys of `vocab` (any GGUF holding tokenizer.ggml.*), the token list padded
// to n_vocab with unused tokens as real files are. Throws Error when it has more tokens.
void copy_tokenizer_metadata(const GgufFile& vocab, int32_t n_vocab, const std::string& model_name, GgufWriter& w);
std::vector<std::string> synth_shape_names();

struct SynthOptions {
  FileType type = FileType::Q4_K_M;
  uint64_t seed = 1;
  int n_threads = 0;
};
// Writes a random-weight model of `shape` with the vocabulary and chat template of
// `vocab_path` (padded to the model's vocabulary size, as real files are).
void synthesize_model(const SynthShape& shape, const std::string& vocab_path,
                      const std::string& output, const SynthOptions& options,
                      const Progress& progress = {});

// Writes a random LoRA adapter (GGUF layout) for a model of `shape`: rank `rank` on every
// attention and feed-forward matrix, F16 tensors, alpha = 2 * rank, small random values.
void synthesize_lora(const SynthShape& shape, int32_t rank, const std::string& output, uint64_t seed);

}  // namespace loco
