// The generation loop: evaluate a prompt once, then sample, evaluate and stream tokens
// until the model ends its turn, a limit is reached, or the caller stops it.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loco/sampler.h"
#include "loco/session.h"
#include "loco/tokenizer.h"

namespace loco {

struct GenerateOptions {
  int32_t max_tokens = 256;
  SamplerConfig sampling;
  std::vector<std::string> stop_strings;  // generation ends when the text contains one
};

enum class StopReason { EndOfTurn, MaxTokens, ContextFull, StopString, Cancelled };
std::string_view stop_reason_name(StopReason reason);

struct GenerateResult {
  std::vector<TokenId> tokens;  // generated, without the end-of-turn token
  std::string text;
  StopReason stop = StopReason::MaxTokens;
  int32_t n_prompt = 0;
  double mean_log_prob = 0.0;   // mean log-probability of the generated tokens (temperature 1)
  double prompt_seconds = 0.0;
  double generate_seconds = 0.0;
};

// Receives text as it is produced; return false to stop.
using TextCallback = std::function<bool(std::string_view)>;

// Appends `prompt` to sequence `seq` of the session and generates from there.
GenerateResult generate(Session& session, const Tokenizer& tokenizer,
                        std::span<const TokenId> prompt, const GenerateOptions& options,
                        const TextCallback& on_text = {}, int32_t seq = 0);

}  // namespace loco
