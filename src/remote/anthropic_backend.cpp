// Anthropic's Messages API. One sample per request (the API has no `n`), no seed and no
// token log-probabilities; only `temperature` is sent (recent models refuse it together
// with `top_p`).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>

#include "loco/error.h"
#include "remote/remote_backends.h"
#include "remote/remote_call.h"

namespace loco::remote {
namespace {

using json = nlohmann::json;

constexpr const char* kApiVersion = "2023-06-01";

StopReason stop_of(const std::string& reason) {
  return reason == "max_tokens" ? StopReason::MaxTokens : StopReason::EndOfTurn;
}

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
    const json j = json::parse(reply.body, nullptr, false);
    if (!j.is_object() || !j.contains("content") || !j["content"].is_array()) {
      throw Error(name_ + ": the reply is not a message (no content)");
    }
    RemoteSample s;
    for (const json& block : j["content"]) {
      if (block.is_object() && block.value("type", "") == "text" && block.contains("text") && block["text"].is_string()) {
        s.text += block["text"].get<std::string>();
      }
    }
    if (j.contains("stop_reason") && j["stop_reason"].is_string()) s.stop = stop_of(j["stop_reason"].get<std::string>());
    if (j.contains("usage") && j["usage"].is_object()) {
      out.prompt_tokens = j["usage"].value("input_tokens", out.prompt_tokens);
      s.tokens = j["usage"].value("output_tokens", int64_t{0});
    }
    return s;
  }

  RemoteSample call_streaming(const RemoteRequest& r, const RemoteStream& stream, RemoteReply& out) {
    RemoteSample s;
    bool stopped = false;
    std::string stream_error;
    SseParser parser([&](std::string_view event, std::string_view data) {
      if (stopped) return;
      const json j = json::parse(data, nullptr, false);
      if (!j.is_object()) return;
      const std::string type = j.value("type", std::string(event));
      if (type == "error") {
        stream_error = error_message(std::string(data));
      } else if (type == "message_start" && j.contains("message") && j["message"].is_object() &&
                 j["message"].contains("usage") && j["message"]["usage"].is_object()) {
        out.prompt_tokens = j["message"]["usage"].value("input_tokens", out.prompt_tokens);
      } else if (type == "content_block_delta" && j.contains("delta") && j["delta"].is_object() &&
                 j["delta"].value("type", "") == "text_delta" && j["delta"].contains("text") &&
                 j["delta"]["text"].is_string()) {
        const std::string piece = j["delta"]["text"].get<std::string>();
        s.text += piece;
        if (!piece.empty() && !stream(piece)) stopped = true;
      } else if (type == "message_delta") {
        if (j.contains("delta") && j["delta"].is_object() && j["delta"].contains("stop_reason") &&
            j["delta"]["stop_reason"].is_string()) {
          s.stop = stop_of(j["delta"]["stop_reason"].get<std::string>());
        }
        if (j.contains("usage") && j["usage"].is_object()) s.tokens = j["usage"].value("output_tokens", s.tokens);
      }
    });
    HttpCall c = make_call(r, true);
    c.on_body = [&](std::string_view piece) {
      parser.feed(piece);
      return !stopped;
    };
    const HttpReply reply = perform_with_retries(c, name_, options_.key->value, options_.retries);
    check_reply(reply, name_, c.url, options_.key->value);
    parser.finish();
    if (!stream_error.empty()) {
      throw Error(redact(name_ + ": the stream ended with an error: " + stream_error, options_.key->value));
    }
    if (stopped) s.stop = StopReason::Cancelled;
    return s;
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
