// `loco tokenize -m MODEL TEXT`: the token ids of a text, space-separated on one line.
#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "commands.h"
#include "text_file.h"
#include "loco/error.h"
#include "loco/gguf.h"
#include "loco/tokenizer.h"

namespace loco::cli {
namespace {

struct TokenizeOptions {
  std::string model;
  std::string text;
  std::string file;
  bool special = false;
  bool no_bos = false;
  bool show_pieces = false;
  CLI::Option* text_option = nullptr;  // given, even as "" (an empty text is a text)
};

int run_tokenize(const TokenizeOptions& opt) {
  const bool has_text = opt.text_option != nullptr && opt.text_option->count() > 0;
  if (has_text == !opt.file.empty()) {
    throw Error(has_text ? "give the text either as an argument or with --file, not both"
                         : "no text given: pass it as an argument or with --file");
  }
  const std::string text = opt.file.empty() ? opt.text : read_text_file(opt.file);
  GgufFile file = GgufFile::open(opt.model);
  Tokenizer tokenizer = Tokenizer::from_gguf(file);
  const bool add_bos = !opt.no_bos && tokenizer.add_bos_by_default();
  std::vector<TokenId> ids = tokenizer.encode(text, add_bos, opt.special);
  std::string line;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) line += ' ';
    line += std::to_string(ids[i]);
  }
  fmt::print("{}\n", line);
  if (opt.show_pieces) {
    for (TokenId id : ids) fmt::print(stderr, "{:>7} {:?}\n", id, tokenizer.token_bytes(id));
  }
  return 0;
}

}  // namespace

Command register_tokenize(CLI::App& root) {
  auto opt = std::make_shared<TokenizeOptions>();
  CLI::App* app = root.add_subcommand("tokenize", "Print the token ids of a text");
  app->add_option("-m,--model", opt->model, "GGUF model (or vocabulary) file")->required();
  opt->text_option = app->add_option("text", opt->text, "Text to tokenize");
  app->add_option("--file", opt->file, "Read the text from this file");
  app->add_flag("--special", opt->special, "Parse special tokens such as <|im_start|> in the text");
  app->add_flag("--no-bos", opt->no_bos, "Do not add the BOS token even if the model wants one");
  app->add_flag("--pieces", opt->show_pieces, "Also list each token's bytes on stderr");
  return {app, [opt] { return run_tokenize(*opt); }};
}

}  // namespace loco::cli
