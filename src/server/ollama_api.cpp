// The Ollama API: /api/tags, /api/chat, /api/generate (newline-delimited JSON streams, on
// by default, ending with `done: true` and the counts and durations), /api/version.
// Errors here are Ollama's `{"error": "..."}`.
#include <fmt/format.h>

#include <filesystem>

#include "loco/error.h"
#include "loco/sha256.h"
#include "server/server_state.h"

namespace loco::server {

namespace {

int64_t nanoseconds(double seconds) { return static_cast<int64_t>(seconds * 1e9); }

// Ollama's `options`: temperature, top_p, seed, num_predict, stop.
void read_options(const json& j, GenerationRequest& rq) {
  const auto it = j.find("options");
  if (it == j.end() || it->is_null()) return;
  if (!it->is_object()) throw ApiError(400, "'options' must be an object");
  const json& o = *it;
  auto number = [&](const char* key) -> std::optional<double> {
    if (!o.contains(key) || o[key].is_null()) return std::nullopt;
    if (!o[key].is_number()) throw ApiError(400, fmt::format("options.{} must be a number", key));
    return o[key].get<double>();
  };
  if (auto t = number("temperature")) rq.temperature = static_cast<float>(*t);
  if (auto p = number("top_p")) rq.top_p = static_cast<float>(*p);
  if (auto s = number("seed")) rq.seed = static_cast<uint64_t>(*s);
  if (auto n = number("num_predict")) {
    if (*n < 1 || *n > 1e9) throw ApiError(400, "options.num_predict must be a positive number of tokens");
    rq.max_tokens = static_cast<int32_t>(*n);
  }
  if (o.contains("stop")) {
    if (!o["stop"].is_array()) throw ApiError(400, "options.stop must be an array of strings");
    for (const json& s : o["stop"]) {
      if (!s.is_string()) throw ApiError(400, "options.stop must be an array of strings");
      rq.stop.push_back(s.get<std::string>());
    }
  }
}

void read_request(const json& j, GenerationRequest& rq) {
  if (!j.contains("model") || !j["model"].is_string()) throw ApiError(400, "'model' must be a string");
  rq.model = j["model"].get<std::string>();
  rq.stream = true;  // Ollama streams unless told not to
  if (j.contains("stream")) {
    if (!j["stream"].is_boolean()) throw ApiError(400, "'stream' must be true or false");
    rq.stream = j["stream"].get<bool>();
  }
  read_options(j, rq);
  if (const auto it = j.find("loco"); it != j.end() && it->is_object()) {
    if (it->contains("adapter") && (*it)["adapter"].is_string()) rq.adapter = (*it)["adapter"].get<std::string>();
    if (it->contains("votes") && (*it)["votes"].is_number_integer()) rq.votes = (*it)["votes"].get<int>();
    if (it->contains("reread") && (*it)["reread"].is_boolean()) rq.reread = (*it)["reread"].get<bool>();
    if (it->contains("as_is") && (*it)["as_is"].is_boolean()) rq.as_is = (*it)["as_is"].get<bool>();
  }
}

json final_fields(const GenerationResult& g) {
  const double total = g.queued_seconds + g.prompt_seconds + g.generate_seconds;
  return {{"done", true},
          {"done_reason", g.choices.empty() ? "stop" : g.choices[0].finish_reason},
          {"total_duration", nanoseconds(total)},
          {"load_duration", 0},
          {"prompt_eval_count", g.prompt_tokens},
          {"prompt_eval_duration", nanoseconds(g.prompt_seconds)},
          {"eval_count", g.completion_tokens},
          {"eval_duration", nanoseconds(g.generate_seconds)}};
}

std::string line(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n"; }

// `piece(text)` makes one streamed object; the last one gets final_fields and loco's.
void respond(httplib::Response& res, ServerState& state, std::shared_ptr<Engine> engine, const GenerationRequest& rq,
             std::function<json(const std::string&)> piece) {
  auto last = [piece](const GenerationResult& g, const std::string& text) {
    json out = piece(text);
    out.update(final_fields(g));
    out["loco"] = g.loco;
    return out;
  };
  if (!rq.stream) {
    const GenerationResult g = state.run(*engine, rq);
    res.set_content(line(last(g, g.choices.empty() ? std::string() : g.choices[0].text)), "application/json");
    return;
  }
  const PreparedGeneration p = state.prepare(*engine, rq);
  const bool voting = p.votes > 1;
  StreamFormat f;
  f.content_type = "application/x-ndjson";
  f.piece = [piece](int, const std::string& text) {
    json out = piece(text);
    out["done"] = false;
    return line(out);
  };
  f.close = [last, voting](const GenerationResult& g) {
    return line(last(g, voting && !g.choices.empty() ? g.choices[0].text : std::string()));
  };
  f.error = [](const std::string& error) { return line({{"error", error}}); };
  stream_generation(res, state, engine, p, std::move(f));
}

void chat(const httplib::Request& req, httplib::Response& res, ServerState& state) {
  const json j = parse_json_body(req);
  std::shared_ptr<Engine> engine = state.engine();
  GenerationRequest rq;
  read_request(j, rq);
  if (!j.contains("messages") || !j["messages"].is_array() || j["messages"].empty()) {
    throw ApiError(400, "'messages' must be a non-empty array of {\"role\", \"content\"}");
  }
  for (const json& m : j["messages"]) {
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string() || !m.contains("content") ||
        !m["content"].is_string()) {
      throw ApiError(400, "each message must have a string 'role' and a string 'content'");
    }
    const std::string role = m["role"].get<std::string>();
    if (role != "system" && role != "user" && role != "assistant") {
      throw ApiError(400, "message role '" + role + "' is not supported (system, user or assistant)");
    }
    rq.messages.push_back({role, m["content"].get<std::string>()});
  }
  const std::string model = rq.model;
  respond(res, state, engine, rq, [model](const std::string& text) {
    return json{{"model", model}, {"created_at", utc_now_iso()}, {"message", {{"role", "assistant"}, {"content", text}}}};
  });
}

void generate(const httplib::Request& req, httplib::Response& res, ServerState& state) {
  const json j = parse_json_body(req);
  std::shared_ptr<Engine> engine = state.engine();
  GenerationRequest rq;
  read_request(j, rq);
  if (!j.contains("prompt") || !j["prompt"].is_string()) throw ApiError(400, "'prompt' must be a string");
  const std::string prompt = j["prompt"].get<std::string>();
  if (j.value("raw", false)) {
    rq.raw_prompt = prompt;
  } else {
    if (j.contains("system") && j["system"].is_string()) rq.messages.push_back({"system", j["system"].get<std::string>()});
    rq.messages.push_back({"user", prompt});
  }
  const std::string model = rq.model;
  respond(res, state, engine, rq, [model](const std::string& text) {
    return json{{"model", model}, {"created_at", utc_now_iso()}, {"response", text}};
  });
}

}  // namespace

void register_ollama_routes(httplib::Server& http, ServerState& state) {
  http.Get("/api/version", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(json{{"version", "0.1.0-loco"}}.dump(), "application/json");
  });
  http.Get("/api/tags", [&state](const httplib::Request&, httplib::Response& res) {
    std::shared_ptr<Engine> e = state.engine();
    std::error_code ec;
    const auto size = std::filesystem::file_size(e->served.path, ec);
    const std::string digest = e->served.assistant->registry().base_model
                                   ? e->served.assistant->registry().base_model->sha256
                                   : std::string();
    json models = json::array();
    for (const std::string& id : state.model_ids(*e)) {
      models.push_back({{"name", id},
                        {"model", id},
                        {"modified_at", "1970-01-01T00:00:00Z"},
                        {"size", ec ? 0 : size},
                        {"digest", digest},
                        {"details",
                         {{"format", "gguf"},
                          {"family", e->served.model->config().arch_name},
                          {"parameter_size", ""},
                          {"quantization_level", ""}}}});
    }
    res.set_content(json{{"models", models}}.dump(), "application/json");
  });
  http.Post("/api/chat", [&state](const httplib::Request& req, httplib::Response& res) { chat(req, res, state); });
  http.Post("/api/generate", [&state](const httplib::Request& req, httplib::Response& res) { generate(req, res, state); });
}

}  // namespace loco::server
