// The whole `loco train lora` run and `loco train grad` behind include/loco/train.h.
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "loco/chat_prompt.h"
#include "loco/error.h"
#include "loco/lora.h"
#include "loco/model.h"
#include "loco/sha256.h"
#include "loco/thread_pool.h"
#include "loco/train.h"
#include "train/adapter_export.h"
#include "train/lora_trainer.h"
#include "train/loss_curve.h"
#include "train/model_pass.h"
#include "train/train_data.h"
#include "locollm/registry/yaml_util.h"

namespace loco {
namespace {

namespace fs = std::filesystem;

train::Schedule parse_schedule(const std::string& s) {
  if (s == "cosine") return train::Schedule::Cosine;
  if (s == "linear") return train::Schedule::Linear;
  if (s == "constant") return train::Schedule::Constant;
  throw Error("unknown schedule '" + s + "' (cosine, linear or constant)");
}

void write_curve(const train::LoraTrainer& trainer, const LoraTrainResult& r, const std::string& subtitle) {
  yaml::write_file_atomically(r.csv, train::loss_curve_csv(trainer.history()));
  yaml::write_file_atomically(r.svg, train::loss_curve_svg(trainer.history(), "LoRA training: " + r.name, subtitle));
}

}  // namespace

LoraTrainResult train_lora(const LoraTrainRequest& q, const std::function<void(const TrainProgress&)>& progress,
                           const std::function<void(const LoraTrainResult&, int64_t)>& started) {
  train::LoraTrainSettings s;
  s.rank = q.rank;
  s.alpha = q.alpha > 0.0f ? q.alpha : 2.0f * static_cast<float>(q.rank);
  s.targets = train::parse_targets(q.targets);
  s.lr = q.lr;
  s.min_lr = q.min_lr;
  s.epochs = q.epochs;
  s.batch_tokens = q.batch_tokens;
  s.grad_accum = q.grad_accum;
  s.warmup = q.warmup;
  s.schedule = parse_schedule(q.schedule);
  s.weight_decay = q.weight_decay;
  s.clip = q.clip;
  s.seed = q.seed;
  s.dropout = q.dropout;
  s.recompute = q.recompute;

  LoraTrainResult r;
  fs::path stem(q.out);
  if (stem.extension() == ".gguf") stem.replace_extension();
  if (stem.filename().empty()) throw Error("--out: an output name is needed");
  r.name = stem.filename().string();
  r.gguf = stem.string() + ".gguf";
  r.csv = stem.string() + ".loss.csv";
  r.svg = stem.string() + ".loss.svg";
  if (q.peft) r.peft = stem.string() + "-peft";
  const std::string checkpoint = stem.string() + ".ckpt";

  auto model = Model::load(q.model);
  const Tokenizer tokenizer = Tokenizer::from_gguf(model->file());
  const ChatFormat format = resolve_chat_format(model->file(), q.chat_template);
  std::vector<train::TrainExample> train_set = train::load_train_jsonl(q.data, tokenizer, format, s.batch_tokens);
  std::vector<train::TrainExample> val_set;
  if (!q.val.empty()) val_set = train::load_train_jsonl(q.val, tokenizer, format, s.batch_tokens);
  r.n_examples = static_cast<int64_t>(train_set.size());
  for (const auto& e : train_set) r.n_tokens += static_cast<int64_t>(e.tokens.size());

  ThreadPool pool(q.threads > 0 ? q.threads : ThreadPool::default_threads());
  train::LoraTrainer trainer(*model, std::move(train_set), std::move(val_set), s, pool);
  if (!q.resume.empty()) trainer.resume(q.resume);
  r.n_params = trainer.adapter().n_params();
  if (started) started(r, trainer.total_steps());
  const std::string subtitle =
      fmt::format("{} · {} · rank {} · alpha {} · lr {} · {} epoch{}", fs::path(q.model).filename().string(),
                  fs::path(q.data).filename().string(), s.rank, s.alpha, s.lr, s.epochs, s.epochs == 1 ? "" : "s");

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const int64_t first_step = trainer.steps_done();
  int64_t tokens_done = 0;
  double last_epoch = trainer.history().empty() ? 0.0 : trainer.history().back().epoch;
  while (!trainer.done()) {
    const train::LossPoint point = trainer.step();
    tokens_done += point.tokens;
    TrainProgress p;
    p.last = trainer.done();
    const bool epoch_end = std::floor(point.epoch + 1e-9) > std::floor(last_epoch + 1e-9);
    last_epoch = point.epoch;
    if (!q.val.empty() && (p.last || epoch_end || (q.val_every > 0 && point.step % q.val_every == 0))) {
      p.val_loss = trainer.validate();
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    p.step = point.step;
    p.total_steps = trainer.total_steps();
    p.epoch = point.epoch;
    p.loss = point.train_loss;
    p.lr = point.lr;
    p.grad_norm = point.grad_norm;
    p.tokens_per_s = elapsed > 0 ? static_cast<double>(tokens_done) / elapsed : 0.0;
    p.eta_s = elapsed / static_cast<double>(point.step - first_step) * static_cast<double>(p.total_steps - p.step);
    if (q.checkpoint_every > 0 && point.step % q.checkpoint_every == 0 && !p.last) {
      trainer.save_checkpoint(checkpoint);
      write_curve(trainer, r, subtitle);
      p.checkpoint_saved = true;
    }
    if (progress) progress(p);
  }

  const train::LossPoint& final_point = trainer.history().back();
  r.steps = final_point.step;
  r.final_train_loss = final_point.train_loss;
  for (const auto& p : trainer.history()) {
    if (p.val_loss >= 0) r.final_val_loss = p.val_loss;
  }
  r.notes = {
      {"base_model", fs::path(q.model).filename().string()},
      {"data", fs::path(q.data).filename().string()},
      {"data_sha256", sha256_file(q.data)},
      {"settings", fmt::format("rank={} alpha={} targets={} lr={} min_lr={} schedule={} warmup={} epochs={} "
                               "batch_tokens={} grad_accum={} weight_decay={} clip={} dropout={} seed={}",
                               s.rank, s.alpha, q.targets, s.lr, s.min_lr, q.schedule, s.warmup, s.epochs,
                               s.batch_tokens, s.grad_accum, s.weight_decay, s.clip, s.dropout, s.seed)},
      {"steps", std::to_string(r.steps)},
      {"final_train_loss", fmt::format("{:.6f}", r.final_train_loss)},
  };
  if (r.final_val_loss >= 0) r.notes["final_val_loss"] = fmt::format("{:.6f}", r.final_val_loss);
  train::write_gguf_adapter(trainer.adapter(), *model, r.gguf, r.notes);
  if (q.peft) train::write_peft_adapter(trainer.adapter(), *model, r.peft, r.notes);
  write_curve(trainer, r, subtitle);
  std::error_code ec;
  fs::remove(checkpoint, ec);
  return r;
}

double write_adapter_gradient(const std::string& model_path, const std::string& lora, const std::vector<TokenId>& tokens,
                              float lora_scale, const std::string& output, int threads) {
  if (tokens.size() < 2) throw Error("at least two tokens are needed (one to predict the next)");
  auto model = Model::load(model_path);
  auto loaded = LoraAdapter::load(lora, *model);
  const train::TrainableAdapter adapter = train::trainable_from(*loaded, lora_scale);
  ThreadPool pool(threads > 0 ? threads : ThreadPool::default_threads());
  const train::PackedBatch batch = train::next_token_batch(tokens);
  train::PassOptions o;
  o.loss_weight = 1.0f / static_cast<float>(batch.n_targets());
  train::AdapterGrads grads(adapter);
  const train::PassResult pr = train::model_pass(*model, &adapter, batch, o, &grads, pool);
  train::write_gguf_gradients(adapter, grads, *model, output);
  return pr.loss_sum / static_cast<double>(pr.n_targets);
}

}  // namespace loco
