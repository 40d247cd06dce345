#include "loco/prompt_builder.h"

#include <fmt/format.h>

#include "loco/error.h"

namespace loco {

std::string question_text(const std::string& question, bool reread) {
  if (!reread) return question;
  return question + "\nRead the question again: " + question;
}

std::vector<ChatMessage> build_messages(const PromptSpec& spec) {
  std::vector<ChatMessage> messages;
  if (!spec.system_prompt.empty()) messages.push_back({"system", spec.system_prompt});
  for (const auto& [q, a] : spec.few_shot) {
    messages.push_back({"user", q});
    messages.push_back({"assistant", a});
  }
  messages.insert(messages.end(), spec.history.begin(), spec.history.end());
  std::string user;
  if (!spec.context.empty()) {
    user = spec.context_label.empty() ? "Context:\n" : "Context (" + spec.context_label + "):\n";
    user += spec.context;
    if (!spec.context.ends_with('\n')) user += '\n';
    user += '\n';
  }
  user += question_text(spec.question, spec.reread);
  messages.push_back({"user", user});
  return messages;
}

std::vector<TokenId> build_prompt_tokens(const PromptSpec& spec, const Tokenizer& tokenizer,
                                         ChatFormat format, const ChatOptions& chat_options,
                                         int32_t n_ctx, int32_t answer_tokens) {
  std::vector<ChatMessage> messages = build_messages(spec);
  std::vector<TokenId> tokens = tokenize_chat(tokenizer, format, messages, chat_options);
  const int64_t budget = static_cast<int64_t>(n_ctx) - answer_tokens;
  if (static_cast<int64_t>(tokens.size()) <= budget) return tokens;
  if (!spec.context.empty()) {
    const size_t context_tokens = tokenizer.encode(spec.context, false, false).size();
    throw Error(fmt::format(
        "the context{} is {} tokens; with the question the prompt needs {}, but only {} fit in a "
        "{}-token context with room for a {}-token answer. Shorten the context, raise --ctx, or "
        "lower --max-tokens",
        spec.context_label.empty() ? "" : " (" + spec.context_label + ")", context_tokens, tokens.size(),
        std::max<int64_t>(budget, 0), n_ctx, answer_tokens));
  }
  throw Error(fmt::format("the prompt needs {} tokens, but only {} fit in a {}-token context with room for a "
                          "{}-token answer; raise --ctx or lower --max-tokens",
                          tokens.size(), std::max<int64_t>(budget, 0), n_ctx, answer_tokens));
}

}  // namespace loco
