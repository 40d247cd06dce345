// `loco serve`: listens at once (GET /health says 503 while the model loads), then serves
// the OpenAI and Ollama APIs and the page until SIGINT or SIGTERM, which let the requests
// in flight finish first.
#include <fmt/format.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <thread>

#include "assistant_setup.h"
#include "builtin_model.h"
#include "commands.h"
#include "loco/error.h"
#include "loco/server.h"

namespace loco::cli {
namespace {

struct ServeFlags {
  AssistantFlags model;  // the model, registry and router, as `loco query` takes them
  server::ServerOptions server;
  double max_body_mb = 4;
};

std::atomic<int> g_signal{0};

extern "C" void on_signal(int sig) { g_signal = sig; }

int run_serve(ServeFlags& f) {
  if (!f.model.remote.backend.empty()) {
    throw Error("loco serve serves a local model; --backend is for loco query, chat and eval (docs/remote.md)");
  }
  server::ServerOptions o = f.server;
  if (o.api_key.empty()) {
    if (const char* key = std::getenv("LOCO_API_KEY"); key != nullptr) o.api_key = key;
  }
  o.max_body_bytes = static_cast<uint64_t>(f.max_body_mb * (1 << 20));
  if (f.model.ctx) o.n_ctx = *f.model.ctx;
  if (f.model.threads) o.threads = *f.model.threads;
  o.kv_type = f.model.kv_type == "f32" ? KvType::F32 : f.model.kv_type == "q8_0" ? KvType::Q8_0 : KvType::F16;

  server::Server srv(o);
  srv.start();
  fmt::print("loco serve: listening on http://{}:{} (loading the model; GET /health says when it is ready)\n", o.host,
             srv.port());
  std::fflush(stdout);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::thread watcher([&srv] {
    while (g_signal == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    fmt::print(stderr, "loco serve: stopping (finishing the requests in flight)\n");
    srv.stop();
  });

  try {
    AssistantSetup setup = make_assistant(f.model);
    server::ServedModel m;
    m.assistant = std::move(setup.assistant);
    m.model = setup.model;
    m.path = setup.model_path;
    m.builtin = setup.builtin;
    if (setup.builtin) m.note = kBuiltinNotice;
    m.defaults = setup.query;
    m.n_ctx = setup.n_ctx;  // --ctx, else the config file's, else 4096
    srv.set_ready(std::move(m));
    fmt::print("loco serve: ready: {}{} (open http://{}:{}/ in a browser)\n", setup.model_path,
               setup.builtin ? " (the built-in loco-nano)" : "", o.host, srv.port());
    std::fflush(stdout);
  } catch (const Error& e) {
    srv.set_failed(e.what());
    g_signal = SIGTERM;
    watcher.join();
    srv.wait();
    throw;
  }
  srv.wait();
  watcher.join();
  return 0;
}

}  // namespace

Command register_serve(CLI::App& root) {
  auto f = std::make_shared<ServeFlags>();
  CLI::App* app = root.add_subcommand("serve", "Serve the OpenAI and Ollama APIs and a chat page over HTTP");
  app->add_option("-m,--model", f->model.model, "Base model GGUF (default: `model` in the config file, else loco-nano)");
  app->add_option("--host", f->server.host, "Address to listen on; any but loopback needs --api-key")
      ->capture_default_str();
  app->add_option("--port", f->server.port, "Port (0: any free port)")->capture_default_str()->check(CLI::Range(0, 65535));
  app->add_option("--api-key", f->server.api_key, "Require 'Authorization: Bearer KEY' (default: $LOCO_API_KEY)");
  app->add_option("--parallel", f->server.parallel, "Sequences decoded together, across requests")
      ->capture_default_str()->check(CLI::Range(1, 256));
  app->add_option("-c,--ctx", f->model.ctx, "Context per sequence in tokens (default: config, 4096)")->check(CLI::Range(64, 1 << 20));
  app->add_option("--kv-tokens", f->server.kv_tokens, "KV cache positions across sequences (default: parallel x ctx)")
      ->check(CLI::Range(0, 1 << 26));
  app->add_option("--queue", f->server.queue_limit, "Requests that may wait for room; more get 429")
      ->capture_default_str()->check(CLI::Range(0, 1 << 20));
  app->add_option("--max-body", f->max_body_mb, "Largest request body in MB")->capture_default_str()->check(CLI::Range(0.001, 1024.0));
  app->add_option("--max-tokens-limit", f->server.max_tokens_limit, "The most max_tokens a request may ask for")
      ->capture_default_str()->check(CLI::Range(1, 1 << 20));
  app->add_option("--timeout", f->server.request_seconds, "Seconds a request may take, waiting included")
      ->capture_default_str()->check(CLI::Range(1.0, 86400.0));
  app->add_option("--router", f->model.router, "keyword, classifier or embedding (default: config)")
      ->check(CLI::IsMember({"keyword", "classifier", "embedding"}));
  app->add_option("--router-file", f->model.router_file, "Learned router (default: <data dir>/router.json)");
  app->add_option("--config", f->model.config_file, "Config file (default: <config dir>/config.yaml)");
  app->add_option("--data-dir", f->model.data_dir, "Data directory (default: $LOCO_DATA_DIR or ~/.local/share/loco)");
  app->add_option("--registry", f->model.registry_file, "Adapter registry (default: <data dir>/adapters/registry.yaml)");
  app->add_option("-t,--threads", f->model.threads, "Worker threads (default: config, physical cores)");
  app->add_option("--kv-type", f->model.kv_type, "KV cache element type: f16, f32 or q8_0")
      ->capture_default_str()->check(CLI::IsMember({"f16", "f32", "q8_0"}));
  return {app, [f] { return run_serve(*f); }};
}

}  // namespace loco::cli
