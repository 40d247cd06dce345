// C += A·B in float32 across the thread pool (the products of training's backward pass and
// of LoRA's low-rank paths): C is cut into tiles, each computed by one thread with the
// active kernel table's gemm_acc_f32, so every element is one fused multiply-add chain
// over k in order — the same bits for any thread count.
#pragma once

#include <cstdint>

#include "loco/thread_pool.h"

namespace loco::ops {

// C[i][j] += Σ_p A[i][p]·B[p][j]; row-major with leading dimensions lda, ldb, ldc.
void gemm_acc(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
              int64_t ldc, ThreadPool& pool);

// out (n × m) = in (m × n) transposed, both row-major with the given leading dimensions.
void transpose(int64_t m, int64_t n, const float* in, int64_t ld_in, float* out, int64_t ld_out);

}  // namespace loco::ops
