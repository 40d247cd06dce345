// Building the conversation a query is answered in: the adapter's system prompt and
// few-shot examples, optional structured context, and the question itself, re-read (RE2)
// unless turned off.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "loco/chat_prompt.h"

namespace loco {

struct PromptSpec {
  std::string question;
  bool reread = true;  // RE2: state the question, then "Read the question again: <question>"
  std::string system_prompt;
  std::vector<std::pair<std::string, std::string>> few_shot;  // (question, answer) turns
  std::vector<ChatMessage> history;  // earlier turns of a conversation, oldest first
  std::string context;        // a rubric, a task specification, ...
  std::string context_label;  // where it came from (shown to the model), e.g. "rubric.md"
};

// The user message for a question: the question, and with RE2 the question again.
std::string question_text(const std::string& question, bool reread);

std::vector<ChatMessage> build_messages(const PromptSpec& spec);

// Tokenizes the conversation and checks that it leaves `answer_tokens` of room in a context
// of `n_ctx`; when it does not, the Error says how many tokens the context took and what to
// change.
std::vector<TokenId> build_prompt_tokens(const PromptSpec& spec, const Tokenizer& tokenizer,
                                         ChatFormat format, const ChatOptions& chat_options,
                                         int32_t n_ctx, int32_t answer_tokens);

}  // namespace loco
