// Shared pieces of the NEON kernels (AArch64, plain ARMv8.0 Advanced SIMD: every
// aarch64 CPU has it, so the table needs no run-time check). Everything lives in
// namespace neon and these files call no inline functions of the project's shared
// headers, like the x86 tables: their kernels are compiled with -ffp-contract=off and
// must not be merged by the linker with a baseline copy compiled otherwise.
#pragma once

#include <arm_neon.h>

#include <cstdint>
#include <cstring>

namespace loco::kernels::neon {

// IEEE half to float. The hardware conversion is exact (subnormals included), as is the
// bit-pattern one of tensor/fp16.h.
inline float fp16(uint16_t h) {
  return vgetq_lane_f32(vcvt_f32_f16(vreinterpret_f16_u16(vdup_n_u16(h))), 0);
}

template <typename T>
inline T load_as(const void* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// Software prefetch of weights some blocks ahead (rows are read in chunks, gemm_driver.h).
inline void prefetch_block(const uint8_t* p, int bytes) {
  for (int off = 0; off < bytes; off += 64) __builtin_prefetch(p + off, 0, 3);
}

// Σ of the products of the 16 signed bytes of a and b, as four int32 partial sums added
// to acc: vmull to int16 (|128·128| < 2^15), pairwise added into int32 (vpadal).
inline int32x4_t dot_s8(int32x4_t acc, int8x16_t a, int8x16_t b) {
  acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(a), vget_low_s8(b)));
  return vpadalq_s16(acc, vmull_high_s8(a, b));
}

// The kernels of each file, gathered into the table by neon_table.cpp.
#define LOCO_DECLARE_KERNELS(name)                                                          \
  float vec_dot_##name(int64_t n, const void* w, const void* act);                          \
  void gemm_##name(int64_t n, const void* w, int64_t w_stride, int64_t n_rows, const void* act, \
                   int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride);
LOCO_DECLARE_KERNELS(f32)    // neon_float.cpp
LOCO_DECLARE_KERNELS(f16)
LOCO_DECLARE_KERNELS(bf16)
LOCO_DECLARE_KERNELS(q8_0)   // neon_legacy.cpp
LOCO_DECLARE_KERNELS(q4_0)
LOCO_DECLARE_KERNELS(q4_1)
LOCO_DECLARE_KERNELS(q5_0)
LOCO_DECLARE_KERNELS(q5_1)
LOCO_DECLARE_KERNELS(q4_k)   // neon_kquants.cpp
LOCO_DECLARE_KERNELS(q5_k)
LOCO_DECLARE_KERNELS(q6_k)
#undef LOCO_DECLARE_KERNELS

}  // namespace loco::kernels::neon
