#include "lora/peft_names.h"

#include <fmt/format.h>

#include <array>
// GCC 12 at -O2 with sanitizers reports a false -Wmaybe-uninitialized inside libstdc++'s
// <regex> automaton (as in lora_loader.cpp).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <regex>

#include "loco/error.h"
#include "loco/lora.h"

namespace loco {

namespace {
constexpr std::array<const char*, kLoraTargets> kPeftModules = {
    "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
    "mlp.gate_proj",    "mlp.up_proj",      "mlp.down_proj"};
}  // namespace

const char* peft_module_name(int target) {
  if (target < 0 || target >= kLoraTargets) throw Error("internal: no LoRA target " + std::to_string(target));
  return kPeftModules[static_cast<size_t>(target)];
}

PeftTensorName parse_peft_tensor_name(const std::string& name, int n_layer, const std::string& file) {
  static const std::regex name_re(
      R"(base_model\.model\.model\.layers\.(\d+)\.(self_attn\.[qkvo]_proj|mlp\.(?:gate|up|down)_proj)\.lora_([AB])\.weight)");
  std::smatch m;
  if (!std::regex_match(name, m, name_re)) {
    if (name.find("lora_magnitude") != std::string::npos) {
      throw UnsupportedError(file + ": DoRA magnitude tensors are not supported");
    }
    throw UnsupportedError(fmt::format("{}: tensor '{}' is not a LoRA A/B matrix of an attention or "
                                       "feed-forward projection", file, name));
  }
  // The layer number is any run of digits in a hostile file: bound it before converting.
  const std::string digits = m[1];
  const int layer = digits.size() > 6 ? n_layer : std::stoi(digits);
  if (layer >= n_layer) {
    throw Error(fmt::format("{}: '{}' names layer {}, but the base model has {} layers", file, name, digits, n_layer));
  }
  PeftTensorName parsed;
  parsed.layer = layer;
  parsed.module = m[2];
  parsed.is_a = m[3] == "A";
  while (parsed.module != kPeftModules[static_cast<size_t>(parsed.target)]) ++parsed.target;
  return parsed;
}

}  // namespace loco
