// Sequence packing: the examples of an epoch, shuffled by the seed, laid end to end into
// batches of at most batch_tokens tokens, each example a segment of its own (attention
// stops at its boundaries and positions restart: see attention_block.h).
#pragma once

#include <cstdint>
#include <vector>

#include "train/model_pass.h"
#include "train/train_data.h"

namespace loco::train {

// The example indices of each batch of epoch `epoch`, in order. The shuffle depends only
// on (seed, epoch), so a resumed run sees the same batches. Throws Error if an example is
// longer than batch_tokens.
std::vector<std::vector<size_t>> plan_batches(const std::vector<TrainExample>& examples, int64_t batch_tokens,
                                              uint64_t seed, int64_t epoch);

// The packed batch of those examples: each predicts its marked tokens.
PackedBatch pack_examples(const std::vector<TrainExample>& examples, const std::vector<size_t>& indices);

}  // namespace loco::train
