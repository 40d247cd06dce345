#include "train/optimizer.h"

#include <cmath>
#include <numbers>

#include "loco/error.h"

namespace loco::train {

double learning_rate(const ScheduleOptions& o, int64_t step) {
  if (step < 0) step = 0;
  if (o.warmup_steps > 0 && step < o.warmup_steps) {
    return o.lr * static_cast<double>(step + 1) / static_cast<double>(o.warmup_steps);
  }
  if (o.schedule == Schedule::Constant) return o.lr;
  const int64_t span = o.total_steps - o.warmup_steps;
  if (span <= 0 || step >= o.total_steps) return o.min_lr;
  const double progress = static_cast<double>(step - o.warmup_steps) / static_cast<double>(span);
  const double fraction = o.schedule == Schedule::Linear ? 1.0 - progress : 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
  return o.min_lr + (o.lr - o.min_lr) * fraction;
}

AdamW::AdamW(const std::vector<ParamRef>& params, const AdamWOptions& options) : o_(options) {
  for (const ParamRef& p : params) {
    if (p.value.size() != p.grad.size()) throw Error("AdamW: a parameter and its gradient differ in size");
    m_.emplace_back(p.value.size(), 0.0f);
    v_.emplace_back(p.value.size(), 0.0f);
  }
}

double AdamW::step(const std::vector<ParamRef>& params, double lr) {
  if (params.size() != m_.size()) throw Error("AdamW: step given other parameters than it was made with");
  double sq = 0;
  for (const ParamRef& p : params)
    for (float g : p.grad) sq += static_cast<double>(g) * g;
  const double norm = std::sqrt(sq);
  const double clip = o_.clip_norm > 0 && norm > o_.clip_norm ? o_.clip_norm / norm : 1.0;
  ++t_;
  const double correction1 = 1.0 - std::pow(o_.beta1, static_cast<double>(t_));
  const double correction2 = 1.0 - std::pow(o_.beta2, static_cast<double>(t_));
  for (size_t k = 0; k < params.size(); ++k) {
    const ParamRef& p = params[k];
    if (p.value.size() != m_[k].size()) throw Error("AdamW: a parameter changed size between steps");
    float* m = m_[k].data();
    float* v = v_[k].data();
    for (size_t i = 0; i < p.value.size(); ++i) {
      if (clip != 1.0) p.grad[i] = static_cast<float>(p.grad[i] * clip);
      const double g = p.grad[i];
      m[i] = static_cast<float>(o_.beta1 * m[i] + (1.0 - o_.beta1) * g);
      v[i] = static_cast<float>(o_.beta2 * v[i] + (1.0 - o_.beta2) * g * g);
      const double m_hat = m[i] / correction1;
      const double v_hat = v[i] / correction2;
      double w = p.value[i];
      if (p.decay) w -= lr * o_.weight_decay * w;
      w -= lr * m_hat / (std::sqrt(v_hat) + o_.eps);
      p.value[i] = static_cast<float>(w);
    }
  }
  return norm;
}

void AdamW::restore(std::vector<std::vector<float>> m, std::vector<std::vector<float>> v, int64_t steps_taken) {
  if (m.size() != m_.size() || v.size() != v_.size() || steps_taken < 0) {
    throw Error("AdamW: the saved state is for other parameters");
  }
  for (size_t k = 0; k < m_.size(); ++k) {
    if (m[k].size() != m_[k].size() || v[k].size() != v_[k].size()) {
      throw Error("AdamW: the saved state is for other parameters");
    }
  }
  m_ = std::move(m);
  v_ = std::move(v);
  t_ = steps_taken;
}

}  // namespace loco::train
