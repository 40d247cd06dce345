#include "train/trainer.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>

#include "loco/error.h"
#include "train/model_pass.h"

namespace loco::train {
namespace {

constexpr char kMagic[8] = {'L', 'O', 'C', 'O', 'C', 'K', 'P', 'T'};
constexpr uint32_t kVersion = 1;

uint64_t fnv1a(uint64_t h, const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
  return h;
}

uint64_t examples_hash(const std::vector<TrainExample>& examples) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const TrainExample& e : examples) {
    h = fnv1a(h, e.tokens.data(), e.tokens.size() * sizeof(TokenId));
    h = fnv1a(h, e.target.data(), e.target.size());
  }
  return h;
}

class Writer {
 public:
  explicit Writer(std::ofstream& out) : out_(out) {}
  template <typename T>
  void put(const T& v) {
    out_.write(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void floats(std::span<const float> v) {
    put<uint64_t>(v.size());
    out_.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(float)));
  }
  void text(const std::string& s) {
    put<uint64_t>(s.size());
    out_.write(s.data(), static_cast<std::streamsize>(s.size()));
  }

 private:
  std::ofstream& out_;
};

class Reader {
 public:
  Reader(std::ifstream& in, std::string path) : in_(in), path_(std::move(path)) {}
  template <typename T>
  T get() {
    T v{};
    in_.read(reinterpret_cast<char*>(&v), sizeof v);
    if (!in_) throw Error(path_ + ": truncated checkpoint");
    return v;
  }
  std::vector<float> floats(size_t expected) {
    const uint64_t n = get<uint64_t>();
    if (n != expected) throw Error(path_ + ": the checkpoint's tensors do not fit this adapter");
    std::vector<float> v(n);
    in_.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n * sizeof(float)));
    if (!in_) throw Error(path_ + ": truncated checkpoint");
    return v;
  }
  std::string text(size_t limit) {
    const uint64_t n = get<uint64_t>();
    if (n > limit) throw Error(path_ + ": corrupt checkpoint (a string of " + std::to_string(n) + " bytes)");
    std::string s(n, '\0');
    in_.read(s.data(), static_cast<std::streamsize>(n));
    if (!in_) throw Error(path_ + ": truncated checkpoint");
    return s;
  }

 private:
  std::ifstream& in_;
  std::string path_;
};

}  // namespace

Trainer::Trainer(std::unique_ptr<TrainTarget> target, std::vector<TrainExample> train, std::vector<TrainExample> val,
                 const TrainSettings& settings, ThreadPool& pool)
    : target_(std::move(target)), train_(std::move(train)), val_(std::move(val)), settings_(settings), pool_(pool) {
  if (train_.empty()) throw Error("no training examples");
  if (settings_.epochs < 1) throw Error("--epochs must be at least 1");
  if (settings_.grad_accum < 1) throw Error("--grad-accum must be at least 1");
  if (!(settings_.lr > 0.0) || !std::isfinite(settings_.lr)) throw Error("--lr must be a positive number");
  if (settings_.dropout < 0.0f || settings_.dropout >= 1.0f) throw Error("--dropout must be in [0, 1)");
  if (settings_.warmup < 0) throw Error("--warmup must not be negative");
  for (int64_t e = 0; e < settings_.epochs; ++e) {
    std::vector<std::vector<size_t>> plan = plan_batches(train_, settings_.batch_tokens, settings_.seed, e);
    for (size_t i = 0; i < plan.size(); ++i) {
      batch_epoch_.push_back(static_cast<double>(e) + static_cast<double>(i + 1) / static_cast<double>(plan.size()));
      batches_.push_back(std::move(plan[i]));
    }
  }
  if (!val_.empty()) (void)plan_batches(val_, settings_.batch_tokens, 0, 0);
  total_steps_ = (static_cast<int64_t>(batches_.size()) + settings_.grad_accum - 1) / settings_.grad_accum;
  schedule_.lr = settings_.lr;
  schedule_.min_lr = settings_.min_lr;
  schedule_.warmup_steps = settings_.warmup;
  schedule_.total_steps = total_steps_;
  schedule_.schedule = settings_.schedule;
  AdamWOptions ao;
  ao.weight_decay = settings_.weight_decay;
  ao.clip_norm = settings_.clip;
  optimizer_ = std::make_unique<AdamW>(target_->params(), ao);
}

const LossPoint& Trainer::step() {
  if (done()) throw Error("internal: training is already complete");
  const size_t first = static_cast<size_t>(step_ * settings_.grad_accum);
  const size_t last = std::min(batches_.size(), first + static_cast<size_t>(settings_.grad_accum));
  std::vector<PackedBatch> micro;
  int64_t n_targets = 0, n_tokens = 0;
  for (size_t i = first; i < last; ++i) {
    micro.push_back(pack_examples(train_, batches_[i]));
    n_targets += micro.back().n_targets();
    n_tokens += static_cast<int64_t>(micro.back().tokens.size());
  }
  target_->zero_grads();
  double loss_sum = 0.0;
  for (size_t i = 0; i < micro.size(); ++i) {
    PassOptions o;
    o.recompute = settings_.recompute == TrainSettings::Recompute::On ||
                  (settings_.recompute == TrainSettings::Recompute::Auto &&
                   activation_bytes(target_->config(), micro[i]) > kRecomputeAbove);
    o.dropout = settings_.dropout;
    o.backward = settings_.backward;
    // A different mask for every micro-batch of every step, the same on every run.
    o.dropout_key = (settings_.seed * 0x9e3779b97f4a7c15ULL) ^ (static_cast<uint64_t>(first + i) << 1);
    o.loss_weight = n_targets > 0 ? 1.0f / static_cast<float>(n_targets) : 0.0f;
    loss_sum += target_->pass(micro[i], o, true, pool_).loss_sum;
  }
  const double lr = learning_rate(schedule_, step_);
  LossPoint point;
  point.grad_norm = optimizer_->step(target_->params(), lr, &pool_);
  ++step_;
  point.step = step_;
  point.epoch = batch_epoch_[last - 1];
  point.train_loss = n_targets > 0 ? loss_sum / static_cast<double>(n_targets) : 0.0;
  point.lr = lr;
  point.tokens = n_tokens;
  if (!std::isfinite(point.train_loss) || !std::isfinite(point.grad_norm)) {
    throw Error(fmt::format("training diverged at step {} (loss {}, gradient norm {}): lower --lr", step_,
                            point.train_loss, point.grad_norm));
  }
  history_.push_back(point);
  return history_.back();
}

double Trainer::validate() {
  if (val_.empty()) throw Error("internal: no validation examples");
  const std::vector<std::vector<size_t>> plan = plan_batches(val_, settings_.batch_tokens, 0, 0);
  double sum = 0.0;
  int64_t n = 0;
  for (const auto& indices : plan) {
    const PassResult r = target_->pass(pack_examples(val_, indices), PassOptions{}, false, pool_);
    sum += r.loss_sum;
    n += r.n_targets;
  }
  const double loss = n > 0 ? sum / static_cast<double>(n) : 0.0;
  if (!history_.empty()) history_.back().val_loss = loss;
  return loss;
}

std::string Trainer::fingerprint() const {
  const TrainSettings& s = settings_;
  return fmt::format(
      "{} | data {:016x} {} val {:016x} {} | lr {} min_lr {} epochs {} batch {} accum {} warmup {} schedule {} wd {} "
      "clip {} seed {} dropout {} backward {} ",
      target_->describe(), examples_hash(train_), train_.size(), examples_hash(val_), val_.size(), s.lr, s.min_lr,
      s.epochs, s.batch_tokens, s.grad_accum, s.warmup, static_cast<int>(s.schedule), s.weight_decay, s.clip, s.seed,
      s.dropout, s.backward == ops::Precision::int8 ? "int8" : "f32");
}

void Trainer::save_checkpoint(const std::string& path) const {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(tmp + ": cannot open for writing");
    Writer w(out);
    out.write(kMagic, sizeof kMagic);
    w.put(kVersion);
    w.text(fingerprint());
    w.put<int64_t>(step_);
    w.put<uint64_t>(history_.size());
    for (const LossPoint& p : history_) {
      w.put(p.step);
      w.put(p.epoch);
      w.put(p.train_loss);
      w.put(p.val_loss);
      w.put(p.lr);
      w.put(p.grad_norm);
      w.put(p.tokens);
    }
    for (const ParamRef& p : target_->params()) w.floats(p.value);
    for (const auto& m : optimizer_->first_moments()) w.floats(m);
    for (const auto& v : optimizer_->second_moments()) w.floats(v);
    w.put<int64_t>(optimizer_->steps_taken());
    out.close();
    if (!out) throw Error(tmp + ": write failed");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw Error(path + ": cannot replace the checkpoint (" + ec.message() + ")");
}

void Trainer::resume(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the checkpoint");
  Reader r(in, path);
  char magic[sizeof kMagic];
  in.read(magic, sizeof magic);
  if (!in || std::memcmp(magic, kMagic, sizeof kMagic) != 0) throw Error(path + ": not a loco training checkpoint");
  if (r.get<uint32_t>() != kVersion) throw Error(path + ": a checkpoint of another loco version");
  if (r.text(1 << 16) != fingerprint()) {
    throw Error(path + ": the checkpoint is of another run (base model, data or settings differ)");
  }
  const int64_t step = r.get<int64_t>();
  const uint64_t n_points = r.get<uint64_t>();
  if (step < 0 || step > total_steps_ || n_points != static_cast<uint64_t>(step)) {
    throw Error(path + ": corrupt checkpoint (step " + std::to_string(step) + ")");
  }
  std::vector<LossPoint> history(n_points);
  for (LossPoint& p : history) {
    p.step = r.get<int64_t>();
    p.epoch = r.get<double>();
    p.train_loss = r.get<double>();
    p.val_loss = r.get<double>();
    p.lr = r.get<double>();
    p.grad_norm = r.get<double>();
    p.tokens = r.get<int64_t>();
  }
  const std::vector<ParamRef> params = target_->params();
  std::vector<std::vector<float>> values;
  for (const ParamRef& p : params) values.push_back(r.floats(p.value.size()));
  std::vector<std::vector<float>> m, v;
  for (const auto& x : optimizer_->first_moments()) m.push_back(r.floats(x.size()));
  for (const auto& x : optimizer_->second_moments()) v.push_back(r.floats(x.size()));
  const int64_t taken = r.get<int64_t>();
  if (taken != step) throw Error(path + ": corrupt checkpoint (optimizer step)");
  for (size_t k = 0; k < params.size(); ++k) std::copy(values[k].begin(), values[k].end(), params[k].value.begin());
  optimizer_->restore(std::move(m), std::move(v), taken);
  step_ = step;
  history_ = std::move(history);
}

}  // namespace loco::train
