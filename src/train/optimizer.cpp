#include "train/optimizer.h"

#include <cmath>
#include <functional>
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

double AdamW::step(const std::vector<ParamRef>& params, double lr, ThreadPool* pool) {
  if (params.size() != m_.size()) throw Error("AdamW: step given other parameters than it was made with");
  for (size_t k = 0; k < params.size(); ++k) {
    if (params[k].value.size() != m_[k].size()) throw Error("AdamW: a parameter changed size between steps");
  }
  auto run = [&](int64_t n, const std::function<void(int64_t, int)>& fn) {
    if (pool != nullptr) {
      pool->parallel_for(n, fn);
    } else {
      for (int64_t i = 0; i < n; ++i) fn(i, 0);
    }
  };
  // Each tensor's squared norm summed by one thread, then the tensors in order: the same
  // bits for any thread count.
  std::vector<double> squares(params.size(), 0.0);
  run(static_cast<int64_t>(params.size()), [&](int64_t k, int) {
    double sq = 0;
    for (float g : params[static_cast<size_t>(k)].grad) sq += static_cast<double>(g) * g;
    squares[static_cast<size_t>(k)] = sq;
  });
  double sq = 0;
  for (double v : squares) sq += v;
  const double norm = std::sqrt(sq);
  const double clip = o_.clip_norm > 0 && norm > o_.clip_norm ? o_.clip_norm / norm : 1.0;
  ++t_;
  const double correction1 = 1.0 - std::pow(o_.beta1, static_cast<double>(t_));
  const double correction2 = 1.0 - std::pow(o_.beta2, static_cast<double>(t_));
  // Elements are independent: chunks of every tensor in parallel.
  constexpr size_t kChunk = 1 << 15;
  std::vector<std::pair<size_t, size_t>> chunks;  // (tensor, first element)
  for (size_t k = 0; k < params.size(); ++k) {
    for (size_t i = 0; i < params[k].value.size(); i += kChunk) chunks.emplace_back(k, i);
  }
  // In float, so the loop vectorizes; the constants are folded once.
  const float b1 = static_cast<float>(o_.beta1), b2 = static_cast<float>(o_.beta2);
  const float inv_c1 = static_cast<float>(1.0 / correction1), inv_c2 = static_cast<float>(1.0 / correction2);
  const float rate = static_cast<float>(lr), eps = static_cast<float>(o_.eps), scale = static_cast<float>(clip);
  run(static_cast<int64_t>(chunks.size()), [&](int64_t c, int) {
    const auto [k, first] = chunks[static_cast<size_t>(c)];
    const ParamRef& p = params[k];
    float* m = m_[k].data() + first;
    float* v = v_[k].data() + first;
    float* w = p.value.data() + first;
    float* g = p.grad.data() + first;
    const size_t n = std::min(p.value.size() - first, kChunk);
    const float decay = p.decay ? static_cast<float>(lr * o_.weight_decay) : 0.0f;
    if (scale != 1.0f) {
      for (size_t i = 0; i < n; ++i) g[i] *= scale;
    }
    for (size_t i = 0; i < n; ++i) {
      m[i] = b1 * m[i] + (1.0f - b1) * g[i];
      v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
      w[i] = w[i] - decay * w[i] - rate * (m[i] * inv_c1) / (std::sqrt(v[i] * inv_c2) + eps);
    }
  });
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
