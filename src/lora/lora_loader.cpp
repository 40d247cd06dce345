// Loading LoRA adapters in the GGUF and PEFT layouts into one in-memory form, checked
// against the base model they will run with.
#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
// GCC 12 at -O2 with sanitizers reports a false -Wmaybe-uninitialized inside libstdc++'s
// <regex> automaton (std::function moved out of a temporary state); the code is fine.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <regex>

#include "loco/error.h"
#include "loco/gguf.h"
#include "loco/lora.h"
#include "loco/quantize.h"
#include "lora/peft_names.h"
#include "lora/safetensors.h"

namespace loco {
namespace {

constexpr std::array<const char*, kLoraTargets> kGgufNames = {
    "attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"};

const Matrix& base_matrix(const Model& base, int32_t layer, LoraTarget target) {
  return lora_target_matrix(base.weights().layers[static_cast<size_t>(layer)], target);
}

// Copies n_rows x n_cols values of `src_type` into the pair's storage type: F32, F16 and BF16
// are kept as they are, anything else becomes F32.
std::vector<uint8_t> copy_rows(GgmlType src_type, const uint8_t* src, int64_t n_rows, int64_t n_cols,
                               GgmlType dst_type) {
  const int64_t src_row = row_bytes(src_type, n_cols);
  std::vector<uint8_t> out(static_cast<size_t>(n_rows * row_bytes(dst_type, n_cols)));
  if (src_type == dst_type) {
    std::memcpy(out.data(), src, out.size());
    return out;
  }
  std::vector<float> row(static_cast<size_t>(n_cols));
  for (int64_t r = 0; r < n_rows; ++r) {
    dequantize_row(src_type, src + r * src_row, row.data(), n_cols);
    std::memcpy(out.data() + r * n_cols * 4, row.data(), static_cast<size_t>(n_cols) * 4);
  }
  return out;
}

GgmlType storage_type(GgmlType t) {
  return t == GgmlType::F32 || t == GgmlType::F16 || t == GgmlType::BF16 ? t : GgmlType::F32;
}

void check_finite(const LoraPair& p, const std::string& where) {
  std::vector<float> row(static_cast<size_t>(std::max(p.n_in, int64_t{p.rank})));
  for (int64_t r = 0; r < p.rank; ++r) {
    dequantize_row(p.type, p.a_row(r), row.data(), p.n_in);
    for (int64_t i = 0; i < p.n_in; ++i) {
      if (!std::isfinite(row[static_cast<size_t>(i)])) throw FormatError(where + ": lora_a holds a non-finite value");
    }
  }
  for (int64_t r = 0; r < p.n_out; ++r) {
    dequantize_row(p.type, p.b_row(r), row.data(), p.rank);
    for (int32_t i = 0; i < p.rank; ++i) {
      if (!std::isfinite(row[static_cast<size_t>(i)])) throw FormatError(where + ": lora_b holds a non-finite value");
    }
  }
}

}  // namespace

class LoraLoader {
 public:
  static std::shared_ptr<const LoraAdapter> load(const std::string& path, const Model& base);

 private:
  static std::shared_ptr<LoraAdapter> load_gguf(const std::string& path, const Model& base);
  static std::shared_ptr<LoraAdapter> load_peft(const std::string& dir, const Model& base);
};

const char* lora_target_name(LoraTarget target) { return kGgufNames[static_cast<size_t>(target)]; }

const Matrix& lora_target_matrix(const LayerWeights& l, LoraTarget target) {
  switch (target) {
    case LoraTarget::Q: return l.wq;
    case LoraTarget::K: return l.wk;
    case LoraTarget::V: return l.wv;
    case LoraTarget::O: return l.wo;
    case LoraTarget::Gate: return l.w_gate;
    case LoraTarget::Up: return l.w_up;
    case LoraTarget::Down: return l.w_down;
  }
  return l.wq;
}

std::shared_ptr<const LoraAdapter> LoraAdapter::load(const std::string& path, const Model& base) {
  return LoraLoader::load(path, base);
}

std::shared_ptr<const LoraAdapter> LoraLoader::load(const std::string& path, const Model& base) {
  std::error_code ec;
  std::shared_ptr<LoraAdapter> adapter = std::filesystem::is_directory(path, ec) ? load_peft(path, base)
                                                                                  : load_gguf(path, base);
  if (adapter->n_pairs() == 0) throw FormatError(path + ": the adapter holds no LoRA tensors");
  for (int32_t l = 0; l < adapter->n_layer(); ++l) {
    for (int t = 0; t < kLoraTargets; ++t) {
      if (const LoraPair* p = adapter->find(l, static_cast<LoraTarget>(t))) {
        check_finite(*p, fmt::format("{}: blk.{}.{}", path, l, kGgufNames[static_cast<size_t>(t)]));
      }
    }
  }
  return adapter;
}

std::shared_ptr<LoraAdapter> LoraLoader::load_gguf(const std::string& path, const Model& base) {
  GgufFile file = GgufFile::open(path);
  const ModelConfig& c = base.config();
  if (file.optional_string("general.type").value_or("") != "adapter" ||
      file.optional_string("adapter.type").value_or("") != "lora") {
    throw FormatError(path + ": not a LoRA adapter (general.type must be 'adapter' and adapter.type 'lora')");
  }
  const std::string arch = file.optional_string("general.architecture").value_or("");
  if (arch != c.arch_name) {
    throw Error(fmt::format("{}: adapter for architecture '{}' cannot be used with a '{}' model", path,
                            arch, c.arch_name));
  }
  const double alpha = file.optional_float("adapter.lora.alpha").value_or(0.0);

  std::shared_ptr<LoraAdapter> a(new LoraAdapter());
  a->path_ = path;
  a->format_ = "gguf";
  a->layers_.resize(static_cast<size_t>(c.n_layer));
  for (const GgufTensor& t : file.tensors()) {
    const bool is_a = t.name.size() > 7 && t.name.ends_with(".lora_a");
    const bool is_b = t.name.size() > 7 && t.name.ends_with(".lora_b");
    if (!is_a && !is_b) {
      throw UnsupportedError(fmt::format("{}: tensor '{}' is not a LoRA tensor (lora_a / lora_b)", path, t.name));
    }
    if (is_b) continue;  // handled with its lora_a
    const std::string weight = t.name.substr(0, t.name.size() - 7);  // blk.N.attn_q.weight
    int layer = -1;
    char kind[64] = {0};
    if (std::sscanf(weight.c_str(), "blk.%d.%63[a-z_].weight", &layer, kind) != 2 ||
        weight != fmt::format("blk.{}.{}.weight", layer, kind)) {
      throw UnsupportedError(fmt::format("{}: LoRA on '{}' is not supported (only attention and "
                                         "feed-forward matrices of the blocks)", path, weight));
    }
    int target = -1;
    for (int k = 0; k < kLoraTargets; ++k) {
      if (kind == std::string(kGgufNames[static_cast<size_t>(k)])) target = k;
    }
    if (target < 0) {
      throw UnsupportedError(fmt::format("{}: LoRA on '{}' is not supported", path, weight));
    }
    if (layer < 0 || layer >= c.n_layer) {
      throw Error(fmt::format("{}: tensor '{}' names layer {}, but the base model has {} layers", path,
                              t.name, layer, c.n_layer));
    }
    const GgufTensor* b = file.find_tensor(weight + ".lora_b");
    if (b == nullptr) throw FormatError(fmt::format("{}: '{}' has no matching lora_b", path, t.name));
    const Matrix& w = base_matrix(base, layer, static_cast<LoraTarget>(target));
    const int64_t rank = b->ne[0];
    if (t.n_dims != 2 || b->n_dims != 2 || t.ne[0] != w.n_in || t.ne[1] != rank || b->ne[1] != w.n_out ||
        rank < 1 || rank > 4096) {
      throw Error(fmt::format("{}: '{}' {} and lora_b {} do not fit the base weight [{}, {}]: this adapter "
                              "was made for another model", path, t.name, t.shape_string(), b->shape_string(),
                              w.n_in, w.n_out));
    }
    if (!type_info(t.type).computable || !type_info(b->type).computable) {
      throw UnsupportedError(fmt::format("{}: '{}' has unsupported type {}", path, weight,
                                         type_name(type_info(t.type).computable ? b->type : t.type)));
    }
    auto pair = std::make_unique<LoraPair>();
    pair->type = storage_type(t.type == b->type ? t.type : GgmlType::F32);
    pair->rank = static_cast<int32_t>(rank);
    pair->n_in = w.n_in;
    pair->n_out = w.n_out;
    pair->a = copy_rows(t.type, t.data, rank, w.n_in, pair->type);
    pair->b = copy_rows(b->type, b->data, w.n_out, rank, pair->type);
    pair->scale = alpha > 0 ? static_cast<float>(alpha / static_cast<double>(rank)) : 1.0f;
    a->layers_[static_cast<size_t>(layer)][static_cast<size_t>(target)] = std::move(pair);
  }
  // Every lora_b must have been used by its lora_a.
  for (const GgufTensor& t : file.tensors()) {
    if (t.name.ends_with(".lora_b") && file.find_tensor(t.name.substr(0, t.name.size() - 1) + "a") == nullptr) {
      throw FormatError(fmt::format("{}: '{}' has no matching lora_a", path, t.name));
    }
  }
  return a;
}

namespace {

struct PeftConfig {
  int32_t r = 0;
  double alpha = 0;
  bool rslora = false;
  std::vector<std::pair<std::string, int32_t>> rank_pattern;
  std::vector<std::pair<std::string, double>> alpha_pattern;
};

// PEFT matches pattern keys against the end of a module's full name.
bool pattern_matches(const std::string& key, const std::string& module) {
  try {
    return std::regex_match(module, std::regex("(.*\\.)?(" + key + ")"));
  } catch (const std::regex_error&) {
    return module == key || module.ends_with("." + key);
  }
}

// A PEFT directory names the model it was trained from only in adapter_config.json, and a
// Llama and a Qwen of the same shapes accept each other's matrices. When that name clearly
// belongs to one model family, the base model must be of that family.
void check_trained_family(const nlohmann::json& j, const std::string& path, const ModelConfig& base) {
  if (!j.contains("base_model_name_or_path") || !j["base_model_name_or_path"].is_string()) return;
  const std::string trained_on = j["base_model_name_or_path"].get<std::string>();
  std::string lower;
  for (char c : trained_on) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  std::vector<std::string> families;
  for (const char* family : {"qwen3", "qwen2", "llama"}) {
    if (lower.find(family) != std::string::npos) families.push_back(family);
  }
  if (families.size() == 1 && families[0] != base.arch_name) {
    throw Error(path + ": trained on '" + trained_on + "' (a " + families[0] + " model), but the base model is a " +
                base.arch_name + " model");
  }
}

PeftConfig read_peft_config(const std::string& path, const ModelConfig& base) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open (a PEFT adapter directory needs adapter_config.json)");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(path + ": not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object()) throw FormatError(path + ": not a JSON object");
  check_trained_family(j, path, base);
  auto get = [&](const char* key) -> const nlohmann::json* { return j.contains(key) ? &j[key] : nullptr; };
  if (auto* t = get("peft_type"); t && t->is_string() && *t != "LORA") {
    throw UnsupportedError(path + ": peft_type " + t->get<std::string>() + " is not LoRA");
  }
  if (auto* d = get("use_dora"); d && d->is_boolean() && d->get<bool>()) {
    throw UnsupportedError(path + ": DoRA adapters (use_dora) are not supported");
  }
  if (auto* m = get("modules_to_save"); m && !m->is_null() && !(m->is_array() && m->empty())) {
    throw UnsupportedError(path + ": modules_to_save (fully trained extra modules) is not supported");
  }
  if (auto* f = get("fan_in_fan_out"); f && f->is_boolean() && f->get<bool>()) {
    throw UnsupportedError(path + ": fan_in_fan_out adapters are not supported");
  }
  PeftConfig c;
  try {
    if (auto* r = get("r")) c.r = r->get<int32_t>();
    if (auto* a = get("lora_alpha")) c.alpha = a->get<double>();
    if (auto* rs = get("use_rslora"); rs && !rs->is_null()) c.rslora = rs->get<bool>();
    if (auto* rp = get("rank_pattern"); rp && rp->is_object()) {
      for (const auto& [k, v] : rp->items()) c.rank_pattern.emplace_back(k, v.get<int32_t>());
    }
    if (auto* ap = get("alpha_pattern"); ap && ap->is_object()) {
      for (const auto& [k, v] : ap->items()) c.alpha_pattern.emplace_back(k, v.get<double>());
    }
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(path + ": a value has the wrong type (" + e.what() + ")");
  }
  return c;
}

GgmlType from_dtype(const std::string& dtype) {
  if (dtype == "F32") return GgmlType::F32;
  if (dtype == "F16") return GgmlType::F16;
  if (dtype == "BF16") return GgmlType::BF16;
  throw UnsupportedError("dtype " + dtype);
}

}  // namespace

std::shared_ptr<LoraAdapter> LoraLoader::load_peft(const std::string& dir, const Model& base) {
  const PeftConfig cfg = read_peft_config(dir + "/adapter_config.json", base.config());
  const std::string weights = dir + "/adapter_model.safetensors";
  if (!std::filesystem::exists(weights)) {
    throw Error(weights + ": missing (only safetensors PEFT adapters are supported)");
  }
  SafetensorsFile st = SafetensorsFile::open(weights);
  const ModelConfig& c = base.config();

  std::shared_ptr<LoraAdapter> a(new LoraAdapter());
  a->path_ = dir;
  a->format_ = "peft";
  a->layers_.resize(static_cast<size_t>(c.n_layer));
  for (const auto& [name, t] : st.tensors()) {
    const PeftTensorName parsed = parse_peft_tensor_name(name, c.n_layer, weights);
    if (!parsed.is_a) continue;
    const int layer = parsed.layer;
    const int target = parsed.target;
    const std::string b_name = name.substr(0, name.size() - std::string("A.weight").size()) + "B.weight";
    const SafeTensor* b = st.find(b_name);
    if (b == nullptr) throw FormatError(fmt::format("{}: '{}' has no matching lora_B", weights, name));
    const Matrix& w = base_matrix(base, layer, static_cast<LoraTarget>(target));
    if (t.shape.size() != 2 || b->shape.size() != 2 || t.shape[1] != w.n_in || b->shape[0] != w.n_out ||
        t.shape[0] != b->shape[1] || t.shape[0] < 1 || t.shape[0] > 4096) {
      throw Error(fmt::format("{}: '{}' does not fit the base weight [{}, {}]: this adapter was made for "
                              "another model", weights, name, w.n_in, w.n_out));
    }
    GgmlType ta, tb;
    try {
      ta = from_dtype(t.dtype);
      tb = from_dtype(b->dtype);
    } catch (const UnsupportedError& e) {
      throw UnsupportedError(fmt::format("{}: '{}': {} is not supported (F32, F16, BF16)", weights, name, e.what()));
    }
    const int32_t rank = static_cast<int32_t>(t.shape[0]);
    const std::string module = fmt::format("base_model.model.model.layers.{}.{}", layer, parsed.module);
    double alpha = cfg.alpha;
    for (const auto& [key, value] : cfg.alpha_pattern) {
      if (pattern_matches(key, module)) alpha = value;
    }
    int32_t configured_rank = cfg.r;
    for (const auto& [key, value] : cfg.rank_pattern) {
      if (pattern_matches(key, module)) configured_rank = value;
    }
    if (configured_rank > 0 && configured_rank != rank) {
      throw FormatError(fmt::format("{}: '{}' has rank {}, but adapter_config.json says {}", weights, name,
                                    rank, configured_rank));
    }
    auto pair = std::make_unique<LoraPair>();
    pair->type = ta == tb ? ta : GgmlType::F32;
    pair->rank = rank;
    pair->n_in = w.n_in;
    pair->n_out = w.n_out;
    pair->a = copy_rows(ta, t.data, rank, w.n_in, pair->type);
    pair->b = copy_rows(tb, b->data, w.n_out, rank, pair->type);
    pair->scale = static_cast<float>(cfg.rslora ? alpha / std::sqrt(static_cast<double>(rank))
                                                : alpha / static_cast<double>(rank));
    // GGUF converters permute the rows of llama's q and k weights so that rope can rotate
    // adjacent pairs; lora_B's rows must follow.
    const auto tgt = static_cast<LoraTarget>(target);
    if (c.arch == Arch::Llama && (tgt == LoraTarget::Q || tgt == LoraTarget::K)) {
      const int32_t n_head = tgt == LoraTarget::Q ? c.n_head : c.n_head_kv;
      const int64_t hd = w.n_out / n_head, row = row_bytes(pair->type, rank);
      std::vector<uint8_t> permuted(pair->b.size());
      for (int32_t h = 0; h < n_head; ++h) {
        for (int64_t j = 0; j < hd / 2; ++j) {
          for (int64_t s = 0; s < 2; ++s) {
            const int64_t dst = h * hd + j * 2 + s, src = h * hd + s * (hd / 2) + j;
            std::memcpy(permuted.data() + dst * row, pair->b.data() + src * row, static_cast<size_t>(row));
          }
        }
      }
      pair->b = std::move(permuted);
    }
    a->layers_[static_cast<size_t>(layer)][static_cast<size_t>(target)] = std::move(pair);
  }
  for (const auto& [name, t] : st.tensors()) {
    if (name.ends_with("lora_B.weight")) {
      const std::string a_name = name.substr(0, name.size() - std::string("B.weight").size()) + "A.weight";
      if (st.find(a_name) == nullptr) throw FormatError(fmt::format("{}: '{}' has no matching lora_A", weights, name));
    }
  }
  return a;
}

int32_t LoraAdapter::max_rank() const {
  int32_t r = 0;
  for (const auto& layer : layers_) {
    for (const auto& p : layer) r = p ? std::max(r, p->rank) : r;
  }
  return r;
}

int LoraAdapter::n_pairs() const {
  int n = 0;
  for (const auto& layer : layers_) {
    for (const auto& p : layer) n += p ? 1 : 0;
  }
  return n;
}

uint64_t LoraAdapter::bytes() const {
  uint64_t n = 0;
  for (const auto& layer : layers_) {
    for (const auto& p : layer) n += p ? p->a.size() + p->b.size() : 0;
  }
  return n;
}

std::string LoraAdapter::targets_summary() const {
  std::string out;
  for (int t = 0; t < kLoraTargets; ++t) {
    bool any = false;
    for (const auto& layer : layers_) any = any || layer[static_cast<size_t>(t)] != nullptr;
    if (any) out += (out.empty() ? "" : ", ") + std::string(kGgufNames[static_cast<size_t>(t)]);
  }
  return out;
}

}  // namespace loco
