// Remote and bring-your-own-key backends (`--backend openai:URL`, `--backend anthropic`):
// the LocoLLM layer here, generation there. loco_remote (src/remote/) is, with loco_pull,
// the only code in loco that opens a socket, and only when the user configures a backend.
//
// Keys: an API key is sent only to the host it belongs to, never logged, never written
// into results, and redacted from any error text that echoes it. It comes from
//   1. $LOCO_REMOTE_API_KEY: for whatever --backend names (the user chose both);
//   2. $OPENAI_API_KEY only for api.openai.com, $ANTHROPIC_API_KEY only for
//      api.anthropic.com (a provider's key never goes to another host);
//   3. <config dir>/keys.yaml, a mapping from host (or host:port) to key, refused unless
//      its mode is 0600 or stricter.
// Redirects are not followed (the key would go where the redirect points), and loopback
// never goes through a proxy.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "loco/remote_backend.h"
#include "loco/user_config.h"

namespace loco {

enum class RemoteKind { OpenAI, Anthropic };

struct RemoteSpec {
  RemoteKind kind = RemoteKind::OpenAI;
  std::string url;   // scheme://host[:port][/path], no trailing slash and no /v1
  std::string host;  // host[:port] as written in the URL, lowercase
};

// "openai:http://127.0.0.1:8080" (a trailing "/v1" is accepted), "anthropic" (the public
// API) or "anthropic:URL". Throws Error naming what is wrong.
RemoteSpec parse_backend_spec(const std::string& spec);

struct ApiKey {
  std::string value;
  std::string source;  // "$LOCO_REMOTE_API_KEY", "/home/me/.config/loco/keys.yaml", ...
};

// The key for the spec's host by the rules above; nullopt when there is none. Throws
// Error when keys.yaml exists but is readable by others, or is malformed.
std::optional<ApiKey> find_api_key(const RemoteSpec& spec, const std::string& keys_file, const EnvLookup& env = {});

struct RemoteOptions {
  std::string model;               // --remote-model: the base model's name at the remote
  std::optional<ApiKey> key;
  double timeout_seconds = 600;    // one HTTP request, all of it
  int retries = 3;                 // on 429, 5xx and 529, with back-off
};

// Connects: an OpenAI-compatible backend lists the remote's models (GET /v1/models) to
// find the base model and adapters; Anthropic needs options.model. Throws Error naming the
// endpoint and what went wrong.
std::shared_ptr<RemoteBackend> connect_remote(const RemoteSpec& spec, const RemoteOptions& options);

// Server-sent events, fed in pieces as they arrive: each complete event (ended by a blank
// line) is handed on with its `event:` name ("" when none) and its `data:` lines joined
// by newlines. Comments and unknown fields are skipped.
class SseParser {
 public:
  using EventFn = std::function<void(std::string_view event, std::string_view data)>;
  explicit SseParser(EventFn on_event) : on_event_(std::move(on_event)) {}
  void feed(std::string_view bytes);
  void finish();  // an event not ended by a blank line is still delivered

 private:
  void line(std::string_view text);
  EventFn on_event_;
  std::string pending_, event_, data_;
  bool has_data_ = false;
};

}  // namespace loco
