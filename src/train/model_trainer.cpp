#include "train/model_trainer.h"

#include <fmt/format.h>

namespace loco::train {
namespace {

class FullTarget final : public TrainTarget {
 public:
  explicit FullTarget(std::unique_ptr<FullModel> model) : model_(std::move(model)), grads_(model_->config) {}

  PassResult pass(const PackedBatch& batch, const PassOptions& options, bool backward, ThreadPool& pool) override {
    return model_pass(model_->config, model_->weights, nullptr, batch, options, nullptr, backward ? &grads_ : nullptr,
                      pool);
  }
  std::vector<ParamRef> params() override {
    std::vector<FullModel::Tensor> tensors = model_->tensors();
    std::vector<std::vector<float>*> grads = grads_.all();
    std::vector<ParamRef> refs;
    for (size_t i = 0; i < tensors.size(); ++i) {
      refs.push_back({tensors[i].values, std::span<float>(*grads[i]), tensors[i].decay});
    }
    return refs;
  }
  void zero_grads() override { grads_.zero(); }
  std::string describe() const override {
    const ModelConfig& c = model_->config;
    return fmt::format("model {} vocab {} embd {} layers {} heads {}/{}x{} ff {} ctx {} rope {} eps {} tied {}",
                       c.arch_name, c.n_vocab, c.n_embd, c.n_layer, c.n_head, c.n_head_kv, c.head_dim, c.n_ff,
                       c.n_ctx_train, c.rope_base, c.rms_eps, c.tied_embeddings);
  }
  const ModelConfig& config() const override { return model_->config; }
  FullModel& model() const { return *model_; }

 private:
  std::unique_ptr<FullModel> model_;
  ModelGrads grads_;
};

}  // namespace

ModelTrainer::ModelTrainer(std::unique_ptr<FullModel> model, std::vector<TrainExample> train,
                           std::vector<TrainExample> val, const TrainSettings& settings, ThreadPool& pool)
    : Trainer(std::make_unique<FullTarget>(std::move(model)), std::move(train), std::move(val), settings, pool) {}

FullModel& ModelTrainer::model() const { return static_cast<const FullTarget&>(target()).model(); }

}  // namespace loco::train
