// NEON kernels of the 32-value types (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1) as row kernels for
// gemm_driver.h: one weight row times up to 4 tokens. A block unpacks to 32 int8 levels
// in two registers (signed levels for the symmetric types, 0..31 for those with an
// offset m); its integer dot product with a token is exact (dot_s8) and scaled once.
#include <cstddef>

#include "kernels/gemm_driver.h"
#include "kernels/neon/neon.h"
#include "tensor/blocks.h"

namespace loco::kernels::neon {
namespace {

// Byte offsets inside BlockQ8A.
constexpr int kQ8AD = 0;
constexpr int kQ8ASum = 4;
constexpr int kQ8AQs = 8;

// Values 0-15 and 16-31 of a block, its scale d and offset m (x = d·q + m).
struct Block32 {
  int8x16_t lo, hi;
  float d;
  float m;
};

// The 32 nibbles of a block in value order: low nibbles are values 0-15, high 16-31.
inline void nibbles32(const uint8_t* qs, int8x16_t& lo, int8x16_t& hi) {
  const uint8x16_t raw = vld1q_u8(qs);
  lo = vreinterpretq_s8_u8(vandq_u8(raw, vdupq_n_u8(0x0f)));
  hi = vreinterpretq_s8_u8(vshrq_n_u8(raw, 4));
}

// Bit j of the 32-bit qh is the fifth bit of value j: 16 where set, for values
// 16·half .. 16·half + 15.
inline int8x16_t fifth_bits(const uint8_t* qh, int half) {
  const uint8x16_t spread = vcombine_u8(vdup_n_u8(qh[2 * half]), vdup_n_u8(qh[2 * half + 1]));
  static constexpr uint8_t kBit[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
  return vreinterpretq_s8_u8(vandq_u8(vtstq_u8(spread, vld1q_u8(kBit)), vdupq_n_u8(16)));
}

struct TypeQ8_0 {
  static constexpr int kBytes = sizeof(BlockQ8_0);
  static Block32 unpack(const uint8_t* b) {
    const auto* qs = reinterpret_cast<const int8_t*>(b + offsetof(BlockQ8_0, qs));
    return {vld1q_s8(qs), vld1q_s8(qs + 16), fp16(load_as<uint16_t>(b)), 0.0f};
  }
};

struct TypeQ4_0 {
  static constexpr int kBytes = sizeof(BlockQ4_0);
  static Block32 unpack(const uint8_t* b) {
    Block32 out{};
    nibbles32(b + offsetof(BlockQ4_0, qs), out.lo, out.hi);
    out.lo = vsubq_s8(out.lo, vdupq_n_s8(8));
    out.hi = vsubq_s8(out.hi, vdupq_n_s8(8));
    out.d = fp16(load_as<uint16_t>(b));
    return out;
  }
};

struct TypeQ4_1 {
  static constexpr int kBytes = sizeof(BlockQ4_1);
  static Block32 unpack(const uint8_t* b) {
    Block32 out{};
    nibbles32(b + offsetof(BlockQ4_1, qs), out.lo, out.hi);
    out.d = fp16(load_as<uint16_t>(b + offsetof(BlockQ4_1, d)));
    out.m = fp16(load_as<uint16_t>(b + offsetof(BlockQ4_1, m)));
    return out;
  }
};

struct TypeQ5_0 {
  static constexpr int kBytes = sizeof(BlockQ5_0);
  static Block32 unpack(const uint8_t* b) {
    Block32 out{};
    nibbles32(b + offsetof(BlockQ5_0, qs), out.lo, out.hi);
    const uint8_t* qh = b + offsetof(BlockQ5_0, qh);
    out.lo = vsubq_s8(vorrq_s8(out.lo, fifth_bits(qh, 0)), vdupq_n_s8(16));
    out.hi = vsubq_s8(vorrq_s8(out.hi, fifth_bits(qh, 1)), vdupq_n_s8(16));
    out.d = fp16(load_as<uint16_t>(b));
    return out;
  }
};

struct TypeQ5_1 {
  static constexpr int kBytes = sizeof(BlockQ5_1);
  static Block32 unpack(const uint8_t* b) {
    Block32 out{};
    nibbles32(b + offsetof(BlockQ5_1, qs), out.lo, out.hi);
    const uint8_t* qh = b + offsetof(BlockQ5_1, qh);
    out.lo = vorrq_s8(out.lo, fifth_bits(qh, 0));
    out.hi = vorrq_s8(out.hi, fifth_bits(qh, 1));
    out.d = fp16(load_as<uint16_t>(b + offsetof(BlockQ5_1, d)));
    out.m = fp16(load_as<uint16_t>(b + offsetof(BlockQ5_1, m)));
    return out;
  }
};

// Per (row, token) pair, in every tile shape: a float32x4 accumulator of the four int32
// partial sums of each block times d·d_a, and a scalar one of the offset terms m·sum_a;
// out = hsum(vector) + offsets.
template <class Type>
struct Legacy : RowTiles<Legacy<Type>> {
  static constexpr int kTokenTile = 4;
  static constexpr int kBlockValues = kQK;
  static constexpr int kActBlockBytes = sizeof(BlockQ8A);
  static constexpr int64_t kActBudget = kGemmL2Budget;
  static constexpr int64_t kChunkBlocks = 256;

  template <int T>
  static void row(const uint8_t* w_row, const uint8_t* act, int64_t act_stride, int64_t b0,
                  int64_t b1, float* out) {
    float32x4_t acc[T];
    float offsets[T];
    for (int t = 0; t < T; ++t) {
      acc[t] = vdupq_n_f32(0.0f);
      offsets[t] = 0.0f;
    }
    for (int64_t b = b0; b < b1; ++b) {
      prefetch_block(w_row + (b + 24) * Type::kBytes, 1);
      const Block32 w = Type::unpack(w_row + b * Type::kBytes);
      const uint8_t* a0 = act + b * kActBlockBytes;
      for (int t = 0; t < T; ++t) {
        const uint8_t* a = a0 + t * act_stride;
        const auto* qa = reinterpret_cast<const int8_t*>(a + kQ8AQs);
        const int32x4_t dot = dot_s8(dot_s8(vdupq_n_s32(0), w.lo, vld1q_s8(qa)), w.hi, vld1q_s8(qa + 16));
        acc[t] = vfmaq_n_f32(acc[t], vcvtq_f32_s32(dot), w.d * load_as<float>(a + kQ8AD));
        offsets[t] = offsets[t] + w.m * load_as<float>(a + kQ8ASum);
      }
    }
    for (int t = 0; t < T; ++t) out[t] = vaddvq_f32(acc[t]) + offsets[t];
  }
};

}  // namespace

#define LOCO_LEGACY_KERNELS(name, Type)                                                                  \
  float vec_dot_##name(int64_t n, const void* w, const void* act) {                                    \
    return tiled_vec_dot<Legacy<Type>>(n, w, act);                                                     \
  }                                                                                                     \
  void gemm_##name(int64_t n, const void* w, int64_t w_stride, int64_t n_rows, const void* act,        \
                   int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) {                  \
    tiled_gemm<Legacy<Type>>(n, w, w_stride, n_rows, act, act_stride, n_tokens, y, y_stride);          \
  }
LOCO_LEGACY_KERNELS(q8_0, TypeQ8_0)
LOCO_LEGACY_KERNELS(q4_0, TypeQ4_0)
LOCO_LEGACY_KERNELS(q4_1, TypeQ4_1)
LOCO_LEGACY_KERNELS(q5_0, TypeQ5_0)
LOCO_LEGACY_KERNELS(q5_1, TypeQ5_1)
#undef LOCO_LEGACY_KERNELS

}  // namespace loco::kernels::neon
