// Remote backends on loopback only: a fake Anthropic Messages endpoint that records what
// it is sent, and `loco serve` itself as the OpenAI-compatible remote. The LocoLLM layer
// over them (routing, RE2, votes, early stopping, confidence, streaming, loco eval) must
// give what it gives locally; keys go only where they belong and never into errors.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli_runner.h"
#include "loco/assistant.h"
#include "loco/error.h"
#include "loco/eval/runner.h"
#include "loco/remote.h"
#include "loco/server.h"
#include "remote/reply_parsing.h"
#include "test_paths.h"

namespace loco {
namespace {

using json = nlohmann::json;

// ---------------------------------------------------------------- server-sent events

std::vector<std::pair<std::string, std::string>> parse_all(const std::vector<std::string>& pieces) {
  std::vector<std::pair<std::string, std::string>> got;
  SseParser p([&](std::string_view e, std::string_view d) { got.emplace_back(std::string(e), std::string(d)); });
  for (const std::string& piece : pieces) p.feed(piece);
  p.finish();
  return got;
}

TEST(SseParser, EventsSplitAnywhereComeOutWhole) {
  const std::string stream = "event: a\ndata: {\"x\":1}\n\n: keep-alive\n\ndata: one\ndata: two\n\nevent: b\r\ndata:3\r\n\r\n";
  const auto whole = parse_all({stream});
  ASSERT_EQ(whole.size(), 3u);
  EXPECT_EQ(whole[0], (std::pair<std::string, std::string>{"a", "{\"x\":1}"}));
  EXPECT_EQ(whole[1], (std::pair<std::string, std::string>{"", "one\ntwo"}));
  EXPECT_EQ(whole[2], (std::pair<std::string, std::string>{"b", "3"}));
  // Every split point gives the same events.
  for (size_t cut = 1; cut < stream.size(); ++cut) {
    EXPECT_EQ(parse_all({stream.substr(0, cut), stream.substr(cut)}), whole) << "cut at " << cut;
  }
}

TEST(SseParser, AnUnfinishedLastEventIsDelivered) {
  const auto got = parse_all({"data: [DONE]"});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].second, "[DONE]");
  EXPECT_TRUE(parse_all({": only a comment\n"}).empty());
}

// ---------------------------------------------------------------- replies, by hand

TEST(RemoteReplies, OpenAICompletionChoicesUsageAndLogProbabilities) {
  RemoteReply out;
  remote::read_openai_completion(
      R"({"choices": [{"message": {"content": "Yes."}, "finish_reason": "stop",
                        "logprobs": {"content": [{"logprob": -0.5}, {"logprob": -1.5}]}},
                       {"message": {"content": "No"}, "finish_reason": "length", "logprobs": null},
                       {"message": {"content": 7}, "finish_reason": 3}],
          "usage": {"prompt_tokens": 11, "completion_tokens": 9}})",
      "test", out);
  ASSERT_EQ(out.samples.size(), 3u);
  EXPECT_EQ(out.prompt_tokens, 11);
  EXPECT_EQ(out.samples[0].text, "Yes.");
  ASSERT_TRUE(out.samples[0].mean_log_prob);
  EXPECT_DOUBLE_EQ(*out.samples[0].mean_log_prob, -1.0);
  EXPECT_EQ(out.samples[0].tokens, 2);                      // counted from its log-probabilities
  EXPECT_EQ(out.samples[1].tokens, 3);                      // 9 completion tokens over 3 choices
  EXPECT_EQ(out.samples[1].stop, StopReason::MaxTokens);
  EXPECT_FALSE(out.samples[1].mean_log_prob);
  EXPECT_EQ(out.samples[2].text, "");                       // content of the wrong type: ignored
  EXPECT_THROW(remote::read_openai_completion(R"({"object": "error"})", "test", out), Error);
  EXPECT_THROW(remote::read_openai_completion("<html>", "test", out), Error);
}

TEST(RemoteReplies, StreamsOfBothApis) {
  remote::OpenAIStreamReader openai;
  std::string seen;
  const RemoteStream collect = [&](std::string_view p) {
    seen += p;
    return true;
  };
  for (const char* data : {R"({"choices":[{"delta":{"role":"assistant","content":""}}]})",
                           R"({"choices":[{"delta":{"content":"4"},"logprobs":{"content":[{"logprob":-0.25}]}}]})",
                           R"({"choices":[{"delta":{"content":"2"},"logprobs":{"content":[{"logprob":-0.75}]},"finish_reason":"stop"}]})",
                           R"({"choices":[],"usage":{"prompt_tokens":6,"completion_tokens":2}})", "[DONE]"}) {
    EXPECT_TRUE(openai.on_data(data, collect));
  }
  RemoteSample s = openai.finish("test", false);
  EXPECT_EQ(s.text, "42");
  EXPECT_EQ(seen, "42");
  EXPECT_EQ(s.tokens, 2);
  EXPECT_EQ(openai.prompt_tokens(), 6);
  ASSERT_TRUE(s.mean_log_prob);
  EXPECT_DOUBLE_EQ(*s.mean_log_prob, -0.5);
  remote::OpenAIStreamReader failing;
  failing.on_data(R"({"error": {"message": "the model crashed"}})", {});
  EXPECT_THROW(failing.finish("test", false), Error);

  remote::AnthropicStreamReader anthropic;
  EXPECT_TRUE(anthropic.on_event("message_start", R"({"type":"message_start","message":{"usage":{"input_tokens":9}}})", {}));
  EXPECT_FALSE(anthropic.on_event("content_block_delta",
                                  R"({"type":"content_block_delta","delta":{"type":"text_delta","text":"Hi"}})",
                                  [](std::string_view) { return false; }));  // the reader stops
  EXPECT_TRUE(anthropic.on_event("", R"({"type": 5})", {}));  // odd types are skipped
  s = anthropic.finish("test", true);
  EXPECT_EQ(s.text, "Hi");
  EXPECT_EQ(s.stop, StopReason::Cancelled);
  EXPECT_EQ(anthropic.prompt_tokens(), 9);
}

// ---------------------------------------------------------------- specs and keys

TEST(RemoteSpec, ParsesTheThreeForms) {
  RemoteSpec s = parse_backend_spec("openai:http://127.0.0.1:8080/v1/");
  EXPECT_EQ(s.kind, RemoteKind::OpenAI);
  EXPECT_EQ(s.url, "http://127.0.0.1:8080");
  EXPECT_EQ(s.host, "127.0.0.1:8080");
  s = parse_backend_spec("anthropic");
  EXPECT_EQ(s.kind, RemoteKind::Anthropic);
  EXPECT_EQ(s.url, "https://api.anthropic.com");
  EXPECT_EQ(s.host, "api.anthropic.com");
  s = parse_backend_spec("anthropic:http://Localhost:9/");
  EXPECT_EQ(s.url, "http://Localhost:9");
  EXPECT_EQ(s.host, "localhost:9");
}

TEST(RemoteSpec, RefusesWhatItCannotUse) {
  for (const char* bad : {"openai", "ollama:http://x", "openai:ftp://x", "openai:http://", "openai:http://u:p@host",
                          "anthropic:api.anthropic.com", "openai:http://h/x?key=1"}) {
    EXPECT_THROW(parse_backend_spec(bad), Error) << bad;
  }
}

EnvLookup env_of(std::map<std::string, std::string> vars) {
  auto held = std::make_shared<std::map<std::string, std::string>>(std::move(vars));
  return [held](const char* name) -> const char* {
    auto it = held->find(name);
    return it == held->end() ? nullptr : it->second.c_str();
  };
}

TEST(ApiKeys, ProviderKeysGoOnlyToTheirProvider) {
  const auto env = env_of({{"OPENAI_API_KEY", "sk-openai"}, {"ANTHROPIC_API_KEY", "sk-ant"}});
  EXPECT_FALSE(find_api_key(parse_backend_spec("openai:http://127.0.0.1:8080"), "", env));
  EXPECT_FALSE(find_api_key(parse_backend_spec("anthropic:http://127.0.0.1:9"), "", env));
  EXPECT_EQ(find_api_key(parse_backend_spec("openai:https://api.openai.com"), "", env)->value, "sk-openai");
  EXPECT_EQ(find_api_key(parse_backend_spec("anthropic"), "", env)->value, "sk-ant");
  // The user's own variable goes to the backend the user named.
  const auto mine = env_of({{"LOCO_REMOTE_API_KEY", "k-mine"}, {"ANTHROPIC_API_KEY", "sk-ant"}});
  const auto k = find_api_key(parse_backend_spec("openai:http://127.0.0.1:8080"), "", mine);
  ASSERT_TRUE(k);
  EXPECT_EQ(k->value, "k-mine");
  EXPECT_EQ(k->source, "$LOCO_REMOTE_API_KEY");
}

TEST(ApiKeys, KeysFileIsReadOnlyWhenPrivate) {
  const std::string path = test::temp_dir() + "/keys.yaml";
  std::ofstream(path) << "127.0.0.1:8080: k-port\nlocalhost: k-host\napi.anthropic.com: sk-file\n";
  const auto none = env_of({});
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  try {
    find_api_key(parse_backend_spec("openai:http://127.0.0.1:8080"), path, none);
    FAIL() << "a keys file readable by others was used";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("k-port"), std::string::npos) << e.what();
  }
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  EXPECT_EQ(find_api_key(parse_backend_spec("openai:http://127.0.0.1:8080"), path, none)->value, "k-port");
  EXPECT_FALSE(find_api_key(parse_backend_spec("openai:http://127.0.0.1:8081"), path, none));
  EXPECT_EQ(find_api_key(parse_backend_spec("openai:http://localhost:1234"), path, none)->value, "k-host");
  EXPECT_EQ(find_api_key(parse_backend_spec("anthropic"), path, none)->value, "sk-file");
  std::ofstream(path) << "- not a mapping\n";
  EXPECT_THROW(find_api_key(parse_backend_spec("anthropic"), path, none), Error);
}

// ---------------------------------------------------------------- a fake Anthropic endpoint

constexpr const char* kKey = "sk-ant-test-0123456789";

struct FakeAnthropic {
  struct Seen {
    json body;
    std::string api_key, version;
  };
  // Answers request k (0-based) with this.
  std::function<void(size_t k, const json& body, httplib::Response& res)> answer;

  FakeAnthropic() {
    server.Post("/v1/messages", [this](const httplib::Request& req, httplib::Response& res) {
      size_t k;
      json body = json::parse(req.body, nullptr, false);
      {
        std::lock_guard lock(mutex);
        k = seen.size();
        seen.push_back({body, req.get_header_value("x-api-key"), req.get_header_value("anthropic-version")});
      }
      answer(k, body, res);
    });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
  }
  ~FakeAnthropic() {
    server.stop();
    thread.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
  size_t count() {
    std::lock_guard lock(mutex);
    return seen.size();
  }

  static void reply_text(httplib::Response& res, const std::string& text, const char* stop = "end_turn") {
    res.set_content(json{{"id", "msg_1"},
                         {"type", "message"},
                         {"role", "assistant"},
                         {"content", json::array({{{"type", "text"}, {"text", text}}})},
                         {"stop_reason", stop},
                         {"usage", {{"input_tokens", 40}, {"output_tokens", 7}}}}
                        .dump(),
                    "application/json");
  }

  httplib::Server server;
  int port = 0;
  std::thread thread;
  std::mutex mutex;
  std::vector<Seen> seen;
};

Registry math_registry(const std::string& extra = "") {
  const std::string dir = test::temp_dir();
  std::ofstream(dir + "/registry.yaml") << "adapters:\n"
      "  math:\n    type: lora-gguf\n    path: " << test::model_path("tiny-qwen3-lora-attn.gguf") << "\n"
      "    eval_type: numeric\n    router_keywords: [\"how many\", total, times]\n"
      "    system_prompt: \"Solve step by step; end with 'The answer is N.'\"\n" << extra;
  return Registry::load(dir + "/registry.yaml");
}

std::shared_ptr<RemoteBackend> anthropic_at(const FakeAnthropic& fake, int retries = 0) {
  RemoteOptions o;
  o.model = "claude-test";
  o.key = ApiKey{kKey, "test"};
  o.retries = retries;
  o.timeout_seconds = 30;
  return connect_remote(parse_backend_spec("anthropic:" + fake.url()), o);
}

TEST(RemoteAnthropic, RoutesRereadsVotesAndSendsTheKeyOnlyInItsHeader) {
  FakeAnthropic fake;
  const std::vector<std::string> answers = {"6 times 7 is 42. The answer is 42.", "The answer is 7.",
                                            "The answer is 42."};
  fake.answer = [&](size_t k, const json&, httplib::Response& res) {
    FakeAnthropic::reply_text(res, answers[k % answers.size()]);
  };
  Assistant a(anthropic_at(fake), math_registry(), nullptr, Assistant::Options{4096, 1, KvType::F16});
  QueryOptions o;
  o.votes = 3;
  const QueryResult r = a.ask("What is 6 times 7?", o);
  EXPECT_EQ(r.adapter, "math");  // the keyword router, here
  ASSERT_TRUE(r.route);
  EXPECT_EQ(r.votes_sampled, 3);
  EXPECT_EQ(r.agreement, "2/3");
  ASSERT_TRUE(r.answer);
  EXPECT_EQ(*r.answer, "42");
  EXPECT_EQ(r.remote_model, "claude-test");
  EXPECT_FALSE(r.token_probabilities);
  ASSERT_EQ(fake.count(), 3u);
  for (const FakeAnthropic::Seen& s : fake.seen) {
    EXPECT_EQ(s.api_key, kKey);
    EXPECT_EQ(s.version, "2023-06-01");
    EXPECT_EQ(s.body["model"], "claude-test");
    EXPECT_EQ(s.body["system"], "Solve step by step; end with 'The answer is N.'");
    EXPECT_FALSE(s.body.contains("top_p"));
    ASSERT_EQ(s.body["messages"].size(), 1u);
    const std::string user = s.body["messages"][0]["content"];
    EXPECT_EQ(user, question_text("What is 6 times 7?", true));  // RE2, built here
  }
  // The adapter has no weights there: the answer says so.
  ASSERT_FALSE(r.prompt_notes.empty());
  EXPECT_NE(r.prompt_notes[0].find("serves no weights for the adapter 'math'"), std::string::npos);
}

TEST(RemoteAnthropic, VotingStopsOnceTheLeaderCannotChange) {
  FakeAnthropic fake;
  fake.answer = [](size_t, const json&, httplib::Response& res) { FakeAnthropic::reply_text(res, "The answer is 42."); };
  Assistant a(anthropic_at(fake), math_registry(), nullptr, Assistant::Options{4096, 1, KvType::F16});
  QueryOptions o;
  o.adapter = "math";
  o.votes = 5;
  const QueryResult r = a.ask("How many legs do 3 birds have?", o);
  EXPECT_EQ(fake.count(), 3u);  // 3 of 5 agree: the other 2 cannot change the answer
  EXPECT_TRUE(r.stopped_early);
  EXPECT_EQ(r.votes_sampled, 3);
  EXPECT_EQ(r.confidence, ConfidenceLevel::Medium);  // 3 agreeing out of 5 planned
  EXPECT_NE(r.confidence_note.find("3 of 5 planned"), std::string::npos) << r.confidence_note;
}

TEST(RemoteAnthropic, StreamsASingleAnswerAndSaysItsConfidenceIsUnknown) {
  FakeAnthropic fake;
  fake.answer = [](size_t, const json& body, httplib::Response& res) {
    ASSERT_EQ(body.value("stream", false), true);
    std::string sse =
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":12}}}\n\n"
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0}\n\n"
        "event: ping\ndata: {\"type\":\"ping\"}\n\n";
    for (const char* piece : {"Paris ", "is the ", "capital."}) {
      sse += "event: content_block_delta\ndata: " +
             json{{"type", "content_block_delta"}, {"delta", {{"type", "text_delta"}, {"text", piece}}}}.dump() + "\n\n";
    }
    sse += "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
           "\"usage\":{\"output_tokens\":5}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    res.set_content(sse, "text/event-stream");
  };
  Assistant a(anthropic_at(fake), math_registry(), nullptr, Assistant::Options{4096, 1, KvType::F16});
  QueryOptions o;
  o.adapter = "none";
  std::vector<std::string> pieces;
  const QueryResult r = a.ask("What is the capital of France?", o, [&](std::string_view p) {
    pieces.emplace_back(p);
    return true;
  });
  EXPECT_EQ(pieces, (std::vector<std::string>{"Paris ", "is the ", "capital."}));
  EXPECT_EQ(r.text, "Paris is the capital.");
  EXPECT_EQ(r.prompt_tokens, 12);
  EXPECT_EQ(r.generated_tokens, 5u);
  EXPECT_FALSE(r.token_probabilities);
  EXPECT_EQ(r.confidence, ConfidenceLevel::Medium);
  EXPECT_NE(r.confidence_note.find("no token probabilities"), std::string::npos) << r.confidence_note;
}

TEST(RemoteAnthropic, ErrorsNameTheEndpointAndNeverShowTheKey) {
  FakeAnthropic fake;
  fake.answer = [](size_t, const json&, httplib::Response& res) {
    res.status = 400;
    res.set_content(json{{"type", "error"},
                         {"error", {{"type", "invalid_request_error"},
                                    {"message", std::string("model not found for key ") + kKey}}}}
                        .dump(),
                    "application/json");
  };
  Assistant a(anthropic_at(fake), math_registry(), nullptr, Assistant::Options{4096, 1, KvType::F16});
  QueryOptions o;
  o.adapter = "none";
  try {
    a.ask("Hello?", o);
    FAIL() << "an error reply was taken as an answer";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("HTTP 400: model not found"), std::string::npos) << m;
    EXPECT_NE(m.find("anthropic:" + fake.url()), std::string::npos) << m;
    EXPECT_EQ(m.find(kKey), std::string::npos) << m;
    EXPECT_NE(m.find("[key]"), std::string::npos) << m;
  }
}

TEST(RemoteAnthropic, OverloadedIsRetriedAndRedirectsAreNotFollowed) {
  FakeAnthropic fake;
  fake.answer = [](size_t k, const json&, httplib::Response& res) {
    if (k == 0) {
      res.status = 529;
      res.set_header("Retry-After", "0");
      res.set_content(R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})", "application/json");
      return;
    }
    FakeAnthropic::reply_text(res, "Fine.");
  };
  Assistant a(anthropic_at(fake, 2), math_registry(), nullptr, Assistant::Options{4096, 1, KvType::F16});
  QueryOptions o;
  o.adapter = "none";
  EXPECT_EQ(a.ask("Hello?", o).text, "Fine.");
  EXPECT_EQ(fake.count(), 2u);

  FakeAnthropic elsewhere;
  elsewhere.answer = [](size_t, const json&, httplib::Response& res) { FakeAnthropic::reply_text(res, "stolen"); };
  FakeAnthropic redirecting;
  redirecting.answer = [&](size_t, const json&, httplib::Response& res) {
    res.set_redirect(elsewhere.url() + "/v1/messages", 307);
  };
  Assistant b(anthropic_at(redirecting), math_registry(), nullptr, Assistant::Options{4096, 1, KvType::F16});
  try {
    b.ask("Hello?", o);
    FAIL() << "a redirect was followed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not follow redirects"), std::string::npos) << e.what();
  }
  EXPECT_EQ(elsewhere.count(), 0u);  // the key never reached the other host
}

TEST(RemoteAnthropic, NeedsAModelNameAndAKey) {
  RemoteOptions o;
  o.key = ApiKey{kKey, "test"};
  EXPECT_THROW(connect_remote(parse_backend_spec("anthropic:http://127.0.0.1:9"), o), Error);
  o.model = "claude-test";
  o.key.reset();
  EXPECT_THROW(connect_remote(parse_backend_spec("anthropic:http://127.0.0.1:9"), o), Error);
}

// ---------------------------------------------------------------- loco serve as the remote

struct LocoServe {
  explicit LocoServe(const std::string& api_key = "") {
    server::ServerOptions o;
    o.port = 0;
    o.threads = 1;
    o.n_ctx = 1024;
    o.api_key = api_key;
    srv = std::make_unique<server::Server>(o);
    srv->start();
    server::ServedModel m;
    m.path = test::model_path("tiny-qwen3-q8_0.gguf");
    m.model = Model::load(m.path);
    m.assistant = std::make_unique<Assistant>(m.model, math_registry(), nullptr, Assistant::Options{1024, 1, KvType::F16});
    m.defaults.max_tokens = 16;
    srv->set_ready(std::move(m));
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(srv->port()); }
  std::unique_ptr<server::Server> srv;
};

std::shared_ptr<RemoteBackend> openai_at(const std::string& url, std::optional<ApiKey> key = std::nullopt) {
  RemoteOptions o;
  o.key = std::move(key);
  o.timeout_seconds = 120;
  o.retries = 0;
  return connect_remote(parse_backend_spec("openai:" + url), o);
}

TEST(RemoteOpenAI, LocoServeGivesWhatTheLocalModelGives) {
  LocoServe serve;
  auto model = Model::load(test::model_path("tiny-qwen3-q8_0.gguf"));
  Assistant local(model, math_registry(), nullptr, Assistant::Options{1024, 1, KvType::F16});
  auto backend = openai_at(serve.url());
  EXPECT_EQ(backend->base_model(), "tiny-qwen3-q8_0");
  EXPECT_EQ(backend->model_for_adapter("math", ""), "loco/math");
  EXPECT_EQ(backend->model_for_adapter("unknown", ""), std::nullopt);
  Assistant remote(backend, math_registry(), nullptr, Assistant::Options{1024, 1, KvType::F16});
  QueryOptions o;
  o.max_tokens = 12;
  o.sampling.temperature = 0;  // greedy: both sides must give the same tokens
  for (const char* adapter : {"math", "none"}) {
    o.adapter = adapter;
    const QueryResult want = local.ask("How many apples in total?", o);
    std::string streamed;
    const QueryResult got = remote.ask("How many apples in total?", o, [&](std::string_view p) {
      streamed += p;
      return true;
    });
    EXPECT_FALSE(want.text.empty());
    EXPECT_EQ(got.text, want.text) << adapter;
    EXPECT_EQ(streamed, want.text) << adapter;
    EXPECT_EQ(got.adapter, want.adapter);
    EXPECT_EQ(got.remote_model, std::string(adapter) == "none" ? "tiny-qwen3-q8_0" : "loco/math");
    EXPECT_EQ(got.prompt_tokens, want.prompt_tokens) << "loco serve counts the same prompt";
    // loco serve returns token log-probabilities: the confidence is the local one.
    EXPECT_TRUE(got.token_probabilities);
    EXPECT_NEAR(got.mean_log_prob, want.mean_log_prob, 1e-4);
    EXPECT_EQ(got.confidence, want.confidence);
    EXPECT_EQ(got.confidence_note, want.confidence_note);
    const QueryResult whole = remote.ask("How many apples in total?", o);  // not streamed
    EXPECT_EQ(whole.text, want.text);
    EXPECT_NEAR(whole.mean_log_prob, want.mean_log_prob, 1e-4);
  }
  // Votes: one request with n, the answers voted on here.
  o.adapter = "math";
  o.votes = 3;
  const QueryResult voted = remote.ask("How many apples in total?", o);
  EXPECT_EQ(voted.votes_sampled, 3);
  EXPECT_EQ(voted.candidates.size(), 3u);
}

TEST(RemoteOpenAI, LocoServeGivesEachTokensLogProbability) {
  LocoServe serve;
  httplib::Client c("127.0.0.1", serve.srv->port());
  c.set_read_timeout(60, 0);
  json rq = {{"model", "loco/math"}, {"messages", json::array({{{"role", "user"}, {"content", "Count to three."}}})},
             {"max_tokens", 6}, {"temperature", 0}, {"logprobs", true}};
  auto res = c.Post("/v1/chat/completions", rq.dump(), "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const json j = json::parse(res->body);
  const json& content = j["choices"][0]["logprobs"]["content"];
  ASSERT_TRUE(content.is_array());
  EXPECT_EQ(static_cast<int64_t>(content.size()), j["usage"]["completion_tokens"].get<int64_t>());
  std::string joined;
  for (const json& t : content) {
    EXPECT_LE(t["logprob"].get<double>(), 0.0);
    std::string bytes;
    for (const json& b : t["bytes"]) bytes += static_cast<char>(b.get<int>());
    joined += bytes;
  }
  EXPECT_EQ(joined, j["choices"][0]["message"]["content"].get<std::string>());
  rq["top_logprobs"] = 3;
  res = c.Post("/v1/chat/completions", rq.dump(), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("top_logprobs"), std::string::npos);
}

TEST(RemoteOpenAI, EvalOverLocoServeScoresTheSameOutputsAsLocally) {
  LocoServe serve;
  eval::EvalSet set;
  set.name = "tiny-arith";
  for (int i = 0; i < 3; ++i) {
    eval::EvalItem item;
    item.id = "q" + std::to_string(i);
    item.question = "How many is " + std::to_string(i) + " plus 2?";
    item.reference = std::to_string(i + 2);
    item.type = EvalType::Numeric;
    set.items.push_back(item);
  }
  eval::RunSettings rs;
  rs.max_tokens = 10;
  rs.batch_sequences = 3;
  eval::Condition c;
  c.mode = "adapter";
  c.adapter = "math";
  c.reread = true;

  auto model = Model::load(test::model_path("tiny-qwen3-q8_0.gguf"));
  Assistant local(model, math_registry(), nullptr, Assistant::Options{1024, 1, KvType::F16});
  SessionOptions so;
  so.n_ctx = 1024;
  so.n_threads = 1;
  eval::Evaluator here(local, model, "sha", so, rs, nullptr);
  const eval::ConditionRun want = here.run(set, c);

  Assistant remote(openai_at(serve.url()), math_registry(), nullptr, Assistant::Options{1024, 1, KvType::F16});
  eval::Evaluator there(remote, nullptr, "remote", so, rs, nullptr);
  const eval::ConditionRun got = there.run(set, c);
  ASSERT_EQ(got.items.size(), want.items.size());
  for (size_t i = 0; i < got.items.size(); ++i) {
    EXPECT_EQ(got.items[i].outputs, want.items[i].outputs) << i;
    EXPECT_EQ(got.items[i].score.correct, want.items[i].score.correct) << i;
  }
  EXPECT_EQ(got.summary.correct, want.summary.correct);
  EXPECT_EQ(there.adapter_sha256("math"), "remote:loco/math");
}

TEST(RemoteOpenAI, TheServersKeyIsSentAndItsAbsenceExplained) {
  LocoServe serve("k-serve-123");
  try {
    openai_at(serve.url());
    FAIL() << "connected without the key";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("HTTP 401"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("LOCO_REMOTE_API_KEY"), std::string::npos) << e.what();
  }
  auto backend = openai_at(serve.url(), ApiKey{"k-serve-123", "test"});
  RemoteRequest rq;
  rq.model = backend->base_model();
  rq.messages = {{"user", "Hi"}};
  rq.max_tokens = 4;
  rq.temperature = 0;
  const RemoteReply reply = backend->complete(rq);
  ASSERT_EQ(reply.samples.size(), 1u);
  EXPECT_GT(reply.prompt_tokens, 0);
}

TEST(RemoteCli, QueryAndEvalOverLocoServeKeepTheKeyOutOfEverything) {
  LocoServe serve("k-cli-secret-42");
  const std::string dir = test::temp_dir();
  std::ofstream(dir + "/registry.yaml") << "adapters:\n"
      "  math:\n    type: lora-gguf\n    path: " << test::model_path("tiny-qwen3-lora-attn.gguf") << "\n"
      "    eval_type: numeric\n    router_keywords: [total]\n";
  std::ofstream(dir + "/set.jsonl") << R"({"id": "a", "question": "What is 2 plus 2 in total?", "answer": "4"})" << "\n"
                                    << R"({"id": "b", "question": "What is 3 plus 3 in total?", "answer": "6"})" << "\n";
  const std::vector<std::string> env = {"LOCO_REMOTE_API_KEY=k-cli-secret-42", "LOCO_DATA_DIR=" + dir,
                                        "LOCO_CONFIG_DIR=" + dir};
  test::CliResult q = test::run_loco({"query", "What is 2 plus 2 in total?", "--backend", "openai:" + serve.url(),
                                      "--registry", dir + "/registry.yaml", "-n", "8", "--json"},
                                     env);
  ASSERT_EQ(q.exit_code, 0) << q.err;
  const json j = json::parse(q.out);
  EXPECT_EQ(j["adapter"], "math");
  EXPECT_EQ(j["remote_model"], "loco/math");
  EXPECT_NE(j["model"]["path"].get<std::string>().find("openai:" + serve.url()), std::string::npos);

  test::CliResult e = test::run_loco({"eval", "run", "--set", dir + "/set.jsonl", "--adapter", "math", "--backend",
                                      "openai:" + serve.url(), "--registry", dir + "/registry.yaml", "-n", "8", "-o",
                                      dir + "/out"},
                                     env);
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const std::string results = test::read_file(dir + "/out/results.json");
  EXPECT_NE(results.find("\"backend\""), std::string::npos);
  for (const std::string& text : {q.out, q.err, e.out, e.err, results, test::read_file(dir + "/out/items.jsonl"),
                                  test::read_file(dir + "/out/generations.jsonl")}) {
    EXPECT_EQ(text.find("k-cli-secret-42"), std::string::npos);
  }
  // chat, with a question on its input.
  const std::string shell = "printf 'What is 2 plus 2 in total?\\n/quit\\n' | env LOCO_REMOTE_API_KEY=k-cli-secret-42 "
                            "LOCO_DATA_DIR='" + dir + "' LOCO_CONFIG_DIR='" + dir + "' '" + test::cli_path() +
                            "' chat --backend openai:" + serve.url() + " --registry '" + dir +
                            "/registry.yaml' -n 8 --no-nudges";
  test::CliResult chat = test::run_program({"sh", "-c", shell});
  ASSERT_EQ(chat.exit_code, 0) << chat.err;
  EXPECT_NE(chat.out.find("loco chat: openai:" + serve.url()), std::string::npos) << chat.out;
  EXPECT_NE(chat.out.find("remote model: loco/math"), std::string::npos) << chat.out;
  EXPECT_EQ(chat.out.find("k-cli-secret-42"), std::string::npos);
  // Without the key: one line, saying where keys come from.
  test::CliResult bad = test::run_loco({"query", "Hi", "--backend", "openai:" + serve.url(), "--registry",
                                        dir + "/registry.yaml"},
                                       {"LOCO_DATA_DIR=" + dir, "LOCO_CONFIG_DIR=" + dir});
  test::expect_one_line_error(bad, "HTTP 401");
}

}  // namespace
}  // namespace loco
