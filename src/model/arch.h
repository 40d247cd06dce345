// What distinguishes the supported architectures. They share one transformer block
// (pre-norm attention + SwiGLU FFN); these flags and the tensor table say where they differ.
#pragma once

#include <string_view>

#include "loco/model.h"

namespace loco {

struct ArchSpec {
  Arch arch;
  const char* name;       // general.architecture
  RopeStyle rope_style;
  bool qk_norm;           // per-head RMS norm on q and k (qwen3)
  bool qkv_bias_required; // q/k/v biases present in every file (qwen2)
};

// nullptr when the architecture is not supported.
const ArchSpec* find_arch(std::string_view name);
// "llama, qwen2, qwen3": for error messages.
const char* supported_arch_names();

}  // namespace loco
