// The quantized kernels of the NEON table again, built with the dotprod extension
// (SDOT: four byte products summed into each int32 lane; optional in ARMv8.2+, reported
// by the kernel as HWCAP_ASIMDDP). Own namespace and own copies of the helpers, so no
// function compiled with dotprod can be merged into the plain table (see neon.h).
#pragma once

#include <arm_neon.h>

#include <cstdint>
#include <cstring>

namespace loco::kernels::neon_dotprod {

#include "kernels/neon/neon_common.inc"

#define LOCO_DECLARE_KERNELS(name)                                                          \
  float vec_dot_##name(int64_t n, const void* w, const void* act);                          \
  void gemm_##name(int64_t n, const void* w, int64_t w_stride, int64_t n_rows, const void* act, \
                   int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride);
LOCO_DECLARE_KERNELS(q8_0)   // neon_dotprod.cpp (neon_legacy.inc)
LOCO_DECLARE_KERNELS(q4_0)
LOCO_DECLARE_KERNELS(q4_1)
LOCO_DECLARE_KERNELS(q5_0)
LOCO_DECLARE_KERNELS(q5_1)
LOCO_DECLARE_KERNELS(q4_k)   // neon_dotprod.cpp (neon_kquants.inc)
LOCO_DECLARE_KERNELS(q5_k)
LOCO_DECLARE_KERNELS(q6_k)
#undef LOCO_DECLARE_KERNELS

}  // namespace loco::kernels::neon_dotprod
