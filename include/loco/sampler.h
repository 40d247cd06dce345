// Choosing the next token from a row of logits.
//
// The chain, in order: penalties (from the sampler's own token history) → top-k → softmax
// with temperature → top-p → min-p → a draw from a seeded PCG32. Temperature <= 0 means
// greedy: the largest penalised logit, ties to the lowest token id, no random draw.
// Note that top-p and min-p see the distribution after temperature (as in Hugging Face
// transformers; llama.cpp applies them before temperature).
//
// The same seed and the same logits give the same tokens on every platform: the candidate
// order is fixed (id order, or most probable first with ties to the lower id once a step
// truncates), top-p counts mass in fixed point, sums run in a fixed order, and the random
// numbers come from loco::Pcg32. (A libm whose exp() differs in the last bit could, very
// rarely, move a draw that lands exactly on a boundary.)
//
// NaN logits are never chosen; -inf logits are never chosen; +inf logits share all the
// probability. A row with nothing but NaN / -inf throws loco::Error.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "loco/rng.h"

namespace loco {

struct SamplerConfig {
  float temperature = 0.8f;  // <= 0: greedy
  int top_k = 40;            // <= 0 or >= n_vocab: no limit
  float top_p = 0.95f;       // >= 1: off
  float min_p = 0.05f;       // <= 0: off
  // Repetition penalty as in CTRL / llama.cpp: for each distinct token among the last
  // repeat_last_n, a positive logit is divided by it and a negative one multiplied. 1: off.
  float repeat_penalty = 1.0f;
  int repeat_last_n = 64;  // tokens of history the penalties look at; 0: none, -1: all
  // OpenAI style: logit -= presence_penalty * [count > 0] + frequency_penalty * count.
  float presence_penalty = 0.0f;
  float frequency_penalty = 0.0f;
  uint64_t seed = 0;
};

// One token under consideration: its (penalised) logit and, after softmax, its probability.
struct TokenCandidate {
  int32_t id = 0;
  float logit = 0.0f;
  float p = 0.0f;
};

// The steps of the chain, usable on their own. A step that removes candidates leaves the
// rest sorted most probable first (ties: lower id first) and renormalised; with no step
// removing anything the candidates stay in id order. The draw walks them in that order.
namespace sampling {

// Applies the penalties for the tokens in `recent` to `logits` (ids outside logits are
// ignored).
void apply_penalties(std::span<float> logits, std::span<const int32_t> recent,
                     float repeat_penalty, float presence_penalty, float frequency_penalty);

// Fills `out` with one candidate per logit, in id order, leaving out NaN and -inf.
void candidates_from_logits(std::span<const float> logits, std::vector<TokenCandidate>& out);

// Keeps the k highest logits, sorted highest first (ties: lower id first). k <= 0 or
// k >= size: unchanged, order kept.
void top_k(std::vector<TokenCandidate>& candidates, int k);

// p = softmax(logit / temperature), temperature > 0. With +inf logits present they share
// the probability equally.
void softmax(std::vector<TokenCandidate>& candidates, float temperature);

// Keeps the shortest run of most probable candidates whose probabilities add up to at
// least p (always at least one). p >= 1 keeps everything.
void top_p(std::vector<TokenCandidate>& candidates, float p);

// Keeps the candidates whose probability is at least min_p times the largest. min_p <= 0
// keeps everything.
void min_p(std::vector<TokenCandidate>& candidates, float min_p);

// The candidate that u in [0, 1) selects: the first whose cumulative probability exceeds
// u times the total. Candidates must not be empty.
size_t pick(std::span<const TokenCandidate> candidates, double u);

// The id of the largest logit, ties to the lowest id, NaN ignored; -1 when all are NaN.
int32_t argmax(std::span<const float> logits);

}  // namespace sampling

class Sampler {
 public:
  // Throws loco::Error for n_vocab <= 0 or a config with NaN values or repeat_penalty <= 0.
  Sampler(const SamplerConfig& config, int32_t n_vocab);

  // Applies the penalties from the accepted history, then the chain. Does not record the
  // token it returns: call accept() with it (as with prompt tokens). Throws loco::Error
  // when logits.size() != n_vocab or no logit is usable.
  int32_t sample(std::span<const float> logits);
  // Records a token in the history the penalties look at. Throws for an id out of range.
  void accept(int32_t token);
  // Forgets the history and restarts the random sequence from the seed.
  void reset();

  const SamplerConfig& config() const { return config_; }

  // log softmax(logits)[token] at temperature 1, in double precision; -inf for a NaN or
  // -inf logit. Throws loco::Error for a token id out of range.
  static float log_prob(std::span<const float> logits, int32_t token);

 private:
  SamplerConfig config_;
  int32_t n_vocab_ = 0;
  Pcg32 rng_;
  std::vector<int32_t> history_;
  std::vector<float> logits_;               // penalised copy of the input
  std::vector<TokenCandidate> candidates_;  // reused between calls
};

}  // namespace loco
