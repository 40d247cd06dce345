// What the server's handlers share: the loaded model and scheduler, and the generation
// of one request (routing, prompt, sampling, votes, confidence) that the OpenAI and
// Ollama endpoints both use. Internal to src/server.
#pragma once

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "loco/server.h"
#include "server/metrics.h"
#include "server/scheduler.h"

namespace loco::server {

using json = nlohmann::json;

// A request the server refuses: an HTTP status and an OpenAI-style error.
struct ApiError : std::runtime_error {
  ApiError(int status_, const std::string& message, std::string type_ = "invalid_request_error",
           std::string code_ = "")
      : std::runtime_error(message), status(status_), type(std::move(type_)), code(std::move(code_)) {}
  int status;
  std::string type, code;
};

struct Engine {
  ServedModel served;
  std::mutex assistant_mutex;  // Assistant is not thread-safe: routing and prompts one at a time
  std::unique_ptr<Scheduler> scheduler;
  std::mutex embed_mutex;
  std::unique_ptr<Session> embed_session;
  std::string base_id;  // the base model's name in /v1/models: the file's stem
  int32_t n_ctx = 0;    // context per sequence
};

// What a client asked for, from either API.
struct GenerationRequest {
  std::string model;
  std::vector<ChatMessage> messages;      // chat (the last must be the user's)
  std::optional<std::string> raw_prompt;  // a completion: no chat template
  int n = 1;
  std::optional<int> votes;
  std::optional<bool> reread;
  std::optional<std::string> adapter;     // loco.adapter: "auto", "none" or a name
  // loco.as_is: the messages are the whole prompt (a loco client built it, with its own
  // adapter prompt and RE2): no system prompt, examples, context or re-reading are added.
  bool as_is = false;
  bool logprobs = false;  // chat: each token's log-probability in the choices
  std::optional<float> temperature, top_p;
  std::optional<uint64_t> seed;
  std::optional<int32_t> max_tokens;
  std::vector<std::string> stop;
  float presence_penalty = 0, frequency_penalty = 0;
  bool stream = false;
};

// One answer of a finished generation, with what loco adds to it.
// A generated token with its log-probability under the model (OpenAI's `logprobs`).
struct TokenLogProb {
  std::string token;  // its text (may be part of a UTF-8 character)
  float logprob = 0;
};

struct Choice {
  std::string text;
  std::string finish_reason;  // "stop" or "length"
  int64_t tokens = 0;
  std::vector<TokenLogProb> logprobs;  // only when the request asked for them
};

struct GenerationResult {
  std::vector<Choice> choices;  // n, or one voted answer
  int64_t prompt_tokens = 0, completion_tokens = 0;
  json loco;                    // {"route", "adapter", "votes", "confidence"}
  double queued_seconds = 0, prompt_seconds = 0, generate_seconds = 0;
};

// Pieces of streamed text handed from the scheduler thread to the request's thread.
class StreamChannel {
 public:
  void push(int sample, std::string_view text);
  void close(std::vector<SampleOutput> outputs, const std::string& error);
  // Waits up to `seconds` for pieces; returns them (possibly none). `done` once closed
  // and drained.
  std::vector<std::pair<int, std::string>> take(double seconds, bool* done);
  std::vector<SampleOutput>& outputs() { return outputs_; }
  const std::string& error() const { return error_; }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::pair<int, std::string>> pieces_;
  bool closed_ = false;
  std::vector<SampleOutput> outputs_;
  std::string error_;
};

// A request routed and tokenized, its job not yet submitted.
struct PreparedGeneration {
  std::shared_ptr<Job> job;
  std::string adapter;  // "" = the base model
  std::optional<RouteDecision> route;
  std::string reason;
  EvalType eval_type = EvalType::None;
  int votes = 1;
  bool logprobs = false;
  std::string model_id;  // as it is reported back
};

class ServerState {
 public:
  explicit ServerState(const ServerOptions& options) : options_(options) {}

  const ServerOptions& options() const { return options_; }
  Metrics& metrics() { return metrics_; }
  // The engine, or ApiError 503 while loading (or after a failed load).
  std::shared_ptr<Engine> engine() const;
  void set_engine(std::shared_ptr<Engine> engine);
  void set_failed(const std::string& why);
  std::string status() const;  // "loading", "ok", "failed: ...", "stopping"
  void set_stopping() { stopping_ = true; }
  // The scheduler once loaded, whatever the state (for draining on stop); else null.
  Scheduler* scheduler_unchecked() const {
    std::lock_guard lock(mutex_);
    return engine_ ? engine_->scheduler.get() : nullptr;
  }
  bool stopping() const { return stopping_; }
  std::atomic<int> in_flight{0};

  // The adapter choice a model id stands for: "none" (the base), "auto", or a name.
  std::string adapter_for_model(const Engine& e, const std::string& id) const;
  std::vector<std::string> model_ids(const Engine& e) const;

  PreparedGeneration prepare(Engine& e, const GenerationRequest& request);
  // Submits the job (ApiError 429 when the queue is full).
  void submit(Engine& e, const PreparedGeneration& p);
  // From the samples: the choices (or the voted answer) and loco's judgement of them.
  GenerationResult result(Engine& e, const PreparedGeneration& p, std::vector<SampleOutput> outputs) const;
  // Runs a request to the end on this thread.
  GenerationResult run(Engine& e, const GenerationRequest& request, PreparedGeneration* prepared = nullptr);

 private:
  ServerOptions options_;
  Metrics metrics_;
  mutable std::mutex mutex_;
  std::shared_ptr<Engine> engine_;
  std::string failed_;
  std::atomic<bool> stopping_{false};
};

// How one API writes a stream: what opens it, each piece of sample k's text, what ends it
// (from the finished result), and an error met on the way.
struct StreamFormat {
  std::string content_type;
  std::function<std::string()> open;
  std::function<std::string(int sample, const std::string& text)> piece;
  std::function<std::string(const GenerationResult& g)> close;
  std::function<std::string(const std::string& error)> error;
};

// Submits a prepared request (ApiError 429 when the queue is full) and streams it: the
// pieces as they come (with votes, nothing until the vote: `close` writes the answer),
// then `close`. A client that goes away cancels the request.
void stream_generation(httplib::Response& res, ServerState& state, std::shared_ptr<Engine> engine,
                       const PreparedGeneration& p, StreamFormat format);

// The whole answer as one JSON body.
void respond_json(httplib::Response& res, const json& body);

// Endpoints: each registers its routes on the server.
void register_openai_routes(httplib::Server& http, ServerState& state);
void register_ollama_routes(httplib::Server& http, ServerState& state);

// Helpers shared by the endpoints.
json parse_json_body(const httplib::Request& req);
std::string random_id(const char* prefix);
int64_t unix_now();
std::string utc_now_iso();
const char* finish_reason_name(StopReason stop);

}  // namespace loco::server
