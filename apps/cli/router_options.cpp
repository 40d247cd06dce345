#include "router_options.h"
#include "file_hash_cache.h"

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

std::unique_ptr<Router> make_router(const RouterFlags& given) {
  RouterFlags flags = given;
  std::string kind = flags.kind;
  if (kind == "auto" && flags.model_file.empty()) {
    // What `loco query` would use: config.yaml's `router` (keyword unless set), a learned
    // one from <data dir>/router.json and the configured model.
    const UserPaths paths = resolve_user_paths();
    const Settings s = merge_settings(load_config(paths.config_file), SettingsLayer{});
    kind = router_kind_name(s.router);
    if (kind != "keyword") flags.model_file = paths.data_dir + "/router.json";
    if (flags.base_model.empty()) flags.base_model = s.model;
    if (flags.threshold < 0 && s.router_threshold) flags.threshold = *s.router_threshold;
    if (kind != "keyword" && !std::filesystem::exists(flags.model_file)) {
      throw Error("config.yaml sets router: " + kind + ", but " + flags.model_file +
                  " is missing: train one with `loco router train --out " + flags.model_file + "`");
    }
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
