#include "train/lora_trainer.h"

#include <fmt/format.h>

namespace loco::train {
namespace {

class LoraTarget final : public TrainTarget {
 public:
  LoraTarget(const Model& base, const LoraTrainSettings& s)
      : base_(base), adapter_(make_trainable_adapter(base, s.rank, s.alpha, s.targets, s.seed)), grads_(adapter_) {}

  PassResult pass(const PackedBatch& batch, const PassOptions& options, bool backward, ThreadPool& pool) override {
    return model_pass(base_, &adapter_, batch, options, backward ? &grads_ : nullptr, pool);
  }
  std::vector<ParamRef> params() override {
    std::vector<ParamRef> refs;
    adapter_.for_each([&](int32_t l, loco::LoraTarget t, LoraParams& p) {
      LoraGrads& g = *grads_.find(l, t);
      refs.push_back({std::span<float>(p.a), std::span<float>(g.a)});
      refs.push_back({std::span<float>(p.b), std::span<float>(g.b)});
    });
    return refs;
  }
  void zero_grads() override { grads_.zero(); }
  std::string describe() const override {
    const ModelConfig& c = base_.config();
    return fmt::format("lora over {} {} {} {} {} bytes | rank {} alpha {} pairs {}", c.arch_name, c.n_layer, c.n_embd,
                       c.n_vocab, base_.weight_bytes(), adapter_.rank, adapter_.alpha, adapter_.n_params());
  }
  const ModelConfig& config() const override { return base_.config(); }
  const TrainableAdapter& adapter() const { return adapter_; }

 private:
  const Model& base_;
  TrainableAdapter adapter_;
  AdapterGrads grads_;
};

}  // namespace

LoraTrainer::LoraTrainer(const Model& base, std::vector<TrainExample> train, std::vector<TrainExample> val,
                         const LoraTrainSettings& settings, ThreadPool& pool)
    : Trainer(std::make_unique<LoraTarget>(base, settings), std::move(train), std::move(val), settings, pool) {}

const TrainableAdapter& LoraTrainer::adapter() const { return static_cast<const LoraTarget&>(target()).adapter(); }

}  // namespace loco::train
