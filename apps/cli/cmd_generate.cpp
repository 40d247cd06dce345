// `loco generate -m MODEL -p TEXT`: streams a continuation of the prompt (or, with --chat,
// the model's reply to it as a user message).
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "commands.h"
#include "text_file.h"
#include "common_options.h"
#include "loco/chat_prompt.h"
#include "loco/error.h"
#include "loco/generate.h"
#include "loco/tokenizer.h"
#include "sampling_flags.h"

namespace loco::cli {
namespace {

struct GenerateFlags {
  std::string model;
  std::string prompt;
  std::string prompt_file;
  int32_t n_predict = 256;
  bool chat = false;
  std::string system;
  std::string template_name;
  bool think = false;
  bool stats = false;
  EngineFlags engine;
  SamplingFlags sampling;
};

int run_generate(const GenerateFlags& opt) {
  if (opt.prompt.empty() == opt.prompt_file.empty()) {
    throw Error("give the prompt with -p or --file (one of them)");
  }
  const std::string prompt_text = opt.prompt_file.empty() ? opt.prompt : read_text_file(opt.prompt_file);
  auto model = Model::load(opt.model);
  Tokenizer tokenizer = Tokenizer::from_gguf(model->file());

  std::vector<TokenId> prompt;
  if (opt.chat || !opt.system.empty() || !opt.template_name.empty()) {
    ChatFormat format = resolve_chat_format(model->file(), opt.template_name);
    std::vector<ChatMessage> messages;
    if (!opt.system.empty()) messages.push_back({"system", opt.system});
    messages.push_back({"user", prompt_text});
    ChatOptions co;
    co.enable_thinking = opt.think;
    prompt = tokenize_chat(tokenizer, format, messages, co);
  } else {
    prompt = tokenizer.encode(prompt_text, tokenizer.add_bos_by_default(), /*parse_special=*/false);
  }
  if (prompt.empty()) throw Error("the prompt has no tokens");

  Session session(model, session_options(opt.engine, std::min<int32_t>(
                                                         static_cast<int32_t>(prompt.size()) + opt.n_predict,
                                                         model->config().n_ctx_train)));
  apply_adapters(session, opt.engine);
  GenerateOptions go;
  go.max_tokens = opt.n_predict;
  go.sampling = sampler_config(opt.sampling);

  if (!opt.chat) {
    fmt::print("{}", prompt_text);
    std::fflush(stdout);
  }
  GenerateResult r = generate(session, tokenizer, prompt, go, [](std::string_view piece) {
    std::fwrite(piece.data(), 1, piece.size(), stdout);
    std::fflush(stdout);
    return true;
  });
  fmt::print("\n");
  if (opt.stats) {
    fmt::print(stderr,
               "prompt: {} tokens in {:.2f} s ({:.1f} tokens/s); generated: {} tokens in {:.2f} s "
               "({:.1f} tokens/s); stop: {}; seed: {}\n",
               r.n_prompt, r.prompt_seconds, r.n_prompt / std::max(r.prompt_seconds, 1e-9),
               r.tokens.size(), r.generate_seconds,
               static_cast<double>(r.tokens.size()) / std::max(r.generate_seconds, 1e-9),
               stop_reason_name(r.stop), go.sampling.seed);
  }
  return 0;
}

}  // namespace

Command register_generate(CLI::App& root) {
  auto opt = std::make_shared<GenerateFlags>();
  CLI::App* app = root.add_subcommand("generate", "Generate text from a prompt, streaming it");
  app->add_option("-m,--model", opt->model, "GGUF model file")->required();
  app->add_option("-p,--prompt", opt->prompt, "Prompt text");
  app->add_option("--file", opt->prompt_file, "Read the prompt from this file");
  app->add_option("-n,--n-predict", opt->n_predict, "Most tokens to generate")
      ->capture_default_str()->check(CLI::Range(1, 1 << 20));
  app->add_flag("--chat", opt->chat, "Treat the prompt as a user message in the model's chat format");
  app->add_option("--system", opt->system, "System message (implies --chat)");
  app->add_option("--template", opt->template_name,
                  "Chat format instead of the embedded one: chatml, qwen2.5, qwen3, llama3, "
                  "llama3.1, llama2, zephyr");
  app->add_flag("--think", opt->think, "Let Qwen3 think before answering (off by default)");
  app->add_flag("--stats", opt->stats, "Print timing and token counts on stderr");
  add_engine_flags(*app, opt->engine);
  add_sampling_flags(*app, opt->sampling);
  return {app, [opt] { return run_generate(*opt); }};
}

}  // namespace loco::cli
