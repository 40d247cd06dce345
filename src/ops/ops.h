// Element-wise and row operations of the transformer, on plain float arrays, run by the
// active kernel table (kernels::RowKernels).
#pragma once

#include <cstdint>
#include <vector>

namespace loco::ops {

// out[i] = x[i] / rms(x) * weight[i]
void rms_norm(const float* x, const float* weight, float* out, int64_t n, float eps);

// x[i] += y[i]
void add_inplace(float* x, const float* y, int64_t n);

// out[i] = silu(gate[i]) * up[i]
void silu_mul(const float* gate, const float* up, float* out, int64_t n);

// In-place softmax over n values; returns nothing, leaves probabilities summing to 1.
void softmax(float* x, int64_t n);

// Rotary position embedding tables for one head: for each pair i (head_dim / 2 pairs),
// the inverse frequency base^(-2i/d) / freq_factor[i] * freq_scale.
struct RopeTable {
  std::vector<double> inv_freq;
  bool neox = false;
};
RopeTable make_rope_table(int head_dim, float base, float freq_scale,
                          const std::vector<float>& freq_factors, bool neox);
// The cosine and sine of each pair's angle at position `pos` (head_dim / 2 values each):
// computed once per token and used by every layer.
void rope_angles(const RopeTable& table, int64_t pos, float* cos, float* sin);
// Rotates `n_heads` consecutive head vectors of head_dim values by rope_angles' output.
void apply_rope(const RopeTable& table, const float* cos, const float* sin, float* x, int n_heads,
                int head_dim);

}  // namespace loco::ops
