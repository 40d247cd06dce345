#include "ops/outer_product.h"

#include "kernels/kernels.h"

namespace loco::ops {

void outer_product_add(const float* dy, int64_t dy_stride, const float* x, int64_t x_stride, int64_t n_tokens,
                       int64_t n_out, int64_t n_in, float* dw, ThreadPool& pool) {
  constexpr int64_t kRows = 4;
  const kernels::RowKernels& k = kernels::active_kernels().rows;
  pool.parallel_for((n_out + kRows - 1) / kRows, [&](int64_t task, int) {
    const int64_t r0 = task * kRows, r1 = std::min(n_out, r0 + kRows);
    for (int64_t t = 0; t < n_tokens; ++t) {
      const float* xt = x + t * x_stride;
      const float* dyt = dy + t * dy_stride;
      for (int64_t r = r0; r < r1; ++r) {
        // A zero gradient adds nothing (common: positions without a target).
        if (dyt[r] != 0.0f) k.axpy_f32(n_in, dyt[r], xt, dw + r * n_in);
      }
    }
  });
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
