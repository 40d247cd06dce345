// Per-type kernel table. Every instruction set provides the same table; the scalar
// reference (ref_kernels, ref/) is always built and is the oracle the fast paths are
// tested against. The x86 tables (avx2/, avx512/) start from the reference table and
// replace what they speed up; their gemm kernels share the loop nest of gemm_driver.h.
// The active table is chosen once, at first use, from the CPU's features (checked at
// run time, so one binary runs on any x86-64); the environment variable
// LOCO_ISA=ref|avx2|avx512 forces a path.
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
  // tokens; the result must match vec_dot's up to float summation order.
  void (*gemm)(int64_t n, const void* w, int64_t w_stride, int64_t n_rows, const void* act,
               int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) = nullptr;
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

constexpr int kMaxTypeId = 40;

struct KernelTable {
  const char* isa = "ref";
  TypeKernels types[kMaxTypeId];

  void (*quantize_q8a)(const float* src, void* dst, int64_t n) = nullptr;
  void (*quantize_q8k)(const float* src, void* dst, int64_t n) = nullptr;

  const TypeKernels& of(GgmlType type) const { return types[static_cast<uint32_t>(type)]; }
};

// Bytes needed for n activations in a format.
int64_t act_bytes(ActFormat format, int64_t n);

const KernelTable& ref_kernels();
const KernelTable* avx2_kernels();    // null when not built for this target
const KernelTable* avx512_kernels();  // null when not built for this target

// The table for this CPU (or the one LOCO_ISA names), chosen once.
const KernelTable& active_kernels();

}  // namespace loco::kernels
