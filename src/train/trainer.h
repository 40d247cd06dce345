// The training loop shared by `loco train lora` and `loco train model`: packed batches of
// the training examples, gradient accumulation, AdamW with warmup and a schedule,
// validation loss, checkpoints that resume bit for bit, and the loss history. What is
// trained (an adapter's pairs, or every weight of a model) is a TrainTarget.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loco/thread_pool.h"
#include "train/model_pass.h"
#include "train/optimizer.h"
#include "train/packing.h"

namespace loco::train {

struct TrainSettings {
  double lr = 2e-4;
  double min_lr = 0.0;
  int64_t epochs = 1;
  int64_t batch_tokens = 2048;
  int64_t grad_accum = 1;
  int64_t warmup = 0;  // steps
  Schedule schedule = Schedule::Cosine;
  double weight_decay = 0.0;
  double clip = 1.0;
  uint64_t seed = 0;
  float dropout = 0.05f;  // LoRA dropout (no effect in full training)
  // Activation recomputation: Auto turns it on for a batch whose activations would take
  // more than kRecomputeAbove bytes (activation_bytes in model_pass.h).
  enum class Recompute { Auto, On, Off } recompute = Recompute::Auto;
  // The frozen matrices' transposed products (ops/matmul_transposed.h).
  ops::Precision backward = ops::Precision::f32;
};

// One optimizer step's record: the loss curve's point.
struct LossPoint {
  int64_t step = 0;          // 1-based: the number of updates done
  double epoch = 0;          // fractional, for the x axis
  double train_loss = 0;     // mean cross-entropy of the step's target tokens
  double val_loss = -1;      // < 0: not measured at this step
  double lr = 0;
  double grad_norm = 0;      // before clipping
  int64_t tokens = 0;        // tokens processed in the step
};

// What a trainer trains.
class TrainTarget {
 public:
  virtual ~TrainTarget() = default;
  // Forward, and backward when `backward` (gradients added to the target's own).
  virtual PassResult pass(const PackedBatch& batch, const PassOptions& options, bool backward, ThreadPool& pool) = 0;
  // Every trainable tensor with its gradient, in a fixed order.
  virtual std::vector<ParamRef> params() = 0;
  virtual void zero_grads() = 0;
  // What a checkpoint must match besides the data and settings (model shape, targets).
  virtual std::string describe() const = 0;
  virtual const ModelConfig& config() const = 0;
};

inline constexpr int64_t kRecomputeAbove = int64_t{1} << 30;

class Trainer {
 public:
  // The examples must fit batch_tokens (plan_batches checks).
  Trainer(std::unique_ptr<TrainTarget> target, std::vector<TrainExample> train, std::vector<TrainExample> val,
          const TrainSettings& settings, ThreadPool& pool);
  virtual ~Trainer() = default;

  int64_t total_steps() const { return total_steps_; }
  int64_t steps_done() const { return step_; }
  bool done() const { return step_ >= total_steps_; }
  // One optimizer step (grad_accum packed batches); appends to and returns history().back().
  const LossPoint& step();
  // Mean cross-entropy over the validation examples (no dropout); the last point records it.
  double validate();

  const std::vector<LossPoint>& history() const { return history_; }
  const TrainSettings& settings() const { return settings_; }

  // A checkpoint holds the trained tensors, the optimizer's moments, the step and the
  // history, with a fingerprint of the target, the data and the settings; resume refuses
  // a checkpoint whose fingerprint differs. Written atomically (a temporary file, then
  // rename).
  void save_checkpoint(const std::string& path) const;
  void resume(const std::string& path);

 protected:
  TrainTarget& target() const { return *target_; }

 private:
  std::string fingerprint() const;

  std::unique_ptr<TrainTarget> target_;
  std::vector<TrainExample> train_, val_;
  TrainSettings settings_;
  ThreadPool& pool_;
  std::unique_ptr<AdamW> optimizer_;
  ScheduleOptions schedule_;
  // Every epoch's batches, planned up front from the seed (packing makes their number
  // vary a little from epoch to epoch); a step takes the next grad_accum of them.
  std::vector<std::vector<size_t>> batches_;
  std::vector<double> batch_epoch_;  // the fractional epoch at the end of each batch
  int64_t total_steps_ = 0, step_ = 0;
  std::vector<LossPoint> history_;
};

}  // namespace loco::train
