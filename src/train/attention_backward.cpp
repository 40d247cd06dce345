#include "train/attention_backward.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/kernels.h"
#include "ops/gemm_acc.h"

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

// The products below run on blocks of kRowBlock query rows, each only as far along the
// keys as its last row reaches (causal): about half of the full square.
constexpr int64_t kRowBlock = 64;

void attention_forward(const AttentionShape& a, const float* q, const float* k, const float* v, float* out,
                       float* probs, ThreadPool* pool) {
  const View w{a};
  const int64_t d = a.head_dim, n = a.n_tokens, q_stride = a.n_head * d, kv_stride = a.n_head_kv * d;
  const auto gemm = kernels::active_kernels().rows.gemm_acc_f32;
  const auto softmax = kernels::active_kernels().rows.softmax;
  // One task per query head: each writes only its own outputs and probabilities.
  auto head = [&](int64_t h, int) {
    const int64_t g = h / w.group();
    std::vector<float> k_t(static_cast<size_t>(d * n));
    ops::transpose(n, d, k + g * d, kv_stride, k_t.data(), n);
    float* p = probs + w.pi(h, 0, 0);  // n × n, the scores first, then the probabilities
    std::fill(p, p + n * n, 0.0f);
    for (int64_t i0 = 0; i0 < n; i0 += kRowBlock) {
      const int64_t i1 = std::min(n, i0 + kRowBlock);
      gemm(i1 - i0, i1, d, q + i0 * q_stride + h * d, q_stride, k_t.data(), n, p + i0 * n, n);
    }
    // The causal row's scaled scores through the engine's softmax (vectorized exp, the sum
    // in double).
    for (int64_t t = 0; t < n; ++t) {
      float* row = p + t * n;
      for (int64_t s = 0; s <= t; ++s) row[s] *= a.scale;
      softmax(row, t + 1);
      std::fill(row + t + 1, row + n, 0.0f);
    }
    for (int64_t t = 0; t < n; ++t) std::fill(out + t * q_stride + h * d, out + t * q_stride + (h + 1) * d, 0.0f);
    for (int64_t i0 = 0; i0 < n; i0 += kRowBlock) {
      const int64_t i1 = std::min(n, i0 + kRowBlock);
      gemm(i1 - i0, d, i1, p + i0 * n, n, v + g * d, kv_stride, out + i0 * q_stride + h * d, q_stride);
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
  const int64_t d = a.head_dim, n = a.n_tokens, q_stride = a.n_head * d, kv_stride = a.n_head_kv * d;
  const auto gemm = kernels::active_kernels().rows.gemm_acc_f32;
  // One task per key/value head and the query heads that share it, in order: dk and dv
  // of a kv head are summed by one thread in one order whatever the thread count.
  auto group = [&](int64_t g, int) {
    std::vector<float> v_t(static_cast<size_t>(d * n)), ds(static_cast<size_t>(n * n)), t_buf(static_cast<size_t>(n * n));
    ops::transpose(n, d, v + g * d, kv_stride, v_t.data(), n);
    for (int64_t h = g * w.group(); h < (g + 1) * w.group(); ++h) {
      const float* p = probs + w.pi(h, 0, 0);
      const float* d_o = d_out + h * d;
      // dP = dO·Vᵀ (causal rows), then dS = P ⊙ (dP − Σ_s P·dP)·scale in place.
      std::fill(ds.begin(), ds.end(), 0.0f);
      for (int64_t i0 = 0; i0 < n; i0 += kRowBlock) {
        const int64_t i1 = std::min(n, i0 + kRowBlock);
        gemm(i1 - i0, i1, d, d_o + i0 * q_stride, q_stride, v_t.data(), n, ds.data() + i0 * n, n);
      }
      for (int64_t t = 0; t < n; ++t) {
        float* row = ds.data() + t * n;
        const float* pt = p + t * n;
        double weighted = 0;
        for (int64_t s = 0; s <= t; ++s) weighted += static_cast<double>(pt[s]) * row[s];
        for (int64_t s = 0; s <= t; ++s) row[s] = static_cast<float>(pt[s] * (row[s] - weighted) * a.scale);
        std::fill(row + t + 1, row + n, 0.0f);
      }
      // dQ += dS·K
      for (int64_t i0 = 0; i0 < n; i0 += kRowBlock) {
        const int64_t i1 = std::min(n, i0 + kRowBlock);
        gemm(i1 - i0, d, i1, ds.data() + i0 * n, n, k + g * d, kv_stride, dq + i0 * q_stride + h * d, q_stride);
      }
      // dK += dSᵀ·Q and dV += Pᵀ·dO: row s of a transposed causal matrix is nonzero from column s on.
      ops::transpose(n, n, ds.data(), n, t_buf.data(), n);
      for (int64_t i0 = 0; i0 < n; i0 += kRowBlock) {
        const int64_t i1 = std::min(n, i0 + kRowBlock);
        gemm(i1 - i0, d, n - i0, t_buf.data() + i0 * n + i0, n, q + i0 * q_stride + h * d, q_stride,
             dk + i0 * kv_stride + g * d, kv_stride);
      }
      ops::transpose(n, n, p, n, t_buf.data(), n);
      for (int64_t i0 = 0; i0 < n; i0 += kRowBlock) {
        const int64_t i1 = std::min(n, i0 + kRowBlock);
        gemm(i1 - i0, d, n - i0, t_buf.data() + i0 * n + i0, n, d_o + i0 * q_stride, q_stride,
             dv + i0 * kv_stride + g * d, kv_stride);
      }
    }
  };
  if (pool != nullptr) {
    pool->parallel_for(a.n_head_kv, group);
  } else {
    for (int64_t g = 0; g < a.n_head_kv; ++g) group(g, 0);
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
