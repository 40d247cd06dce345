// `loco synth`: random-weight models with the exact shapes, vocabulary and metadata of
// real ones, so that speed and memory can be measured without downloading weights.
#include <fmt/format.h>

#include <array>
#include <cmath>

#include "loco/error.h"
#include "loco/gguf.h"
#include "loco/model_tools.h"
#include "loco/quantize.h"
#include "loco/thread_pool.h"

namespace loco {
namespace {

// Shapes from the models' config.json files.
const std::array kShapes = {
    SynthShape{"qwen3-4b", "qwen3", 2560, 36, 32, 8, 128, 9728, 151936, 1e6f, 40960, true, false,
               "ggml-vocab-qwen3.gguf"},
    SynthShape{"qwen3-1.7b", "qwen3", 2048, 28, 16, 8, 128, 6144, 151936, 1e6f, 40960, true, false,
               "ggml-vocab-qwen3.gguf"},
    SynthShape{"qwen3-0.6b", "qwen3", 1024, 28, 16, 8, 128, 3072, 151936, 1e6f, 40960, true, false,
               "ggml-vocab-qwen3.gguf"},
    SynthShape{"llama3.2-3b", "llama", 3072, 28, 24, 8, 128, 8192, 128256, 5e5f, 131072, true, true,
               "ggml-vocab-llama3.gguf"},
};

uint64_t splitmix(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Approximately normal values (sum of four uniforms), cheap enough for billions.
void fill_normal(float* out, int64_t n, float stddev, uint64_t seed) {
  uint64_t state = seed;
  const float scale = stddev / std::sqrt(4.0f / 12.0f) / 65536.0f;
  for (int64_t i = 0; i < n; ++i) {
    const uint64_t r = splitmix(state);
    const float sum = static_cast<float>((r & 0xFFFF) + ((r >> 16) & 0xFFFF) + ((r >> 32) & 0xFFFF) +
                                         (r >> 48));
    out[i] = (sum - 2.0f * 65536.0f) * scale;
  }
}

// Llama 3.1+ rope scaling (factor 32, low/high frequency factors 1 and 4, original
// context 8192), stored as per-pair divisors the way converters write rope_freqs.
std::vector<float> llama3_rope_factors(const SynthShape& s) {
  const double factor = 32.0, low = 1.0, high = 4.0, old_ctx = 8192.0;
  const double pi = 3.14159265358979323846;
  std::vector<float> out(static_cast<size_t>(s.head_dim / 2));
  for (size_t i = 0; i < out.size(); ++i) {
    const double freq = std::pow(s.rope_base, -2.0 * static_cast<double>(i) / s.head_dim);
    const double wavelen = 2 * pi / freq;
    double f = 1.0;
    if (wavelen > old_ctx / low) {
      f = factor;
    } else if (wavelen >= old_ctx / high) {
      const double smooth = (old_ctx / wavelen - low) / (high - low);
      f = 1.0 / ((1 - smooth) / factor + smooth);
    }
    out[i] = static_cast<float>(f);
  }
  return out;
}

struct TensorSpec {
  std::string name;
  std::vector<int64_t> ne;
  float stddev;      // 0: a norm weight, filled with ones
  int layer = -1;
};

std::vector<TensorSpec> tensor_list(const SynthShape& s) {
  const int64_t e = s.n_embd, q = int64_t{s.n_head} * s.head_dim, kv = int64_t{s.n_head_kv} * s.head_dim;
  std::vector<TensorSpec> t;
  t.push_back({"token_embd.weight", {e, s.n_vocab}, 0.02f});
  t.push_back({"output_norm.weight", {e}, 0.0f});
  if (!s.tied_embeddings) t.push_back({"output.weight", {e, s.n_vocab}, 0.02f});
  for (int l = 0; l < s.n_layer; ++l) {
    auto n = [l](const char* suffix) { return fmt::format("blk.{}.{}", l, suffix); };
    t.push_back({n("attn_norm.weight"), {e}, 0.0f, l});
    t.push_back({n("attn_q.weight"), {e, q}, 0.02f, l});
    t.push_back({n("attn_k.weight"), {e, kv}, 0.02f, l});
    t.push_back({n("attn_v.weight"), {e, kv}, 0.02f, l});
    t.push_back({n("attn_output.weight"), {q, e}, 0.02f, l});
    if (s.arch == "qwen3") {
      t.push_back({n("attn_q_norm.weight"), {s.head_dim}, 0.0f, l});
      t.push_back({n("attn_k_norm.weight"), {s.head_dim}, 0.0f, l});
    }
    t.push_back({n("ffn_norm.weight"), {e}, 0.0f, l});
    t.push_back({n("ffn_gate.weight"), {e, s.n_ff}, 0.02f, l});
    t.push_back({n("ffn_up.weight"), {e, s.n_ff}, 0.02f, l});
    t.push_back({n("ffn_down.weight"), {s.n_ff, e}, 0.02f, l});
  }
  return t;
}

}  // namespace

void copy_tokenizer_metadata(const GgufFile& vocab, int32_t n_vocab, const std::string& model_name, GgufWriter& w) {
  for (const GgufKV& kv : vocab.metadata()) {
    if (kv.key.rfind("tokenizer.", 0) != 0) continue;
    if (kv.key == "tokenizer.ggml.tokens" || kv.key == "tokenizer.ggml.token_type") continue;
    w.set_value(kv.key, kv.value);
  }
  const GgufValue& tokens = vocab.get_array("tokenizer.ggml.tokens", GgufValueType::STRING);
  if (tokens.strings.size() > static_cast<size_t>(n_vocab)) {
    throw Error(fmt::format("{}: the vocabulary has {} tokens, more than the {} rows of {}", vocab.path(),
                            tokens.strings.size(), n_vocab, model_name));
  }
  std::vector<std::string> names(tokens.strings.begin(), tokens.strings.end());
  std::vector<int32_t> types;
  if (const GgufValue* tt = vocab.optional_array("tokenizer.ggml.token_type", GgufValueType::I32)) {
    for (uint64_t i = 0; i < tt->count; ++i) types.push_back(static_cast<int32_t>(tt->array_integer(i)));
  }
  types.resize(names.size(), 1);
  // Real files pad the vocabulary to the embedding's row count with unused tokens.
  for (size_t i = names.size(); i < static_cast<size_t>(n_vocab); ++i) {
    names.push_back(fmt::format("[PAD{}]", i));
    types.push_back(5);
  }
  w.set_string_array("tokenizer.ggml.tokens", names);
  w.set_i32_array("tokenizer.ggml.token_type", types);
}

void set_model_metadata(const ModelConfig& c, GgufWriter& w) {
  const std::string& a = c.arch_name;
  w.set_string("general.architecture", a);
  w.set_string("general.type", "model");
  if (!c.name.empty()) w.set_string("general.name", c.name);
  w.set_u32(a + ".context_length", static_cast<uint32_t>(c.n_ctx_train));
  w.set_u32(a + ".embedding_length", static_cast<uint32_t>(c.n_embd));
  w.set_u32(a + ".block_count", static_cast<uint32_t>(c.n_layer));
  w.set_u32(a + ".feed_forward_length", static_cast<uint32_t>(c.n_ff));
  w.set_u32(a + ".attention.head_count", static_cast<uint32_t>(c.n_head));
  w.set_u32(a + ".attention.head_count_kv", static_cast<uint32_t>(c.n_head_kv));
  w.set_u32(a + ".attention.key_length", static_cast<uint32_t>(c.head_dim));
  w.set_u32(a + ".attention.value_length", static_cast<uint32_t>(c.head_dim));
  w.set_f32(a + ".rope.freq_base", c.rope_base);
  w.set_f32(a + ".attention.layer_norm_rms_epsilon", c.rms_eps);
  w.set_u32("general.quantization_version", 2);
}

std::optional<SynthShape> synth_shape(std::string_view like) {
  for (const SynthShape& s : kShapes) {
    if (s.name == like) return s;
  }
  return std::nullopt;
}

std::vector<std::string> synth_shape_names() {
  std::vector<std::string> names;
  for (const SynthShape& s : kShapes) names.push_back(s.name);
  return names;
}

void synthesize_model(const SynthShape& s, const std::string& vocab_path, const std::string& output,
                      const SynthOptions& options, const Progress& progress) {
  GgufFile vocab = GgufFile::open(vocab_path);
  ThreadPool pool(options.n_threads > 0 ? options.n_threads : ThreadPool::default_threads());
  const std::string& a = s.arch;

  GgufWriter w;
  ModelConfig c;
  c.arch_name = a;
  c.name = "synthetic " + s.name + " (random weights)";
  c.n_ctx_train = s.n_ctx_train;
  c.n_embd = s.n_embd;
  c.n_layer = s.n_layer;
  c.n_ff = s.n_ff;
  c.n_head = s.n_head;
  c.n_head_kv = s.n_head_kv;
  c.head_dim = s.head_dim;
  c.rope_base = s.rope_base;
  c.rms_eps = a == "llama" ? 1e-5f : 1e-6f;
  set_model_metadata(c, w);
  w.set_bool("loco.synthetic", true);
  w.set_u32("general.file_type", static_cast<uint32_t>(options.type));
  copy_tokenizer_metadata(vocab, s.n_vocab, s.name, w);

  std::vector<TensorSpec> specs = tensor_list(s);
  std::vector<float> rope_factors;  // read by the writer's callback in w.write below
  if (s.llama3_rope_factors) {
    rope_factors = llama3_rope_factors(s);
    w.add_tensor("rope_freqs.weight", GgmlType::F32, {s.head_dim / 2}, rope_factors.data());
  }
  const size_t count = specs.size();
  for (size_t i = 0; i < count; ++i) {
    const TensorSpec& spec = specs[i];
    TensorPlace place{spec.name, static_cast<int>(spec.ne.size()), spec.ne[0], spec.layer, s.n_layer,
                      !s.tied_embeddings};
    const GgmlType type = tensor_type_for(options.type, place);
    w.add_tensor(spec.name, type, spec.ne, [&, i, type](uint8_t* dst, uint64_t) {
      if (progress) progress(spec.name, i, count);
      const int64_t n = spec.ne[0];
      const int64_t rows = spec.ne.size() > 1 ? spec.ne[1] : 1;
      const int64_t bytes = row_bytes(type, n);
      std::vector<std::vector<float>> buffers(static_cast<size_t>(pool.size()),
                                              std::vector<float>(static_cast<size_t>(n)));
      pool.parallel_for((rows + 63) / 64, [&](int64_t task, int thread) {
        std::vector<float>& buf = buffers[static_cast<size_t>(thread)];
        for (int64_t r = task * 64; r < std::min(rows, (task + 1) * 64); ++r) {
          if (spec.stddev > 0) {
            fill_normal(buf.data(), n, spec.stddev, options.seed * 0x100000001B3ull + i * 0x10000 + r);
          } else {
            std::fill(buf.begin(), buf.end(), 1.0f);
          }
          quantize_row(type, buf.data(), dst + r * bytes, n);
        }
      });
    });
  }
  w.write(output);
}

void synthesize_lora(const SynthShape& s, int32_t rank, const std::string& output, uint64_t seed) {
  if (rank < 1 || rank > 1024) throw Error(fmt::format("LoRA rank {} is outside 1..1024", rank));
  GgufWriter w;
  w.set_string("general.architecture", s.arch);
  w.set_string("general.type", "adapter");
  w.set_string("adapter.type", "lora");
  w.set_string("general.name", fmt::format("synthetic rank-{} adapter for {} (random weights)", rank, s.name));
  w.set_f32("adapter.lora.alpha", 2.0f * static_cast<float>(rank));
  const int64_t e = s.n_embd, q = int64_t{s.n_head} * s.head_dim, kv = int64_t{s.n_head_kv} * s.head_dim;
  const std::array<std::tuple<const char*, int64_t, int64_t>, 7> targets = {{
      {"attn_q", e, q}, {"attn_k", e, kv}, {"attn_v", e, kv}, {"attn_output", q, e},
      {"ffn_gate", e, s.n_ff}, {"ffn_up", e, s.n_ff}, {"ffn_down", s.n_ff, e}}};
  uint64_t index = 0;
  for (int l = 0; l < s.n_layer; ++l) {
    for (const auto& [name, n_in, n_out] : targets) {
      const std::string base = fmt::format("blk.{}.{}.weight", l, name);
      for (const auto& [suffix, ne0, ne1, stddev] :
           {std::tuple{".lora_a", n_in, int64_t{rank}, 0.02f}, std::tuple{".lora_b", int64_t{rank}, n_out, 0.01f}}) {
        const uint64_t tensor_seed = seed * 0x9E3779B97F4A7C15ull + ++index;
        w.add_tensor(base + suffix, GgmlType::F16, {ne0, ne1},
                     [ne0 = ne0, ne1 = ne1, stddev = stddev, tensor_seed](uint8_t* dst, uint64_t) {
                       std::vector<float> row(static_cast<size_t>(ne0));
                       for (int64_t r = 0; r < ne1; ++r) {
                         fill_normal(row.data(), ne0, stddev, tensor_seed * 1000003ull + static_cast<uint64_t>(r));
                         quantize_row(GgmlType::F16, row.data(), dst + r * ne0 * 2, ne0);
                       }
                     });
      }
    }
  }
  w.write(output);
}

}  // namespace loco
