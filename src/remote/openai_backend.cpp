// An OpenAI-compatible endpoint: loco serve, Ollama, llama-server, vLLM or a cloud API.
// Chat completions with `n`, `seed` and, where the remote has them, token log-probabilities
// (for the confidence of single answers).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>

#include "loco/error.h"
#include "remote/remote_backends.h"
#include "remote/remote_call.h"
#include "remote/reply_parsing.h"

namespace loco::remote {
namespace {

using json = nlohmann::json;

class OpenAIBackend final : public RemoteBackend {
 public:
  OpenAIBackend(RemoteSpec spec, RemoteOptions options) : spec_(std::move(spec)), options_(std::move(options)) {
    name_ = "openai:" + spec_.url;
    list_models();
  }

  std::string name() const override { return name_; }
  std::string base_model() const override { return base_; }
  bool samples_per_request() const override { return true; }

  std::optional<std::string> model_for_adapter(const std::string& adapter, const std::string& mapped) const override {
    if (!mapped.empty()) return mapped;
    for (const std::string& want : {"loco/" + adapter, adapter}) {
      if (std::find(models_.begin(), models_.end(), want) != models_.end()) return want;
    }
    return std::nullopt;
  }

  RemoteReply complete(const RemoteRequest& request, const RemoteStream& stream) override {
    if (request.n < 1) throw Error("a remote request needs at least one sample");
    const auto t0 = std::chrono::steady_clock::now();
    RemoteReply out;
    // A remote that ignores `n` (Ollama) returns one choice: the rest are asked for again,
    // each with the next seed.
    while (static_cast<int>(out.samples.size()) < request.n) {
      RemoteRequest rest = request;
      rest.n = request.n - static_cast<int>(out.samples.size());
      if (request.seed && out.calls > 0) rest.seed = *request.seed + static_cast<uint64_t>(out.samples.size());
      const size_t before = out.samples.size();
      if (stream && request.n == 1) {
        call_streaming(rest, stream, out);
      } else {
        call(rest, out);
      }
      ++out.calls;
      if (out.samples.size() == before) throw Error(name_ + ": the remote answered with no choices");
    }
    out.samples.resize(static_cast<size_t>(request.n));
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
  }

 private:
  std::string secret() const { return options_.key ? options_.key->value : std::string(); }

  HttpCall make_call(const std::string& method, const std::string& path) const {
    HttpCall c;
    c.method = method;
    c.url = spec_.url + path;
    c.timeout_seconds = options_.timeout_seconds;
    if (options_.key) c.headers.push_back("Authorization: Bearer " + options_.key->value);
    return c;
  }

  void list_models() {
    HttpCall c = make_call("GET", "/v1/models");
    c.timeout_seconds = std::min(options_.timeout_seconds, 30.0);
    const HttpReply reply = perform_with_retries(c, name_, secret(), options_.retries);
    if (reply.status == 404 && !options_.model.empty()) {
      base_ = options_.model;  // no model list here: adapters need remote_model mappings
      return;
    }
    check_reply(reply, name_, c.url, secret());
    const json j = json::parse(reply.body, nullptr, false);
    if (!j.is_object() || !j.contains("data") || !j["data"].is_array()) {
      throw Error(name_ + ": GET /v1/models did not answer an OpenAI model list");
    }
    std::vector<std::string> bases;
    for (const json& m : j["data"]) {
      if (!m.is_object() || !m.contains("id") || !m["id"].is_string()) continue;
      const std::string id = m["id"].get<std::string>();
      models_.push_back(id);
      if (!id.starts_with("loco/")) bases.push_back(id);
    }
    is_loco_ = std::find(models_.begin(), models_.end(), "loco/auto") != models_.end();
    if (!options_.model.empty()) {
      base_ = options_.model;
      return;
    }
    if (bases.size() == 1) {
      base_ = bases[0];
      return;
    }
    if (bases.empty()) throw Error(name_ + ": the remote lists no models; name one with --remote-model");
    std::string names;
    for (size_t i = 0; i < bases.size() && i < 8; ++i) names += (i ? ", " : "") + bases[i];
    throw Error(fmt::format("{}: the remote serves {} models ({}{}); choose the base with --remote-model", name_,
                            bases.size(), names, bases.size() > 8 ? ", ..." : ""));
  }

  json body_for(const RemoteRequest& r, bool streaming) const {
    json messages = json::array();
    for (const ChatMessage& m : r.messages) messages.push_back({{"role", m.role}, {"content", m.content}});
    json body = {{"model", r.model},       {"messages", messages},  {"max_tokens", r.max_tokens},
                 {"temperature", r.temperature}, {"top_p", r.top_p}};
    if (r.n > 1) body["n"] = r.n;
    if (r.seed) body["seed"] = *r.seed;
    if (streaming) {
      body["stream"] = true;
      body["stream_options"] = {{"include_usage", true}};
    }
    if (logprobs_.load() != kNo) body["logprobs"] = true;
    // loco serve as the remote: the conversation is already the whole prompt (its
    // adapter's system prompt, examples and RE2 were added here); it must not add them again.
    if (is_loco_) body["loco"] = {{"as_is", true}};
    return body;
  }

  // A remote that refuses `logprobs` (loco serve, some servers) is asked once more
  // without, and never again.
  bool refused_logprobs(const HttpReply& reply) {
    if (reply.status != 400 || logprobs_.load() == kNo) return false;
    if (reply.body.find("logprobs") == std::string::npos) return false;
    logprobs_.store(kNo);
    return true;
  }

  void call(const RemoteRequest& r, RemoteReply& out) {
    HttpReply reply;
    for (int attempt = 0; attempt < 2; ++attempt) {
      HttpCall c = make_call("POST", "/v1/chat/completions");
      c.body = body_for(r, false).dump(-1, ' ', false, json::error_handler_t::replace);
      reply = perform_with_retries(c, name_, secret(), options_.retries);
      if (!refused_logprobs(reply)) {
        check_reply(reply, name_, c.url, secret());
        break;
      }
    }
    read_openai_completion(reply.body, name_, out);
    for (const RemoteSample& sample : out.samples) {
      if (sample.mean_log_prob) logprobs_.store(kYes);
    }
  }

  void call_streaming(const RemoteRequest& r, const RemoteStream& stream, RemoteReply& out) {
    OpenAIStreamReader reader;
    bool stopped = false;
    SseParser parser([&](std::string_view, std::string_view data) {
      if (!stopped && !reader.on_data(data, stream)) stopped = true;
    });
    HttpReply reply;
    for (int attempt = 0; attempt < 2; ++attempt) {
      HttpCall c = make_call("POST", "/v1/chat/completions");
      c.body = body_for(r, true).dump(-1, ' ', false, json::error_handler_t::replace);
      c.on_body = [&](std::string_view piece) {
        parser.feed(piece);
        return !stopped;
      };
      reply = perform_with_retries(c, name_, secret(), options_.retries);
      if (!refused_logprobs(reply)) {
        check_reply(reply, name_, c.url, secret());
        break;
      }
    }
    parser.finish();
    RemoteSample s;
    try {
      s = reader.finish(name_, stopped);
    } catch (const Error& e) {
      throw Error(redact(e.what(), secret()));
    }
    if (s.mean_log_prob) logprobs_.store(kYes);
    out.prompt_tokens = reader.prompt_tokens();
    out.samples.push_back(std::move(s));
  }

  static constexpr int kUnknown = 0, kYes = 1, kNo = 2;
  RemoteSpec spec_;
  RemoteOptions options_;
  std::string name_, base_;
  std::vector<std::string> models_;
  bool is_loco_ = false;
  std::atomic<int> logprobs_{kUnknown};
};

}  // namespace

std::shared_ptr<RemoteBackend> make_openai_backend(const RemoteSpec& spec, const RemoteOptions& options) {
  return std::make_shared<OpenAIBackend>(spec, options);
}

}  // namespace loco::remote
