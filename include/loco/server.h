// `loco serve`: an OpenAI- and Ollama-compatible HTTP server over one base model and its
// adapters, with the LocoLLM layer (routing, RE2, votes, confidence) in extension fields,
// continuous batching across requests (sequences with different adapters decode together),
// Prometheus metrics and a built-in chat page. docs/server.md lists every endpoint.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "loco/assistant.h"
#include "loco/kv_cache.h"

namespace loco::server {

struct ServerOptions {
  std::string host = "127.0.0.1";  // any other address requires api_key
  int port = 8080;                 // 0: any free port (port() says which)
  std::string api_key;           // "": no authentication (loopback only)
  int32_t parallel = 8;          // sequences decoded together (votes need one each)
  int32_t n_ctx = 4096;          // per sequence
  int32_t kv_tokens = 0;         // KV positions across sequences (0: parallel × n_ctx)
  int32_t queue_limit = 64;      // requests waiting for room; more get 429
  uint64_t max_body_bytes = 4ull << 20;
  int32_t max_tokens_limit = 4096;  // the most max_tokens a request may ask for
  double request_seconds = 600;  // a request's time limit, queueing included
  double drain_seconds = 30;     // on stop: how long requests in flight may take to finish
  int threads = 0;
  KvType kv_type = KvType::F16;
  int http_threads = 64;         // connections handled at once
};

// The model the server answers with, made ready (possibly while it already listens).
struct ServedModel {
  std::unique_ptr<Assistant> assistant;
  std::shared_ptr<const Model> model;
  std::string path;
  bool builtin = false;  // the built-in loco-nano
  std::string note;      // what to tell users about it (the built-in notice)
  QueryOptions defaults; // RE2, votes, temperatures and max_tokens from the user's settings
  int32_t n_ctx = 0;     // context per sequence as the settings say (0: ServerOptions::n_ctx)
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and serves in the background; until set_ready, /health answers 503 and the API
  // 503 too. Throws Error when the address cannot be bound, or when it is not loopback
  // and there is no API key.
  void start();
  void set_ready(ServedModel model);
  void set_failed(const std::string& why);
  // Stops taking requests, lets those in flight finish (up to drain_seconds), closes.
  void stop();
  // Blocks until stop() has finished.
  void wait();
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

bool is_loopback_host(const std::string& host);

}  // namespace loco::server
