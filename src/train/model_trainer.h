// Full training (`loco train model`): the trainer over every weight of a FullModel.
#pragma once

#include <memory>

#include "train/full_model.h"
#include "train/trainer.h"

namespace loco::train {

class ModelTrainer : public Trainer {
 public:
  ModelTrainer(std::unique_ptr<FullModel> model, std::vector<TrainExample> train, std::vector<TrainExample> val,
               const TrainSettings& settings, ThreadPool& pool);
  FullModel& model() const;
};

}  // namespace loco::train
