#include "train/row_backward.h"

#include <algorithm>
#include <cmath>

#include "loco/error.h"

namespace loco::train {

void rms_norm_backward(const float* x, const float* w, const float* dy, int64_t n, float eps, float* dx, float* dw) {
  double sum_sq = 0.0, dot = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    sum_sq += static_cast<double>(x[i]) * x[i];
    dot += static_cast<double>(dy[i]) * w[i] * x[i];
  }
  const double s = 1.0 / std::sqrt(sum_sq / static_cast<double>(n) + eps);
  const double k = s * s * s / static_cast<double>(n) * dot;
  for (int64_t i = 0; i < n; ++i) {
    if (dw != nullptr) dw[i] += static_cast<float>(static_cast<double>(dy[i]) * x[i] * s);
    dx[i] += static_cast<float>(s * w[i] * dy[i] - x[i] * k);
  }
}

void silu_mul_backward(const float* gate, const float* up, const float* dy, int64_t n, float* d_gate, float* d_up) {
  for (int64_t i = 0; i < n; ++i) {
    const double g = gate[i];
    const double sig = 1.0 / (1.0 + std::exp(-g));
    d_up[i] += static_cast<float>(dy[i] * g * sig);
    d_gate[i] += static_cast<float>(dy[i] * up[i] * sig * (1.0 + g * (1.0 - sig)));
  }
}

void pre_norm_residual_backward(const float* x, const float* w, float eps, const float* d_normed, const float* d_out,
                                int64_t n_tokens, int64_t n, float* dx, float* dw) {
  for (int64_t t = 0; t < n_tokens; ++t) {
    float* dxt = dx + t * n;
    const float* dot = d_out + t * n;
    for (int64_t i = 0; i < n; ++i) dxt[i] += dot[i];
    rms_norm_backward(x + t * n, w, d_normed + t * n, n, eps, dxt, dw);
  }
}

double cross_entropy(const float* logits, int64_t n_vocab, int32_t target, float weight, float* d_logits) {
  if (target < 0 || target >= n_vocab) throw Error("cross_entropy: target token outside the vocabulary");
  const float max = *std::max_element(logits, logits + n_vocab);
  double sum = 0.0;
  for (int64_t i = 0; i < n_vocab; ++i) sum += std::exp(static_cast<double>(logits[i]) - max);
  const double log_sum = std::log(sum) + max;
  if (d_logits != nullptr) {
    for (int64_t i = 0; i < n_vocab; ++i) {
      const double p = std::exp(static_cast<double>(logits[i]) - log_sum);
      d_logits[i] = static_cast<float>(weight * (p - (i == target ? 1.0 : 0.0)));
    }
  }
  return log_sum - logits[target];
}

}  // namespace loco::train
