// The HTTP server: binding, authentication, limits, errors, health, metrics, the page,
// and a graceful stop. The endpoints themselves are in openai_api.cpp and ollama_api.cpp.
#include "loco/server.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "loco/error.h"
#include "server/server_state.h"
#include "server/web_page.h"

namespace loco::server {

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

namespace {

// Bounded label values for the request counter.
std::string endpoint_label(const std::string& path) {
  static const char* known[] = {"/",           "/health",        "/metrics",     "/loco/info",
                                "/v1/models",  "/v1/chat/completions", "/v1/completions", "/v1/embeddings",
                                "/api/tags",   "/api/chat",      "/api/generate", "/api/version"};
  for (const char* k : known) {
    if (path == k) return k;
  }
  return "other";
}

void write_error(const httplib::Request& req, httplib::Response& res, int status, const std::string& message,
                 const std::string& type, const std::string& code) {
  res.status = status;
  if (req.path.starts_with("/api/")) {
    res.set_content(json{{"error", message}}.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
    return;
  }
  const json body = {{"error", {{"message", message}, {"type", type}, {"code", code.empty() ? json(nullptr) : json(code)}}}};
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

const char* status_text(int status) {
  switch (status) {
    case 404: return "there is no such endpoint: see docs/server.md";
    case 405: return "this endpoint does not take that method";
    case 413: return "the request body is larger than the server's limit (--max-body)";
    case 414: return "the request URI is too long";
    default: return "the request could not be handled";
  }
}

}  // namespace

struct Server::Impl {
  explicit Impl(ServerOptions o) : options(std::move(o)), state(options) {}
  ServerOptions options;
  ServerState state;
  httplib::Server http;
  std::thread thread;
  std::mutex stop_mutex;
  std::condition_variable stopped_cv;
  bool stopped = false;
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Server::~Server() {
  if (impl_->thread.joinable()) {
    impl_->http.stop();
    impl_->thread.join();
  }
}

int Server::port() const { return impl_->options.port; }

void Server::start() {
  Impl& m = *impl_;
  const ServerOptions& o = m.options;
  if (!is_loopback_host(o.host) && o.api_key.empty()) {
    throw Error(fmt::format("serving on {} (not loopback) needs --api-key KEY (or $LOCO_API_KEY): anyone who can "
                            "reach the port could use the model otherwise", o.host));
  }
  if (o.port < 0 || o.port > 65535) throw Error("--port must be between 0 (any free port) and 65535");
  httplib::Server& http = m.http;
  ServerState& state = m.state;
  const int threads = o.http_threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  http.set_payload_max_length(o.max_body_bytes);
  http.set_read_timeout(30, 0);
  http.set_write_timeout(30, 0);
  http.set_keep_alive_max_count(100);

  const std::string key = o.api_key;
  http.set_pre_routing_handler([key](const httplib::Request& req, httplib::Response& res) {
    if (key.empty() || req.path == "/health" || req.path == "/") return httplib::Server::HandlerResponse::Unhandled;
    if (req.get_header_value("Authorization") == "Bearer " + key) return httplib::Server::HandlerResponse::Unhandled;
    write_error(req, res, 401, "a valid API key is required: send 'Authorization: Bearer KEY'", "authentication_error",
                "invalid_api_key");
    return httplib::Server::HandlerResponse::Handled;
  });
  http.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    try {
      std::rethrow_exception(ep);
    } catch (const ApiError& e) {
      write_error(req, res, e.status, e.what(), e.type, e.code);
    } catch (const Error& e) {
      write_error(req, res, 400, e.what(), "invalid_request_error", "");
    } catch (const std::exception& e) {
      write_error(req, res, 500, std::string("internal error: ") + e.what(), "server_error", "");
    }
  });
  http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    write_error(req, res, res.status, status_text(res.status), "invalid_request_error",
                res.status == 404 ? "not_found" : "");
  });
  http.set_logger([&state](const httplib::Request& req, const httplib::Response& res) {
    state.metrics().count_request(endpoint_label(req.path), res.status);
  });

  http.Get("/health", [&state](const httplib::Request&, httplib::Response& res) {
    const std::string status = state.status();
    res.status = status == "ok" ? 200 : 503;
    res.set_content(json{{"status", status}}.dump(), "application/json");
  });
  http.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    res.set_content(std::string(web_page()), "text/html; charset=utf-8");
  });
  http.Get("/metrics", [&state](const httplib::Request&, httplib::Response& res) {
    std::shared_ptr<Engine> e;
    try {
      e = state.engine();
    } catch (const ApiError&) {
    }
    res.set_content(state.metrics().prometheus_text(e ? e->scheduler->queued() : 0, e ? e->scheduler->running() : 0,
                                                    state.options().parallel),
                    "text/plain; version=0.0.4");
  });
  http.Get("/loco/info", [&state](const httplib::Request&, httplib::Response& res) {
    std::shared_ptr<Engine> e = state.engine();
    json adapters = json::array();
    for (const AdapterEntry& a : e->served.assistant->registry().adapters()) {
      if (a.type == kMergedGguf) continue;
      adapters.push_back({{"name", a.name}, {"domain", a.domain}, {"description", a.description}, {"active", a.active}});
    }
    const json out = {{"version", "0.1.0"},
                      {"model",
                       {{"name", e->base_id},
                        {"path", e->served.path},
                        {"builtin", e->served.builtin},
                        {"note", e->served.note},
                        {"architecture", e->served.model->config().arch_name}}},
                      {"adapters", adapters},
                      {"parallel", state.options().parallel},
                      {"ctx", e->n_ctx}};
    res.set_content(out.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
  });
  register_openai_routes(http, state);
  register_ollama_routes(http, state);

  if (o.port == 0) {
    m.options.port = http.bind_to_any_port(o.host);
    if (m.options.port <= 0) throw Error(fmt::format("cannot listen on {}: the address is not this machine's", o.host));
  } else if (!http.bind_to_port(o.host, o.port)) {
    throw Error(fmt::format("cannot listen on {}:{}: the port is in use or the address is not this machine's", o.host,
                            o.port));
  }
  m.thread = std::thread([&m] {
    m.http.listen_after_bind();
    std::lock_guard lock(m.stop_mutex);
    m.stopped = true;
    m.stopped_cv.notify_all();
  });
}

void Server::set_ready(ServedModel model) {
  auto engine = std::make_shared<Engine>();
  engine->base_id = std::filesystem::path(model.path).stem().string();
  engine->n_ctx = model.n_ctx > 0 ? model.n_ctx : impl_->options.n_ctx;
  SchedulerOptions so;
  so.parallel = impl_->options.parallel;
  so.n_ctx = engine->n_ctx;
  so.kv_tokens = impl_->options.kv_tokens;
  so.queue_limit = impl_->options.queue_limit;
  so.threads = impl_->options.threads;
  so.kv_type = impl_->options.kv_type;
  engine->scheduler = std::make_unique<Scheduler>(model.model, model.assistant->tokenizer(), so, impl_->state.metrics());
  engine->served = std::move(model);
  impl_->state.set_engine(std::move(engine));
}

void Server::set_failed(const std::string& why) { impl_->state.set_failed(why); }

void Server::stop() {
  Impl& m = *impl_;
  m.state.set_stopping();
  // Requests in flight finish; new ones get 503 meanwhile.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                               std::chrono::duration<double>(m.options.drain_seconds));
  for (;;) {
    size_t busy = static_cast<size_t>(std::max(0, m.state.in_flight.load()));
    if (Scheduler* s = m.state.scheduler_unchecked()) busy += s->queued() + s->running();
    if (busy == 0 || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  m.http.stop();
}

void Server::wait() {
  Impl& m = *impl_;
  {
    std::unique_lock lock(m.stop_mutex);
    m.stopped_cv.wait(lock, [&] { return m.stopped; });
  }
  if (m.thread.joinable()) m.thread.join();
}

}  // namespace loco::server
