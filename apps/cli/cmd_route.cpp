// `loco route QUERY`: every candidate's score under the chosen router, the decision and why.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "loco/router.h"
#include "router_options.h"

namespace loco::cli {
namespace {

struct RouteOptions {
  std::string query;
  RouterFlags router;
  bool json = false;
};

int run_route(const RouteOptions& opt) {
  std::unique_ptr<Router> router = make_router(opt.router);
  const RouteDecision d = router->route(opt.query);
  // With no adapter installed `loco query` answers with the base model whatever the
  // v1 keyword lists shown here say.
  const std::string note = router->kind() == "keyword" && installed_keywords().empty()
                               ? "no adapters are installed, so `loco query` answers with the base model; "
                                 "these are the LocoLLM v1 keyword lists"
                               : "";
  if (opt.json) {
    nlohmann::json j;
    j["router"] = router->kind();
    j["query"] = opt.query;
    j["adapter"] = d.adapter.empty() ? nlohmann::json() : nlohmann::json(d.adapter);
    j["label"] = decision_label(d);
    j["confidence"] = d.confidence;
    j["explanation"] = d.explanation;
    if (!note.empty()) j["note"] = note;
    j["scores"] = nlohmann::json::array();
    for (const RouteScore& s : d.scores) {
      j["scores"].push_back({{"adapter", s.adapter}, {"score", s.score}, {"why", s.why}});
    }
    fmt::print("{}\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return 0;
  }
  const bool keyword = router->kind() == "keyword";
  fmt::print("router: {}{}\n", router->kind(),
             opt.router.model_file.empty() ? "" : " (" + opt.router.model_file + ")");
  fmt::print("  {:<12} {:>8}  {}\n", "adapter", keyword ? "keywords" : "p", "why");
  for (const RouteScore& s : d.scores) {
    fmt::print("  {:<12} {:>8}  {}\n", s.adapter,
               keyword ? fmt::format("{}", s.score) : fmt::format("{:.3f}", s.score), s.why);
  }
  fmt::print("decision: {} (confidence {:.2f})\n",
             d.adapter.empty() ? std::string("base model") : d.adapter, d.confidence);
  fmt::print("why: {}\n", d.explanation);
  if (!note.empty()) fmt::print("note: {}\n", note);
  return 0;
}

}  // namespace

Command register_route(CLI::App& root) {
  auto opt = std::make_shared<RouteOptions>();
  CLI::App* app =
      root.add_subcommand("route", "Show which adapter a router picks for a query, and why");
  app->add_option("query", opt->query, "The query")->required();
  add_router_flags(*app, opt->router);
  app->add_flag("--json", opt->json, "Print the decision as one JSON object");
  return {app, [opt] { return run_route(*opt); }};
}

}  // namespace loco::cli
