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

namespace loco::remote {
namespace {

using json = nlohmann::json;

StopReason stop_of(const json& finish) {
  if (finish.is_string() && finish.get<std::string>() == "length") return StopReason::MaxTokens;
  return StopReason::EndOfTurn;
}

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
    const json j = json::parse(reply.body, nullptr, false);
    if (!j.is_object() || !j.contains("choices") || !j["choices"].is_array()) {
      throw Error(name_ + ": the reply is not a chat completion (no choices)");
    }
    int64_t completion_tokens = 0;
    if (j.contains("usage") && j["usage"].is_object()) {
      out.prompt_tokens = j["usage"].value("prompt_tokens", int64_t{0});
      completion_tokens = j["usage"].value("completion_tokens", int64_t{0});
    }
    const size_t first = out.samples.size();
    for (const json& ch : j["choices"]) {
      if (!ch.is_object() || !ch.contains("message") || !ch["message"].is_object()) continue;
      RemoteSample s;
      const json& content = ch["message"].contains("content") ? ch["message"]["content"] : json();
      s.text = content.is_string() ? content.get<std::string>() : "";
      s.stop = stop_of(ch.value("finish_reason", json()));
      read_logprobs(ch, s);
      out.samples.push_back(std::move(s));
    }
    const size_t added = out.samples.size() - first;
    if (added > 0) {
      // Usage counts all choices together; the log-probabilities, where given, count each.
      for (size_t i = first; i < out.samples.size(); ++i) {
        if (out.samples[i].tokens == 0) out.samples[i].tokens = completion_tokens / static_cast<int64_t>(added);
      }
    }
  }

  void read_logprobs(const json& choice, RemoteSample& s) {
    if (!choice.contains("logprobs") || !choice["logprobs"].is_object()) return;
    const json& lp = choice["logprobs"];
    if (!lp.contains("content") || !lp["content"].is_array() || lp["content"].empty()) return;
    double sum = 0;
    int64_t n = 0;
    for (const json& t : lp["content"]) {
      if (!t.is_object() || !t.contains("logprob") || !t["logprob"].is_number()) return;
      sum += t["logprob"].get<double>();
      ++n;
    }
    logprobs_.store(kYes);
    s.tokens = n;
    s.mean_log_prob = sum / static_cast<double>(n);
  }

  void call_streaming(const RemoteRequest& r, const RemoteStream& stream, RemoteReply& out) {
    RemoteSample s;
    double logprob_sum = 0;
    int64_t logprob_count = 0;
    bool logprobs_complete = true, stopped = false;
    std::string stream_error;
    SseParser parser([&](std::string_view, std::string_view data) {
      if (data == "[DONE]" || stopped) return;
      const json j = json::parse(data, nullptr, false);
      if (!j.is_object()) return;
      if (j.contains("error")) {
        stream_error = error_message(std::string(data));
        return;
      }
      if (j.contains("usage") && j["usage"].is_object()) {
        out.prompt_tokens = j["usage"].value("prompt_tokens", out.prompt_tokens);
        s.tokens = j["usage"].value("completion_tokens", s.tokens);
      }
      if (!j.contains("choices") || !j["choices"].is_array() || j["choices"].empty()) return;
      const json& ch = j["choices"][0];
      if (!ch.is_object()) return;
      if (ch.contains("delta") && ch["delta"].is_object() && ch["delta"].contains("content") &&
          ch["delta"]["content"].is_string()) {
        const std::string piece = ch["delta"]["content"].get<std::string>();
        s.text += piece;
        if (!piece.empty() && !stream(piece)) stopped = true;
      }
      if (ch.contains("logprobs") && ch["logprobs"].is_object() && ch["logprobs"].contains("content") &&
          ch["logprobs"]["content"].is_array()) {
        for (const json& t : ch["logprobs"]["content"]) {
          if (t.is_object() && t.contains("logprob") && t["logprob"].is_number()) {
            logprob_sum += t["logprob"].get<double>();
            ++logprob_count;
          } else {
            logprobs_complete = false;
          }
        }
      }
      if (ch.contains("finish_reason") && !ch["finish_reason"].is_null()) s.stop = stop_of(ch["finish_reason"]);
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
    if (!stream_error.empty()) throw Error(remote::redact(name_ + ": the stream ended with an error: " + stream_error, secret()));
    if (stopped) s.stop = StopReason::Cancelled;
    if (logprob_count > 0 && logprobs_complete) {
      logprobs_.store(kYes);
      s.mean_log_prob = logprob_sum / static_cast<double>(logprob_count);
      if (s.tokens == 0) s.tokens = logprob_count;
    }
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
