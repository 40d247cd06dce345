// Anthropic's Messages API. One sample per request (the API has no `n`), no seed and no
// token log-probabilities; only `temperature` is sent (recent models refuse it together
// with `top_p`).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>

#include "loco/error.h"
#include "remote/remote_backends.h"
#include "remote/remote_call.h"
#include "remote/reply_parsing.h"

namespace loco::remote {
namespace {

using json = nlohmann::json;

constexpr const char* kApiVersion = "2023-06-01";

class AnthropicBackend final : public RemoteBackend {
 public:
  AnthropicBackend(RemoteSpec spec, RemoteOptions options) : spec_(std::move(spec)), options_(std::move(options)) {
    name_ = "anthropic:" + spec_.url;
    if (options_.model.empty()) {
      throw Error("--backend anthropic needs the model's name: --remote-model NAME (e.g. claude-sonnet-4-5)");
    }
    if (!options_.key) {
      throw Error("--backend anthropic needs an API key: set $ANTHROPIC_API_KEY (sent only to api.anthropic.com), "
                  "$LOCO_REMOTE_API_KEY, or add the host to keys.yaml in loco's config directory (docs/remote.md)");
    }
  }

  std::string name() const override { return name_; }
  std::string base_model() const override { return options_.model; }
  bool samples_per_request() const override { return false; }
  std::optional<std::string> model_for_adapter(const std::string&, const std::string& mapped) const override {
    if (!mapped.empty()) return mapped;
    return std::nullopt;  // no adapter weights here: the adapter's prompt with the base model
  }

  RemoteReply complete(const RemoteRequest& request, const RemoteStream& stream) override {
    if (request.n < 1) throw Error("a remote request needs at least one sample");
    const auto t0 = std::chrono::steady_clock::now();
    RemoteReply out;
    for (int k = 0; k < request.n; ++k) {
      out.samples.push_back(stream && request.n == 1 ? call_streaming(request, stream, out) : call(request, out));
      ++out.calls;
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
  }

 private:
  HttpCall make_call(const RemoteRequest& r, bool streaming) const {
    json system_text;
    json messages = json::array();
    for (const ChatMessage& m : r.messages) {
      if (m.role == "system") {
        system_text = system_text.is_null() ? m.content : system_text.get<std::string>() + "\n\n" + m.content;
      } else {
        messages.push_back({{"role", m.role}, {"content", m.content}});
      }
    }
    json body = {{"model", r.model}, {"max_tokens", r.max_tokens}, {"messages", messages},
                 {"temperature", std::min(r.temperature, 1.0f)}};
    if (!system_text.is_null()) body["system"] = system_text;
    if (streaming) body["stream"] = true;
    HttpCall c;
    c.method = "POST";
    c.url = spec_.url + "/v1/messages";
    c.timeout_seconds = options_.timeout_seconds;
    c.headers = {"x-api-key: " + options_.key->value, std::string("anthropic-version: ") + kApiVersion};
    c.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    return c;
  }

  RemoteSample call(const RemoteRequest& r, RemoteReply& out) {
    const HttpCall c = make_call(r, false);
    const HttpReply reply = perform_with_retries(c, name_, options_.key->value, options_.retries);
    check_reply(reply, name_, c.url, options_.key->value);
    return read_anthropic_message(reply.body, name_, out);
  }

  RemoteSample call_streaming(const RemoteRequest& r, const RemoteStream& stream, RemoteReply& out) {
    AnthropicStreamReader reader;
    bool stopped = false;
    SseParser parser([&](std::string_view event, std::string_view data) {
      if (!stopped && !reader.on_event(event, data, stream)) stopped = true;
    });
    HttpCall c = make_call(r, true);
    c.on_body = [&](std::string_view piece) {
      parser.feed(piece);
      return !stopped;
    };
    const HttpReply reply = perform_with_retries(c, name_, options_.key->value, options_.retries);
    check_reply(reply, name_, c.url, options_.key->value);
    parser.finish();
    try {
      RemoteSample s = reader.finish(name_, stopped);
      out.prompt_tokens = reader.prompt_tokens();
      return s;
    } catch (const Error& e) {
      throw Error(redact(e.what(), options_.key->value));
    }
  }

  RemoteSpec spec_;
  RemoteOptions options_;
  std::string name_;
};

}  // namespace

std::shared_ptr<RemoteBackend> make_anthropic_backend(const RemoteSpec& spec, const RemoteOptions& options) {
  return std::make_shared<AnthropicBackend>(spec, options);
}

}  // namespace loco::remote
