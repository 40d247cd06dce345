// The whole `loco train lora|model|grad` runs behind include/loco/train.h: settings from
// the request, data, the loop with progress, validation and checkpoints, and the outputs.
#include <fmt/format.h>
#include <malloc.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "loco/chat_prompt.h"
#include "loco/atomic_file.h"
#include "loco/error.h"
#include "loco/lora.h"
#include "loco/model.h"
#include "loco/sha256.h"
#include "loco/thread_pool.h"
#include "loco/train.h"
#include "kernels/kernels.h"
#include "train/adapter_export.h"
#include "train/full_model.h"
#include "train/lora_trainer.h"
#include "train/loss_curve.h"
#include "train/model_pass.h"
#include "train/model_trainer.h"
#include "train/train_data.h"

namespace loco {
namespace {

namespace fs = std::filesystem;

train::Schedule parse_schedule(const std::string& s) {
  if (s == "cosine") return train::Schedule::Cosine;
  if (s == "linear") return train::Schedule::Linear;
  if (s == "constant") return train::Schedule::Constant;
  throw Error("unknown schedule '" + s + "' (cosine, linear or constant)");
}

void fill_settings(const TrainRequest& q, train::TrainSettings& s) {
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
  if (q.recompute == "on") {
    s.recompute = train::TrainSettings::Recompute::On;
  } else if (q.recompute == "off") {
    s.recompute = train::TrainSettings::Recompute::Off;
  } else if (q.recompute == "auto") {
    s.recompute = train::TrainSettings::Recompute::Auto;
  } else {
    throw Error("--recompute must be auto, on or off");
  }
  const bool has_int8 = kernels::active_kernels().rows.gemm_acc_int8 != nullptr;
  if (q.backward == "f32") {
    s.backward = ops::Precision::f32;
  } else if (q.backward == "int8" && !has_int8) {
    throw Error("--backward int8: the active kernels (this CPU or LOCO_ISA) have no int8 transposed product; use auto or f32");
  } else if (q.backward == "int8" || q.backward == "auto") {
    s.backward = has_int8 ? ops::Precision::int8 : ops::Precision::f32;
  } else {
    throw Error("--backward must be auto, int8 or f32");
  }
}

// Names the outputs from --out (NAME or NAME.gguf).
void name_outputs(const std::string& out, TrainResult& r) {
  fs::path stem(out);
  if (stem.extension() == ".gguf") stem.replace_extension();
  if (stem.filename().empty()) throw Error("--out: an output name is needed");
  r.name = stem.filename().string();
  r.gguf = stem.string() + ".gguf";
  r.csv = stem.string() + ".loss.csv";
  r.svg = stem.string() + ".loss.svg";
}

std::string checkpoint_path(const TrainResult& r) { return r.gguf.substr(0, r.gguf.size() - 5) + ".ckpt"; }

void load_data(const TrainRequest& q, const Tokenizer& tok, ChatFormat format, std::vector<train::TrainExample>& train_set,
               std::vector<train::TrainExample>& val_set, TrainResult& r) {
  train_set = train::load_train_jsonl(q.data, tok, format, q.batch_tokens);
  if (!q.val.empty()) val_set = train::load_train_jsonl(q.val, tok, format, q.batch_tokens);
  r.n_examples = static_cast<int64_t>(train_set.size());
  for (const auto& e : train_set) r.n_tokens += static_cast<int64_t>(e.tokens.size());
}

void write_curve(const train::Trainer& trainer, const TrainResult& r, const std::string& title,
                 const std::string& subtitle) {
  write_file_atomically(r.csv, train::loss_curve_csv(trainer.history()));
  write_file_atomically(r.svg, train::loss_curve_svg(trainer.history(), title + r.name, subtitle));
}

// Runs the trainer to the end with progress, validation and checkpoints; fills the
// result's steps and losses and the common part of the training record.
void drive(train::Trainer& trainer, const TrainRequest& q, TrainResult& r, const std::string& title,
           const std::string& subtitle, const std::function<void(const TrainProgress&)>& progress) {
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
      trainer.save_checkpoint(checkpoint_path(r));
      write_curve(trainer, r, title, subtitle);
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
  r.notes["data"] = fs::path(q.data).filename().string();
  r.notes["data_sha256"] = sha256_file(q.data);
  r.notes["steps"] = std::to_string(r.steps);
  r.notes["final_train_loss"] = fmt::format("{:.6f}", r.final_train_loss);
  if (r.final_val_loss >= 0) r.notes["final_val_loss"] = fmt::format("{:.6f}", r.final_val_loss);
  write_curve(trainer, r, title, subtitle);
}

// Every step allocates and frees the same large activation buffers. glibc would return
// them to the kernel (mmap above its threshold, heap trimming) and fault the pages in
// again each time, a tenth of a small model's step; keep them in the process instead.
void keep_freed_memory() {
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

std::string common_settings(const TrainRequest& q, const train::TrainSettings& s) {
  return fmt::format("lr={} min_lr={} schedule={} warmup={} epochs={} batch_tokens={} grad_accum={} weight_decay={} "
                     "clip={} seed={} backward={}",
                     q.lr, q.min_lr, q.schedule, q.warmup, q.epochs, q.batch_tokens, q.grad_accum, q.weight_decay,
                     q.clip, q.seed, s.backward == ops::Precision::int8 ? "int8" : "f32");
}

}  // namespace

TrainResult train_lora(const LoraTrainRequest& q, const std::function<void(const TrainProgress&)>& progress,
                       const std::function<void(const TrainResult&, int64_t)>& started) {
  keep_freed_memory();
  train::LoraTrainSettings s;
  fill_settings(q, s);
  s.rank = q.rank;
  s.alpha = q.alpha > 0.0f ? q.alpha : 2.0f * static_cast<float>(q.rank);
  s.targets = train::parse_targets(q.targets);
  s.dropout = q.dropout;
  TrainResult r;
  name_outputs(q.out, r);
  if (q.peft) r.peft = r.gguf.substr(0, r.gguf.size() - 5) + "-peft";

  auto model = Model::load(q.model);
  const Tokenizer tokenizer = Tokenizer::from_gguf(model->file());
  std::vector<train::TrainExample> train_set, val_set;
  load_data(q, tokenizer, resolve_chat_format(model->file(), q.chat_template), train_set, val_set, r);
  ThreadPool pool(q.threads > 0 ? q.threads : ThreadPool::default_threads());
  train::LoraTrainer trainer(*model, std::move(train_set), std::move(val_set), s, pool);
  r.n_params = trainer.adapter().n_params();
  if (!q.resume.empty()) trainer.resume(q.resume);
  if (started) started(r, trainer.total_steps());
  const std::string subtitle =
      fmt::format("{} · {} · rank {} · alpha {} · lr {} · {} epoch{}", fs::path(q.model).filename().string(),
                  fs::path(q.data).filename().string(), s.rank, s.alpha, s.lr, s.epochs, s.epochs == 1 ? "" : "s");
  drive(trainer, q, r, "LoRA training: ", subtitle, progress);
  r.notes["base_model"] = fs::path(q.model).filename().string();
  // The exact base file: `loco adapters add` and `pull` refuse the adapter over another one.
  r.notes["base_sha256"] = sha256_file(q.model);
  r.notes["settings"] = fmt::format("rank={} alpha={} targets={} dropout={} {}", s.rank, s.alpha, q.targets, s.dropout,
                                    common_settings(q, s));
  train::write_gguf_adapter(trainer.adapter(), *model, r.gguf, r.notes);
  if (q.peft) train::write_peft_adapter(trainer.adapter(), *model, r.peft, r.notes);
  std::error_code ec;
  fs::remove(checkpoint_path(r), ec);
  return r;
}

TrainResult train_model(const ModelTrainRequest& q, const std::function<void(const TrainProgress&)>& progress,
                        const std::function<void(const TrainResult&, int64_t)>& started) {
  keep_freed_memory();
  train::TrainSettings s;
  fill_settings(q, s);
  s.dropout = 0.0f;
  GgmlType type = GgmlType::F32;
  if (q.type == "f16") {
    type = GgmlType::F16;
  } else if (q.type == "bf16") {
    type = GgmlType::BF16;
  } else if (q.type != "f32") {
    throw Error("--type must be f32, f16 or bf16 (quantize afterwards with loco quantize)");
  }
  if (q.init.empty() == q.config.empty()) throw Error("give either --config (a new model) or --init (an existing one)");
  TrainResult r;
  name_outputs(q.out, r);

  std::unique_ptr<train::FullModel> model;
  std::shared_ptr<const Model> init;
  std::string vocab_path = q.vocab;
  if (!q.init.empty()) {
    init = Model::load(q.init);
    model = train::full_model_from(*init);
    if (vocab_path.empty()) vocab_path = q.init;
  } else {
    if (vocab_path.empty()) throw Error("--vocab: a GGUF holding the tokenizer is needed for a new model");
  }
  const GgufFile vocab = GgufFile::open(vocab_path);
  const Tokenizer tokenizer = Tokenizer::from_gguf(vocab);
  if (!q.config.empty()) {
    std::ifstream in(q.config);
    if (!in) throw Error(q.config + ": cannot open");
    std::stringstream text;
    text << in.rdbuf();
    ModelConfig c = train::parse_model_config(text.str(), q.config, tokenizer.n_vocab());
    if (c.name.empty()) c.name = r.name;
    model = train::init_full_model(c, q.seed);
  }
  if (tokenizer.n_vocab() > model->config.n_vocab) {
    throw Error(fmt::format("{}: {} tokens, more than the model's {} embedding rows", vocab_path, tokenizer.n_vocab(),
                            model->config.n_vocab));
  }
  std::vector<train::TrainExample> train_set, val_set;
  load_data(q, tokenizer, resolve_chat_format(vocab, q.chat_template), train_set, val_set, r);
  ThreadPool pool(q.threads > 0 ? q.threads : ThreadPool::default_threads());
  train::ModelTrainer trainer(std::move(model), std::move(train_set), std::move(val_set), s, pool);
  train::FullModel& m = trainer.model();
  r.n_params = m.n_params();
  if (!q.resume.empty()) trainer.resume(q.resume);
  if (started) started(r, trainer.total_steps());
  const ModelConfig& c = m.config;
  const std::string subtitle =
      fmt::format("{} · {:.1f}M parameters ({} layers × {}) · {} · lr {} · {} epoch{}", c.arch_name,
                  static_cast<double>(r.n_params) / 1e6, c.n_layer, c.n_embd, fs::path(q.data).filename().string(),
                  s.lr, s.epochs, s.epochs == 1 ? "" : "s");
  drive(trainer, q, r, "Model training: ", subtitle, progress);
  r.notes["vocab"] = fs::path(vocab_path).filename().string();
  r.notes["settings"] = common_settings(q, s);
  if (!q.config.empty()) r.notes["config"] = fs::path(q.config).filename().string();
  if (!q.init.empty()) r.notes["init"] = fs::path(q.init).filename().string();
  train::write_full_model(m, vocab, r.gguf, type, r.notes);
  std::error_code ec;
  fs::remove(checkpoint_path(r), ec);
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
