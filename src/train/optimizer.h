// AdamW with decoupled weight decay, global-norm gradient clipping and a warmup +
// cosine/linear learning-rate schedule: the optimizer of loco train.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "loco/thread_pool.h"

namespace loco::train {

enum class Schedule { Constant, Linear, Cosine };

struct ScheduleOptions {
  double lr = 2e-4;          // the peak rate, reached at the end of warmup
  int64_t warmup_steps = 0;  // rate rises linearly from lr/warmup to lr over these steps
  int64_t total_steps = 1;   // the schedule decays to min_lr at this step
  double min_lr = 0.0;
  Schedule schedule = Schedule::Cosine;
};

// The learning rate of step `step` (0-based): warmup (lr·(step+1)/warmup), then constant,
// or decaying linearly or along a half cosine from lr to min_lr at total_steps (and
// min_lr after).
double learning_rate(const ScheduleOptions& o, int64_t step);

struct AdamWOptions {
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double weight_decay = 0.0;  // decoupled: w -= lr·wd·w, not added to the gradient
  double clip_norm = 0.0;     // > 0: gradients are scaled so their global L2 norm is at most this
};

// One parameter tensor and its gradient, as the optimizer sees them.
struct ParamRef {
  std::span<float> value;
  std::span<float> grad;
  bool decay = true;  // weight decay applies (norm weights are usually exempt)
};

class AdamW {
 public:
  // Moment buffers for each tensor, zero to start.
  AdamW(const std::vector<ParamRef>& params, const AdamWOptions& options);

  // One update with learning rate lr over every tensor; returns the gradients' global L2
  // norm before clipping. Gradients are left as they were (scaled by the clip factor when
  // clipped): the caller zeroes them for the next accumulation.
  // With a pool, tensors and chunks of them are updated in parallel (the same bits).
  double step(const std::vector<ParamRef>& params, double lr, ThreadPool* pool = nullptr);

  int64_t steps_taken() const { return t_; }

  // The moments and step count, for checkpoints: restore() takes what the accessors gave
  // (throws Error when the shapes differ from this optimizer's parameters).
  const std::vector<std::vector<float>>& first_moments() const { return m_; }
  const std::vector<std::vector<float>>& second_moments() const { return v_; }
  void restore(std::vector<std::vector<float>> m, std::vector<std::vector<float>> v, int64_t steps_taken);

 private:
  AdamWOptions o_;
  std::vector<std::vector<float>> m_, v_;
  int64_t t_ = 0;
};

}  // namespace loco::train
