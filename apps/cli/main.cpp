// The `loco` executable: parses the command line, runs one subcommand, and is the one
// place where library errors become a one-line message and an exit code.
#include <cstdio>
#include <exception>
#include <vector>

#include "commands.h"
#include "loco/error.h"

int main(int argc, char** argv) {
  CLI::App root{"loco: local LLM assistant with task-specific LoRA adapters"};
  root.require_subcommand(1);
  root.set_version_flag("--version", "loco 0.1.0");

  std::vector<loco::cli::Command> commands = {
      loco::cli::register_info(root),
      loco::cli::register_logits(root),
      loco::cli::register_tokenize(root),
      loco::cli::register_generate(root),
      loco::cli::register_quantize(root),
      loco::cli::register_synth(root),
      loco::cli::register_bench(root),
      loco::cli::register_lora(root),
      loco::cli::register_route(root),
      loco::cli::register_router(root),
      loco::cli::register_adapters(root),
      loco::cli::register_query(root),
      loco::cli::register_chat(root),
      loco::cli::register_eval(root),
      loco::cli::register_train(root),
      loco::cli::register_data(root),
      loco::cli::register_pull(root),
      loco::cli::register_models(root),
      loco::cli::register_rm(root),
      loco::cli::register_serve(root),
  };

  try {
    root.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage error exits 2.
    return root.exit(e) == 0 ? 0 : 2;
  }
  try {
    for (const auto& command : commands) {
      if (command.app->parsed()) return command.run();
    }
  } catch (const loco::Error& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "loco: error: %s\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fflush(stdout);
    std::fprintf(stderr, "loco: error: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "loco: internal error: %s\n", e.what());
    return 70;
  }
  return 0;
}
