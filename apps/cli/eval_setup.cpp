#include "eval_setup.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "loco/error.h"
#include "loco/user_config.h"

namespace loco::cli {

eval::EvalSet resolve_eval_set(const std::string& name, const Registry* registry) {
  if (name.empty()) throw Error("no set given (--set NAME)");
  if (auto path = eval::bundled_set_path(name)) {
    if (!std::filesystem::exists(*path)) {
      throw Error(fmt::format("the bundled set '{}' is missing at {} (set LOCO_EVAL_DATA to its directory)", name, *path));
    }
    return eval::load_eval_set(*path, name);
  }
  if (registry != nullptr) {
    if (const AdapterEntry* e = registry->find(name)) {
      if (e->eval_dataset.empty()) throw Error("adapter '" + name + "' has no eval_dataset in " + registry->file());
      eval::EvalSet set = eval::load_eval_set(registry->resolve_eval_dataset(*e), name);
      for (const YamlField& f : e->extra) {
        if (f.key == "eval_private" && (f.yaml == "true" || f.yaml == "yes")) set.is_private = true;
      }
      return set;
    }
  }
  if (std::filesystem::is_regular_file(name)) return eval::load_eval_set(name, name);
  std::string bundled;
  for (const std::string& b : eval::bundled_set_names()) bundled += (bundled.empty() ? "" : ", ") + b;
  throw Error(fmt::format("no set '{}': not a bundled set ({}), an adapter in the registry, or a file", name, bundled));
}

Registry load_registry_for_eval(const std::string& registry_file, const std::string& config_file,
                                const std::string& data_dir) {
  if (!registry_file.empty()) return Registry::load(registry_file);
  const UserPaths paths = resolve_user_paths(config_file, data_dir);
  return Registry::load_or_empty(paths.registry_file());
}

EvalProgress::EvalProgress(std::string label) : label_(std::move(label)), tty_(isatty(2) != 0) {}

void EvalProgress::update(const eval::Progress& p) {
  if (p.total == 0) return;
  const double score = p.done > 0 ? 100.0 * static_cast<double>(p.correct) / static_cast<double>(p.done) : 0.0;
  const size_t fresh = p.done - p.cached;
  std::string eta = "";
  if (fresh > 0 && p.done < p.total) {
    const double per_item = p.seconds / static_cast<double>(fresh);
    const auto left = static_cast<long>(per_item * static_cast<double>(p.total - p.done));
    eta = fmt::format(" · ETA {}m{:02}s", left / 60, left % 60);
  }
  const std::string cached = p.cached > 0 ? fmt::format(" ({} cached)", p.cached) : "";
  if (tty_) {
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(kWidth * p.done / p.total);
    std::fprintf(stderr, "\r\033[K%s [%s%s] %zu/%zu%s · %.1f%% correct%s", label_.c_str(),
                 std::string(static_cast<size_t>(filled), '#').c_str(),
                 std::string(static_cast<size_t>(kWidth - filled), '.').c_str(), p.done, p.total, cached.c_str(), score,
                 eta.c_str());
    drawn_ = true;
  } else {
    const size_t tenth = 10 * p.done / p.total;
    if (tenth == last_tenth_ && p.done < p.total) return;
    last_tenth_ = tenth;
    std::fprintf(stderr, "%s: %zu/%zu items%s, %.1f%% correct%s\n", label_.c_str(), p.done, p.total, cached.c_str(),
                 score, eta.c_str());
  }
  std::fflush(stderr);
}

void EvalProgress::finish() {
  if (tty_ && drawn_) std::fprintf(stderr, "\n");
  drawn_ = false;
}

std::string cpu_model_name() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown CPU";
}

}  // namespace loco::cli
