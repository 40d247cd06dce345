#include "train/attention_backward.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/kernels.h"

namespace loco::train {
namespace {

struct View {
  const AttentionShape& a;
  int64_t group() const { return a.n_head / a.n_head_kv; }
  int64_t qi(int64_t t, int64_t h) const { return (t * a.n_head + h) * a.head_dim; }
  int64_t ki(int64_t s, int64_t h) const { return (s * a.n_head_kv + h / group()) * a.head_dim; }
  int64_t pi(int64_t h, int64_t t, int64_t s) const { return (h * a.n_tokens + t) * a.n_tokens + s; }
};

}  // namespace

void attention_forward(const AttentionShape& a, const float* q, const float* k, const float* v, float* out,
                       float* probs, ThreadPool* pool) {
  const View w{a};
  const int64_t d = a.head_dim;
  const kernels::RowKernels& kr = kernels::active_kernels().rows;
  // One task per query head: each writes only its own outputs and probabilities.
  auto head = [&](int64_t h, int) {
    std::vector<double> row(static_cast<size_t>(a.n_tokens));
    for (int64_t t = 0; t < a.n_tokens; ++t) {
      double max = -INFINITY;
      for (int64_t s = 0; s <= t; ++s) {
        row[static_cast<size_t>(s)] = static_cast<double>(a.scale) * kr.dot_f32(d, q + w.qi(t, h), k + w.ki(s, h));
        max = std::max(max, row[static_cast<size_t>(s)]);
      }
      double sum = 0;
      for (int64_t s = 0; s <= t; ++s) sum += row[static_cast<size_t>(s)] = std::exp(row[static_cast<size_t>(s)] - max);
      float* o = out + w.qi(t, h);
      std::fill(o, o + d, 0.0f);
      float* pt = probs + w.pi(h, t, 0);
      for (int64_t s = 0; s <= t; ++s) {
        pt[s] = static_cast<float>(row[static_cast<size_t>(s)] / sum);
        kr.axpy_f32(d, pt[s], v + w.ki(s, h), o);
      }
      std::fill(pt + t + 1, pt + a.n_tokens, 0.0f);
    }
  };
  if (pool != nullptr) {
    pool->parallel_for(a.n_head, head);
  } else {
    for (int64_t h = 0; h < a.n_head; ++h) head(h, 0);
  }
}

void attention_backward(const AttentionShape& a, const float* q, const float* k, const float* v, const float* probs,
                        const float* d_out, float* dq, float* dk, float* dv, ThreadPool* pool) {
  const View w{a};
  const int64_t d = a.head_dim;
  const kernels::RowKernels& kr = kernels::active_kernels().rows;
  // One task per key/value head and the query heads that share it, in order: dk and dv
  // of a kv head are summed by one thread in one order whatever the thread count.
  auto group = [&](int64_t kvh, int) {
    std::vector<double> dp(static_cast<size_t>(a.n_tokens));
    for (int64_t h = kvh * w.group(); h < (kvh + 1) * w.group(); ++h) {
      for (int64_t t = 0; t < a.n_tokens; ++t) {
        const float* dot_ = d_out + w.qi(t, h);
        const float* pt = probs + w.pi(h, t, 0);
        double weighted = 0;  // Σ_s p[t][s]·dp[t][s]
        for (int64_t s = 0; s <= t; ++s) {
          dp[static_cast<size_t>(s)] = kr.dot_f32(d, dot_, v + w.ki(s, h));
          weighted += pt[s] * dp[static_cast<size_t>(s)];
          kr.axpy_f32(d, pt[s], dot_, dv + w.ki(s, h));
        }
        float* dqt = dq + w.qi(t, h);
        const float* qt = q + w.qi(t, h);
        for (int64_t s = 0; s <= t; ++s) {
          const auto da = static_cast<float>(pt[s] * (dp[static_cast<size_t>(s)] - weighted) * a.scale);
          kr.axpy_f32(d, da, k + w.ki(s, h), dqt);
          kr.axpy_f32(d, da, qt, dk + w.ki(s, h));
        }
      }
    }
  };
  if (pool != nullptr) {
    pool->parallel_for(a.n_head_kv, group);
  } else {
    for (int64_t h = 0; h < a.n_head_kv; ++h) group(h, 0);
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
