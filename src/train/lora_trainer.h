// LoRA training (`loco train lora`): the trainer over an adapter's pairs on a frozen base.
#pragma once

#include "loco/model.h"
#include "train/trainable_adapter.h"
#include "train/trainer.h"

namespace loco::train {

struct LoraTrainSettings : TrainSettings {
  int32_t rank = 16;
  float alpha = 32.0f;
  TargetMask targets = kAttentionTargets | kFfnTargets;
};

class LoraTrainer : public Trainer {
 public:
  LoraTrainer(const Model& base, std::vector<TrainExample> train, std::vector<TrainExample> val,
              const LoraTrainSettings& settings, ThreadPool& pool);
  const TrainableAdapter& adapter() const;
};

}  // namespace loco::train
