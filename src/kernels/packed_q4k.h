// Q4_K weights repacked at load for kernels that compute 16 rows at once: each group of
// 16 consecutive rows is stored super-block by super-block, the 16 rows' data for one
// super-block side by side (PackedQ4KBlock). One 64-byte load then holds four values of
// each of the 16 rows, so a single `vpdpbusd` with four activation bytes broadcast does
// 64 multiply-adds, one 32-bit lane per row, and the sub-block scales apply to all 16
// rows with one multiply. The unpacking the one-row kernels repeat for every block
// (nibbles, 6-bit scales) happens once, here.
//
// The product's order, for row r and token t (the scalar reference below and every SIMD
// version compute exactly this, so they agree bit for bit):
//   for each super-block b, in order:
//     isum = Σ_j sc_j · Σ_{i in sub-block j} q_i · a_i        (exact, int32)
//     imin = Σ_j m_j · (bsum_{2j} + bsum_{2j+1})              (exact, int32)
//     f    = float(isum)·(d·d_a) − float(imin)·(dmin·d_a)     (no fused operations)
//     acc  = acc + f                                          (acc starts at 0)
// It depends on neither the number of tokens nor the rows computed together, so the
// packed product is batch invariant like every gemm (gemm_driver.h).
#pragma once

#include <cstdint>

namespace loco::kernels {

constexpr int kPackRows = 16;

struct PackedQ4KBlock {
  uint16_t d[kPackRows];            // fp16, as in the file
  uint16_t dmin[kPackRows];
  uint8_t scales[8][kPackRows];     // [sub-block][row]
  uint8_t mins[4][kPackRows][2];    // [sub-block pair][row][first, second]
  // [pair p of 8 values][row r][i < 4]: low nibble = value 8p + i, high = value 8p + 4 + i
  uint8_t qs[32][kPackRows * 4];
};
static_assert(sizeof(PackedQ4KBlock) == 2368);

// Bytes of n_rows (a multiple of kPackRows) rows of n values (a multiple of 256) packed.
int64_t packed_q4k_bytes(int64_t n, int64_t n_rows);

// Packs n_rows rows of Q4_K (w_stride bytes apart) into dst, group by group.
void pack_q4k(const void* w, int64_t w_stride, int64_t n, int64_t n_rows, void* dst);

// Blocks [b0, b1) of the 16 rows of group `group`, row k to dst + k·dst_stride, dequantized
// as the reference's dequantize_q4_k does the original blocks: the same values, bit for bit.
void packed_q4k_to_float(const void* packed, int64_t n, int64_t group, int64_t b0, int64_t b1, float* dst,
                         int64_t dst_stride);

struct TypeKernels;
// Gives a table's type a packed layout of kPackRows-row groups: its size, its packing, its
// product and its dequantization (use_packed_q4k, use_packed_q6k and use_packed_q8_0 name
// their layout's first two).
void use_packed(TypeKernels& k, int64_t (*bytes)(int64_t, int64_t),
                void (*pack)(const void*, int64_t, int64_t, int64_t, void*),
                void (*gemm)(int64_t, const void*, int64_t, int64_t, const void*, int64_t, int64_t, float*, int64_t),
                void (*to_float)(const void*, int64_t, int64_t, int64_t, int64_t, float*, int64_t));

// Gives a table's Q4_K the packed layout, with `gemm` as its packed product and `to_float`
// as its dequantization (packed_q4k_to_float's bits).
void use_packed_q4k(TypeKernels& q4k,
                    void (*gemm)(int64_t, const void*, int64_t, int64_t, const void*, int64_t, int64_t, float*, int64_t),
                    void (*to_float)(const void*, int64_t, int64_t, int64_t, int64_t, float*, int64_t));

// y[t·y_stride + r − row0] for rows [row0, row0 + n_rows) of a packed matrix, both
// multiples of kPackRows, and every token: the order above, in scalar code.
void packed_q4k_gemm_ref(int64_t n, const void* packed, int64_t row0, int64_t n_rows, const void* act,
                         int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride);

}  // namespace loco::kernels
