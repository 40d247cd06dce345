#include "ops/ops.h"

#include <cmath>

#include "kernels/kernels.h"

namespace loco::ops {

// The row operations run the active kernel table's (kernels.h, RowKernels).

void rms_norm(const float* x, const float* weight, float* out, int64_t n, float eps) {
  kernels::active_kernels().rows.rms_norm(x, weight, out, n, eps);
}

void add_inplace(float* x, const float* y, int64_t n) { kernels::active_kernels().rows.add(x, y, n); }

void silu_mul(const float* gate, const float* up, float* out, int64_t n) {
  kernels::active_kernels().rows.silu_mul(gate, up, out, n);
}

void softmax(float* x, int64_t n) { kernels::active_kernels().rows.softmax(x, n); }

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

void rope_angles(const RopeTable& table, int64_t pos, float* cos, float* sin) {
  // Angles in double: at positions in the thousands a float angle loses digits that the
  // reference keeps.
  for (size_t i = 0; i < table.inv_freq.size(); ++i) {
    const double angle = static_cast<double>(pos) * table.inv_freq[i];
    cos[i] = static_cast<float>(std::cos(angle));
    sin[i] = static_cast<float>(std::sin(angle));
  }
}

void apply_rope(const RopeTable& table, const float* cos, const float* sin, float* x, int n_heads,
                int head_dim) {
  kernels::active_kernels().rows.rope(x, n_heads, head_dim, cos, sin, table.neox);
}

}  // namespace loco::ops
