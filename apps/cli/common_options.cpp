#include "common_options.h"

#include <fmt/format.h>

#include <algorithm>

#include "loco/error.h"
#include "loco/lora.h"

namespace loco::cli {

void add_engine_flags(CLI::App& app, EngineFlags& flags) {
  app.add_option("-t,--threads", flags.threads, "Worker threads (default: physical cores)")
      ->check(CLI::Range(0, 1024));
  app.add_option("-c,--ctx", flags.ctx, "Context size in tokens")->check(CLI::Range(16, 1 << 20));
  app.add_option("--kv-type", flags.kv_type, "KV cache element type: f16, f32 or q8_0")
      ->capture_default_str()->check(CLI::IsMember({"f16", "f32", "q8_0"}));
  app.add_option("--lora", flags.lora, "LoRA adapter: a GGUF adapter file or a PEFT directory");
  app.add_option("--lora-scale", flags.lora_scale, "Scale of the adapter's correction")
      ->capture_default_str()->check(CLI::Range(-100.0, 100.0));
}

SessionOptions session_options(const EngineFlags& flags, int32_t min_ctx) {
  SessionOptions so;
  so.n_threads = flags.threads;
  so.n_ctx = std::max(flags.ctx, min_ctx);
  so.kv_type = flags.kv_type == "f32" ? KvType::F32 : flags.kv_type == "q8_0" ? KvType::Q8_0 : KvType::F16;
  return so;
}

void apply_adapters(Session& session, const EngineFlags& flags) {
  if (flags.lora.empty()) return;
  auto adapter = LoraAdapter::load(flags.lora, session.model());
  for (int32_t seq = 0; seq < session.kv_cache().n_seq(); ++seq) {
    session.set_adapter(seq, adapter, flags.lora_scale);
  }
}

std::vector<TokenId> parse_token_list(const std::string& text) {
  std::vector<TokenId> ids;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t used = 0;
    long long value = 0;
    try {
      value = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size() || value < 0 || value > INT32_MAX) {
      throw Error(fmt::format("--tokens: '{}' is not a token id", item));
    }
    ids.push_back(static_cast<TokenId>(value));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (ids.empty()) throw Error("--tokens: no token ids given");
  return ids;
}

}  // namespace loco::cli
