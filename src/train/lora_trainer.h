// The LoRA training loop of `loco train lora`: packed batches of the training examples,
// gradient accumulation, AdamW on the adapter's pairs with warmup and a schedule,
// validation loss, checkpoints that resume bit for bit, and the loss history.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "loco/model.h"
#include "loco/thread_pool.h"
#include "train/optimizer.h"
#include "train/packing.h"
#include "train/trainable_adapter.h"

namespace loco::train {

struct LoraTrainSettings {
  int32_t rank = 16;
  float alpha = 32.0f;
  TargetMask targets = kAttentionTargets | kFfnTargets;
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
  float dropout = 0.05f;
  bool recompute = true;
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

class LoraTrainer {
 public:
  // The examples must already fit batch_tokens (plan_batches checks).
  LoraTrainer(const Model& base, std::vector<TrainExample> train, std::vector<TrainExample> val,
              const LoraTrainSettings& settings, ThreadPool& pool);

  int64_t total_steps() const { return total_steps_; }
  int64_t steps_done() const { return step_; }
  bool done() const { return step_ >= total_steps_; }
  // One optimizer step (grad_accum packed batches); appends to and returns history().back().
  const LossPoint& step();
  // Mean cross-entropy over the validation examples (no dropout); the last point records it.
  double validate();

  const TrainableAdapter& adapter() const { return adapter_; }
  const std::vector<LossPoint>& history() const { return history_; }
  const LoraTrainSettings& settings() const { return settings_; }

  // A checkpoint holds the adapter, the optimizer's moments, the step and the history,
  // with a fingerprint of the settings, the data and the base; resume refuses a checkpoint
  // whose fingerprint differs. Written atomically (a temporary file, then rename).
  void save_checkpoint(const std::string& path) const;
  void resume(const std::string& path);

 private:
  std::vector<ParamRef> params();
  std::string fingerprint() const;

  const Model& base_;
  std::vector<TrainExample> train_, val_;
  LoraTrainSettings settings_;
  ThreadPool& pool_;
  TrainableAdapter adapter_;
  AdapterGrads grads_;
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
