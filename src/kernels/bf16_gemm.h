// bfloat16 products for training's backward pass on CPUs with AVX512_BF16 (Zen 4 and
// later, Intel Cooper Lake / Sapphire Rapids and later): `vdpbf16ps` does 32 multiply-adds
// per instruction where a float32 FMA does 16. The transposed products through quantized
// weights (ops/matmul_transposed.h) use it when asked: the dequantized weights and the
// incoming gradient are rounded to bfloat16 (8 significant bits), products are exact and
// sums stay in float32.
//
// The order and rounding, for C[i][j] (the scalar reference below and every SIMD version
// compute exactly this; it is `vdpbf16ps`'s definition, which AMD and Intel parts share):
//   s = +0
//   for each pair q of k, in order:
//     s = ftz(daz(s) + A[i][2q+1]·B[2q+1][j])       (products of bf16 are exact in float)
//     s = ftz(s + A[i][2q]·B[2q][j])
//   C[i][j] = C[i][j] + s                            (an ordinary float addition)
// where daz reads a subnormal input as zero and ftz flushes a subnormal result to zero,
// bf16 subnormal inputs read as zero too. (A product that underflows is rounded in the
// reference but not in the instruction; gradients that small do not occur in practice.)
#pragma once

#include <cstdint>

namespace loco::kernels {

// out[i] = bf16(x[i]), round to nearest even (fp16.h float_to_bf16_bits).
void to_bf16_ref(const float* x, int64_t n, uint16_t* out);

// The pair layout of B: out[2j] = bf16(even[j]), out[2j + 1] = bf16(odd[j]) for j < n
// (rows 2q and 2q + 1 of B side by side, as `vdpbf16ps` reads them).
void bf16_pairs_ref(const float* even, const float* odd, int64_t n, uint16_t* out);

// C (m × n, float, ldc) += A · B, the order above, for A given as m rows of 2·k2 bf16
// values (lda bf16 values apart) and B as k2 rows of n pairs (bf16_pairs layout, ldb
// bf16 values apart).
void gemm_acc_bf16_ref(int64_t m, int64_t n, int64_t k2, const uint16_t* a, int64_t lda, const uint16_t* b,
                       int64_t ldb, float* c, int64_t ldc);

}  // namespace loco::kernels
