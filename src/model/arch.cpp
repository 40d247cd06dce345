#include "model/arch.h"

#include <array>

namespace loco {
namespace {

// llama: GGUF converters permute q/k rows so the interleaved (Normal) rope applies.
// qwen2/qwen3: Hugging Face layout kept, so rope rotates the two halves (Neox).
constexpr std::array kArchs = {
    ArchSpec{Arch::Llama, "llama", RopeStyle::Normal, false, false},
    ArchSpec{Arch::Qwen2, "qwen2", RopeStyle::Neox, false, true},
    ArchSpec{Arch::Qwen3, "qwen3", RopeStyle::Neox, true, false},
};

}  // namespace

const ArchSpec* find_arch(std::string_view name) {
  for (const ArchSpec& spec : kArchs) {
    if (name == spec.name) return &spec;
  }
  return nullptr;
}

const char* supported_arch_names() { return "llama, qwen2, qwen3"; }

}  // namespace loco
