// N samples of one prompt, decoded together: the prompt is evaluated once, forked into N
// sequences that share its cached keys and values, and each step evaluates the N next
// tokens as one batch, so each weight is read once per step for all samples.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "loco/generate.h"

namespace loco {

struct Sample {
  int32_t group = 0;  // which SampleGroup it came from
  std::vector<TokenId> tokens;
  std::string text;
  StopReason stop = StopReason::MaxTokens;
  double mean_log_prob = 0.0;
  bool finished = false;  // false when the caller stopped the run before it ended
};

struct SampleManyResult {
  std::vector<Sample> samples;  // in the order they were started
  int32_t n_prompt = 0;
  uint64_t prompt_tokens_evaluated = 0;  // tokens of the prompt run through the model (once)
  double prompt_seconds = 0.0;
  double generate_seconds = 0.0;
  bool stopped_early = false;
};

// Called each time a sample finishes, with every sample so far; return true to stop the
// others (e.g. when a vote can no longer change).
using SampleFinished = std::function<bool(const std::vector<Sample>& samples, size_t finished_index)>;

// Samples `n` continuations of `prompt` using sequences 0..n-1 of the session (which must
// have at least n), all with the adapter bound to sequence 0. Sample i uses
// options.sampling with seed + i.
SampleManyResult sample_many(Session& session, const Tokenizer& tokenizer, std::span<const TokenId> prompt,
                             int32_t n, const GenerateOptions& options, const SampleFinished& on_finished = {});

// Samples under several adapters at once (an ensemble): the prompt is evaluated once per
// group, since keys and values depend on the adapter, and all samples then decode together.
struct SampleGroup {
  std::shared_ptr<const LoraAdapter> adapter;  // null: the base model
  float scale = 1.0f;
  int32_t count = 1;
};
SampleManyResult sample_groups(Session& session, const Tokenizer& tokenizer, std::span<const TokenId> prompt,
                               std::span<const SampleGroup> groups, const GenerateOptions& options,
                               const SampleFinished& on_finished = {});

}  // namespace loco
