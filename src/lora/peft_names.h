// The tensor names of a PEFT adapter (adapter_model.safetensors), parsed apart from the
// file so the fuzzer can drive them: a hostile file can name any layer, module or suffix.
#pragma once

#include <string>

namespace loco {

struct PeftTensorName {
  int layer = 0;        // < n_layer
  int target = 0;       // LoraTarget: q, k, v, o, gate, up, down
  bool is_a = true;     // lora_A (else lora_B)
  std::string module;   // "self_attn.q_proj", ...
};

// Parses `base_model.model.model.layers.<L>.<module>.lora_<A|B>.weight`. Throws
// UnsupportedError for names that are not a LoRA A/B matrix of an attention or
// feed-forward projection (naming DoRA magnitudes), Error for a layer at or beyond
// n_layer (however many digits it has). `file` prefixes the messages.
// The module path PEFT gives a target inside a layer: "self_attn.q_proj", "mlp.down_proj", ...
const char* peft_module_name(int target);

PeftTensorName parse_peft_tensor_name(const std::string& name, int n_layer, const std::string& file);

}  // namespace loco
