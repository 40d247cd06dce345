// Shared pieces of the NEON kernels (AArch64, plain ARMv8.0 Advanced SIMD: every
// aarch64 CPU has it, so this table needs no run-time check). Everything lives in
// namespace neon and these files call no inline functions of the project's shared
// headers, like the x86 tables: their kernels are compiled with -ffp-contract=off and
// must not be merged by the linker with a copy compiled otherwise.
#pragma once

#include <arm_neon.h>

#include <cstdint>
#include <cstring>

namespace loco::kernels::neon {

#include "kernels/neon/neon_common.inc"

// The kernels of each file, gathered into the table by neon_table.cpp.
#define LOCO_DECLARE_KERNELS(name)                                                          \
  float vec_dot_##name(int64_t n, const void* w, const void* act);                          \
  void gemm_##name(int64_t n, const void* w, int64_t w_stride, int64_t n_rows, const void* act, \
                   int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride);
LOCO_DECLARE_KERNELS(f32)    // neon_float.cpp
LOCO_DECLARE_KERNELS(f16)
LOCO_DECLARE_KERNELS(bf16)
LOCO_DECLARE_KERNELS(q8_0)   // neon_quants.cpp (neon_legacy.inc)
LOCO_DECLARE_KERNELS(q4_0)
LOCO_DECLARE_KERNELS(q4_1)
LOCO_DECLARE_KERNELS(q5_0)
LOCO_DECLARE_KERNELS(q5_1)
LOCO_DECLARE_KERNELS(q4_k)   // neon_quants.cpp (neon_kquants.inc)
LOCO_DECLARE_KERNELS(q5_k)
LOCO_DECLARE_KERNELS(q6_k)
#undef LOCO_DECLARE_KERNELS

}  // namespace loco::kernels::neon
