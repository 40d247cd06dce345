// What the `loco eval` subcommands share: finding a set by name, the progress display,
// and the machine description recorded with every result.
#pragma once

#include <optional>
#include <string>

#include "loco/eval/eval_set.h"
#include "loco/eval/runner.h"
#include "loco/registry.h"

namespace loco::cli {

// SET is a bundled set name, an adapter's registered eval set, or a JSONL file. A registry
// entry with `eval_private: true` makes its set private.
eval::EvalSet resolve_eval_set(const std::string& name, const Registry* registry);

// The registry the user's flags point at (empty when there is none).
Registry load_registry_for_eval(const std::string& registry_file, const std::string& config_file,
                                const std::string& data_dir);

// A progress bar with ETA and running score on a terminal; a plain line every tenth
// otherwise. Writes to stderr.
class EvalProgress {
 public:
  explicit EvalProgress(std::string label);
  void update(const eval::Progress& p);
  void finish();

 private:
  std::string label_;
  bool tty_;
  size_t last_tenth_ = 0;
  bool drawn_ = false;
};

std::string cpu_model_name();

}  // namespace loco::cli
