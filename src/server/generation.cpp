// One request from either API, through the LocoLLM layer: the model id picks the adapter
// (or the router), the Assistant builds the prompt exactly as `loco query` does, the
// scheduler samples, and the samples are voted on and judged.
#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <random>

#include "loco/answer.h"
#include "loco/error.h"
#include "server/server_state.h"

namespace loco::server {

void StreamChannel::push(int sample, std::string_view text) {
  {
    std::lock_guard lock(mutex_);
    pieces_.emplace_back(sample, std::string(text));
  }
  cv_.notify_all();
}

void StreamChannel::close(std::vector<SampleOutput> outputs, const std::string& error) {
  {
    std::lock_guard lock(mutex_);
    outputs_ = std::move(outputs);
    error_ = error;
    closed_ = true;
  }
  cv_.notify_all();
}

std::vector<std::pair<int, std::string>> StreamChannel::take(double seconds, bool* done) {
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, std::chrono::duration<double>(seconds), [&] { return closed_ || !pieces_.empty(); });
  std::vector<std::pair<int, std::string>> out(std::make_move_iterator(pieces_.begin()),
                                               std::make_move_iterator(pieces_.end()));
  pieces_.clear();
  *done = closed_;
  return out;
}

std::shared_ptr<Engine> ServerState::engine() const {
  std::lock_guard lock(mutex_);
  if (stopping_) throw ApiError(503, "the server is shutting down", "server_error", "shutting_down");
  if (!failed_.empty()) throw ApiError(503, "the model failed to load: " + failed_, "server_error", "model_failed");
  if (!engine_) throw ApiError(503, "the model is still loading; retry shortly (GET /health)", "server_error", "loading");
  return engine_;
}

void ServerState::set_engine(std::shared_ptr<Engine> engine) {
  std::lock_guard lock(mutex_);
  engine_ = std::move(engine);
}

void ServerState::set_failed(const std::string& why) {
  std::lock_guard lock(mutex_);
  failed_ = why;
}

std::string ServerState::status() const {
  std::lock_guard lock(mutex_);
  if (stopping_) return "stopping";
  if (!failed_.empty()) return "failed: " + failed_;
  return engine_ ? "ok" : "loading";
}

std::vector<std::string> ServerState::model_ids(const Engine& e) const {
  std::vector<std::string> ids = {e.base_id};
  for (const AdapterEntry& a : e.served.assistant->registry().adapters()) {
    if (a.type != kMergedGguf) ids.push_back("loco/" + a.name);
  }
  ids.push_back("loco/auto");
  return ids;
}

std::string ServerState::adapter_for_model(const Engine& e, const std::string& requested) const {
  std::string id = requested;
  if (id.ends_with(":latest")) id.resize(id.size() - 7);  // Ollama clients add a tag
  if (id.empty()) throw ApiError(400, "'model' is required: GET /v1/models lists them", "invalid_request_error", "model_required");
  if (id == e.base_id || id == "loco" || id == "loco/base") return "none";
  if (id == "loco/auto") return "auto";
  if (id.starts_with("loco/")) {
    const AdapterEntry* a = e.served.assistant->registry().find(id.substr(5));
    if (a != nullptr && a->type != kMergedGguf) return a->name;
  }
  throw ApiError(404, fmt::format("the model '{}' does not exist here: GET /v1/models lists them", requested),
                 "invalid_request_error", "model_not_found");
}

PreparedGeneration ServerState::prepare(Engine& e, const GenerationRequest& rq) {
  PreparedGeneration p;
  p.model_id = rq.model;
  const std::string by_model = adapter_for_model(e, rq.model);
  const std::string adapter = rq.adapter.value_or(by_model);
  const int votes = rq.votes.value_or(1);
  if (votes < 1 || votes > 64) throw ApiError(400, "loco.votes must be between 1 and 64");
  if (rq.n < 1 || rq.n > 64) throw ApiError(400, "n must be between 1 and 64");
  if (votes > 1 && rq.n > 1) throw ApiError(400, "ask for n choices or for loco.votes, not both");
  const int32_t limit = options_.max_tokens_limit;
  const int32_t max_tokens = rq.max_tokens.value_or(std::min<int32_t>(e.served.defaults.max_tokens, limit));
  if (max_tokens < 1 || max_tokens > limit) {
    throw ApiError(400, fmt::format("max_tokens must be between 1 and {} (the server's --max-tokens-limit)", limit));
  }
  p.votes = votes;
  p.logprobs = rq.logprobs;

  auto job = std::make_shared<Job>();
  job->n = votes > 1 ? votes : rq.n;
  job->stop = rq.stop;
  SamplerConfig& sc = job->sampling;
  sc = e.served.defaults.sampling;
  sc.temperature = rq.temperature.value_or(votes > 1 ? e.served.defaults.vote_temperature : sc.temperature);
  sc.top_p = rq.top_p.value_or(sc.top_p);
  sc.presence_penalty = rq.presence_penalty;
  sc.frequency_penalty = rq.frequency_penalty;
  if (!(sc.temperature >= 0 && sc.temperature <= 5)) throw ApiError(400, "temperature must be between 0 and 5");
  if (!(sc.top_p > 0 && sc.top_p <= 1)) throw ApiError(400, "top_p must be in (0, 1]");
  sc.seed = rq.seed ? *rq.seed : std::random_device{}();
  job->deadline = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                          std::chrono::duration<double>(options_.request_seconds));

  // The LocoLLM layer: the model's own defaults for loco's ids, the plain model otherwise.
  QueryOptions qo = e.served.defaults;
  qo.adapter = adapter;
  qo.reread = rq.reread.value_or(by_model != "none" && e.served.defaults.reread);
  qo.max_tokens = max_tokens;
  qo.votes = 1;
  qo.context.clear();
  if (rq.as_is) {
    qo.reread = false;
    qo.adapter_prompt = false;
  }
  std::string question;
  if (rq.raw_prompt) {
    question = *rq.raw_prompt;
    qo.reread = false;
  } else {
    if (rq.messages.empty() || rq.messages.back().role != "user") {
      throw ApiError(400, "the last message must be the user's");
    }
    question = rq.messages.back().content;
    qo.history.assign(rq.messages.begin(), rq.messages.end() - 1);
  }
  if (question.empty()) throw ApiError(400, rq.raw_prompt ? "the prompt is empty" : "the user's message is empty");

  std::lock_guard lock(e.assistant_mutex);
  Assistant& a = *e.served.assistant;
  PreparedQuery q;
  try {
    q = a.prepare(question, qo);
  } catch (const Error& err) {
    throw ApiError(400, err.what());
  }
  p.adapter = q.adapters.empty() ? "" : q.adapters[0];
  p.route = q.route;
  p.reason = q.reason;
  if (!q.route && !p.adapter.empty()) {
    // The Assistant's words are the command line's; a client chose by model or field.
    p.reason = rq.adapter ? "asked for with loco.adapter" : "asked for as the model '" + rq.model + "'";
  }
  p.eval_type = q.eval_type;
  job->adapter = q.loaded.empty() ? nullptr : q.loaded[0];
  job->scale = q.scales.empty() ? 1.0f : q.scales[0];
  if (rq.raw_prompt) {
    job->prompt = a.tokenizer().encode(*rq.raw_prompt, a.tokenizer().add_bos_by_default(), false);
    job->max_tokens = max_tokens;
  } else {
    job->prompt = std::move(q.prompt);
    job->max_tokens = q.answer_tokens;
  }
  p.job = std::move(job);
  return p;
}

void ServerState::submit(Engine& e, const PreparedGeneration& p) {
  bool busy = false;
  const std::string why = e.scheduler->submit(p.job, &busy);
  if (why.empty()) return;
  if (busy) {
    metrics_.count_rejected();
    throw ApiError(429, why, "server_error", "queue_full");
  }
  throw ApiError(400, why);
}

const char* finish_reason_name(StopReason stop) {
  return stop == StopReason::MaxTokens || stop == StopReason::ContextFull ? "length" : "stop";
}

static std::vector<TokenLogProb> token_log_probs(Engine& e, const SampleOutput& o) {
  std::vector<TokenLogProb> out;
  const Tokenizer& tokenizer = e.served.assistant->tokenizer();
  for (size_t i = 0; i < o.tokens.size() && i < o.log_probs.size(); ++i) {
    out.push_back({tokenizer.decode(std::span<const TokenId>(&o.tokens[i], 1)), o.log_probs[i]});
  }
  return out;
}

GenerationResult ServerState::result(Engine& e, const PreparedGeneration& p, std::vector<SampleOutput> outputs) const {
  GenerationResult g;
  g.prompt_tokens = static_cast<int64_t>(p.job->prompt.size());
  g.queued_seconds = p.job->queued_seconds;
  g.prompt_seconds = p.job->prompt_seconds;
  g.generate_seconds = p.job->generate_seconds;
  // Code answers are voted on and judged as text here: the server does not run programs.
  QueryResult r;
  r.eval_type = p.eval_type == EvalType::Code ? EvalType::None : p.eval_type;
  r.votes_requested = static_cast<int>(outputs.size());
  for (const SampleOutput& o : outputs) {
    g.completion_tokens += static_cast<int64_t>(o.tokens.size());
    Candidate c{p.adapter, o.text, extract_answer(r.eval_type, o.text), o.mean_log_prob, o.stop, false};
    r.candidates.push_back(std::move(c));
  }
  if (p.votes > 1) {
    settle_vote(r);
    size_t chosen = 0;
    for (size_t i = 0; i < outputs.size(); ++i) {
      if (outputs[i].text == r.text) chosen = i;
    }
    g.choices.push_back({r.text, finish_reason_name(outputs[chosen].stop),
                         static_cast<int64_t>(outputs[chosen].tokens.size()),
                         p.logprobs ? token_log_probs(e, outputs[chosen]) : std::vector<TokenLogProb>()});
  } else {
    for (const SampleOutput& o : outputs) {
      g.choices.push_back({o.text, finish_reason_name(o.stop), static_cast<int64_t>(o.tokens.size()),
                           p.logprobs ? token_log_probs(e, o) : std::vector<TokenLogProb>()});
    }
    if (!outputs.empty()) {
      r.text = outputs[0].text;
      r.answer = r.candidates[0].answer;
      r.mean_log_prob = outputs[0].mean_log_prob;
      r.votes_sampled = 1;
      r.agreement = "1/1";
      r.candidates.resize(1);
    }
  }
  r.confidence = judge_confidence(r, r.confidence_note);
  json route = nullptr;
  if (p.route) {
    route = {{"adapter", p.route->adapter.empty() ? json(nullptr) : json(p.route->adapter)},
             {"confidence", p.route->confidence},
             {"why", p.route->explanation}};
  }
  json votes = nullptr;
  if (p.votes > 1) {
    votes = {{"answer", r.answer ? json(*r.answer) : json(nullptr)},
             {"agreement", r.agreement},
             {"agreement_ratio", r.agreement_ratio},
             {"samples", r.votes_sampled}};
  }
  g.loco = {{"adapter", p.adapter.empty() ? json(nullptr) : json(p.adapter)},
            {"why", p.reason},
            {"route", route},
            {"votes", votes},
            {"answer", r.answer ? json(*r.answer) : json(nullptr)},
            {"confidence", {{"level", confidence_name(r.confidence)}, {"note", r.confidence_note}}}};
  if (e.served.builtin) g.loco["note"] = e.served.note;
  return g;
}

GenerationResult ServerState::run(Engine& e, const GenerationRequest& rq, PreparedGeneration* prepared) {
  PreparedGeneration p = prepare(e, rq);
  auto channel = std::make_shared<StreamChannel>();
  p.job->on_done = [channel](std::vector<SampleOutput> outputs, const std::string& error) {
    channel->close(std::move(outputs), error);
  };
  submit(e, p);
  bool done = false;
  while (!done) channel->take(1.0, &done);
  if (!channel->error().empty()) throw ApiError(500, channel->error(), "server_error", "generation_failed");
  GenerationResult g = result(e, p, std::move(channel->outputs()));
  if (prepared != nullptr) *prepared = p;
  return g;
}

void stream_generation(httplib::Response& res, ServerState& state, std::shared_ptr<Engine> engine,
                       const PreparedGeneration& p, StreamFormat format) {
  auto channel = std::make_shared<StreamChannel>();
  if (p.votes == 1) {
    p.job->on_text = [channel](int k, std::string_view text) {
      channel->push(k, text);
      return true;
    };
  }
  p.job->on_done = [channel](std::vector<SampleOutput> outputs, const std::string& error) {
    channel->close(std::move(outputs), error);
  };
  state.submit(*engine, p);
  ++state.in_flight;
  auto opened = std::make_shared<bool>(false);
  const std::string content_type = format.content_type;
  res.set_chunked_content_provider(
      content_type,
      [&state, engine, p, channel, opened, format = std::move(format)](size_t, httplib::DataSink& sink) {
        // A failed write means the client went away: the scheduler drops the request.
        auto write = [&](const std::string& s) {
          if (s.empty()) return true;
          if (!sink.is_writable() || !sink.write(s.data(), s.size())) {
            p.job->cancelled = true;
            return false;
          }
          return true;
        };
        if (!*opened) {
          *opened = true;
          if (format.open && !write(format.open())) return false;
        }
        bool done = false;
        for (auto& [k, text] : channel->take(0.5, &done)) {
          if (!write(format.piece(k, text))) return false;
        }
        if (!done) return true;
        const bool ok = channel->error().empty()
                            ? write(format.close(state.result(*engine, p, std::move(channel->outputs()))))
                            : write(format.error(channel->error()));
        if (ok) sink.done();
        return ok;
      },
      [&state, p](bool success) {
        if (!success) p.job->cancelled = true;
        --state.in_flight;
      });
}

void respond_json(httplib::Response& res, const json& body) {
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

json parse_json_body(const httplib::Request& req) {
  json j;
  try {
    j = json::parse(req.body);
  } catch (const json::exception& ex) {
    throw ApiError(400, fmt::format("the body is not valid JSON ({})", ex.what()));
  }
  if (!j.is_object()) throw ApiError(400, "the body must be a JSON object");
  return j;
}

std::string random_id(const char* prefix) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{}{:016x}", prefix, rng());
}

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string utc_now_iso() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:06d}Z", buf, micros);
}

}  // namespace loco::server
