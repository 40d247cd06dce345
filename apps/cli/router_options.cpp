#include "router_options.h"
#include "file_hash_cache.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "loco/error.h"
#include "loco/model.h"
#include "loco/registry.h"
#include "loco/user_config.h"

namespace loco::cli {

void add_router_flags(CLI::App& app, RouterFlags& flags) {
  app.add_option("--router", flags.kind,
                 "keyword, classifier or embedding (auto: the kind saved in --model-file, "
                 "keyword without one)")
      ->check(CLI::IsMember({"auto", "keyword", "classifier", "embedding"}));
  app.add_option("--model-file", flags.model_file, "Router trained by `loco router train`");
  app.add_option("-m,--model", flags.base_model, "Base model GGUF (embedding router features)");
  app.add_option("--threshold", flags.threshold,
                 "Learned routers: probability below which the base model answers "
                 "(default: the one saved)")
      ->check(CLI::Range(0.0, 1.0));
}

AdapterKeywords installed_keywords() {
  Registry registry = Registry::load_or_empty(resolve_user_paths().registry_file());
  AdapterKeywords keywords;
  for (const std::string& domain : registry.domains()) {
    const AdapterEntry* e = registry.active_for(domain);
    if (e != nullptr && !e->router_keywords.empty()) keywords.emplace_back(e->name, e->router_keywords);
  }
  return keywords;
}

std::string bundled_router_file() {
  if (const char* env = std::getenv("LOCO_ROUTER_DATA"); env != nullptr && *env != '\0') {
    return std::string(env) + "/classifier.json";
  }
  return std::string(LOCO_ROUTER_DATA_DIR) + "/classifier.json";
}

RouterChoice choose_router(const std::string& data_dir, std::optional<RouterKind> configured,
                           const Registry& registry) {
  const std::string user_file = data_dir + "/router.json";
  if (configured) {
    const std::string kind = router_kind_name(*configured);
    if (*configured == RouterKind::Keyword) return {kind, "", "router: keyword is configured"};
    if (!std::filesystem::exists(user_file)) {
      throw Error("router: " + kind + " is configured, but " + user_file +
                  " is missing: train one with `loco router train --out " + user_file + "`");
    }
    return {kind, user_file, "router: " + kind + " is configured"};
  }
  if (std::filesystem::exists(user_file)) {
    return {router_file_kind(user_file), user_file, "a router trained into the data directory"};
  }
  const std::string bundled = bundled_router_file();
  if (std::filesystem::exists(bundled)) {
    const ClassifierRouter classifier = ClassifierRouter::load(bundled);
    const std::vector<std::string>& classes = classifier.classes();
    auto known = [&](const std::string& s) { return std::find(classes.begin(), classes.end(), s) != classes.end(); };
    bool any = false, all_known = true;
    for (const std::string& domain : registry.domains()) {
      const AdapterEntry* e = registry.active_for(domain);
      if (e == nullptr) continue;
      any = true;
      all_known = all_known && (known(domain) || known(e->name));
    }
    if (any && all_known) return {"classifier", bundled, "the bundled classifier, which knows every installed adapter"};
  }
  return {"keyword", "", "the installed adapters' keywords"};
}

std::unique_ptr<Router> make_router(const RouterFlags& given) {
  RouterFlags flags = given;
  std::string kind = flags.kind;
  if (kind == "auto" && flags.model_file.empty()) {
    // What `loco query` would use (choose_router), with the configured model and threshold.
    const UserPaths paths = resolve_user_paths();
    const SettingsLayer config = load_config(paths.config_file);
    const Settings s = merge_settings(config, SettingsLayer{});
    const RouterChoice choice =
        choose_router(paths.data_dir, config.router, Registry::load_or_empty(paths.registry_file()));
    kind = choice.kind;
    flags.model_file = choice.file;
    if (flags.base_model.empty()) flags.base_model = s.model;
    if (flags.threshold < 0 && s.router_threshold) flags.threshold = *s.router_threshold;
  } else if (kind == "auto") {
    kind = router_file_kind(flags.model_file);
  }
  if (kind == "keyword") {
    if (!flags.model_file.empty()) throw Error("the keyword router takes no --model-file");
    // The installed adapters' keywords; the LocoLLM v1 lists when none are installed.
    AdapterKeywords keywords = installed_keywords();
    return std::make_unique<KeywordRouter>(keywords.empty() ? locollm_v1_keywords() : keywords);
  }
  if (flags.model_file.empty()) throw Error("the " + kind + " router needs --model-file");
  if (kind == "classifier") {
    auto r = std::make_unique<ClassifierRouter>(ClassifierRouter::load(flags.model_file));
    if (flags.threshold >= 0) r->set_threshold(flags.threshold);
    return r;
  }
  if (kind == "embedding") {
    if (flags.base_model.empty()) throw Error("the embedding router needs the base model (-m)");
    auto r = std::make_unique<EmbeddingRouter>(
        EmbeddingRouter::load(flags.model_file, base_model_features(flags.base_model)));
    if (flags.threshold >= 0) r->set_threshold(flags.threshold);
    return r;
  }
  throw Error("unknown router kind " + kind);
}

std::string router_model_label(const std::string& gguf_path, const std::string& data_dir) {
  return "model sha256 " + cached_file_sha256(gguf_path, data_dir);
}

FeatureExtractor base_model_features(const std::string& gguf_path) {
  return hidden_state_features(Model::load(gguf_path), router_model_label(gguf_path, resolve_user_paths().data_dir));
}

}  // namespace loco::cli
