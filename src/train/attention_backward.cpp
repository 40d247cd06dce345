#include "train/attention_backward.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace loco::train {
namespace {

struct View {
  const AttentionShape& a;
  int64_t group() const { return a.n_head / a.n_head_kv; }
  int64_t qi(int64_t t, int64_t h) const { return (t * a.n_head + h) * a.head_dim; }
  int64_t ki(int64_t s, int64_t h) const { return (s * a.n_head_kv + h / group()) * a.head_dim; }
  int64_t pi(int64_t h, int64_t t, int64_t s) const { return (h * a.n_tokens + t) * a.n_tokens + s; }
};

double dot(const float* x, const float* y, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += static_cast<double>(x[i]) * y[i];
  return s;
}

}  // namespace

void attention_forward(const AttentionShape& a, const float* q, const float* k, const float* v, float* out,
                       float* probs) {
  const View w{a};
  const int64_t d = a.head_dim;
  std::vector<double> row(static_cast<size_t>(a.n_tokens));
  for (int64_t h = 0; h < a.n_head; ++h) {
    for (int64_t t = 0; t < a.n_tokens; ++t) {
      double max = -INFINITY;
      for (int64_t s = 0; s <= t; ++s) {
        row[static_cast<size_t>(s)] = a.scale * dot(q + w.qi(t, h), k + w.ki(s, h), d);
        max = std::max(max, row[static_cast<size_t>(s)]);
      }
      double sum = 0;
      for (int64_t s = 0; s <= t; ++s) sum += row[static_cast<size_t>(s)] = std::exp(row[static_cast<size_t>(s)] - max);
      float* o = out + w.qi(t, h);
      std::fill(o, o + d, 0.0f);
      for (int64_t s = 0; s < a.n_tokens; ++s) {
        const float p = s <= t ? static_cast<float>(row[static_cast<size_t>(s)] / sum) : 0.0f;
        probs[w.pi(h, t, s)] = p;
        if (s > t) continue;
        const float* vs = v + w.ki(s, h);
        for (int64_t i = 0; i < d; ++i) o[i] += p * vs[i];
      }
    }
  }
}

void attention_backward(const AttentionShape& a, const float* q, const float* k, const float* v, const float* probs,
                        const float* d_out, float* dq, float* dk, float* dv) {
  const View w{a};
  const int64_t d = a.head_dim;
  std::vector<double> dp(static_cast<size_t>(a.n_tokens));
  for (int64_t h = 0; h < a.n_head; ++h) {
    for (int64_t t = 0; t < a.n_tokens; ++t) {
      const float* dot_ = d_out + w.qi(t, h);
      double weighted = 0;  // Σ_s p[t][s]·dp[t][s]
      for (int64_t s = 0; s <= t; ++s) {
        const float p = probs[w.pi(h, t, s)];
        dp[static_cast<size_t>(s)] = dot(dot_, v + w.ki(s, h), d);
        weighted += p * dp[static_cast<size_t>(s)];
        float* dvs = dv + w.ki(s, h);
        for (int64_t i = 0; i < d; ++i) dvs[i] += p * dot_[i];
      }
      float* dqt = dq + w.qi(t, h);
      const float* qt = q + w.qi(t, h);
      for (int64_t s = 0; s <= t; ++s) {
        const double da = probs[w.pi(h, t, s)] * (dp[static_cast<size_t>(s)] - weighted) * a.scale;
        const float* ks = k + w.ki(s, h);
        float* dks = dk + w.ki(s, h);
        for (int64_t i = 0; i < d; ++i) {
          dqt[i] += static_cast<float>(da * ks[i]);
          dks[i] += static_cast<float>(da * qt[i]);
        }
      }
    }
  }
}

void rope_backward(float* dx, int64_t n_heads, int64_t head_dim, const float* cos, const float* sin, bool neox) {
  const int64_t half = head_dim / 2;
  for (int64_t h = 0; h < n_heads; ++h) {
    float* x = dx + h * head_dim;
    for (int64_t i = 0; i < half; ++i) {
      const int64_t i0 = neox ? i : 2 * i, i1 = neox ? i + half : 2 * i + 1;
      const float a = x[i0], b = x[i1];
      x[i0] = a * cos[i] + b * sin[i];
      x[i1] = -a * sin[i] + b * cos[i];
    }
  }
}

}  // namespace loco::train
