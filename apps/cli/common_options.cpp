#include "common_options.h"

#include <algorithm>

#include "loco/error.h"

namespace loco::cli {

void add_engine_flags(CLI::App& app, EngineFlags& flags) {
  app.add_option("-t,--threads", flags.threads, "Worker threads (default: physical cores)")
      ->check(CLI::Range(0, 1024));
  app.add_option("-c,--ctx", flags.ctx, "Context size in tokens")->check(CLI::Range(16, 1 << 20));
  app.add_option("--kv-type", flags.kv_type, "KV cache element type: f16 or f32")
      ->check(CLI::IsMember({"f16", "f32"}));
}

SessionOptions session_options(const EngineFlags& flags, int32_t min_ctx) {
  SessionOptions so;
  so.n_threads = flags.threads;
  so.n_ctx = std::max(flags.ctx, min_ctx);
  so.kv_type = flags.kv_type == "f32" ? KvType::F32 : KvType::F16;
  return so;
}

void apply_adapters(Session& /*session*/, const EngineFlags& /*flags*/) {}

}  // namespace loco::cli
