// Flags shared by the commands that run the model: threads, context, KV cache type, and
// (later) adapters.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "loco/session.h"

namespace loco::cli {

struct EngineFlags {
  int threads = 0;
  int32_t ctx = 4096;
  std::string kv_type = "f16";
  std::string lora;         // adapter file or PEFT directory
  float lora_scale = 1.0f;
};

void add_engine_flags(CLI::App& app, EngineFlags& flags);
// Session options for `min_ctx` tokens at least (the context grows to fit short jobs).
SessionOptions session_options(const EngineFlags& flags, int32_t min_ctx = 0);
// Loads the adapter named by --lora (if any) and binds it to every sequence.
void apply_adapters(Session& session, const EngineFlags& flags);
// "1,2,3" as token ids (non-negative 32-bit integers); throws Error naming a bad item.
std::vector<TokenId> parse_token_list(const std::string& text);

}  // namespace loco::cli
