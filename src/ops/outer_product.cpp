#include "ops/outer_product.h"

#include <vector>

#include "ops/gemm_acc.h"

namespace loco::ops {

void outer_product_add(const float* dy, int64_t dy_stride, const float* x, int64_t x_stride, int64_t n_tokens,
                       int64_t n_out, int64_t n_in, float* dw, ThreadPool& pool) {
  if (n_tokens <= 0) return;
  // dW = dyᵀ·x: dy transposed once (n_out × n_tokens) so the product reads rows.
  std::vector<float> dy_t(static_cast<size_t>(n_out * n_tokens));
  transpose(n_tokens, n_out, dy, dy_stride, dy_t.data(), n_tokens);
  gemm_acc(n_out, n_in, n_tokens, dy_t.data(), n_tokens, x, x_stride, dw, n_in, pool);
}

void outer_product_add_reference(const float* dy, int64_t dy_stride, const float* x, int64_t x_stride,
                                 int64_t n_tokens, int64_t n_out, int64_t n_in, float* dw) {
  for (int64_t r = 0; r < n_out; ++r) {
    for (int64_t i = 0; i < n_in; ++i) {
      double sum = 0.0;
      for (int64_t t = 0; t < n_tokens; ++t) sum += static_cast<double>(dy[t * dy_stride + r]) * x[t * x_stride + i];
      dw[r * n_in + i] += static_cast<float>(sum);
    }
  }
}

}  // namespace loco::ops
