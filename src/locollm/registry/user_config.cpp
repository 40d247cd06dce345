// XDG directory resolution and the user's config.yaml.
#include "loco/user_config.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "loco/error.h"
#include "locollm/registry/yaml_util.h"

namespace loco {

namespace fs = std::filesystem;

namespace {

const char* lookup(const EnvLookup& env, const char* name) {
  const char* value = env ? env(name) : std::getenv(name);
  return (value && *value) ? value : nullptr;
}

// $<loco_var>, else $<xdg_var>/loco (the spec ignores relative XDG paths), else ~/<fallback>.
std::string user_dir(const EnvLookup& env, const char* loco_var, const char* xdg_var,
                     const char* fallback) {
  if (const char* dir = lookup(env, loco_var)) return dir;
  if (const char* xdg = lookup(env, xdg_var); xdg && fs::path(xdg).is_absolute()) {
    return (fs::path(xdg) / "loco").string();
  }
  const char* home = lookup(env, "HOME");
  if (!home) {
    throw Error(std::string("cannot find the loco ") + (fallback[1] == 'c' ? "config" : "data") +
                " directory: set " + loco_var + " or HOME");
  }
  return (fs::path(home) / fallback / "loco").string();
}

struct ConfigReader {
  const std::string& file;

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw FormatError(file + ": " + key + " " + what);
  }

  std::string text(const YAML::Node& node, const std::string& key) const {
    auto value = yaml::scalar_text(node);
    if (!value) fail(key, "must be a single value");
    return *value;
  }

  int integer(const YAML::Node& node, const std::string& key, int lo, int hi) const {
    auto value = yaml::to_int(text(node, key));
    if (!value || *value < lo || *value > hi) {
      fail(key, "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
    }
    return static_cast<int>(*value);
  }

  float number(const YAML::Node& node, const std::string& key, double lo, double hi) const {
    auto value = yaml::to_double(text(node, key));
    if (!value || *value < lo || *value > hi) {
      fail(key, "must be a number from " + yaml_number(lo) + " to " + yaml_number(hi));
    }
    return static_cast<float>(*value);
  }

  static std::string yaml_number(double v) {
    std::string s = std::to_string(v);
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
    return s;
  }
};

}  // namespace

std::string UserPaths::adapters_dir() const { return (fs::path(data_dir) / "adapters").string(); }

std::string UserPaths::registry_file() const {
  return (fs::path(data_dir) / "adapters" / "registry.yaml").string();
}

UserPaths resolve_user_paths(const std::string& config_file, const std::string& data_dir,
                             const EnvLookup& env) {
  UserPaths paths;
  if (!config_file.empty()) {
    paths.config_file = config_file;
    const fs::path parent = fs::path(config_file).parent_path();
    paths.config_dir = parent.empty() ? "." : parent.string();
  } else {
    paths.config_dir = user_dir(env, "LOCO_CONFIG_DIR", "XDG_CONFIG_HOME", ".config");
    paths.config_file = (fs::path(paths.config_dir) / "config.yaml").string();
  }
  paths.data_dir = !data_dir.empty() ? data_dir
                                     : user_dir(env, "LOCO_DATA_DIR", "XDG_DATA_HOME", ".local/share");
  return paths;
}

const char* router_kind_name(RouterKind kind) {
  switch (kind) {
    case RouterKind::Keyword: return "keyword";
    case RouterKind::Classifier: return "classifier";
    case RouterKind::Embedding: return "embedding";
  }
  return "keyword";
}

std::optional<RouterKind> parse_router_kind(const std::string& name) {
  for (RouterKind kind : {RouterKind::Keyword, RouterKind::Classifier, RouterKind::Embedding}) {
    if (name == router_kind_name(kind)) return kind;
  }
  return std::nullopt;
}

SettingsLayer parse_config(const std::string& text, const std::string& path, const EnvLookup& env) {
  SettingsLayer layer;
  const YAML::Node root = yaml::parse(text, path);
  if (root.IsNull()) return layer;
  if (!root.IsMap()) throw FormatError(path + ": must be a mapping of setting names to values");
  ConfigReader r{path};
  std::set<std::string> seen;
  for (const auto& kv : root) {
    auto key_text = yaml::scalar_text(kv.first);
    if (!key_text) throw FormatError(path + ": has a key that is not a string");
    const std::string& key = *key_text;
    if (!seen.insert(key).second) r.fail(key, "is given twice");
    const YAML::Node& value = kv.second;
    if (value.IsNull()) continue;
    if (key == "model") {
      std::string model = r.text(value, key);
      const char* home = lookup(env, "HOME");
      if (model.rfind("~/", 0) == 0 && home) {
        model = (fs::path(home) / model.substr(2)).string();
      } else if (!model.empty() && fs::path(model).is_relative()) {
        model = (fs::path(path).parent_path() / model).lexically_normal().string();
      }
      layer.model = model;
    } else if (key == "reread") {
      auto b = yaml::to_bool(r.text(value, key));
      if (!b) r.fail(key, "must be true or false");
      layer.reread = *b;
    } else if (key == "votes") {
      layer.votes = r.integer(value, key, 1, 64);  // as --votes
    } else if (key == "vote_temperature") {
      layer.vote_temperature = r.number(value, key, 0.0, 5.0);  // as --vote-temperature
    } else if (key == "temperature") {
      layer.temperature = r.number(value, key, 0.0, 10.0);
    } else if (key == "threads") {
      layer.threads = r.integer(value, key, 0, 1024);
    } else if (key == "ctx") {
      layer.ctx = r.integer(value, key, 16, 1 << 20);
    } else if (key == "router") {
      auto kind = parse_router_kind(r.text(value, key));
      if (!kind) r.fail(key, "must be keyword, classifier or embedding");
      layer.router = *kind;
    } else if (key == "router_threshold") {
      layer.router_threshold = r.number(value, key, -1e6, 1e6);
    } else {
      r.fail("'" + key + "'", "is not a setting (known: model, reread, votes, vote_temperature, "
                              "temperature, threads, ctx, router, router_threshold)");
    }
  }
  return layer;
}

SettingsLayer load_config(const std::string& path, const EnvLookup& env) {
  std::optional<std::string> text = yaml::read_file(path);
  if (!text) return {};
  return parse_config(*text, path, env);
}

Settings merge_settings(const SettingsLayer& config, const SettingsLayer& flags) {
  Settings s;
  auto apply = [](const SettingsLayer& layer, Settings& out) {
    if (layer.model) out.model = *layer.model;
    if (layer.reread) out.reread = *layer.reread;
    if (layer.votes) out.votes = *layer.votes;
    if (layer.vote_temperature) out.vote_temperature = *layer.vote_temperature;
    if (layer.temperature) out.temperature = *layer.temperature;
    if (layer.threads) out.threads = *layer.threads;
    if (layer.ctx) out.ctx = *layer.ctx;
    if (layer.router) out.router = *layer.router;
    if (layer.router_threshold) out.router_threshold = *layer.router_threshold;
  };
  apply(config, s);
  apply(flags, s);
  return s;
}

}  // namespace loco
