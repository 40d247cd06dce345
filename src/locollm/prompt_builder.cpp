#include "loco/prompt_builder.h"

#include <fmt/format.h>

#include "loco/error.h"

namespace loco {

std::string question_text(const std::string& question, bool reread) {
  if (!reread) return question;
  return question + "\nRead the question again: " + question;
}

std::vector<ChatMessage> build_messages(const PromptSpec& spec, const std::string& context_text) {
  std::vector<ChatMessage> messages;
  // One system message, first: several, or one after other turns, is invalid for many
  // chat templates. The adapter's instructions come first, the user's (chat --system) after.
  std::string system = spec.system_prompt;
  for (const ChatMessage& m : spec.history) {
    if (m.role != "system" || m.content.empty()) continue;
    if (!system.empty()) system += "\n\n";
    system += m.content;
  }
  if (!system.empty()) messages.push_back({"system", system});
  for (const auto& [q, a] : spec.few_shot) {
    messages.push_back({"user", q});
    messages.push_back({"assistant", a});
  }
  for (const ChatMessage& m : spec.history) {
    if (m.role != "system") messages.push_back(m);
  }
  messages.push_back({"user", context_text + question_text(spec.question, spec.reread)});
  return messages;
}

namespace {

std::vector<TokenId> tokens_of(const PromptSpec& spec, const std::string& context_text, const Tokenizer& tokenizer,
                               ChatFormat format, const ChatOptions& chat_options) {
  return tokenize_chat(tokenizer, format, build_messages(spec, context_text), chat_options);
}

// The context that fits beside the rest of the prompt in `room` tokens (n_ctx less the
// answer). The selection counts the context on its own; joined to the question the prompt
// can come out a token or two longer, so the budget shrinks by the excess and it is chosen
// again.
ContextSelection fit_context(const PromptSpec& spec, const Tokenizer& tokenizer, ChatFormat format,
                             const ChatOptions& chat_options, int64_t room) {
  const TokenCounter count = [&](std::string_view t) {
    return static_cast<int64_t>(tokenizer.encode(t, false, false).size());
  };
  const int64_t rest = static_cast<int64_t>(tokens_of(spec, "", tokenizer, format, chat_options).size());
  if (rest > room) return {};  // the question alone does not fit: that is the error to give
  int64_t budget = room - rest;
  ContextSelection sel = select_context(spec.context, spec.question, budget, count);
  for (int attempt = 0; attempt < 8; ++attempt) {
    const int64_t total = static_cast<int64_t>(tokens_of(spec, sel.text, tokenizer, format, chat_options).size());
    if (total <= room || sel.text.empty()) break;
    budget -= total - room;
    sel = select_context(spec.context, spec.question, budget, count);
  }
  sel.budget_tokens = std::max<int64_t>(room - rest, 0);
  return sel;
}

}  // namespace

std::vector<TokenId> build_prompt_tokens(const PromptSpec& spec, const Tokenizer& tokenizer,
                                         ChatFormat format, const ChatOptions& chat_options,
                                         int32_t n_ctx, int32_t answer_tokens, ContextSelection* chosen) {
  const int64_t budget = static_cast<int64_t>(n_ctx) - answer_tokens;
  ContextSelection sel;
  if (!spec.context.empty()) sel = fit_context(spec, tokenizer, format, chat_options, budget);
  std::vector<TokenId> tokens = tokens_of(spec, sel.text, tokenizer, format, chat_options);
  if (chosen != nullptr) *chosen = sel;
  if (static_cast<int64_t>(tokens.size()) <= budget) return tokens;
  throw Error(fmt::format("the prompt needs {} tokens, {} more than the {} that fit in a {}-token context with room "
                          "for a {}-token answer; raise --ctx or lower --max-tokens",
                          tokens.size(), static_cast<int64_t>(tokens.size()) - std::max<int64_t>(budget, 0),
                          std::max<int64_t>(budget, 0), n_ctx, answer_tokens));
}

bool drop_oldest_turn(std::vector<ChatMessage>& history) {
  size_t first = 0;
  while (first < history.size() && history[first].role != "user") ++first;
  if (first == history.size()) {
    // Replies without a user message before them (a loaded transcript): drop those.
    first = 0;
    while (first < history.size() && history[first].role == "system") ++first;
    if (first == history.size()) return false;
  }
  size_t end = first + 1;
  while (end < history.size() && history[end].role != "user") ++end;
  for (size_t i = end; i-- > first;) {
    if (history[i].role != "system") history.erase(history.begin() + static_cast<long>(i));
  }
  return true;
}

FittedPrompt fit_prompt(const PromptSpec& spec, const Tokenizer& tokenizer, ChatFormat format,
                        const ChatOptions& chat_options, int32_t n_ctx, int32_t answer_tokens) {
  PromptSpec s = spec;
  FittedPrompt fitted;
  fitted.answer_tokens = answer_tokens;
  // History and examples make way for the mandatory context; optional sections only take
  // what is left at the end.
  const std::string mandatory = render_mandatory_context(s.context);
  auto tokens = [&] { return tokens_of(s, mandatory, tokenizer, format, chat_options); };
  auto needed = [&](const std::vector<TokenId>& t) { return static_cast<int64_t>(t.size()) + answer_tokens; };
  std::vector<TokenId> t = tokens();
  const int64_t compact_above = static_cast<int64_t>(n_ctx) * 9 / 10;
  const int64_t compact_to = static_cast<int64_t>(n_ctx) * 7 / 10;
  if (needed(t) > compact_above) {
    // Dropping one turn at a time to just under the limit would compact again on the next
    // turn; going down to 70% leaves room for a few more.
    while (needed(t) > compact_to && drop_oldest_turn(s.history)) {
      ++fitted.history_turns_dropped;
      t = tokens();
    }
    if (fitted.history_turns_dropped > 0) {
      fitted.notes.push_back(fmt::format("the {} oldest turn(s) of the conversation were left out to fit the "
                                         "{}-token context", fitted.history_turns_dropped, n_ctx));
    }
  }
  while (needed(t) > n_ctx && !s.few_shot.empty()) {
    s.few_shot.erase(s.few_shot.begin());
    ++fitted.few_shot_dropped;
    t = tokens();
  }
  if (fitted.few_shot_dropped > 0) {
    fitted.notes.push_back(fmt::format("{} of the adapter's worked examples were left out to fit the context",
                                       fitted.few_shot_dropped));
  }
  constexpr int32_t kMinAnswerTokens = 16;
  const int64_t room = static_cast<int64_t>(n_ctx) - static_cast<int64_t>(t.size());
  if (room < answer_tokens && room >= kMinAnswerTokens) {
    fitted.answer_tokens = static_cast<int32_t>(room);
    fitted.notes.push_back(fmt::format("the answer is limited to {} tokens (the rest of the {}-token context)",
                                       room, n_ctx));
  }
  // Throws when even the mandatory context or the question cannot fit.
  fitted.tokens = build_prompt_tokens(s, tokenizer, format, chat_options, n_ctx, fitted.answer_tokens, &fitted.context);
  return fitted;
}

}  // namespace loco
