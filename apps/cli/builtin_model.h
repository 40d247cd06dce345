// loco-nano, the built-in demonstration family (models/nano, trained by
// scripts/train-nano.sh): the model, registry and router loco uses when no model is
// configured, so that loco answers, routes and votes offline right after the build.
#pragma once

#include <optional>
#include <string>

namespace loco::cli {

struct BuiltinModel {
  std::string dir;       // $LOCO_NANO_DIR, else the source tree's models/nano
  std::string model;     // loco-nano.gguf
  std::string registry;  // registry.yaml (its adapters and evaluation sets)
  std::string router;    // router-classifier.json
};

// The family when its files are there; its model's sha256 is checked against the
// registry's record (an error naming both hashes if they differ). nullopt when absent.
std::optional<BuiltinModel> builtin_nano();

// What loco prints wherever it uses the built-in model.
inline constexpr const char* kBuiltinNotice =
    "loco-nano, the built-in tiny demonstration model (about 6M parameters): it knows only "
    "simple arithmetic word problems, very short Python functions, questions about a short "
    "passage and word definitions, and its answers are often wrong (measured: docs/nano-results.md). "
    "For real use: loco pull qwen3-4b (the standard base; it becomes the default), or -m FILE.";

}  // namespace loco::cli
