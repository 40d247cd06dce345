// Many prompts answered together: each prompt is evaluated once (all prompts in one
// batch), forked into its samples, and every step decodes the next token of every
// unfinished sample as one batch, so each weight is read once per step for all of them.
// This is what makes evaluating a set of questions fast: a step for 8 items costs little
// more than a step for one, because decoding is bound by reading the weights.
//
// Each prompt has its own adapter binding; sequences with different adapters share the
// forward pass (Session::set_adapter). The engine is batch invariant, so a sample's tokens
// do not depend on which other prompts it was decoded with.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "loco/lora.h"
#include "loco/sample_many.h"

namespace loco {

struct BatchPrompt {
  std::vector<TokenId> tokens;
  std::shared_ptr<const LoraAdapter> adapter;  // null: the base model
  float scale = 1.0f;
  int32_t count = 1;   // samples of this prompt
  uint64_t seed = 0;   // sample k of this prompt draws with seed + k
};

// Samples come back in prompt order (sample.group is the prompt's index). The session
// needs at least the total count of sequences and room in its cache for every prompt
// plus every sample's answer.
SampleManyResult generate_batch(Session& session, const Tokenizer& tokenizer, std::span<const BatchPrompt> prompts,
                                const GenerateOptions& options, const SampleFinished& on_finished = {});

}  // namespace loco
