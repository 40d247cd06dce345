#include "train/adapter_export.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "loco/error.h"
#include "loco/gguf.h"
#include "lora/peft_names.h"
#include "lora/safetensors.h"

namespace loco::train {
namespace {

std::string gguf_name(int32_t layer, LoraTarget t) { return fmt::format("blk.{}.{}.weight", layer, lora_target_name(t)); }

// The one rank and alpha of the adapter (the formats hold one alpha for all pairs).
void check_uniform(const TrainableAdapter& a, const std::string& path) {
  if (a.rank < 1 || !(a.alpha > 0.0f)) throw Error(path + ": only an adapter with one rank and alpha can be saved");
  a.for_each([&](int32_t l, LoraTarget t, const LoraParams& p) {
    if (p.rank != a.rank || std::fabs(p.scale - a.alpha / static_cast<float>(a.rank)) > 1e-6f * p.scale) {
      throw Error(fmt::format("{}: {} differs from the adapter's rank {} and alpha {}", path, gguf_name(l, t), a.rank,
                              a.alpha));
    }
  });
}

void set_common(GgufWriter& w, const Model& base, const ExportNotes& notes) {
  w.set_string("general.architecture", base.config().arch_name);
  w.set_string("general.type", "adapter");
  w.set_string("adapter.type", "lora");
  if (!base.config().name.empty()) w.set_string("general.base_model.name", base.config().name);
  for (const auto& [key, value] : notes) w.set_string("loco.train." + key, value);
}

}  // namespace

void write_gguf_adapter(const TrainableAdapter& adapter, const Model& base, const std::string& path,
                        const ExportNotes& notes) {
  check_uniform(adapter, path);
  GgufWriter w;
  set_common(w, base, notes);
  w.set_f32("adapter.lora.alpha", adapter.alpha);
  adapter.for_each([&](int32_t l, LoraTarget t, const LoraParams& p) {
    w.add_tensor(gguf_name(l, t) + ".lora_a", GgmlType::F32, {p.n_in, p.rank}, p.a.data());
    w.add_tensor(gguf_name(l, t) + ".lora_b", GgmlType::F32, {p.rank, p.n_out}, p.b.data());
  });
  w.write(path);
}

void write_peft_adapter(const TrainableAdapter& adapter, const Model& base, const std::string& dir,
                        const ExportNotes& notes) {
  check_uniform(adapter, dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error(dir + ": cannot create the directory (" + ec.message() + ")");
  std::vector<std::string> modules;
  std::vector<SafeTensorF32> tensors;
  adapter.for_each([&](int32_t l, LoraTarget t, const LoraParams& p) {
    const std::string module = peft_module_name(static_cast<int>(t));
    const std::string leaf = module.substr(module.find('.') + 1);
    if (std::find(modules.begin(), modules.end(), leaf) == modules.end()) modules.push_back(leaf);
    const std::string prefix = fmt::format("base_model.model.model.layers.{}.{}", l, module);
    tensors.push_back({prefix + ".lora_A.weight", {p.rank, p.n_in}, p.a.data()});
    tensors.push_back({prefix + ".lora_B.weight", {p.n_out, p.rank}, p.b.data()});
  });
  nlohmann::json config = {
      {"peft_type", "LORA"},
      {"task_type", "CAUSAL_LM"},
      {"r", adapter.rank},
      {"lora_alpha", adapter.alpha},
      {"lora_dropout", 0.0},
      {"bias", "none"},
      {"use_rslora", false},
      {"use_dora", false},
      {"fan_in_fan_out", false},
      {"target_modules", modules},
      {"base_model_name_or_path", base.config().name.empty() ? base.config().arch_name : base.config().name},
  };
  if (!notes.empty()) config["loco_train"] = notes;
  {
    std::ofstream out(dir + "/adapter_config.json", std::ios::trunc);
    out << config.dump(2) << "\n";
    if (!out) throw Error(dir + "/adapter_config.json: write failed");
  }
  write_safetensors(dir + "/adapter_model.safetensors", tensors);
}

void write_gguf_gradients(const TrainableAdapter& adapter, const AdapterGrads& grads, const Model& base,
                          const std::string& path) {
  GgufWriter w;
  // Not an adapter: nothing should load this file as one by mistake.
  w.set_string("general.architecture", base.config().arch_name);
  w.set_string("general.type", "gradient");
  adapter.for_each([&](int32_t l, LoraTarget t, const LoraParams& p) {
    const LoraGrads* g = grads.find(l, t);
    w.add_tensor(gguf_name(l, t) + ".lora_a", GgmlType::F32, {p.n_in, p.rank}, g->a.data());
    w.add_tensor(gguf_name(l, t) + ".lora_b", GgmlType::F32, {p.rank, p.n_out}, g->b.data());
  });
  w.write(path);
}

}  // namespace loco::train
