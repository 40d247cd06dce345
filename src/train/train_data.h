// Training examples from JSONL: each line a conversation, rendered with the model's chat
// template, with the tokens the loss counts marked (the assistant's, only).
//   {"messages": [{"role": "system"|"user"|"assistant", "content": "..."}, ...]}
//   {"prompt": "...", "completion": "..."}            one user turn, one assistant turn
//   {"question": "...", "answer": "..." | number}     (LocoLLM / GSM8K: the worked answer)
//   {"text": "..."}                                    plain text, no template, every token
//                                                      predicted (pretraining a small model)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "loco/chat_template.h"
#include "loco/tokenizer.h"

namespace loco::train {

struct TrainExample {
  std::vector<TokenId> tokens;
  // target[i] = 1 when tokens[i] is predicted from tokens[0..i) in the loss: the tokens of
  // every assistant turn's content and its end-of-turn marker (not Qwen3's empty thinking
  // block, which a prompt pre-fills); 0 elsewhere (and at i = 0).
  std::vector<uint8_t> target;
  std::string where;  // "file:line"
};

// The messages of one line's JSON object. Throws Error naming `where` for an object in
// none of the formats, a role other than system/user/assistant, empty content, or a
// conversation without an assistant turn.
std::vector<ChatMessage> train_messages(const std::string& json_line, const std::string& where);

// Renders and marks one conversation. Throws Error if an assistant turn's prompt is not
// how the whole conversation begins (its tokens could then not be found), a turn has no
// end-of-turn marker, or the example is longer than max_tokens.
TrainExample make_example(const std::vector<ChatMessage>& messages, const Tokenizer& tokenizer, ChatFormat format,
                          int64_t max_tokens, const std::string& where);

// Plain text: its tokens and an end-of-text token (<|endoftext|>, else EOS), all predicted.
TrainExample make_text_example(const std::string& text, const Tokenizer& tokenizer, int64_t max_tokens,
                               const std::string& where);

// Every non-empty line of a JSONL file; errors name the file and line.
std::vector<TrainExample> load_train_jsonl(const std::string& path, const Tokenizer& tokenizer, ChatFormat format,
                                           int64_t max_tokens);

}  // namespace loco::train
