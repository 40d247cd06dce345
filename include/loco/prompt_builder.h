// Building the conversation a query is answered in: the adapter's system prompt and
// few-shot examples, optional structured context fitted to the token budget (context.h),
// and the question itself, re-read (RE2) unless turned off.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "loco/chat_prompt.h"
#include "loco/context.h"

namespace loco {

struct PromptSpec {
  std::string question;
  bool reread = true;  // RE2: state the question, then "Read the question again: <question>"
  std::string system_prompt;
  std::vector<std::pair<std::string, std::string>> few_shot;  // (question, answer) turns
  std::vector<ChatMessage> history;  // earlier turns of a conversation, oldest first
  // Rubrics, specifications, templates, excerpts: mandatory documents enter whole, the
  // other sections as far as the budget allows (select_context).
  std::vector<ContextDocument> context;
};

// The user message for a question: the question, and with RE2 the question again.
std::string question_text(const std::string& question, bool reread);

// The messages in order: one system message (the adapter's system prompt, then any
// system messages of the history, joined), the few-shot turns, the history's other
// messages, then the user message: `context_text` (a ContextSelection's text), the
// question, and with RE2 the question again.
std::vector<ChatMessage> build_messages(const PromptSpec& spec, const std::string& context_text = "");

// Tokenizes the conversation with as much of the context as fits and checks that it leaves
// `answer_tokens` of room in a context of `n_ctx`; when it does not, the Error says how
// many tokens are missing and what to change. `chosen` receives what the context selection
// kept and left out.
std::vector<TokenId> build_prompt_tokens(const PromptSpec& spec, const Tokenizer& tokenizer,
                                         ChatFormat format, const ChatOptions& chat_options,
                                         int32_t n_ctx, int32_t answer_tokens,
                                         ContextSelection* chosen = nullptr);

// Removes the oldest turn of a history (a user message and the replies up to the next
// user message); system messages stay. False when there is no turn left.
bool drop_oldest_turn(std::vector<ChatMessage>& history);

// A prompt made to fit: what was left out is counted and said in `notes`.
struct FittedPrompt {
  std::vector<TokenId> tokens;
  int32_t answer_tokens = 0;       // room for the answer: as asked, or less when the context is full
  int history_turns_dropped = 0;   // oldest user turns (with their replies) left out
  int few_shot_dropped = 0;        // the adapter's examples left out, first ones first
  std::vector<std::string> notes;  // e.g. "the 3 oldest turn(s) of the conversation were left out ..."
  ContextSelection context;        // what of spec.context entered the prompt
};

// Fits a conversation into n_ctx so a turn never fails for its history: when the prompt
// plus the answer room passes 90% of n_ctx, the oldest turns of the history are dropped
// (system messages stay) until it is at most 70% or no turn is left; if it still does not
// fit, the few-shot examples go, then the answer room shrinks (to no fewer than 16
// tokens). The context's mandatory documents count in all of this; its other sections
// then fill what is left. Only mandatory context or a question that cannot fit on its own
// is an Error, saying by how many tokens.
FittedPrompt fit_prompt(const PromptSpec& spec, const Tokenizer& tokenizer, ChatFormat format,
                        const ChatOptions& chat_options, int32_t n_ctx, int32_t answer_tokens);

}  // namespace loco
