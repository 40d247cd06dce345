// Reading what a remote answers: whole replies and streamed events of the OpenAI chat
// completions API and Anthropic's Messages API. Apart from the network, so that the
// parsers can be fuzzed (fuzz/fuzz_inputs.cpp) and tested on hand-written replies.
// A reply that is not of the expected shape is an Error naming `who`; fields that are
// missing or of the wrong type inside a well-formed reply are ignored.
#pragma once

#include <string>
#include <string_view>

#include "loco/remote_backend.h"

namespace loco::remote {

// The choices of a chat completion, appended to out.samples (each with its token
// log-probabilities' mean when all of its tokens have one), and the usage.
void read_openai_completion(const std::string& body, const std::string& who, RemoteReply& out);

// The `data:` payloads of a streamed chat completion, one at a time.
class OpenAIStreamReader {
 public:
  // Hands a text delta to `stream` (when given); false once `stream` said stop.
  bool on_data(std::string_view data, const RemoteStream& stream);
  // The sample, once the stream ended; throws Error when the stream carried an error.
  RemoteSample finish(const std::string& who, bool stopped);
  int64_t prompt_tokens() const { return prompt_tokens_; }

 private:
  RemoteSample sample_;
  int64_t prompt_tokens_ = 0, logprob_count_ = 0;
  double logprob_sum_ = 0;
  bool logprobs_complete_ = true;
  std::string error_;
};

// The text blocks of a message, its stop reason and usage (input tokens into out).
RemoteSample read_anthropic_message(const std::string& body, const std::string& who, RemoteReply& out);

// The events of a streamed message.
class AnthropicStreamReader {
 public:
  bool on_event(std::string_view event, std::string_view data, const RemoteStream& stream);
  RemoteSample finish(const std::string& who, bool stopped);
  int64_t prompt_tokens() const { return prompt_tokens_; }

 private:
  RemoteSample sample_;
  int64_t prompt_tokens_ = 0;
  std::string error_;
};

}  // namespace loco::remote
