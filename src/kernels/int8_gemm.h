// int8 products for training's backward pass: the transposed product through a quantized
// matrix (ops/matmul_transposed.h) multiplies in int8 with `vpdpbusd` (64 multiply-adds an
// instruction, as the forward pass does) instead of float32 FMAs (16). Per run of 256
// weight rows: the incoming gradient dy is quantized per token to BlockQ8K (the engine's
// activation format: one scale per 256 values), and the run's dequantized weight tile is
// quantized again per column (one scale per 256 rows of a column). Both roundings are
// about 1/254 of the largest value they cover; the products and sums are exact integers.
//
// The layout of a quantized tile of n columns: b[(q·n + j)·4 + i] = q_w[4q + i][j] + 128
// (unsigned, 1..255) for q < 64 and i < 4, with scale[j] per column, where
//   amax = max_o |w[o][j]|,  q_w = nearbyint(w · (127 / amax)),  scale = amax / 127
// (q_w = 0 and scale = 0 for a zero column).
//
// The product, for token t (act: its BlockQ8K of the run) and column j, in this order (the
// scalar reference and every SIMD version compute exactly this):
//   isum = Σ_o q_w[o][j] · act.qs[o]            (exact, int32)
//   C[t][j] = C[t][j] + (float(isum) · scale[j]) · act.d
#pragma once

#include <cstdint>

namespace loco::kernels {

constexpr int64_t kInt8Run = 256;  // weight rows per quantized tile

// Quantizes a tile of kInt8Run rows × n columns of floats (rows ld apart) into out
// (kInt8Run · n bytes, the layout above) and scale (n floats).
void quantize_tile_int8_ref(const float* rows, int64_t ld, int64_t n, uint8_t* out, float* scale);

// C (m × n, ldc) += the product above, for m tokens whose BlockQ8K of the run lie
// act_stride bytes apart from `act`.
void gemm_acc_int8_ref(int64_t m, int64_t n, const void* act, int64_t act_stride, const uint8_t* b,
                       const float* scale, float* c, int64_t ldc);

}  // namespace loco::kernels
