// Each `loco` subcommand lives in its own file and registers itself on the root app.
// Registration returns the action to run when the subcommand was chosen.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

namespace loco::cli {

using Action = std::function<int()>;

struct Command {
  CLI::App* app;
  Action run;
};

Command register_info(CLI::App& root);
Command register_logits(CLI::App& root);
Command register_tokenize(CLI::App& root);
Command register_generate(CLI::App& root);
Command register_quantize(CLI::App& root);
Command register_synth(CLI::App& root);
Command register_bench(CLI::App& root);
Command register_lora(CLI::App& root);
Command register_route(CLI::App& root);
Command register_router(CLI::App& root);
Command register_adapters(CLI::App& root);
Command register_query(CLI::App& root);
Command register_chat(CLI::App& root);
Command register_eval(CLI::App& root);
Command register_train(CLI::App& root);
Command register_data(CLI::App& root);
Command register_pull(CLI::App& root);
Command register_models(CLI::App& root);
Command register_rm(CLI::App& root);
Command register_serve(CLI::App& root);

}  // namespace loco::cli
