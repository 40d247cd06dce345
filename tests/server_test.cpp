// `loco serve` in process, on loopback, over the tiny test model with two adapters: the
// OpenAI and Ollama endpoints, streaming equal to non-streaming, requests decoded together
// (with different adapters) giving exactly what each gives alone, cancellation when a
// client goes away, the queue's 429, errors, authentication, health while loading, and a
// graceful stop.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include "cli_runner.h"
#include "loco/assistant.h"
#include "loco/error.h"
#include "loco/prompt_builder.h"
#include "loco/server.h"
#include "server/metrics.h"
#include "server/scheduler.h"
#include "test_paths.h"

namespace loco {
namespace {

using json = nlohmann::json;

Registry test_registry() {
  const std::string dir = test::temp_dir();
  std::ofstream(dir + "/registry.yaml") << "adapters:\n"
      "  math:\n    type: lora-gguf\n    path: " << test::model_path("tiny-qwen3-lora-attn.gguf") << "\n"
      "    eval_type: numeric\n    router_keywords: [\"how many\", total]\n"
      "  analysis:\n    type: lora-peft\n    path: " << test::model_path("tiny-qwen3-lora-all-peft") << "\n"
      "    router_keywords: [explain, passage]\n";
  return Registry::load(dir + "/registry.yaml");
}

server::ServedModel served_tiny() {
  server::ServedModel m;
  m.path = test::model_path("tiny-qwen3-q8_0.gguf");
  m.model = Model::load(m.path);
  m.assistant = std::make_unique<Assistant>(m.model, test_registry(), nullptr, Assistant::Options{1024, 1, KvType::F16});
  m.defaults.reread = false;
  m.defaults.max_tokens = 16;
  return m;
}

struct Running {
  explicit Running(server::ServerOptions o = {}, bool ready = true) : srv(with_defaults(o)) {
    srv.start();
    if (ready) srv.set_ready(served_tiny());
  }
  static server::ServerOptions with_defaults(server::ServerOptions o) {
    o.port = 0;
    o.threads = 1;
    if (o.n_ctx == 4096) o.n_ctx = 1024;
    return o;
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", srv.port());
    c.set_read_timeout(120, 0);
    return c;
  }
  json post(const std::string& path, const json& body, int expect_status = 200) {
    auto res = client().Post(path, body.dump(), "application/json");
    EXPECT_TRUE(res) << path;
    if (!res) return {};
    EXPECT_EQ(res->status, expect_status) << path << " " << res->body;
    return json::parse(res->body);
  }
  // A streamed request's raw body. The client goes away when `keep_reading` (called with
  // what arrived so far) says false.
  std::string stream(const std::string& path, const json& body,
                     std::function<bool(const std::string&)> keep_reading = {}) {
    httplib::Request req;
    req.method = "POST";
    req.path = path;
    req.body = body.dump();
    req.set_header("Content-Type", "application/json");
    std::string got;
    req.content_receiver = [&](const char* data, size_t len, uint64_t, uint64_t) {
      got.append(data, len);
      return !keep_reading || keep_reading(got);
    };
    httplib::Client c = client();
    httplib::Response res;
    httplib::Error err = httplib::Error::Success;
    c.send(req, res, err);
    return got;
  }
  server::Server srv;
};

json chat(const std::string& model, const std::string& content, int max_tokens, uint64_t seed, bool stream = false) {
  return {{"model", model},
          {"messages", json::array({{{"role", "user"}, {"content", content}}})},
          {"max_tokens", max_tokens},
          {"seed", seed},
          {"temperature", 0.9},
          {"stream", stream}};
}

// The text of an SSE stream's content deltas, and its events.
std::string sse_text(const std::string& body, std::vector<json>* events = nullptr, bool* done = nullptr) {
  std::string text;
  size_t at = 0;
  while ((at = body.find("data: ", at)) != std::string::npos) {
    const size_t end = body.find("\n\n", at);
    const std::string payload = body.substr(at + 6, end - at - 6);
    at = end;
    if (payload == "[DONE]") {
      if (done) *done = true;
      continue;
    }
    const json j = json::parse(payload);
    if (events) events->push_back(j);
    for (const json& c : j["choices"]) {
      if (c.contains("delta") && c["delta"].contains("content")) text += c["delta"]["content"].get<std::string>();
    }
  }
  return text;
}

TEST(Server, ModelsAndANonStreamedAnswerWithItsUsage) {
  Running r;
  auto res = r.client().Get("/v1/models");
  ASSERT_TRUE(res);
  std::vector<std::string> ids;
  const json listed = json::parse(res->body);
  for (const json& m : listed["data"]) ids.push_back(m["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"tiny-qwen3-q8_0", "loco/math", "loco/analysis", "loco/auto"}));

  const json a = r.post("/v1/chat/completions", chat("loco/math", "How many apples?", 12, 7));
  ASSERT_EQ(a["choices"].size(), 1u);
  EXPECT_EQ(a["object"], "chat.completion");
  EXPECT_EQ(a["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(a["loco"]["adapter"], "math");
  EXPECT_TRUE(a["loco"]["route"].is_null());  // asked for by name, not routed
  EXPECT_EQ(a["loco"]["why"], "asked for as the model 'loco/math'");
  EXPECT_TRUE(a["loco"]["confidence"].contains("level"));
  // The prompt is the one the Assistant builds for this question with the math adapter.
  server::ServedModel m = served_tiny();
  QueryOptions q = m.defaults;
  q.adapter = "math";
  const PreparedQuery p = m.assistant->prepare("How many apples?", q);
  EXPECT_EQ(a["usage"]["prompt_tokens"].get<size_t>(), p.prompt.size());
  EXPECT_LE(a["usage"]["completion_tokens"].get<int>(), 12);
  EXPECT_EQ(a["usage"]["total_tokens"], a["usage"]["prompt_tokens"].get<int>() + a["usage"]["completion_tokens"].get<int>());

  // The router picks by the question when the model is loco/auto, and says why.
  const json routed = r.post("/v1/chat/completions", chat("loco/auto", "Explain the passage", 4, 1));
  EXPECT_EQ(routed["loco"]["adapter"], "analysis");
  EXPECT_FALSE(routed["loco"]["route"]["why"].get<std::string>().empty());
}

// Streaming gives the same text as not streaming (same seed), ends with [DONE], and its
// last chunk carries the finish reason and loco's fields; Ollama's stream likewise.
TEST(Server, StreamsEqualTheWholeAnswer) {
  Running r;
  const json whole = r.post("/v1/chat/completions", chat("loco/analysis", "Tell me more", 14, 3));
  std::vector<json> events;
  bool done = false;
  const std::string streamed = sse_text(r.stream("/v1/chat/completions", chat("loco/analysis", "Tell me more", 14, 3, true)),
                                        &events, &done);
  EXPECT_TRUE(done);
  EXPECT_EQ(streamed, whole["choices"][0]["message"]["content"].get<std::string>());
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events.front()["choices"][0]["delta"]["role"], "assistant");
  EXPECT_EQ(events.back()["choices"][0]["finish_reason"], whole["choices"][0]["finish_reason"]);
  EXPECT_EQ(events.back()["loco"]["adapter"], "analysis");

  json ollama = {{"model", "loco/analysis:latest"},
                 {"messages", json::array({{{"role", "user"}, {"content", "Tell me more"}}})},
                 {"options", {{"num_predict", 14}, {"seed", 3}, {"temperature", 0.9}}}};
  const std::string lines = r.stream("/api/chat", ollama);
  std::string text;
  json last;
  size_t start = 0;
  while (start < lines.size()) {
    const size_t nl = lines.find('\n', start);
    last = json::parse(lines.substr(start, nl - start));
    text += last["message"]["content"].get<std::string>();
    start = nl + 1;
  }
  EXPECT_EQ(text, streamed);
  EXPECT_TRUE(last["done"].get<bool>());
  EXPECT_EQ(last["eval_count"], whole["usage"]["completion_tokens"]);
  EXPECT_EQ(last["prompt_eval_count"], whole["usage"]["prompt_tokens"]);
}

// Requests decoded together, with different adapters and samples, give exactly what each
// gives alone; a client that goes away is cancelled and the others are not disturbed.
TEST(Server, ConcurrentRequestsWithMixedAdaptersMatchTheirSoloAnswers) {
  server::ServerOptions o;
  o.parallel = 8;
  Running r(o);
  const std::vector<std::string> models = {"loco/math", "loco/analysis", "tiny-qwen3-q8_0", "loco/math"};
  std::vector<std::string> alone;
  for (size_t i = 0; i < models.size(); ++i) {
    alone.push_back(r.post("/v1/chat/completions", chat(models[i], "Question " + std::to_string(i), 20, 11 + i))
                        ["choices"][0]["message"]["content"]);
  }
  // A long streamed request keeps the batch busy while the others run beside it; its
  // client leaves once they are done.
  std::promise<void> long_started;
  std::atomic<bool> others_done{false};
  std::string long_body;
  std::thread long_client([&] {
    bool signalled = false;
    long_body = r.stream("/v1/chat/completions", chat("loco/analysis", "A long story", 900, 5, true),
                         [&](const std::string&) {
                           if (!signalled) long_started.set_value();
                           signalled = true;
                           return !others_done;
                         });
  });
  long_started.get_future().wait();
  std::vector<std::future<std::string>> together;
  for (size_t i = 0; i < models.size(); ++i) {
    together.push_back(std::async(std::launch::async, [&, i] {
      return r.post("/v1/chat/completions", chat(models[i], "Question " + std::to_string(i), 20, 11 + i))
          ["choices"][0]["message"]["content"].get<std::string>();
    }));
  }
  for (size_t i = 0; i < models.size(); ++i) EXPECT_EQ(together[i].get(), alone[i]) << models[i];
  others_done = true;
  const std::string metrics = r.client().Get("/metrics")->body;
  long_client.join();
  EXPECT_EQ(long_body.find("[DONE]"), std::string::npos);  // it left before the end
  // Some steps held more than one sequence: the requests were decoded together.
  const auto count_at = [&](const std::string& le) {
    const std::string key = "loco_batch_sequences_bucket{le=\"" + le + "\"} ";
    const size_t at = metrics.find(key);
    return at == std::string::npos ? -1 : std::stoll(metrics.substr(at + key.size()));
  };
  EXPECT_GT(count_at("+Inf"), count_at("1")) << metrics;
}

// A long answer (8,000 tokens) whose client leaves after a few pieces: the server notices
// at its next write and the scheduler frees the request's sequence.
TEST(Server, ClientThatLeavesIsCancelled) {
  server::ServerOptions o;
  o.n_ctx = 8192;
  o.max_tokens_limit = 8000;
  Running r(o);
  const std::string got = r.stream("/v1/chat/completions", chat("loco/math", "Count forever", 8000, 2, true),
                                   [](const std::string& so_far) { return so_far.size() < 400; });
  EXPECT_EQ(got.find("[DONE]"), std::string::npos);
  ASSERT_NE(got.find("chat.completion.chunk"), std::string::npos) << got;
  std::string metrics;
  for (int i = 0; i < 1500; ++i) {  // the scheduler notices at its next step
    metrics = r.client().Get("/metrics")->body;
    if (metrics.find("loco_cancelled_total 1") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(metrics.find("loco_cancelled_total 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("loco_running_requests 0"), std::string::npos) << metrics;
}

// The scheduler itself: a job whose text callback says stop is cancelled at the next step,
// its on_done says so, and its sequences are free for the next job.
TEST(Scheduler, CallbackThatSaysStopCancelsTheJob) {
  server::ServedModel m = served_tiny();
  server::Metrics metrics;
  server::SchedulerOptions so;
  so.parallel = 2;
  so.n_ctx = 512;
  so.threads = 1;
  server::Scheduler scheduler(m.model, m.assistant->tokenizer(), so, metrics);
  auto run = [&](int pieces_before_stop, std::vector<server::SampleOutput>* outputs) {
    auto job = std::make_shared<server::Job>();
    job->prompt = m.assistant->tokenizer().encode("Hello there", false, false);
    job->n = 2;
    job->max_tokens = 400;
    job->sampling.seed = 3;
    auto pieces = std::make_shared<std::atomic<int>>(0);
    job->on_text = [pieces, pieces_before_stop](int, std::string_view) {
      return pieces_before_stop == 0 || ++*pieces < pieces_before_stop;
    };
    std::promise<std::string> done;
    job->on_done = [&](std::vector<server::SampleOutput> out, const std::string& error) {
      if (outputs != nullptr) *outputs = std::move(out);
      done.set_value(error);
    };
    bool busy = false;
    EXPECT_EQ(scheduler.submit(job, &busy), "");
    return done.get_future().get();
  };
  EXPECT_EQ(run(3, nullptr), "cancelled");
  std::vector<server::SampleOutput> outputs;
  EXPECT_EQ(run(0, &outputs), "");
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_EQ(outputs[0].tokens.size(), 400u);  // random weights never end a turn early
  EXPECT_EQ(scheduler.running(), 0u);
  EXPECT_NE(metrics.prometheus_text(0, 0, 2).find("loco_cancelled_total 1"), std::string::npos);
}

TEST(Server, VotesAndChoices) {
  Running r;
  json voted = chat("loco/math", "How many pens in total?", 8, 4);
  voted["loco"] = {{"votes", 3}};
  const json v = r.post("/v1/chat/completions", voted);
  ASSERT_EQ(v["choices"].size(), 1u);
  EXPECT_NE(v["loco"]["votes"]["agreement"].get<std::string>().find("/3"), std::string::npos);
  json two = chat("loco/math", "How many pens in total?", 8, 4);
  two["n"] = 2;
  const json n = r.post("/v1/chat/completions", two);
  ASSERT_EQ(n["choices"].size(), 2u);
  EXPECT_EQ(n["choices"][1]["index"], 1);
  // Sample k draws with seed + k: the two choices are the samples of seeds 4 and 5.
  EXPECT_EQ(n["choices"][0]["message"]["content"],
            r.post("/v1/chat/completions", chat("loco/math", "How many pens in total?", 8, 4))["choices"][0]["message"]["content"]);
  EXPECT_EQ(n["choices"][1]["message"]["content"],
            r.post("/v1/chat/completions", chat("loco/math", "How many pens in total?", 8, 5))["choices"][0]["message"]["content"]);
  two["loco"] = {{"votes", 3}};
  r.post("/v1/chat/completions", two, 400);
}

// A stop string ends the answer before it; the text never includes it.
TEST(Server, StopStringsCutTheAnswer) {
  Running r;
  json greedy = chat("tiny-qwen3-q8_0", "Say something", 16, 1);
  greedy["temperature"] = 0;
  const std::string full = r.post("/v1/chat/completions", greedy)["choices"][0]["message"]["content"];
  ASSERT_GE(full.size(), 6u);
  const std::string stop = full.substr(full.size() / 2, 3);
  greedy["stop"] = stop;
  const json cut = r.post("/v1/chat/completions", greedy);
  const std::string text = cut["choices"][0]["message"]["content"];
  EXPECT_EQ(text, full.substr(0, full.find(stop)));
  EXPECT_EQ(cut["choices"][0]["finish_reason"], "stop");
  greedy["stream"] = true;
  EXPECT_EQ(sse_text(r.stream("/v1/chat/completions", greedy)), text);
}

TEST(Server, CompletionsEmbeddingsAndOllamaGenerate) {
  Running r;
  const json c = r.post("/v1/completions", {{"model", "tiny-qwen3-q8_0"}, {"prompt", "Once upon"}, {"max_tokens", 5}});
  EXPECT_EQ(c["object"], "text_completion");
  EXPECT_LE(c["usage"]["completion_tokens"].get<int>(), 5);
  const json e = r.post("/v1/embeddings", {{"model", "tiny-qwen3-q8_0"}, {"input", json::array({"a b c", "d"})}});
  ASSERT_EQ(e["data"].size(), 2u);
  // The base model's pooled hidden state, as Session::embed_mean computes it.
  server::ServedModel m = served_tiny();
  Session s(m.model, SessionOptions{});
  const auto tokens = m.assistant->tokenizer().encode("a b c", m.assistant->tokenizer().add_bos_by_default(), false);
  const std::vector<float> expected = s.embed_mean(0, tokens);
  const std::vector<float> got = e["data"][0]["embedding"];
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_FLOAT_EQ(got[i], expected[i]) << i;
  r.post("/v1/embeddings", {{"model", "loco/math"}, {"input", "x"}}, 400);
  // base64 (what the openai client asks for by default): the same floats' bytes. The
  // first value, decoded by hand from its four little-endian bytes.
  const json b = r.post("/v1/embeddings", {{"model", "tiny-qwen3-q8_0"}, {"input", "a b c"}, {"encoding_format", "base64"}});
  const std::string encoded = b["data"][0]["embedding"];
  EXPECT_EQ(encoded.size(), (expected.size() * 4 + 2) / 3 * 4);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  uint32_t bits = 0;
  for (int k = 0; k < 4; ++k) bits = (bits << 6) | static_cast<uint32_t>(alphabet.find(encoded[static_cast<size_t>(k)]));
  uint32_t first = 0;
  std::memcpy(&first, &expected[0], 4);
  EXPECT_EQ(bits >> 0, (((first & 0xFFu) << 16) | (((first >> 8) & 0xFFu) << 8) | ((first >> 16) & 0xFFu)));
  r.post("/v1/embeddings", {{"model", "tiny-qwen3-q8_0"}, {"input", "x"}, {"encoding_format", "hex"}}, 400);

  const json g = r.post("/api/generate",
                        {{"model", "tiny-qwen3-q8_0"}, {"prompt", "Hi"}, {"stream", false}, {"options", {{"num_predict", 4}}}});
  EXPECT_TRUE(g["done"].get<bool>());
  EXPECT_LE(g["eval_count"].get<int>(), 4);
  EXPECT_TRUE(g.contains("response"));
  auto tags = r.client().Get("/api/tags");
  ASSERT_TRUE(tags);
  EXPECT_EQ(json::parse(tags->body)["models"].size(), 4u);
}

TEST(Server, BadRequestsGetClearErrorsAndTheServerKeepsServing) {
  server::ServerOptions o;
  o.max_body_bytes = 2000;
  o.parallel = 2;
  Running r(o);
  auto error_of = [&](const std::string& body, int status) {
    auto res = r.client().Post("/v1/chat/completions", body, "application/json");
    EXPECT_TRUE(res);
    if (!res) return std::string();
    EXPECT_EQ(res->status, status) << body << " " << res->body;
    return json::parse(res->body)["error"]["message"].get<std::string>();
  };
  EXPECT_NE(error_of("{not json", 400).find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of("[1]", 400).find("JSON object"), std::string::npos);
  EXPECT_NE(error_of(chat("gpt-4", "hi", 4, 1).dump(), 404).find("'gpt-4' does not exist"), std::string::npos);
  json bad = chat("loco/math", "hi", 4, 1);
  bad["max_tokens"] = "lots";
  EXPECT_EQ(error_of(bad.dump(), 400), "'max_tokens' must be an integer");
  bad["max_tokens"] = 1 << 30;
  EXPECT_NE(error_of(bad.dump(), 400).find("max_tokens must be between 1 and"), std::string::npos);
  bad = chat("loco/math", "hi", 4, 1);
  bad["n"] = 3;
  EXPECT_NE(error_of(bad.dump(), 400).find("more than the 2 sequences"), std::string::npos);
  bad = chat("loco/math", "hi", 4, 1);
  bad["messages"][0]["role"] = "wizard";
  EXPECT_NE(error_of(bad.dump(), 400).find("'wizard' is not supported"), std::string::npos);
  EXPECT_NE(error_of(std::string(3000, ' '), 413).find("larger than the server's limit"), std::string::npos);
  auto ollama = r.client().Post("/api/chat", "{\"model\": 3}", "application/json");
  ASSERT_TRUE(ollama);
  EXPECT_EQ(ollama->status, 400);
  EXPECT_EQ(json::parse(ollama->body), json({{"error", "'model' must be a string"}}));
  // Still serving.
  EXPECT_EQ(r.post("/v1/chat/completions", chat("loco/math", "hi", 2, 1))["choices"].size(), 1u);
}

TEST(Server, HealthWhileLoadingThenReady) {
  Running r({}, /*ready=*/false);
  auto h = r.client().Get("/health");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 503);
  EXPECT_EQ(json::parse(h->body)["status"], "loading");
  auto m = r.client().Get("/v1/models");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, 503);
  r.srv.set_ready(served_tiny());
  h = r.client().Get("/health");
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(json::parse(h->body)["status"], "ok");
}

TEST(Server, ApiKeyAndNonLoopbackAddresses) {
  server::ServerOptions o;
  o.api_key = "s3cret";
  Running r(o);
  auto none = r.client().Get("/v1/models");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(json::parse(none->body)["error"]["code"], "invalid_api_key");
  EXPECT_EQ(r.client().Get("/health")->status, 200);
  EXPECT_EQ(r.client().Get("/v1/models", {{"Authorization", "Bearer s3cret"}})->status, 200);
  EXPECT_EQ(r.client().Get("/v1/models", {{"Authorization", "Bearer wrong"}})->status, 401);

  server::ServerOptions open;
  open.host = "0.0.0.0";
  server::Server s(Running::with_defaults(open));
  try {
    s.start();
    FAIL() << "a non-loopback address without a key must be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("needs --api-key"), std::string::npos) << e.what();
  }
}

// With one sequence and room for one waiting request, a third request is turned away
// with 429 while the first runs and the second waits; both of those still finish.
TEST(Server, FullQueueAnswers429) {
  server::ServerOptions o;
  o.parallel = 1;
  o.queue_limit = 1;
  Running r(o);
  std::promise<void> first_started;
  std::thread first([&] {
    bool signalled = false;
    r.stream("/v1/chat/completions", chat("loco/math", "first", 300, 1, true), [&](const std::string&) {
      if (!signalled) first_started.set_value();
      signalled = true;
      return true;
    });
  });
  first_started.get_future().wait();
  // Its opening chunk comes before the scheduler takes it: wait until it is running.
  for (int i = 0; i < 3000; ++i) {
    if (r.client().Get("/metrics")->body.find("loco_running_requests 1") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto second = std::async(std::launch::async, [&] { return r.post("/v1/chat/completions", chat("loco/math", "second", 4, 1)); });
  for (int i = 0; i < 3000; ++i) {  // until the second is waiting in the queue
    if (r.client().Get("/metrics")->body.find("loco_queue_length 1") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto third = r.client().Post("/v1/chat/completions", chat("loco/math", "third", 4, 1).dump(), "application/json");
  ASSERT_TRUE(third);
  EXPECT_EQ(third->status, 429) << third->body;
  EXPECT_EQ(json::parse(third->body)["error"]["code"], "queue_full");
  EXPECT_EQ(second.get()["choices"].size(), 1u);
  first.join();
}

// stop() lets a request in flight finish before the server closes.
TEST(Server, StopFinishesRequestsInFlight) {
  Running r;
  auto answer = std::async(std::launch::async, [&] { return r.post("/v1/chat/completions", chat("loco/math", "x", 200, 9)); });
  for (int i = 0; i < 3000; ++i) {
    if (r.client().Get("/metrics")->body.find("loco_running_requests 1") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  r.srv.stop();
  const json a = answer.get();
  EXPECT_EQ(a["usage"]["completion_tokens"], 200);  // random weights never end a turn early
  EXPECT_FALSE(r.client().Get("/health"));           // closed
}

TEST(ServeCli, RefusesAnOpenAddressWithoutAKey) {
  const std::string dir = test::temp_dir() + "/serve-cli";
  test::CliResult bad = test::run_loco({"serve", "--host", "0.0.0.0", "--port", "0"},
                                       {"LOCO_CONFIG_DIR=" + dir + "/c", "LOCO_DATA_DIR=" + dir + "/d"});
  test::expect_one_line_error(bad, "needs --api-key");
}

// The real command: it says where it listens, answers on the built-in model, and on
// SIGTERM finishes and exits 0.
TEST(ServeCli, ListensAnswersAndStopsOnSigterm) {
  const std::string dir = test::temp_dir() + "/serve-cli-2";
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    setenv("LOCO_CONFIG_DIR", (dir + "/c").c_str(), 1);
    setenv("LOCO_DATA_DIR", (dir + "/d").c_str(), 1);
    execl(test::cli_path().c_str(), "loco", "serve", "--port", "0", "-t", "1", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  FILE* child_out = fdopen(out[0], "r");
  std::string line;
  int port = 0;
  char buf[512];
  while (port == 0 && std::fgets(buf, sizeof buf, child_out) != nullptr) {
    line = buf;
    const size_t at = line.find("http://127.0.0.1:");
    if (at != std::string::npos) port = std::stoi(line.substr(at + 17));
  }
  ASSERT_GT(port, 0) << line;
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(60, 0);
  for (int i = 0; i < 600; ++i) {  // the model loads after the server listens
    auto h = c.Get("/health");
    if (h && h->status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto res = c.Post("/v1/chat/completions", chat("loco/auto", "Sam has 12 marbles and gives 5 away. How many are left?", 8, 1).dump(),
                    "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_TRUE(json::parse(res->body)["loco"].contains("note"));  // the built-in model says what it is
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  std::fclose(child_out);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace loco
