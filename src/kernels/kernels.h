// Per-type kernel table. Every instruction set provides the same table; the scalar
// reference (ref_kernels, ref/) is always built and is the oracle the fast paths are
// tested against. The x86 tables (avx2/, avx512/) and the AArch64 one (neon/) start from
// the reference table and replace what they speed up; their gemm kernels share the loop
// nest of gemm_driver.h. The active table is chosen once, at first use, from the CPU's
// features (checked at run time, so one binary runs on any x86-64 or aarch64; NEON is
// baseline on every aarch64, its dotprod extension is not); the environment variable
// LOCO_ISA=ref|avx2|avx512|neon|neon_dotprod forces a path.
#pragma once

#include <cstdint>

#include "loco/ggml_type.h"

namespace loco::kernels {

// The representation a weight type wants its activations in.
enum class ActFormat : uint8_t {
  F32,  // plain floats (F32, F16, BF16 weights)
  Q8A,  // BlockQ8A per 32 values (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0)
  Q8K,  // BlockQ8K per 256 values (Q2_K .. Q6_K)
};

struct TypeKernels {
  // Dequantizes n values (a multiple of the block size).
  void (*to_float)(const void* src, float* dst, int64_t n) = nullptr;
  // Quantizes n floats into the type's blocks (round-to-nearest with the type's usual
  // scale search). Null where the type cannot be written.
  void (*from_float)(const float* src, void* dst, int64_t n) = nullptr;
  ActFormat act_format = ActFormat::F32;
  // Dot product of one weight row of n values with activations in act_format.
  float (*vec_dot)(int64_t n, const void* weight_row, const void* act) = nullptr;
  // Many rows times many activation rows: for r < n_rows and t < n_tokens,
  //   y[t * y_stride + r] = vec_dot(n, w + r * w_stride, act + t * act_stride).
  // Fast paths block rows and tokens so that each weight block loaded is used for several
  // tokens, and their result is bit for bit vec_dot's whatever n_rows, n_tokens, the
  // row offset or the thread split (batch invariance: a sequence gives the same numbers
  // alone as in a batch; see gemm_driver.h).
  void (*gemm)(int64_t n, const void* w, int64_t w_stride, int64_t n_rows, const void* act,
               int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) = nullptr;
  // Optional: a layout the weights are repacked into at load, in groups of pack_rows rows
  // (kernels/packed_q4k.h), for a product that computes a group's rows together. Set only
  // where it is faster than gemm; its result is batch invariant but not gemm's bits.
  int pack_rows = 0;
  int64_t (*packed_bytes)(int64_t n, int64_t n_rows) = nullptr;
  void (*pack)(const void* w, int64_t w_stride, int64_t n, int64_t n_rows, void* dst) = nullptr;
  // Rows [row0, row0 + n_rows) of the packed matrix (multiples of pack_rows) times every
  // token: y[t * y_stride + r - row0].
  void (*packed_gemm)(int64_t n, const void* packed, int64_t row0, int64_t n_rows, const void* act,
                      int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) = nullptr;
  // Dequantizes blocks [b0, b1) of the pack_rows rows of group `group` of the packed
  // matrix, row k to dst + k * dst_stride: to_float's values of the same blocks of the
  // original rows, bit for bit (training's transposed products read the packed copy, so
  // the file's pages need not come back).
  void (*packed_to_float)(const void* packed, int64_t n, int64_t group, int64_t b0, int64_t b1, float* dst,
                          int64_t dst_stride) = nullptr;
};

// gemm in terms of a vec_dot: the reference, and the fallback of types without a blocked
// kernel.
template <float (*VecDot)(int64_t, const void*, const void*)>
void gemm_by_rows(int64_t n, const void* w, int64_t w_stride, int64_t n_rows, const void* act,
                  int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  const auto* wb = static_cast<const uint8_t*>(w);
  const auto* ab = static_cast<const uint8_t*>(act);
  for (int64_t r = 0; r < n_rows; ++r) {
    for (int64_t t = 0; t < n_tokens; ++t) {
      y[t * y_stride + r] = VecDot(n, wb + r * w_stride, ab + t * act_stride);
    }
  }
}

// Row operations of the forward pass. Each works on one token's vector (or one
// attention row), so none mixes values of different tokens. The element-wise ones also
// compute every element with the same instructions wherever it sits in the array
// (SIMD tails go through the vector code too), so splitting or batching an array never
// changes a value: with gemm's guarantee the whole forward pass is batch invariant.
struct RowKernels {
  // out[i] = x[i]·s·weight[i], s = 1 / sqrt(Σx²/n + eps) with Σx² in double.
  void (*rms_norm)(const float* x, const float* weight, float* out, int64_t n, float eps) = nullptr;
  // x[i] += y[i]
  void (*add)(float* x, const float* y, int64_t n) = nullptr;
  // out[i] = gate[i] / (1 + exp(−gate[i])) · up[i]   (SwiGLU)
  void (*silu_mul)(const float* gate, const float* up, float* out, int64_t n) = nullptr;
  // x = softmax(x) for n >= 1: exp(x − max), divided by the sum (taken in double).
  void (*softmax)(float* x, int64_t n) = nullptr;
  // out[i] = exp(x[i]). The reference is std::exp; the SIMD tables evaluate a degree-7
  // polynomial after reducing by ln 2, with a relative error below 1e-6 for
  // −87 <= x <= 88 (tests/kernels_rows_test.cpp measures it), +inf above 88.73, zero
  // below −104 (subnormal results in between), NaN for NaN.
  void (*exp)(const float* x, float* out, int64_t n) = nullptr;
  // Rotary embedding of n_heads consecutive vectors of head_dim values, the pairs
  // (i, i + head_dim/2) when neox, else (2i, 2i + 1), pair i by the angle whose cosine
  // and sine are cos[i] and sin[i]:  (a, b) -> (a·cos − b·sin, a·sin + b·cos).
  void (*rope)(float* x, int64_t n_heads, int64_t head_dim, const float* cos, const float* sin,
               bool neox) = nullptr;
  // y[i] += a·x[i], with x in float32 or float16 (attention values).
  void (*axpy_f32)(int64_t n, float a, const float* x, float* y) = nullptr;
  void (*axpy_f16)(int64_t n, float a, const uint16_t* x, float* y) = nullptr;
  // Σ x[i]·y[i], with x in float32 or float16 (attention keys).
  float (*dot_f32)(int64_t n, const float* x, const float* y) = nullptr;
  float (*dot_f16)(int64_t n, const uint16_t* x, const float* y) = nullptr;
  // The same for the group of query heads that share a cached key/value head, `rows` cached
  // float16 rows x[j·x_stride ..] of n values at once, so each row is converted once:
  //   out[g·ld + j] = dot_f16(n, row j, q + g·n) · scale
  //   y[g·n + i] += a[g·ld + j] · x[j·x_stride + i] for j = 0, 1, ... in order
  // Each result has the bits of the single-row kernel of the same table, called row by row.
  void (*dot_f16_rows)(int64_t n, const uint16_t* x, int64_t x_stride, int64_t rows, const float* q,
                       int64_t group, float scale, float* out, int64_t ld) = nullptr;
  void (*axpy_f16_rows)(int64_t n, const uint16_t* x, int64_t x_stride, int64_t rows, const float* a,
                        int64_t ld, int64_t group, float* y) = nullptr;
  // C[i][j] += Σ_p A[i][p]·B[p][j] for i < m, j < n, p < k (row-major, leading
  // dimensions lda, ldb, ldc): the products of training's backward pass. Each C element's
  // k terms are summed in order by one fused multiply-add chain from zero, which is then
  // added to C: the SIMD tables give exactly the reference's bits, whatever the tiling.
  void (*gemm_acc_f32)(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb,
                       float* c, int64_t ldc) = nullptr;
  // Optional (AVX-512 VNNI): the int8 transposed products of kernels/int8_gemm.h, each the
  // bits of its scalar reference (quantize_tile_int8_ref, gemm_acc_int8_ref).
  void (*quantize_tile_int8)(const float* rows, int64_t ld, int64_t n, uint8_t* out, float* scale) = nullptr;
  void (*gemm_acc_int8)(int64_t m, int64_t n, const void* act, int64_t act_stride, const uint8_t* b,
                        const float* scale, float* c, int64_t ldc) = nullptr;
};

constexpr int kMaxTypeId = 40;

struct KernelTable {
  const char* isa = "ref";
  TypeKernels types[kMaxTypeId];

  void (*quantize_q8a)(const float* src, void* dst, int64_t n) = nullptr;
  void (*quantize_q8k)(const float* src, void* dst, int64_t n) = nullptr;

  RowKernels rows;

  const TypeKernels& of(GgmlType type) const { return types[static_cast<uint32_t>(type)]; }
  TypeKernels& of(GgmlType type) { return types[static_cast<uint32_t>(type)]; }
  // Puts a SIMD table's dot product and its gemm in place of the ones it starts from.
  void set_dot(GgmlType type, decltype(TypeKernels::vec_dot) vec_dot, decltype(TypeKernels::gemm) gemm) {
    of(type).vec_dot = vec_dot;
    of(type).gemm = gemm;
  }
};

// Bytes needed for n activations in a format.
int64_t act_bytes(ActFormat format, int64_t n);

const KernelTable& ref_kernels();
const KernelTable* avx2_kernels();    // null when not built for this target
const KernelTable* avx512_kernels();  // null when not built for this target
const KernelTable* neon_kernels();          // null when not built for this target (non-aarch64)
const KernelTable* neon_dotprod_kernels();  // also null when the CPU lacks dotprod

// The table for this CPU (or the one LOCO_ISA names), chosen once.
const KernelTable& active_kernels();

}  // namespace loco::kernels
