#include "builtin_model.h"

#include <cstdlib>
#include <filesystem>

#include "loco/error.h"
#include "loco/registry.h"
#include "loco/sha256.h"

namespace loco::cli {

std::optional<BuiltinModel> builtin_nano() {
  std::string dir = LOCO_NANO_DIR;
  if (const char* env = std::getenv("LOCO_NANO_DIR"); env != nullptr && *env != '\0') dir = env;
  BuiltinModel m{dir, dir + "/loco-nano.gguf", dir + "/registry.yaml", dir + "/router-classifier.json"};
  if (!std::filesystem::exists(m.model) || !std::filesystem::exists(m.registry)) return std::nullopt;
  const Registry registry = Registry::load(m.registry);
  const std::string recorded = registry.base_model ? registry.base_model->sha256 : std::string();
  if (recorded.empty()) throw Error(m.registry + ": the built-in model's sha256 is not recorded (base_model.sha256)");
  const std::string actual = sha256_file(m.model);
  if (actual != recorded) {
    throw Error(m.model + " has sha256 " + actual + ", but " + m.registry + " records " + recorded +
                ": rebuild it with scripts/train-nano.sh");
  }
  return m;
}

}  // namespace loco::cli
