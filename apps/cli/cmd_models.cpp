// `loco models`: the models `loco pull` installed; `loco rm NAME`: removes one (or an
// adapter, through the registry's own removal).
#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "adapter_install.h"
#include "commands.h"
#include "loco/catalogue.h"
#include "loco/error.h"
#include "loco/model_store.h"
#include "loco/progress_bar.h"
#include "loco/registry.h"
#include "loco/user_config.h"

namespace loco::cli {

namespace {

namespace fs = std::filesystem;

struct ModelsOptions {
  std::string config_file;
  std::string data_dir;
  std::string name;
  bool json = false;
  bool available = false;
};

// `loco models --available`: what `loco pull NAME` can fetch, and what of it is installed.
int run_available(const ModelsOptions& opt) {
  const Catalogue cat = load_catalogue(default_catalogue_path());
  const ModelStore store = ModelStore::load(resolve_user_paths(opt.config_file, opt.data_dir).data_dir);
  for (const CatalogueModel& m : cat.models) {
    const InstalledModel* have = store.find(m.name);
    std::string names = m.name;
    for (const std::string& a : m.aliases) names += ", " + a;
    fmt::print("{}{}\n    {}  size {}  sha256 {}\n", names, have != nullptr ? "  (installed)" : "", m.file.name,
               m.file.size ? format_bytes(*m.file.size) : "unknown",
               m.file.sha256.empty() ? "unknown (trust on first use)" : m.file.sha256);
    if (!m.description.empty()) fmt::print("    {}\n", m.description);
  }
  fmt::print("from {}\n", cat.origin);
  return 0;
}

int run_models(const ModelsOptions& opt) {
  if (opt.available) return run_available(opt);
  const UserPaths paths = resolve_user_paths(opt.config_file, opt.data_dir);
  const ModelStore store = ModelStore::load(paths.data_dir);
  const Settings settings = merge_settings(load_config(paths.config_file), {});
  if (opt.json) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const InstalledModel& m : store.models()) {
      const std::string path = store.path_of(m);
      list.push_back({{"name", m.name}, {"path", path}, {"size", m.size}, {"sha256", m.sha256},
                      {"verified", m.verified}, {"default", settings.model == path}, {"present", fs::exists(path)},
                      {"url", m.url}, {"pulled_at", m.pulled_at}});
    }
    fmt::print("{}\n", nlohmann::ordered_json{{"models", list}, {"default", settings.model}}.dump(2));
    return 0;
  }
  if (store.models().empty()) {
    fmt::print("no models installed in {} (loco pull qwen3-4b installs the standard base)\n", store.dir());
    return 0;
  }
  std::vector<std::array<std::string, 5>> rows = {{"NAME", "SIZE", "SHA256", "VERIFIED", "FILE"}};
  for (const InstalledModel& m : store.models()) {
    const std::string path = store.path_of(m);
    std::string file = m.file;
    if (settings.model == path) file += " (default)";
    if (!fs::exists(path)) file += " (missing)";
    rows.push_back({m.name, format_bytes(m.size), m.sha256.substr(0, 16), m.verified ? "yes" : "no (first use)", file});
  }
  std::array<size_t, 5> width{};
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) line += c + 1 < row.size() ? fmt::format("{:<{}}  ", row[c], width[c]) : row[c];
    fmt::print("{}\n", line);
  }
  fmt::print("in {}\n", store.dir());
  return 0;
}

int run_rm(const ModelsOptions& opt) {
  const UserPaths paths = resolve_user_paths(opt.config_file, opt.data_dir);
  ModelStore store = ModelStore::load(paths.data_dir);
  const InstalledModel* m = store.find(opt.name);
  const Registry reg = Registry::load_or_empty(paths.registry_file());
  const bool is_adapter = reg.find(opt.name) != nullptr;
  if (m != nullptr && is_adapter) {
    throw Error("'" + opt.name + "' names both a model and an adapter: use loco adapters remove " + opt.name +
                " for the adapter");
  }
  if (m == nullptr) {
    if (is_adapter) return remove_adapter({opt.config_file, opt.data_dir, "", ""}, opt.name);
    throw Error("no model or adapter named '" + opt.name + "' (loco models and loco adapters list show them)");
  }
  const std::string path = store.path_of(*m);
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) throw Error("cannot delete " + path + ": " + ec.message());
  fs::remove(path + ".part", ec);
  store.erase(opt.name);
  store.save();
  fmt::print("removed {} ({})\n", opt.name, path);
  if (clear_default_model(paths.config_file, path)) {
    fmt::print("it was the default model: {} no longer names one (loco uses the built-in loco-nano until you pull "
               "or set another)\n",
               paths.config_file);
  }
  return 0;
}

void add_location(CLI::App* app, ModelsOptions& opt) {
  app->add_option("--config", opt.config_file, "Config file (default: <config dir>/config.yaml)");
  app->add_option("--data-dir", opt.data_dir, "Data directory (default: $LOCO_DATA_DIR, $XDG_DATA_HOME/loco)");
}

}  // namespace

Command register_models(CLI::App& root) {
  auto opt = std::make_shared<ModelsOptions>();
  CLI::App* app = root.add_subcommand("models", "List the models loco pull installed: size, sha256, default");
  add_location(app, *opt);
  app->add_flag("--json", opt->json, "Print JSON");
  app->add_flag("--available", opt->available, "List the catalogue: what loco pull NAME can fetch");
  return {app, [opt] { return run_models(*opt); }};
}

Command register_rm(CLI::App& root) {
  auto opt = std::make_shared<ModelsOptions>();
  CLI::App* app = root.add_subcommand("rm", "Remove an installed model (its file) or a registered adapter");
  add_location(app, *opt);
  app->add_option("name", opt->name, "Model or adapter name")->required();
  return {app, [opt] { return run_rm(*opt); }};
}

}  // namespace loco::cli
