// `loco logits -m MODEL --tokens 1,2,3 -o OUT.f32`: the logits of every position as
// little-endian float32 [n_tokens][n_vocab], the format of the shared reference files.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "common_options.h"
#include "loco/error.h"
#include "loco/session.h"

namespace loco::cli {
namespace {

struct LogitsOptions {
  std::string model;
  std::string tokens;
  std::string output;
  bool one_at_a_time = false;
  EngineFlags engine;
};

int run_logits(const LogitsOptions& opt) {
  std::vector<TokenId> tokens = parse_token_list(opt.tokens);
  auto model = Model::load(opt.model);
  SessionOptions so = session_options(opt.engine, static_cast<int32_t>(tokens.size()));
  Session session(model, so);
  apply_adapters(session, opt.engine);

  std::FILE* out = std::fopen(opt.output.c_str(), "wb");
  if (out == nullptr) throw Error(opt.output + ": cannot open for writing");
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> guard(out, std::fclose);
  auto write_row = [&](std::span<const float> row) {
    if (std::fwrite(row.data(), sizeof(float), row.size(), out) != row.size()) {
      throw Error(opt.output + ": write failed");
    }
  };
  if (opt.one_at_a_time) {
    for (TokenId t : tokens) {
      session.decode_sequence(0, std::span<const TokenId>(&t, 1));
      write_row(session.logits(0));
    }
  } else {
    session.decode_sequence(0, tokens, /*all_logits=*/true);
    for (int32_t i = 0; i < session.n_logits(); ++i) write_row(session.logits(i));
  }
  if (std::fclose(guard.release()) != 0) throw Error(opt.output + ": write failed");
  fmt::print(stderr, "wrote {} x {} logits to {}\n", tokens.size(), model->config().n_vocab, opt.output);
  return 0;
}

}  // namespace

Command register_logits(CLI::App& root) {
  auto opt = std::make_shared<LogitsOptions>();
  CLI::App* app = root.add_subcommand("logits", "Write the logits of every position of a token sequence");
  app->add_option("-m,--model", opt->model, "GGUF model file")->required();
  app->add_option("--tokens", opt->tokens, "Comma-separated token ids, e.g. 1,2,3")->required();
  app->add_option("-o,--output", opt->output, "Output file: float32 [n_tokens][n_vocab]")->required();
  app->add_flag("--one-at-a-time", opt->one_at_a_time,
                "Feed tokens one by one through the KV cache instead of one batch");
  add_engine_flags(*app, opt->engine);
  return {app, [opt] { return run_logits(*opt); }};
}

}  // namespace loco::cli
