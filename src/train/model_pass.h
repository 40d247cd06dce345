// The whole model for LoRA training: token embeddings, every block (attention and
// feed-forward sublayers with the adapter's pairs), the final norm, the output projection
// and the mean next-token cross-entropy, forward and backward. The base model's weights
// are read where they lie in the file, in their file types, and never change; only the
// adapter's A and B receive gradients.
#pragma once

#include <cstdint>
#include <vector>

#include "loco/model.h"
#include "loco/thread_pool.h"
#include "loco/tokenizer.h"
#include "ops/matmul_transposed.h"
#include "train/model_grads.h"
#include "train/trainable_adapter.h"

namespace loco::train {

// Tokens of one or more sequences packed end to end. targets[t] is the token position t
// should predict (normally tokens[t + 1] of the same sequence) or −1 for no loss there.
struct PackedBatch {
  std::vector<TokenId> tokens;
  std::vector<int32_t> targets;
  std::vector<int64_t> segments;  // lengths of the packed sequences, in order
  int64_t n_targets() const;
};

struct PassOptions {
  // Keep only each layer's input during the forward pass and redo the layer's forward
  // pass just before its backward pass: one more forward pass of compute for activation
  // memory of one layer instead of all of them. The gradients are bit for bit the same.
  bool recompute = false;
  float dropout = 0.0f;        // LoRA dropout probability
  uint64_t dropout_key = 0;    // distinct per step: the masks are a function of it
  float loss_weight = 1.0f;    // gradients are of loss_weight · Σ cross-entropy
  // The transposed products through the frozen matrices (output included): int8 asks for
  // int8 products where they apply (ops/matmul_transposed.h).
  ops::Precision backward = ops::Precision::f32;
};

struct PassResult {
  double loss_sum = 0.0;  // Σ cross-entropy over the targets (natural log)
  int64_t n_targets = 0;
};

// The forward pass and, when grads is not null, the backward pass (gradients are added).
PassResult model_pass(const Model& base, const TrainableAdapter* adapter, const PackedBatch& batch,
                      const PassOptions& options, AdapterGrads* grads, ThreadPool& pool);

// The same over any weights (full training: float32 matrices the trainer owns). With
// `full` not null the backward pass also adds every weight's gradient into it (the
// matrices must then be float32); adapter and grads may then be null.
PassResult model_pass(const ModelConfig& config, const ModelWeights& weights, const TrainableAdapter* adapter,
                      const PackedBatch& batch, const PassOptions& options, AdapterGrads* grads, ModelGrads* full,
                      ThreadPool& pool);

// The logits of every position (n_tokens × n_vocab) with the adapter (or none), no
// dropout: the trainer's forward pass, to check against the engine's.
std::vector<float> model_logits(const Model& base, const TrainableAdapter* adapter, const PackedBatch& batch,
                                ThreadPool& pool);
std::vector<float> model_logits(const ModelConfig& config, const ModelWeights& weights, const PackedBatch& batch,
                                ThreadPool& pool);

// The bytes of activations a backward pass keeps for `batch` without recomputation
// (every layer's), approximately: the trainer's rule for turning recomputation on.
int64_t activation_bytes(const ModelConfig& config, const PackedBatch& batch);

// A batch of one sequence predicting each next token (positions 0..n−2 predict 1..n−1).
PackedBatch next_token_batch(const std::vector<TokenId>& tokens);

}  // namespace loco::train
