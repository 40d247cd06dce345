// Weight-matrix products: y[t] = W · x[t] for a batch of tokens, with the activations
// converted once into whatever format the weight type's dot product takes.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/kernels.h"
#include "loco/model.h"
#include "loco/thread_pool.h"

namespace loco::ops {

// Rows of float activations plus their conversions, made on first request and reused by
// every matrix that reads the same input (q, k and v share one; gate and up share one).
class Activations {
 public:
  void reset(const float* x, int64_t n_tokens, int64_t n_in, int64_t stride);
  int64_t n_tokens() const { return n_tokens_; }
  int64_t n_in() const { return n_in_; }
  const float* floats(int64_t t) const { return x_ + t * stride_; }
  int64_t stride() const { return stride_; }
  // Row t in `format`; converts all rows on first use.
  const void* row(kernels::ActFormat format, int64_t t);

 private:
  const float* x_ = nullptr;
  int64_t n_tokens_ = 0, n_in_ = 0, stride_ = 0;
  bool have_q8a_ = false, have_q8k_ = false;
  std::vector<uint8_t> q8a_, q8k_;
};

// y[t * y_stride + r] = W.row(r) · x[t] for every row r and token t.
void matmul(const Matrix& w, Activations& x, float* y, int64_t y_stride, ThreadPool& pool);

}  // namespace loco::ops
