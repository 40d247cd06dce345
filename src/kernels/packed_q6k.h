// Q6_K weights repacked at load into groups of 16 rows, like Q4_K (packed_q4k.h): for each
// super-block the 16 rows' data side by side, so one 64-byte load holds four values of
// each row and one `vpdpbusd` with four activation bytes broadcast does 64 multiply-adds.
// The low nibbles are laid out as Q4_K's; the top two bits of a 16-value sub-block's four
// quads share one byte per row and quad position, so a sub-block is three 64-byte loads.
// Levels stay unsigned (0..63, the stored value is level − 32): the −32 is applied once per
// sub-block through the activations' sums of 16 (BlockQ8K::bsums).
//
// The product's order, for row r and token t (the scalar reference below and every SIMD
// version compute exactly this, so they agree bit for bit):
//   for each super-block b, in order:
//     isum = Σ_j sc_j · Σ_{i in sub-block j} level_i · a_i   (16 sub-blocks; exact, int32)
//     ioff = Σ_j sc_j · bsum_j                               (exact, int32)
//     f    = float(isum − 32·ioff) · (d·d_a)
//     acc  = acc + f                                         (acc starts at 0)
// Like every gemm it depends on neither the number of tokens nor the rows computed
// together (batch invariance).
#pragma once

#include <cstdint>

#include "kernels/packed_q4k.h"

namespace loco::kernels {

struct PackedQ6KBlock {
  uint16_t d[kPackRows];            // fp16, as in the file
  int8_t scales[16][kPackRows];     // [sub-block][row]
  // [pair p of 8 values][row r][i < 4]: low nibble = low 4 bits of value 8p + i, high
  // nibble = those of value 8p + 4 + i (Q4_K's packed order).
  uint8_t ql[32][kPackRows * 4];
  // [sub-block j][row r][i < 4]: bits 2s, 2s + 1 = the top 2 bits of value 16j + 4s + i.
  uint8_t qh[16][kPackRows * 4];
};
static_assert(sizeof(PackedQ6KBlock) == 16 * 210);

// Bytes of n_rows (a multiple of kPackRows) rows of n values (a multiple of 256) packed.
int64_t packed_q6k_bytes(int64_t n, int64_t n_rows);

// Packs n_rows rows of Q6_K (w_stride bytes apart) into dst, group by group.
void pack_q6k(const void* w, int64_t w_stride, int64_t n, int64_t n_rows, void* dst);

// Blocks [b0, b1) of the 16 rows of group `group`, row k to dst + k·dst_stride, dequantized
// to the reference's values of the original blocks, bit for bit.
void packed_q6k_to_float(const void* packed, int64_t n, int64_t group, int64_t b0, int64_t b1, float* dst,
                         int64_t dst_stride);

// Gives a table's Q6_K the packed layout, with `gemm` as its packed product and `to_float`
// as its dequantization (packed_q6k_to_float's bits).
void use_packed_q6k(TypeKernels& q6k,
                    void (*gemm)(int64_t, const void*, int64_t, int64_t, const void*, int64_t, int64_t, float*, int64_t),
                    void (*to_float)(const void*, int64_t, int64_t, int64_t, int64_t, float*, int64_t));

// The order above in scalar code (arguments as packed_q4k_gemm_ref's).
void packed_q6k_gemm_ref(int64_t n, const void* packed, int64_t row0, int64_t n_rows, const void* act,
                         int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride);

}  // namespace loco::kernels
