// Flags shared by `loco route` and `loco router eval`: which router, from which file, and
// the glue that builds it (v1 keyword lists built in until the registry supplies them; the
// v3 features from the base model file).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "loco/router.h"
#include "loco/registry.h"
#include "loco/router_learned.h"
#include "loco/user_config.h"

namespace loco::cli {

struct RouterFlags {
  std::string kind = "auto";  // auto: the kind the --model-file declares, keyword without one
  std::string model_file;     // saved classifier or embedding router
  std::string base_model;     // GGUF file whose features the embedding router reads
  double threshold = -1;      // < 0: the threshold saved with the router
};

void add_router_flags(CLI::App& app, RouterFlags& flags);
// The router `loco query` uses unless flags say otherwise: kind "auto" without a
// --model-file follows config.yaml (`router`, `router_threshold`, `model`) and
// <data dir>/router.json, as make_assistant does.
std::unique_ptr<Router> make_router(const RouterFlags& flags);
// The router keywords of the registry's active adapters (empty when none are installed).
AdapterKeywords installed_keywords();

// Which router loco uses: the kind config.yaml (or --router) names; else a router trained
// into <data dir>/router.json; else the bundled classifier (data/router/classifier.json,
// $LOCO_ROUTER_DATA overrides the directory) when every active adapter is one of its
// classes (by name or domain); else the keywords of the installed adapters.
struct RouterChoice {
  std::string kind;  // "keyword", "classifier" or "embedding"
  std::string file;  // the saved router, empty for keyword
  std::string why;   // in words, for `loco route`
};
RouterChoice choose_router(const std::string& data_dir, std::optional<RouterKind> configured,
                           const Registry& registry);
std::string bundled_router_file();

// v3 features from a base model file (its mean final hidden state, labelled by its sha256).
FeatureExtractor base_model_features(const std::string& gguf_path);
// How a v3 router names the base model it was trained on: its sha256, so a renamed copy
// still loads the router and another model under the same name does not.
std::string router_model_label(const std::string& gguf_path, const std::string& data_dir);

}  // namespace loco::cli
