// `loco query "..."`: one question through the LocoLLM pipeline, streamed, with who
// answered, the votes and the confidence after it (or all of it as JSON).
#include <fmt/format.h>

#include <cstdio>

#include "answer_report.h"
#include "assistant_setup.h"
#include "builtin_model.h"
#include "commands.h"

namespace loco::cli {
namespace {

struct QueryFlags {
  std::string question;
  bool json = false;
  AssistantFlags assistant;
};

int run_query(const QueryFlags& opt) {
  AssistantSetup setup = make_assistant(opt.assistant);
  const bool streaming = !opt.json && setup.query.votes == 1 && setup.query.ensemble.empty();
  if (!opt.json && !streaming) {
    fmt::print(stderr, "sampling {} answers...\n", std::max<size_t>(setup.query.votes, setup.query.ensemble.size()));
  }
  QueryResult r = setup.assistant->ask(opt.question, setup.query, streaming ? AnswerStream([](std::string_view piece) {
    std::fwrite(piece.data(), 1, piece.size(), stdout);
    std::fflush(stdout);
    return true;
  }) : AnswerStream());
  if (opt.json) {
    nlohmann::json j = answer_json(r);
    j["model"] = {{"path", setup.model_path}, {"builtin", setup.builtin}};
    if (setup.builtin) j["model"]["note"] = kBuiltinNotice;
    // Model text may hold invalid UTF-8 (byte-level tokens); replace it rather than fail.
    fmt::print("{}\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return 0;
  }
  if (!streaming) fmt::print("{}", r.text);
  fmt::print("\n\n{}", answer_footer(r));
  if (setup.builtin) fmt::print("-- model: {}\n", kBuiltinNotice);
  return 0;
}

}  // namespace

Command register_query(CLI::App& root) {
  auto opt = std::make_shared<QueryFlags>();
  CLI::App* app = root.add_subcommand("query", "Answer one question with the right adapter, RE2 and optional voting");
  app->add_option("question", opt->question, "The question")->required();
  app->add_flag("--json", opt->json, "Print the answer, router scores, votes and confidence as one JSON object");
  add_assistant_flags(*app, opt->assistant);
  return {app, [opt] { return run_query(*opt); }};
}

}  // namespace loco::cli
