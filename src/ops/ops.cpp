#include "ops/ops.h"

#include <algorithm>
#include <cmath>

namespace loco::ops {

void rms_norm(const float* x, const float* weight, float* out, int64_t n, float eps) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
  const float scale = static_cast<float>(1.0 / std::sqrt(sum / static_cast<double>(n) + eps));
  for (int64_t i = 0; i < n; ++i) out[i] = x[i] * scale * weight[i];
}

void add_inplace(float* x, const float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) x[i] += y[i];
}

void silu_mul(const float* gate, const float* up, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float g = gate[i];
    out[i] = g / (1.0f + std::exp(-g)) * up[i];
  }
}

void softmax(float* x, int64_t n) {
  float max = x[0];
  for (int64_t i = 1; i < n; ++i) max = std::max(max, x[i]);
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - max);
    sum += x[i];
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

RopeTable make_rope_table(int head_dim, float base, float freq_scale,
                          const std::vector<float>& freq_factors, bool neox) {
  RopeTable t;
  t.neox = neox;
  const int half = head_dim / 2;
  t.inv_freq.resize(static_cast<size_t>(half));
  for (int i = 0; i < half; ++i) {
    double f = std::pow(static_cast<double>(base), -2.0 * i / head_dim) * freq_scale;
    if (!freq_factors.empty()) f /= freq_factors[static_cast<size_t>(i)];
    t.inv_freq[static_cast<size_t>(i)] = f;
  }
  return t;
}

void apply_rope(const RopeTable& table, float* x, int n_heads, int head_dim, int64_t pos) {
  const int half = head_dim / 2;
  // Angles in double: at positions in the thousands a float angle loses digits that the
  // reference keeps.
  float cos_v[512], sin_v[512];
  for (int i = 0; i < half; ++i) {
    const double angle = static_cast<double>(pos) * table.inv_freq[static_cast<size_t>(i)];
    cos_v[i] = static_cast<float>(std::cos(angle));
    sin_v[i] = static_cast<float>(std::sin(angle));
  }
  for (int h = 0; h < n_heads; ++h) {
    float* v = x + static_cast<int64_t>(h) * head_dim;
    for (int i = 0; i < half; ++i) {
      const int a = table.neox ? i : 2 * i;
      const int b = table.neox ? i + half : 2 * i + 1;
      const float x0 = v[a], x1 = v[b];
      v[a] = x0 * cos_v[i] - x1 * sin_v[i];
      v[b] = x0 * sin_v[i] + x1 * cos_v[i];
    }
  }
}

}  // namespace loco::ops
