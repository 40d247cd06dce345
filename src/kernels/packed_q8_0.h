// Q8_0 weights repacked at load into groups of 16 rows, like Q4_K (packed_q4k.h): eight
// 32-value blocks (256 values, the drivers' super-block) of the 16 rows side by side, so
// one 64-byte load holds four values of each row and one `vpdpbusd` with four activation
// bytes broadcast does 64 multiply-adds. `vpdpbusd` multiplies unsigned by signed bytes:
// the weights are stored as level = q + 128 (0..255) and the activations stay signed, so
// Σ level·a = Σ q·a + 128·Σ a, and the second term is taken off with the activations'
// block sums (made once per call, packed_driver.h). Same bytes as the file's (34 per 32
// values); matrices whose rows are not whole super-blocks stay unpacked.
//
// The product's order, for row r and token t (the scalar reference below and every SIMD
// version compute exactly this, so they agree bit for bit):
//   for each 32-value block k, in order:
//     isum = Σ_i level_i · a_i − 128 · Σ_i a_i      (= Σ q_i·a_i, exact, int32)
//     f    = float(isum) · (d·d_a)
//     acc  = acc + f                                (acc starts at 0)
// Like every gemm it depends on neither the number of tokens nor the rows computed
// together (batch invariance).
#pragma once

#include <cstdint>

#include "kernels/packed_q4k.h"

namespace loco::kernels {

struct PackedQ8_0Block {
  uint16_t d[8][kPackRows];         // [block][row], fp16 as in the file
  uint8_t qs[64][kPackRows * 4];    // [quad q][row r][i < 4]: value 4q + i of row r, plus 128
};
static_assert(sizeof(PackedQ8_0Block) == 16 * 8 * 34);

// Bytes of n_rows (a multiple of kPackRows) rows of n values (a multiple of 256) packed.
int64_t packed_q8_0_bytes(int64_t n, int64_t n_rows);

// Packs n_rows rows of Q8_0 (w_stride bytes apart) into dst, group by group.
void pack_q8_0(const void* w, int64_t w_stride, int64_t n, int64_t n_rows, void* dst);

// 32-value blocks [b0, b1) of the 16 rows of group `group`, row k to dst + k·dst_stride:
// the reference's dequantize_q8_0 values of the original blocks, bit for bit.
void packed_q8_0_to_float(const void* packed, int64_t n, int64_t group, int64_t b0, int64_t b1, float* dst,
                          int64_t dst_stride);

// Gives a table's Q8_0 the packed layout, with `gemm` as its packed product and `to_float`
// as its dequantization (packed_q8_0_to_float's bits).
void use_packed_q8_0(TypeKernels& q8_0,
                     void (*gemm)(int64_t, const void*, int64_t, int64_t, const void*, int64_t, int64_t, float*, int64_t),
                     void (*to_float)(const void*, int64_t, int64_t, int64_t, int64_t, float*, int64_t));

// The order above in scalar code (arguments as packed_q4k_gemm_ref's; activations BlockQ8A).
void packed_q8_0_gemm_ref(int64_t n, const void* packed, int64_t row0, int64_t n_rows, const void* act,
                          int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride);

}  // namespace loco::kernels
