// The transposed weight product the backward pass needs (loco train): the gradient of a
// layer's input from the gradient of its output, through the frozen, possibly quantized
// weights: dx[t] += Wᵀ · dy[t], that is dx[t][i] += Σ_r W[r][i] · dy[t][r].
#pragma once

#include <cstdint>

#include "loco/model.h"
#include "loco/thread_pool.h"

namespace loco::ops {

// Each thread owns a slice of about 512 columns (whole blocks of the weight type),
// dequantizes that slice of a run of 256 rows once with the active kernel table's to_float
// (float32 weights are read in place), and multiplies it into every token's slice of dx
// with the table's gemm_acc_f32, runs in order: every dx element is summed by one thread in
// one order, so the result is the same for any thread count or token count.
//
// Precision::int8 asks for int8 products (kernels/int8_gemm.h: dy quantized per token and
// run of 256 rows, each run's dequantized weight tile quantized again per column, exact
// integer sums: 4× the multiply-adds per instruction, about 1 % of error) where they
// apply: a block-quantized W (whose own rounding is coarser), runs of 256 whole rows (a
// last partial run takes the float32 product) and a kernel table with the product
// (AVX-512 VNNI); elsewhere the float32 products.
enum class Precision { f32, int8 };

void matmul_transposed_add(const Matrix& w, const float* dy, int64_t dy_stride, int64_t n_tokens, float* dx,
                           int64_t dx_stride, ThreadPool& pool, Precision precision = Precision::f32);

// Whether matmul_transposed_add uses int8 products for w when asked to.
bool uses_int8(const Matrix& w);

// The scalar reference: the reference table's dequantization, each sum in double.
void matmul_transposed_add_reference(const Matrix& w, const float* dy, int64_t dy_stride, int64_t n_tokens,
                                     float* dx, int64_t dx_stride);

}  // namespace loco::ops
