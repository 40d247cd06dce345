// Plain ARMv8.0 build of the quantized kernels (neon_legacy.inc, neon_kquants.inc):
// byte products by vmull into int16, pairwise-added into int32 (vpadal), or first summed
// in int16 by vmlal and then widened with the sub-block scale (vmlal_n). The int16 sums
// cannot overflow: at most 4 products per lane of levels 0..31 (4·31·128 < 2^15) in
// scaled_dot32, 2 of levels −32..31 in scaled_dot16.
#include <cstddef>

#include "kernels/gemm_driver.h"
#include "kernels/neon/neon.h"
#include "tensor/blocks.h"

namespace loco::kernels::neon {
namespace {

inline int32x4_t dot16(int32x4_t acc, int8x16_t q, int8x16_t a) {
  acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(q), vget_low_s8(a)));
  return vpadalq_s16(acc, vmull_high_s8(q, a));
}

inline int32x4_t dot32(int32x4_t acc, int8x16_t q0, int8x16_t q1, const int8_t* a) {
  return dot16(dot16(acc, q0, vld1q_s8(a)), q1, vld1q_s8(a + 16));
}

inline int32x4_t scaled_dot32(int32x4_t dot, int8x16_t q0, int8x16_t q1, const int8_t* a, int16_t sc) {
  const int8x16_t a0 = vld1q_s8(a);
  const int8x16_t a1 = vld1q_s8(a + 16);
  int16x8_t s = vmull_s8(vget_low_s8(q0), vget_low_s8(a0));
  s = vmlal_high_s8(s, q0, a0);
  s = vmlal_s8(s, vget_low_s8(q1), vget_low_s8(a1));
  s = vmlal_high_s8(s, q1, a1);
  dot = vmlal_n_s16(dot, vget_low_s16(s), sc);
  return vmlal_high_n_s16(dot, s, sc);
}

inline int32x4_t scaled_dot16(int32x4_t dot, int8x16_t q, const int8_t* a, int16_t sc) {
  const int8x16_t av = vld1q_s8(a);
  int16x8_t s = vmull_s8(vget_low_s8(q), vget_low_s8(av));
  s = vmlal_high_s8(s, q, av);
  dot = vmlal_n_s16(dot, vget_low_s16(s), sc);
  return vmlal_high_n_s16(dot, s, sc);
}

}  // namespace

#include "kernels/neon/neon_legacy.inc"
#include "kernels/neon/neon_kquants.inc"

}  // namespace loco::kernels::neon
