// Where loco keeps the user's files, and the user's default settings.
//
// Directories follow the XDG base directory spec, each overridable for tests and scripts:
//   config: $LOCO_CONFIG_DIR, else $XDG_CONFIG_HOME/loco, else ~/.config/loco
//   data:   $LOCO_DATA_DIR,   else $XDG_DATA_HOME/loco,   else ~/.local/share/loco
// The adapter registry is <data>/adapters/registry.yaml; copied adapters live in
// <data>/adapters/<name>/. Settings come from <config>/config.yaml; command-line flags
// override them and they override the built-in defaults.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace loco {

struct UserPaths {
  std::string config_dir;
  std::string data_dir;
  std::string config_file;  // <config_dir>/config.yaml unless given

  std::string adapters_dir() const;   // <data_dir>/adapters
  std::string registry_file() const;  // <data_dir>/adapters/registry.yaml
};

// Reads an environment variable (std::getenv by default; tests pass their own).
using EnvLookup = std::function<const char*(const char*)>;

// `config_file` and `data_dir` are the --config / --data-dir flags (empty: not given).
// Throws Error if no directory can be found (no HOME and no overriding variable).
UserPaths resolve_user_paths(const std::string& config_file = "", const std::string& data_dir = "",
                             const EnvLookup& env = {});

enum class RouterKind { Keyword, Classifier, Embedding };
const char* router_kind_name(RouterKind kind);  // "keyword", "classifier", "embedding"
std::optional<RouterKind> parse_router_kind(const std::string& name);

// The settings a user can choose, with loco's built-in defaults.
struct Settings {
  std::string model;        // GGUF of the base model ("" : none chosen)
  bool reread = true;       // RE2: the question is repeated in the prompt
  int votes = 1;            // self-consistency: answers sampled and voted on
  float vote_temperature = 0.7f;
  float temperature = 0.7f;
  int threads = 0;          // 0: one per physical core
  int ctx = 4096;
  RouterKind router = RouterKind::Keyword;
  std::optional<float> router_threshold;  // unset: the router's own default
};

// One source of settings (the config file, or the command line): what it sets.
struct SettingsLayer {
  std::optional<std::string> model;
  std::optional<bool> reread;
  std::optional<int> votes;
  std::optional<float> vote_temperature;
  std::optional<float> temperature;
  std::optional<int> threads;
  std::optional<int> ctx;
  std::optional<RouterKind> router;
  std::optional<float> router_threshold;
};

// Reads a config file; a missing file sets nothing. A relative `model` is taken relative
// to the file's directory and "~/" to $HOME. Unknown keys and bad values are FormatErrors
// naming the file and the key.
SettingsLayer load_config(const std::string& path, const EnvLookup& env = {});
SettingsLayer parse_config(const std::string& text, const std::string& path, const EnvLookup& env = {});

// Built-in defaults, overridden by `config`, overridden by `flags`.
Settings merge_settings(const SettingsLayer& config, const SettingsLayer& flags);

}  // namespace loco
