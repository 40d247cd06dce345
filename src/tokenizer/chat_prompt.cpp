#include "loco/chat_prompt.h"

#include "loco/error.h"

namespace loco {

ChatFormat resolve_chat_format(const GgufFile& file, const std::string& override_name) {
  if (!override_name.empty()) {
    if (auto format = chat_format_from_name(override_name)) return *format;
    throw Error(unknown_chat_template_message("--template '" + override_name + "' is unknown"));
  }
  auto jinja = file.optional_string("tokenizer.chat_template");
  if (!jinja) {
    throw Error(unknown_chat_template_message(file.path() + " has no chat template"));
  }
  if (auto format = detect_chat_format(*jinja)) return *format;
  throw Error(unknown_chat_template_message(file.path() + ": the chat template is not recognised"));
}

std::vector<TokenId> tokenize_chat(const Tokenizer& tokenizer, ChatFormat format,
                                   std::span<const ChatMessage> messages, ChatOptions options) {
  // Use the vocabulary's own BOS/EOS texts when the template writes them.
  if (options.bos_text.empty()) {
    if (auto bos = tokenizer.bos()) options.bos_text = std::string(tokenizer.token_text(*bos));
  }
  if (options.eos_text.empty() && (format == ChatFormat::Llama2 || format == ChatFormat::Zephyr)) {
    if (auto eos = tokenizer.eos()) options.eos_text = std::string(tokenizer.token_text(*eos));
  }
  const std::string text = render_chat(format, messages, options);
  return tokenizer.encode(text, /*add_bos=*/false, /*parse_special=*/true);
}

}  // namespace loco
