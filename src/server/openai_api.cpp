// The OpenAI API: /v1/models, /v1/chat/completions, /v1/completions, /v1/embeddings.
// Streams are server-sent events ending with `data: [DONE]`; loco's extension fields ride
// in `loco` objects that clients which do not know them ignore.
#include <fmt/format.h>

#include <cstring>

#include "loco/error.h"
#include "server/server_state.h"

namespace loco::server {

namespace {

// Strict readers: a field of the wrong type is a 400 naming it.
template <typename T>
std::optional<T> optional_field(const json& j, const char* key, const char* what) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  bool ok = false;
  if constexpr (std::is_same_v<T, bool>) ok = it->is_boolean();
  else if constexpr (std::is_same_v<T, std::string>) ok = it->is_string();
  else if constexpr (std::is_integral_v<T>) ok = it->is_number_integer();
  else ok = it->is_number();
  if (!ok) throw ApiError(400, fmt::format("'{}' must be {}", key, what));
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    const auto v = it->get<int64_t>();
    if (v < static_cast<int64_t>(std::numeric_limits<T>::min()) || v > static_cast<int64_t>(std::numeric_limits<T>::max())) {
      throw ApiError(400, fmt::format("'{}' is out of range", key));
    }
    return static_cast<T>(v);
  } else {
    return it->get<T>();
  }
}

std::string content_text(const json& content, size_t index) {
  if (content.is_string()) return content.get<std::string>();
  if (content.is_array()) {
    std::string text;
    for (const json& part : content) {
      if (!part.is_object() || part.value("type", "") != "text" || !part.contains("text") || !part["text"].is_string()) {
        throw ApiError(400, fmt::format("messages[{}].content: only text parts are supported", index));
      }
      text += part["text"].get<std::string>();
    }
    return text;
  }
  throw ApiError(400, fmt::format("messages[{}].content must be a string or an array of text parts", index));
}

std::vector<std::string> stop_list(const json& j) {
  const auto it = j.find("stop");
  if (it == j.end() || it->is_null()) return {};
  if (it->is_string()) return {it->get<std::string>()};
  if (!it->is_array() || it->size() > 4) throw ApiError(400, "'stop' must be a string or an array of up to 4 strings");
  std::vector<std::string> out;
  for (const json& s : *it) {
    if (!s.is_string()) throw ApiError(400, "'stop' must be a string or an array of up to 4 strings");
    out.push_back(s.get<std::string>());
  }
  return out;
}

// The fields chat and completions share, and loco's extension object.
void read_common(const json& j, GenerationRequest& rq) {
  rq.model = optional_field<std::string>(j, "model", "a string").value_or("");
  rq.n = optional_field<int>(j, "n", "an integer").value_or(1);
  rq.stream = optional_field<bool>(j, "stream", "true or false").value_or(false);
  rq.temperature = optional_field<float>(j, "temperature", "a number");
  rq.top_p = optional_field<float>(j, "top_p", "a number");
  if (auto seed = optional_field<int64_t>(j, "seed", "an integer")) rq.seed = static_cast<uint64_t>(*seed);
  rq.max_tokens = optional_field<int32_t>(j, "max_completion_tokens", "an integer");
  if (!rq.max_tokens) rq.max_tokens = optional_field<int32_t>(j, "max_tokens", "an integer");
  rq.presence_penalty = optional_field<float>(j, "presence_penalty", "a number").value_or(0.0f);
  rq.frequency_penalty = optional_field<float>(j, "frequency_penalty", "a number").value_or(0.0f);
  if (std::abs(rq.presence_penalty) > 2 || std::abs(rq.frequency_penalty) > 2) {
    throw ApiError(400, "presence_penalty and frequency_penalty must be between -2 and 2");
  }
  rq.stop = stop_list(j);
  if (const auto it = j.find("loco"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) throw ApiError(400, "'loco' must be an object: {\"adapter\", \"votes\", \"reread\", \"as_is\"}");
    rq.adapter = optional_field<std::string>(*it, "adapter", "a string");
    rq.votes = optional_field<int>(*it, "votes", "an integer");
    rq.reread = optional_field<bool>(*it, "reread", "true or false");
    rq.as_is = optional_field<bool>(*it, "as_is", "true or false").value_or(false);
  }
}

json usage_json(const GenerationResult& g) {
  return {{"prompt_tokens", g.prompt_tokens},
          {"completion_tokens", g.completion_tokens},
          {"total_tokens", g.prompt_tokens + g.completion_tokens}};
}

// OpenAI's base64 encoding: the float32 values' little-endian bytes, in standard base64.
std::string base64_floats(const std::vector<float>& values) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes(values.size() * 4, '\0');
  for (size_t i = 0; i < values.size(); ++i) {
    uint32_t u = 0;
    std::memcpy(&u, &values[i], 4);
    for (int b = 0; b < 4; ++b) bytes[i * 4 + static_cast<size_t>(b)] = static_cast<char>((u >> (8 * b)) & 0xFF);
  }
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t chunk = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (i + 1 < bytes.size()) chunk |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    if (i + 2 < bytes.size()) chunk |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 2]));
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[chunk & 63] : '=';
  }
  return out;
}

std::string sse(const json& j) { return "data: " + j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n"; }

// OpenAI's logprobs object: each token with its log-probability and UTF-8 bytes (no
// alternatives: top_logprobs is refused).
json logprobs_json(const Choice& c) {
  json content = json::array();
  for (const TokenLogProb& t : c.logprobs) {
    json bytes = json::array();
    for (unsigned char b : t.token) bytes.push_back(static_cast<int>(b));
    content.push_back({{"token", t.token}, {"logprob", t.logprob}, {"bytes", bytes}, {"top_logprobs", json::array()}});
  }
  return {{"content", content}};
}

// Chat and completions differ only in their object names and in how a choice is written.
struct Shape {
  const char* id_prefix;
  const char* object;        // of the whole answer
  const char* chunk_object;  // of a streamed chunk
  bool opens_with_role;      // chat: a first chunk per choice announces the assistant
  std::function<json(const std::string& text)> whole_choice;   // without index and finish
  std::function<json(const std::string* text, bool first)> delta_choice;
};

void answer(httplib::Response& res, ServerState& state, std::shared_ptr<Engine> engine, const GenerationRequest& rq,
            bool include_usage, const Shape& shape) {
  const std::string id = random_id(shape.id_prefix);
  const int64_t created = unix_now();
  if (!rq.stream) {
    const GenerationResult g = state.run(*engine, rq);
    json choices = json::array();
    for (size_t k = 0; k < g.choices.size(); ++k) {
      json c = shape.whole_choice(g.choices[k].text);
      c["index"] = k;
      c["logprobs"] = rq.logprobs ? logprobs_json(g.choices[k]) : json(nullptr);
      c["finish_reason"] = g.choices[k].finish_reason;
      choices.push_back(std::move(c));
    }
    respond_json(res, {{"id", id}, {"object", shape.object}, {"created", created}, {"model", rq.model},
                       {"choices", choices}, {"usage", usage_json(g)}, {"loco", g.loco}});
    return;
  }
  const PreparedGeneration p = state.prepare(*engine, rq);
  const std::string model = rq.model;
  auto chunk = [id, created, model, shape](int k, const std::string* text, const char* finish, bool first) {
    json c = shape.delta_choice(text, first);
    c["index"] = k;
    c["logprobs"] = nullptr;
    c["finish_reason"] = finish ? json(finish) : json(nullptr);
    return json{{"id", id}, {"object", shape.chunk_object}, {"created", created}, {"model", model},
                {"choices", json::array({c})}};
  };
  const bool voting = p.votes > 1;
  const int opening = voting ? 1 : p.job->n;
  StreamFormat f;
  f.content_type = "text/event-stream";
  f.open = [chunk, opening, shape] {
    std::string out;
    for (int k = 0; shape.opens_with_role && k < opening; ++k) out += sse(chunk(k, nullptr, nullptr, true));
    return out;
  };
  f.piece = [chunk](int k, const std::string& text) { return sse(chunk(k, &text, nullptr, false)); };
  const bool logprobs = rq.logprobs;
  f.close = [chunk, voting, include_usage, logprobs](const GenerationResult& g) {
    std::string out;
    for (size_t k = 0; k < g.choices.size(); ++k) {
      const int index = static_cast<int>(k);
      if (voting) out += sse(chunk(index, &g.choices[k].text, nullptr, false));
      json last = chunk(index, nullptr, g.choices[k].finish_reason.c_str(), false);
      if (k + 1 == g.choices.size()) last["loco"] = g.loco;
      // A choice's token log-probabilities arrive together with its finish (text pieces
      // are held back for stop strings, so they do not map onto chunks one to one).
      if (logprobs) last["choices"][0]["logprobs"] = logprobs_json(g.choices[k]);
      out += sse(last);
    }
    if (include_usage) {
      json u = chunk(0, nullptr, nullptr, false);
      u["choices"] = json::array();
      u["usage"] = usage_json(g);
      out += sse(u);
    }
    return out + "data: [DONE]\n\n";
  };
  f.error = [](const std::string& error) {
    return sse({{"error", {{"message", error}, {"type", "server_error"}, {"code", "generation_failed"}}}}) +
           "data: [DONE]\n\n";
  };
  stream_generation(res, state, engine, p, std::move(f));
}

void chat_completions(const httplib::Request& req, httplib::Response& res, ServerState& state) {
  const json j = parse_json_body(req);
  std::shared_ptr<Engine> engine = state.engine();
  GenerationRequest rq;
  read_common(j, rq);
  const auto messages = j.find("messages");
  if (messages == j.end() || !messages->is_array() || messages->empty()) {
    throw ApiError(400, "'messages' must be a non-empty array of {\"role\", \"content\"}");
  }
  for (size_t i = 0; i < messages->size(); ++i) {
    const json& m = (*messages)[i];
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string() || !m.contains("content")) {
      throw ApiError(400, fmt::format("messages[{}] must be an object with a string 'role' and a 'content'", i));
    }
    std::string role = m["role"].get<std::string>();
    if (role == "developer") role = "system";
    if (role != "system" && role != "user" && role != "assistant") {
      throw ApiError(400, fmt::format("messages[{}].role '{}' is not supported (system, user or assistant)", i, role));
    }
    rq.messages.push_back({role, content_text(m["content"], i)});
  }
  rq.logprobs = optional_field<bool>(j, "logprobs", "true or false").value_or(false);
  if (optional_field<int>(j, "top_logprobs", "an integer").value_or(0) > 0) {
    throw ApiError(400, "'top_logprobs' is not supported (logprobs gives each chosen token's)");
  }
  const bool include_usage = j.contains("stream_options") && j["stream_options"].is_object() &&
                             j["stream_options"].value("include_usage", false);
  const Shape shape{"chatcmpl-", "chat.completion", "chat.completion.chunk", true,
                    [](const std::string& text) {
                      return json{{"message", {{"role", "assistant"}, {"content", text}}}};
                    },
                    [](const std::string* text, bool first) {
                      json delta = json::object();
                      if (first) delta = {{"role", "assistant"}, {"content", ""}};
                      if (text != nullptr) delta["content"] = *text;
                      return json{{"delta", delta}};
                    }};
  answer(res, state, engine, rq, include_usage, shape);
}

void completions(const httplib::Request& req, httplib::Response& res, ServerState& state) {
  const json j = parse_json_body(req);
  std::shared_ptr<Engine> engine = state.engine();
  GenerationRequest rq;
  read_common(j, rq);
  const auto prompt = j.find("prompt");
  if (prompt != j.end() && prompt->is_array() && prompt->size() == 1 && (*prompt)[0].is_string()) {
    rq.raw_prompt = (*prompt)[0].get<std::string>();
  } else if (prompt != j.end() && prompt->is_string()) {
    rq.raw_prompt = prompt->get<std::string>();
  } else {
    throw ApiError(400, "'prompt' must be a string (or an array of one string)");
  }
  if (j.value("echo", false)) throw ApiError(400, "'echo' is not supported");
  if (j.contains("logprobs") && !j["logprobs"].is_null()) throw ApiError(400, "'logprobs' is not supported");
  if (j.contains("suffix") && !j["suffix"].is_null()) throw ApiError(400, "'suffix' is not supported");
  const Shape shape{"cmpl-", "text_completion", "text_completion", false,
                    [](const std::string& text) { return json{{"text", text}}; },
                    [](const std::string* text, bool) { return json{{"text", text ? *text : std::string()}}; }};
  answer(res, state, engine, rq, false, shape);
}

void embeddings(const httplib::Request& req, httplib::Response& res, ServerState& state) {
  const json j = parse_json_body(req);
  std::shared_ptr<Engine> e = state.engine();
  const std::string model = optional_field<std::string>(j, "model", "a string").value_or("");
  if (state.adapter_for_model(*e, model) != "none") {
    throw ApiError(400, "embeddings come from the base model: use model '" + e->base_id + "'");
  }
  const std::string format = optional_field<std::string>(j, "encoding_format", "a string").value_or("float");
  if (format != "float" && format != "base64") throw ApiError(400, "encoding_format must be 'float' or 'base64'");
  std::vector<std::string> inputs;
  const auto input = j.find("input");
  if (input != j.end() && input->is_string()) {
    inputs.push_back(input->get<std::string>());
  } else if (input != j.end() && input->is_array() && !input->empty() && input->size() <= 256) {
    for (const json& s : *input) {
      if (!s.is_string()) throw ApiError(400, "'input' must be a string or an array of up to 256 strings");
      inputs.push_back(s.get<std::string>());
    }
  } else {
    throw ApiError(400, "'input' must be a string or an array of up to 256 strings");
  }
  json data = json::array();
  int64_t tokens_total = 0;
  std::lock_guard lock(e->embed_mutex);
  const Tokenizer& tok = e->served.assistant->tokenizer();
  if (!e->embed_session) {
    SessionOptions so;
    so.n_ctx = e->n_ctx;
    so.n_threads = state.options().threads;
    e->embed_session = std::make_unique<Session>(e->served.model, so);
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::vector<TokenId> tokens = tok.encode(inputs[i], tok.add_bos_by_default(), false);
    if (tokens.empty()) throw ApiError(400, fmt::format("input[{}] is empty", i));
    if (static_cast<int64_t>(tokens.size()) > e->n_ctx) {
      throw ApiError(400, fmt::format("input[{}] is {} tokens, more than the {}-token context", i, tokens.size(),
                                      e->n_ctx));
    }
    tokens_total += static_cast<int64_t>(tokens.size());
    const std::vector<float> v = e->embed_session->embed_mean(0, tokens);
    data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", format == "float" ? json(v) : json(base64_floats(v))}});
  }
  state.metrics().add_prompt_tokens(static_cast<uint64_t>(tokens_total));
  const json out = {{"object", "list"},
                    {"data", data},
                    {"model", model},
                    {"usage", {{"prompt_tokens", tokens_total}, {"total_tokens", tokens_total}}}};
  res.set_content(out.dump(), "application/json");
}

}  // namespace

void register_openai_routes(httplib::Server& http, ServerState& state) {
  http.Get("/v1/models", [&state](const httplib::Request&, httplib::Response& res) {
    std::shared_ptr<Engine> e = state.engine();
    json data = json::array();
    for (const std::string& id : state.model_ids(*e)) {
      data.push_back({{"id", id}, {"object", "model"}, {"created", 0}, {"owned_by", "loco"}});
    }
    res.set_content(json{{"object", "list"}, {"data", data}}.dump(), "application/json");
  });
  http.Post("/v1/chat/completions",
            [&state](const httplib::Request& req, httplib::Response& res) { chat_completions(req, res, state); });
  http.Post("/v1/completions", [&state](const httplib::Request& req, httplib::Response& res) { completions(req, res, state); });
  http.Post("/v1/embeddings", [&state](const httplib::Request& req, httplib::Response& res) { embeddings(req, res, state); });
}

}  // namespace loco::server
