// NEON kernels of Q4_K, Q5_K and Q6_K as row kernels for gemm_driver.h (one weight row
// times up to 4 tokens). A super-block's levels are unpacked once per 32 values into
// int8 registers and used for every token: vmull/vmlal give int16 sums of products
// (at most 4 per lane: 4·31·128 < 2^15, and 2·32·128 for Q6_K), which vmlal_n widens
// into int32 with the sub-block scale. The integer sum of a super-block is exact and
// converted to float once; the minimums of Q4_K/Q5_K meet the activations' bsums.
#include <cstddef>

#include "kernels/gemm_driver.h"
#include "kernels/neon/neon.h"
#include "tensor/blocks.h"

namespace loco::kernels::neon {
namespace {

constexpr int kActQs = 4;
constexpr int kActBsums = 4 + kQK_K;
constexpr int kMaxTokens = 4;

// Q4_K / Q5_K: the eight 6-bit scales (out[0..7]) and minimums (out[8..15]) of the 12
// packed bytes (the layout is described in tensor/kquant_scales.h).
inline void unpack_scales_k4(const uint8_t* packed, uint8_t* out) {
  uint32_t u[3];
  std::memcpy(u, packed, 12);
  constexpr uint32_t k6 = 0x3f3f3f3f, k4 = 0x0f0f0f0f, k2 = 0x03030303;
  const uint32_t words[4] = {u[0] & k6, (u[2] & k4) | (((u[0] >> 6) & k2) << 4), u[1] & k6,
                             ((u[2] >> 4) & k4) | (((u[1] >> 6) & k2) << 4)};
  std::memcpy(out, words, 16);
}

// dot + sc·Σ of the 32 products q·a (q and a as two registers each).
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

// dot + sc·Σ of the 16 products q·a.
inline int32x4_t scaled_dot16(int32x4_t dot, int8x16_t q, const int8_t* a, int16_t sc) {
  const int8x16_t av = vld1q_s8(a);
  int16x8_t s = vmull_s8(vget_low_s8(q), vget_low_s8(av));
  s = vmlal_high_s8(s, q, av);
  dot = vmlal_n_s16(dot, vget_low_s16(s), sc);
  return vmlal_high_n_s16(dot, s, sc);
}

// Bit `bit` of each byte of qh, moved to bit 4 (the fifth bit of a Q5_K level).
inline uint8x16_t fifth_bit(uint8x16_t qh, int bit) {
  return vshlq_n_u8(vandq_u8(vshlq_u8(qh, vdupq_n_s8(static_cast<int8_t>(-bit))), vdupq_n_u8(1)), 4);
}

// Q4_K / Q5_K: x = d·sc·q − dmin·m per sub-block of 32. Run j of 32 qs bytes holds
// sub-block 2j in its low nibbles and 2j+1 in its high nibbles; the fifth bits of Q5_K
// (bit i of qh[k] for value k of sub-block i) come from qh when kFive.
template <bool kFive, int kBlockBytes, int kQsOffset, int kQhOffset>
struct K45 : RowTiles<K45<kFive, kBlockBytes, kQsOffset, kQhOffset>> {
  static constexpr int kTokenTile = kMaxTokens;
  static constexpr int kBlockValues = kQK_K;
  static constexpr int kActBlockBytes = sizeof(BlockQ8K);
  static constexpr int64_t kActBudget = kGemmL1Budget;
  static constexpr int64_t kChunkBlocks = kActBudget / (kTokenTile * kActBlockBytes);

  template <int T>
  static void row(const uint8_t* w_row, const uint8_t* act, int64_t act_stride, int64_t b0,
                  int64_t b1, float* out) {
    float acc[T];
    for (int t = 0; t < T; ++t) acc[t] = 0.0f;
    const uint8x16_t low4 = vdupq_n_u8(0x0f);
    for (int64_t b = b0; b < b1; ++b) {
      const uint8_t* blk = w_row + b * kBlockBytes;
      prefetch_block(blk + 8 * kBlockBytes, kBlockBytes);
      alignas(16) uint8_t sm[16];
      unpack_scales_k4(blk + 4, sm);  // scales at byte 4 in both types
      const float d = fp16(load_as<uint16_t>(blk));
      const float dmin = fp16(load_as<uint16_t>(blk + 2));
      uint8x16_t qh0 = vdupq_n_u8(0), qh1 = vdupq_n_u8(0);
      if constexpr (kFive) {
        qh0 = vld1q_u8(blk + kQhOffset);
        qh1 = vld1q_u8(blk + kQhOffset + 16);
      }
      const uint8_t* a0 = act + b * kActBlockBytes;
      int32x4_t dot[T];
      for (int t = 0; t < T; ++t) dot[t] = vdupq_n_s32(0);
      for (int j = 0; j < 4; ++j) {
        const uint8x16_t raw0 = vld1q_u8(blk + kQsOffset + 32 * j);
        const uint8x16_t raw1 = vld1q_u8(blk + kQsOffset + 32 * j + 16);
        uint8x16_t lo0 = vandq_u8(raw0, low4), lo1 = vandq_u8(raw1, low4);
        uint8x16_t hi0 = vshrq_n_u8(raw0, 4), hi1 = vshrq_n_u8(raw1, 4);
        if constexpr (kFive) {
          lo0 = vorrq_u8(lo0, fifth_bit(qh0, 2 * j));
          lo1 = vorrq_u8(lo1, fifth_bit(qh1, 2 * j));
          hi0 = vorrq_u8(hi0, fifth_bit(qh0, 2 * j + 1));
          hi1 = vorrq_u8(hi1, fifth_bit(qh1, 2 * j + 1));
        }
        const int16_t sc_lo = sm[2 * j];
        const int16_t sc_hi = sm[2 * j + 1];
        for (int t = 0; t < T; ++t) {
          const auto* a = reinterpret_cast<const int8_t*>(a0 + t * act_stride + kActQs + 64 * j);
          dot[t] = scaled_dot32(dot[t], vreinterpretq_s8_u8(lo0), vreinterpretq_s8_u8(lo1), a, sc_lo);
          dot[t] = scaled_dot32(dot[t], vreinterpretq_s8_u8(hi0), vreinterpretq_s8_u8(hi1), a + 32, sc_hi);
        }
      }
      const int16x8_t mins = vreinterpretq_s16_u16(vmovl_u8(vld1_u8(sm + 8)));
      for (int t = 0; t < T; ++t) {
        const uint8_t* a = a0 + t * act_stride;
        const auto* bsums = reinterpret_cast<const int16_t*>(a + kActBsums);
        // Lane i: bsums[2i] + bsums[2i + 1], the sum of sub-block i's activations.
        const int16x8_t sub_sums = vpaddq_s16(vld1q_s16(bsums), vld1q_s16(bsums + 8));
        int32x4_t m = vmull_s16(vget_low_s16(mins), vget_low_s16(sub_sums));
        m = vmlal_high_s16(m, mins, sub_sums);
        const float f = static_cast<float>(vaddvq_s32(dot[t])) * d - static_cast<float>(vaddvq_s32(m)) * dmin;
        acc[t] = acc[t] + f * load_as<float>(a);
      }
    }
    for (int t = 0; t < T; ++t) out[t] = acc[t];
  }
};

using Q4K = K45<false, sizeof(BlockQ4_K), offsetof(BlockQ4_K, qs), 0>;
using Q5K = K45<true, sizeof(BlockQ5_K), offsetof(BlockQ5_K, qs), offsetof(BlockQ5_K, qh)>;

// Q6_K: x = d·scale·(q − 32), int8 scale per 16 values. Values 128h + 32s + i (i < 32)
// take the low nibble of ql[64h + 32(s%2) + i] (high nibble for s >= 2) and bits 2s of
// qh[32h + i] on top.
struct Q6K : RowTiles<Q6K> {
  static constexpr int kTokenTile = kMaxTokens;
  static constexpr int kBlockValues = kQK_K;
  static constexpr int kActBlockBytes = sizeof(BlockQ8K);
  static constexpr int64_t kActBudget = kGemmL1Budget;
  static constexpr int64_t kChunkBlocks = kActBudget / (kTokenTile * kActBlockBytes);

  static int8x16_t level16(uint8x16_t ql, uint8x16_t qh, int s) {
    const uint8x16_t low = s < 2 ? vandq_u8(ql, vdupq_n_u8(0x0f)) : vshrq_n_u8(ql, 4);
    const uint8x16_t top = vandq_u8(vshlq_u8(qh, vdupq_n_s8(static_cast<int8_t>(-2 * s))), vdupq_n_u8(3));
    return vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(low, vshlq_n_u8(top, 4))), vdupq_n_s8(32));
  }

  template <int T>
  static void row(const uint8_t* w_row, const uint8_t* act, int64_t act_stride, int64_t b0,
                  int64_t b1, float* out) {
    float acc[T];
    for (int t = 0; t < T; ++t) acc[t] = 0.0f;
    for (int64_t b = b0; b < b1; ++b) {
      const uint8_t* blk = w_row + b * static_cast<int64_t>(sizeof(BlockQ6_K));
      prefetch_block(blk + 8 * sizeof(BlockQ6_K), sizeof(BlockQ6_K));
      const auto* scales = reinterpret_cast<const int8_t*>(blk + offsetof(BlockQ6_K, scales));
      const float d = fp16(load_as<uint16_t>(blk + offsetof(BlockQ6_K, d)));
      const uint8_t* a0 = act + b * kActBlockBytes;
      int32x4_t dot[T];
      for (int t = 0; t < T; ++t) dot[t] = vdupq_n_s32(0);
      for (int h = 0; h < 2; ++h) {
        const uint8x16_t qh0 = vld1q_u8(blk + offsetof(BlockQ6_K, qh) + 32 * h);
        const uint8x16_t qh1 = vld1q_u8(blk + offsetof(BlockQ6_K, qh) + 32 * h + 16);
        for (int s = 0; s < 4; ++s) {
          const uint8_t* ql = blk + offsetof(BlockQ6_K, ql) + 64 * h + 32 * (s % 2);
          const int8x16_t q0 = level16(vld1q_u8(ql), qh0, s);
          const int8x16_t q1 = level16(vld1q_u8(ql + 16), qh1, s);
          const int k = 4 * h + s;  // values 32k .. 32k + 31
          const int16_t sc0 = scales[2 * k];
          const int16_t sc1 = scales[2 * k + 1];
          for (int t = 0; t < T; ++t) {
            const auto* a = reinterpret_cast<const int8_t*>(a0 + t * act_stride + kActQs + 32 * k);
            dot[t] = scaled_dot16(dot[t], q0, a, sc0);
            dot[t] = scaled_dot16(dot[t], q1, a + 16, sc1);
          }
        }
      }
      for (int t = 0; t < T; ++t) {
        const float scale = d * load_as<float>(a0 + t * act_stride);
        acc[t] = acc[t] + static_cast<float>(vaddvq_s32(dot[t])) * scale;
      }
    }
    for (int t = 0; t < T; ++t) out[t] = acc[t];
  }
};

}  // namespace

float vec_dot_q4_k(int64_t n, const void* w, const void* act) { return tiled_vec_dot<Q4K>(n, w, act); }
float vec_dot_q5_k(int64_t n, const void* w, const void* act) { return tiled_vec_dot<Q5K>(n, w, act); }
float vec_dot_q6_k(int64_t n, const void* w, const void* act) { return tiled_vec_dot<Q6K>(n, w, act); }

void gemm_q4_k(int64_t n, const void* w, int64_t w_stride, int64_t n_rows, const void* act,
               int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  tiled_gemm<Q4K>(n, w, w_stride, n_rows, act, act_stride, n_tokens, y, y_stride);
}
void gemm_q5_k(int64_t n, const void* w, int64_t w_stride, int64_t n_rows, const void* act,
               int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  tiled_gemm<Q5K>(n, w, w_stride, n_rows, act, act_stride, n_tokens, y, y_stride);
}
void gemm_q6_k(int64_t n, const void* w, int64_t w_stride, int64_t n_rows, const void* act,
               int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  tiled_gemm<Q6K>(n, w, w_stride, n_rows, act, act_stride, n_tokens, y, y_stride);
}

}  // namespace loco::kernels::neon
