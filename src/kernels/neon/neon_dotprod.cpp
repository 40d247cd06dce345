// Dotprod build of the quantized kernels (neon_legacy.inc, neon_kquants.inc), compiled
// with -march=armv8.2-a+dotprod (arm_neon.h asks for 8.2 with SDOT; the extension only
// exists from 8.2 on, so a CPU that reports it has the rest) and used only where the CPU
// reports ASIMDDP (dispatch.cpp).
// SDOT sums each 4 byte products into an int32 lane; the integer totals, and hence the
// float results, are the plain table's exactly.
#include <cstddef>

#include "kernels/gemm_driver.h"
#include "kernels/neon/neon_dotprod.h"
#include "tensor/blocks.h"

namespace loco::kernels::neon_dotprod {
namespace {

inline int32x4_t dot32(int32x4_t acc, int8x16_t q0, int8x16_t q1, const int8_t* a) {
  return vdotq_s32(vdotq_s32(acc, q0, vld1q_s8(a)), q1, vld1q_s8(a + 16));
}

inline int32x4_t scaled_dot32(int32x4_t dot, int8x16_t q0, int8x16_t q1, const int8_t* a, int16_t sc) {
  return vmlaq_n_s32(dot, dot32(vdupq_n_s32(0), q0, q1, a), sc);
}

inline int32x4_t scaled_dot16(int32x4_t dot, int8x16_t q, const int8_t* a, int16_t sc) {
  return vmlaq_n_s32(dot, vdotq_s32(vdupq_n_s32(0), q, vld1q_s8(a)), sc);
}

}  // namespace

#include "kernels/neon/neon_legacy.inc"
#include "kernels/neon/neon_kquants.inc"

}  // namespace loco::kernels::neon_dotprod
