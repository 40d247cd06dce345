#include "train/full_model.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <set>

#include "loco/error.h"
#include "loco/model_tools.h"
#include "loco/quantize.h"
#include "loco/rng.h"

namespace loco::train {
namespace {

Matrix view(std::vector<float>& storage, int64_t n_in, int64_t n_out) {
  Matrix m;
  m.type = GgmlType::F32;
  m.n_in = n_in;
  m.n_out = n_out;
  m.row_bytes = n_in * 4;
  m.data = reinterpret_cast<const uint8_t*>(storage.data());
  return m;
}

// Allocates the matrices and norms of `c` and points the views at them. Matrix storage
// order: token_embd, output (untied), then per layer q, k, v, o, gate, up, down.
std::unique_ptr<FullModel> allocate(const ModelConfig& c) {
  auto m = std::make_unique<FullModel>();
  m->config = c;
  const int64_t e = c.n_embd, q = c.q_dim(), kv = c.kv_dim(), ff = c.n_ff, nv = c.n_vocab;
  m->matrices.reserve(static_cast<size_t>(2 + 7 * c.n_layer));
  auto add = [&](int64_t n_in, int64_t n_out) {
    m->matrices.emplace_back(static_cast<size_t>(n_in * n_out), 0.0f);
    return view(m->matrices.back(), n_in, n_out);
  };
  ModelWeights& w = m->weights;
  w.token_embd = add(e, nv);
  w.output = c.tied_embeddings ? w.token_embd : add(e, nv);
  w.output_norm.assign(static_cast<size_t>(e), 1.0f);
  w.layers.resize(static_cast<size_t>(c.n_layer));
  for (LayerWeights& l : w.layers) {
    l.attn_norm.assign(static_cast<size_t>(e), 1.0f);
    l.wq = add(e, q);
    l.wk = add(e, kv);
    l.wv = add(e, kv);
    l.wo = add(q, e);
    if (c.has_qk_norm) {
      l.q_norm.assign(static_cast<size_t>(c.head_dim), 1.0f);
      l.k_norm.assign(static_cast<size_t>(c.head_dim), 1.0f);
    }
    l.ffn_norm.assign(static_cast<size_t>(e), 1.0f);
    l.w_gate = add(e, ff);
    l.w_up = add(e, ff);
    l.w_down = add(ff, e);
  }
  return m;
}

std::span<float> values_of(const Matrix& m) {
  // The views were made from this model's own float storage.
  return {const_cast<float*>(reinterpret_cast<const float*>(m.data)), static_cast<size_t>(m.n_in * m.n_out)};
}

}  // namespace

std::vector<FullModel::Tensor> FullModel::tensors() {
  std::vector<Tensor> t;
  auto matrix = [&](const std::string& name, const Matrix& m) {
    t.push_back({name, {m.n_in, m.n_out}, values_of(m), true});
  };
  auto norm = [&](const std::string& name, std::vector<float>& v) {
    if (!v.empty()) t.push_back({name, {static_cast<int64_t>(v.size())}, std::span<float>(v), false});
  };
  matrix("token_embd.weight", weights.token_embd);
  norm("output_norm.weight", weights.output_norm);
  if (!config.tied_embeddings) matrix("output.weight", weights.output);
  for (size_t i = 0; i < weights.layers.size(); ++i) {
    LayerWeights& l = weights.layers[i];
    const std::string b = fmt::format("blk.{}.", i);
    norm(b + "attn_norm.weight", l.attn_norm);
    matrix(b + "attn_q.weight", l.wq);
    matrix(b + "attn_k.weight", l.wk);
    matrix(b + "attn_v.weight", l.wv);
    matrix(b + "attn_output.weight", l.wo);
    norm(b + "attn_q_norm.weight", l.q_norm);
    norm(b + "attn_k_norm.weight", l.k_norm);
    norm(b + "ffn_norm.weight", l.ffn_norm);
    matrix(b + "ffn_gate.weight", l.w_gate);
    matrix(b + "ffn_up.weight", l.w_up);
    matrix(b + "ffn_down.weight", l.w_down);
  }
  return t;
}

int64_t FullModel::n_params() const {
  int64_t n = static_cast<int64_t>(weights.output_norm.size());
  for (const auto& m : matrices) n += static_cast<int64_t>(m.size());
  for (const LayerWeights& l : weights.layers) {
    n += static_cast<int64_t>(l.attn_norm.size() + l.q_norm.size() + l.k_norm.size() + l.ffn_norm.size());
  }
  return n;
}

ModelConfig parse_model_config(const std::string& text, const std::string& path, int32_t n_vocab) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(path + ": not valid YAML (" + e.msg + ")");
  }
  if (!root.IsMap()) throw Error(path + ": expected a mapping of settings");
  static const std::set<std::string> kKeys = {"arch",  "n_embd", "n_layer",   "n_head",  "n_head_kv",      "head_dim",
                                              "n_ff",  "n_ctx",  "rope_base", "rms_eps", "tied_embeddings", "name"};
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>("");
    if (kKeys.count(key) == 0) throw Error(path + ": unknown key '" + key + "'");
  }
  auto integer = [&](const char* key, std::optional<int64_t> fallback, int64_t lo, int64_t hi) -> int32_t {
    const YAML::Node n = root[key];
    if (!n) {
      if (!fallback) throw Error(fmt::format("{}: '{}' is required", path, key));
      return static_cast<int32_t>(*fallback);
    }
    int64_t v = 0;
    try {
      v = n.as<int64_t>();
    } catch (const YAML::Exception&) {
      throw Error(fmt::format("{}: '{}' must be an integer", path, key));
    }
    if (v < lo || v > hi) throw Error(fmt::format("{}: '{}' must be from {} to {}, not {}", path, key, lo, hi, v));
    return static_cast<int32_t>(v);
  };
  auto number = [&](const char* key, double fallback, double lo, double hi) {
    const YAML::Node n = root[key];
    if (!n) return fallback;
    double v = 0;
    try {
      v = n.as<double>();
    } catch (const YAML::Exception&) {
      throw Error(fmt::format("{}: '{}' must be a number", path, key));
    }
    if (!(v >= lo && v <= hi)) throw Error(fmt::format("{}: '{}' must be from {} to {}", path, key, lo, hi));
    return v;
  };
  ModelConfig c;
  c.arch_name = root["arch"] ? root["arch"].as<std::string>("") : "qwen3";
  if (c.arch_name == "qwen3") {
    c.arch = Arch::Qwen3;
    c.rope_style = RopeStyle::Neox;
    c.has_qk_norm = true;
  } else if (c.arch_name == "llama") {
    c.arch = Arch::Llama;
    c.rope_style = RopeStyle::Normal;
  } else {
    throw Error(path + ": 'arch' must be qwen3 or llama, not '" + c.arch_name + "'");
  }
  c.name = root["name"] ? root["name"].as<std::string>("") : "";
  c.n_vocab = n_vocab;
  c.n_embd = integer("n_embd", std::nullopt, 8, 65536);
  c.n_layer = integer("n_layer", std::nullopt, 1, 1024);
  c.n_head = integer("n_head", std::nullopt, 1, 1024);
  c.n_head_kv = integer("n_head_kv", c.n_head, 1, 1024);
  c.head_dim = integer("head_dim", c.n_embd / c.n_head, 2, 4096);
  c.n_ff = integer("n_ff", std::nullopt, 8, 1 << 20);
  c.n_ctx_train = integer("n_ctx", 512, 8, 1 << 20);
  c.rope_base = static_cast<float>(number("rope_base", 10000.0, 1.0, 1e9));
  c.rms_eps = static_cast<float>(number("rms_eps", 1e-6, 1e-12, 1e-2));
  c.tied_embeddings = root["tied_embeddings"] ? root["tied_embeddings"].as<bool>(true) : true;
  if (c.n_head % c.n_head_kv != 0) throw Error(path + ": n_head must be a multiple of n_head_kv");
  if (c.head_dim % 2 != 0) throw Error(path + ": head_dim must be even (rotary pairs)");
  if (c.n_embd % 32 != 0 || c.n_ff % 32 != 0 || c.head_dim * c.n_head % 32 != 0) {
    throw Error(path + ": n_embd, n_ff and n_head·head_dim must be multiples of 32 (GGUF blocks)");
  }
  return c;
}

std::unique_ptr<FullModel> init_full_model(const ModelConfig& c, uint64_t seed) {
  std::unique_ptr<FullModel> m = allocate(c);
  Pcg32 rng(seed, 0xf011);
  auto normal = [&] {
    // Box–Muller from two uniforms (the first kept away from 0).
    const double u1 = 1.0 - rng.next_double(), u2 = rng.next_double();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.14159265358979323846 * u2);
  };
  const double out_std = 0.02 / std::sqrt(2.0 * c.n_layer);
  for (FullModel::Tensor& t : m->tensors()) {
    if (!t.decay) continue;  // norms stay 1
    const bool residual_out = t.name.ends_with("attn_output.weight") || t.name.ends_with("ffn_down.weight");
    const double std = residual_out ? out_std : 0.02;
    for (float& v : t.values) v = static_cast<float>(std * normal());
  }
  return m;
}

std::unique_ptr<FullModel> full_model_from(const Model& model) {
  const ModelConfig& c = model.config();
  if (c.has_qkv_bias) throw Error("training a model with q/k/v biases (Qwen2) is not supported");
  std::unique_ptr<FullModel> m = allocate(c);
  const ModelWeights& src = model.weights();
  m->weights.rope_freq_factors = src.rope_freq_factors;
  auto copy = [](const Matrix& from, const Matrix& to) {
    float* out = const_cast<float*>(reinterpret_cast<const float*>(to.data));
    for (int64_t r = 0; r < from.n_out; ++r) dequantize_row(from.type, from.row(r), out + r * from.n_in, from.n_in);
  };
  ModelWeights& w = m->weights;
  copy(src.token_embd, w.token_embd);
  if (!c.tied_embeddings) copy(src.output, w.output);
  w.output_norm = src.output_norm;
  for (size_t i = 0; i < w.layers.size(); ++i) {
    const LayerWeights& s = src.layers[i];
    LayerWeights& l = w.layers[i];
    copy(s.wq, l.wq);
    copy(s.wk, l.wk);
    copy(s.wv, l.wv);
    copy(s.wo, l.wo);
    copy(s.w_gate, l.w_gate);
    copy(s.w_up, l.w_up);
    copy(s.w_down, l.w_down);
    l.attn_norm = s.attn_norm;
    l.ffn_norm = s.ffn_norm;
    l.q_norm = s.q_norm;
    l.k_norm = s.k_norm;
  }
  return m;
}

void write_full_model(FullModel& model, const GgufFile& vocab, const std::string& path, GgmlType type,
                      const std::map<std::string, std::string>& notes) {
  if (type != GgmlType::F32 && type != GgmlType::F16 && type != GgmlType::BF16) {
    throw Error("a trained model is written as F32, F16 or BF16 (then `loco quantize` it)");
  }
  GgufWriter w;
  set_model_metadata(model.config, w);
  const FileType ft = type == GgmlType::F32 ? FileType::F32 : type == GgmlType::F16 ? FileType::F16 : FileType::BF16;
  w.set_u32("general.file_type", static_cast<uint32_t>(ft));
  copy_tokenizer_metadata(vocab, model.config.n_vocab, model.config.name.empty() ? path : model.config.name, w);
  for (const auto& [key, value] : notes) w.set_string("loco.train." + key, value);
  for (const FullModel::Tensor& t : model.tensors()) {
    // Norm weights stay F32, as converters write them.
    const GgmlType tt = t.ne.size() == 1 ? GgmlType::F32 : type;
    const std::span<float> values = t.values;
    const int64_t n = t.ne[0], rows = t.ne.size() > 1 ? t.ne[1] : 1;
    w.add_tensor(t.name, tt, t.ne, [values, tt, n, rows](uint8_t* dst, uint64_t) {
      const int64_t bytes = row_bytes(tt, n);
      for (int64_t r = 0; r < rows; ++r) quantize_row(tt, values.data() + r * n, dst + r * bytes, n);
    });
  }
  if (!model.weights.rope_freq_factors.empty()) {
    w.add_tensor("rope_freqs.weight", GgmlType::F32, {static_cast<int64_t>(model.weights.rope_freq_factors.size())},
                 model.weights.rope_freq_factors.data());
  }
  w.write(path);
}

}  // namespace loco::train
