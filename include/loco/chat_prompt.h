// From a conversation to the token ids a model expects: picks the model's chat format and
// tokenizes the rendered text with its special tokens.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "loco/chat_template.h"
#include "loco/gguf.h"
#include "loco/tokenizer.h"

namespace loco {

// The format named by `override_name` when it is not empty, else the one recognised from
// the file's tokenizer.chat_template. Throws Error naming the --template choices when
// neither gives a format.
ChatFormat resolve_chat_format(const GgufFile& file, const std::string& override_name);

// Renders the conversation and tokenizes it (special tokens parsed; the BOS the template
// writes is the only BOS).
std::vector<TokenId> tokenize_chat(const Tokenizer& tokenizer, ChatFormat format,
                                   std::span<const ChatMessage> messages, ChatOptions options);

}  // namespace loco
