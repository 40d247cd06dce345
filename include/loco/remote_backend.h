// A model that answers somewhere else: an OpenAI-compatible endpoint (loco serve, Ollama,
// llama-server, vLLM, a cloud API) or Anthropic's Messages API. The LocoLLM layer
// (routing, prompts, RE2, voting, confidence, loco eval) runs here; only the generation
// goes over the network. The implementations live in loco_remote (include/loco/remote.h),
// so the engine and the locollm layer never link an HTTP client.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loco/chat_template.h"
#include "loco/generate.h"

namespace loco {

struct RemoteRequest {
  std::vector<ChatMessage> messages;  // system first, if any; then alternating turns
  std::string model;                  // the remote's model name
  int n = 1;                          // samples of the same prompt
  int32_t max_tokens = 512;
  float temperature = 0.7f;
  float top_p = 1.0f;
  std::optional<uint64_t> seed;       // sent where the API has one (OpenAI's `seed`)
};

struct RemoteSample {
  std::string text;
  StopReason stop = StopReason::EndOfTurn;
  int64_t tokens = 0;                  // as the remote counted them (0: not said)
  std::optional<double> mean_log_prob; // only when the remote returned token log-probabilities
};

struct RemoteReply {
  std::vector<RemoteSample> samples;  // exactly RemoteRequest::n
  int64_t prompt_tokens = 0;          // as the remote counted them (0: not said)
  int calls = 0;                      // HTTP requests it took
  double seconds = 0;
};

// Receives the answer's text as it streams (n == 1 only); return false to stop.
using RemoteStream = std::function<bool(std::string_view)>;

class RemoteBackend {
 public:
  virtual ~RemoteBackend() = default;
  // Samples the conversation `request.n` times; throws Error naming the endpoint and what
  // it answered. Safe to call from several threads at once.
  virtual RemoteReply complete(const RemoteRequest& request, const RemoteStream& stream = {}) = 0;
  // "openai:http://127.0.0.1:8080" or "anthropic:https://api.anthropic.com": never the key.
  virtual std::string name() const = 0;
  virtual std::string base_model() const = 0;
  // The remote model that serves an adapter: `mapped` (the registry's remote_model) when
  // given, else what the remote lists for the adapter's name; nullopt when it serves no
  // weights for it (then the base model answers with the adapter's prompt).
  virtual std::optional<std::string> model_for_adapter(const std::string& adapter, const std::string& mapped) const = 0;
  // Whether one request can return n > 1 samples (OpenAI's `n`); otherwise the caller asks
  // one at a time and can stop early.
  virtual bool samples_per_request() const = 0;
};

}  // namespace loco
