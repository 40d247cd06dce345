// The weight gradient of a linear layer y = W·x (full training, loco train model):
// dW += Σ_t dy[t]·x[t]ᵀ, that is dW[r][i] += Σ_t dy[t][r]·x[t][i], with dW float32.
#pragma once

#include <cstdint>

#include "loco/thread_pool.h"

namespace loco::ops {

// dy is transposed once and multiplied with ops::gemm_acc: every dW element is one fused
// multiply-add chain over the tokens in order, added to dW — the same bits for any thread
// count.
void outer_product_add(const float* dy, int64_t dy_stride, const float* x, int64_t x_stride, int64_t n_tokens,
                       int64_t n_out, int64_t n_in, float* dw, ThreadPool& pool);

// The scalar reference: each sum in double, then added to dW.
void outer_product_add_reference(const float* dy, int64_t dy_stride, const float* x, int64_t x_stride,
                                 int64_t n_tokens, int64_t n_out, int64_t n_in, float* dw);

}  // namespace loco::ops
