// Reference kernels of the 32-value types Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 and of the
// BlockQ8A activations they are multiplied with.
//
// The quantizers are ggml's round-to-nearest ones, so files written by `loco quantize`
// match what other tools write: the symmetric types scale by the value of largest
// magnitude *with its sign* (d = max / -8 for Q4_0), which lets that value use the
// extra negative level; the offset types span [min, max] exactly.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/ref/ref.h"
#include "tensor/blocks.h"
#include "tensor/fp16.h"

namespace loco::kernels::ref {
namespace {

// Bit j of the little-endian 32-bit qh field is the fifth bit of value j.
uint32_t load_qh(const uint8_t* qh) {
  return static_cast<uint32_t>(qh[0]) | static_cast<uint32_t>(qh[1]) << 8 |
         static_cast<uint32_t>(qh[2]) << 16 | static_cast<uint32_t>(qh[3]) << 24;
}

void store_qh(uint8_t* qh, uint32_t bits) {
  for (int i = 0; i < 4; ++i) qh[i] = static_cast<uint8_t>(bits >> (8 * i));
}

// The value of largest magnitude, with its sign (0 for an all-zero block).
float signed_absmax(const float* x, int n) {
  float amax = 0.0f;
  float max = 0.0f;
  for (int j = 0; j < n; ++j) {
    if (std::fabs(x[j]) > amax) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  return max;
}

// The unsigned quantized value of position j (0..31) of a nibble-packed block.
int nibble(const uint8_t* qs, int j) { return j < 16 ? (qs[j] & 15) : (qs[j - 16] >> 4); }

// Integer dot product of 32 weight levels (already offset) with the activation levels.
int dot32(const int* levels, const int8_t* qa) {
  int sum = 0;
  for (int j = 0; j < kQK; ++j) sum += levels[j] * qa[j];
  return sum;
}

}  // namespace

// ---- Q8_0: x = d·q ----

void dequantize_q8_0(const void* src, float* dst, int64_t n) {
  const auto* blocks = static_cast<const BlockQ8_0*>(src);
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float d = half_to_float(blocks[b].d);
    for (int j = 0; j < kQK; ++j) dst[b * kQK + j] = d * blocks[b].qs[j];
  }
}

void quantize_q8_0(const float* src, void* dst, int64_t n) {
  auto* blocks = static_cast<BlockQ8_0*>(dst);
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float* x = src + b * kQK;
    float amax = 0.0f;
    for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    blocks[b].d = float_to_half(d);
    for (int j = 0; j < kQK; ++j) {
      blocks[b].qs[j] = static_cast<int8_t>(round_away_clamped(x[j] * id, -127, 127));
    }
  }
}

float vec_dot_q8_0(int64_t n, const void* w, const void* act) {
  const auto* wb = static_cast<const BlockQ8_0*>(w);
  const auto* ab = static_cast<const BlockQ8A*>(act);
  double sum = 0.0;
  for (int64_t b = 0; b < n / kQK; ++b) {
    int isum = 0;
    for (int j = 0; j < kQK; ++j) isum += wb[b].qs[j] * ab[b].qs[j];
    sum += static_cast<double>(half_to_float(wb[b].d)) * ab[b].d * isum;
  }
  return static_cast<float>(sum);
}

// ---- Q4_0: x = d·(q − 8) ----

void dequantize_q4_0(const void* src, float* dst, int64_t n) {
  const auto* blocks = static_cast<const BlockQ4_0*>(src);
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float d = half_to_float(blocks[b].d);
    for (int j = 0; j < kQK; ++j) dst[b * kQK + j] = d * (nibble(blocks[b].qs, j) - 8);
  }
}

void quantize_q4_0(const float* src, void* dst, int64_t n) {
  auto* blocks = static_cast<BlockQ4_0*>(dst);
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float* x = src + b * kQK;
    const float d = signed_absmax(x, kQK) / -8.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    blocks[b].d = float_to_half(d);
    for (int j = 0; j < kQK / 2; ++j) {
      // x·id lies in [-8, 8]; +8.5 then truncation rounds to the nearest level.
      const int lo = clamp_to_int(x[j] * id + 8.5f, 0, 15);
      const int hi = clamp_to_int(x[j + 16] * id + 8.5f, 0, 15);
      blocks[b].qs[j] = static_cast<uint8_t>(lo | (hi << 4));
    }
  }
}

float vec_dot_q4_0(int64_t n, const void* w, const void* act) {
  const auto* wb = static_cast<const BlockQ4_0*>(w);
  const auto* ab = static_cast<const BlockQ8A*>(act);
  double sum = 0.0;
  int levels[kQK];
  for (int64_t b = 0; b < n / kQK; ++b) {
    for (int j = 0; j < kQK; ++j) levels[j] = nibble(wb[b].qs, j) - 8;
    sum += static_cast<double>(half_to_float(wb[b].d)) * ab[b].d * dot32(levels, ab[b].qs);
  }
  return static_cast<float>(sum);
}

// ---- Q4_1: x = d·q + m ----

void dequantize_q4_1(const void* src, float* dst, int64_t n) {
  const auto* blocks = static_cast<const BlockQ4_1*>(src);
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float d = half_to_float(blocks[b].d);
    const float m = half_to_float(blocks[b].m);
    for (int j = 0; j < kQK; ++j) dst[b * kQK + j] = d * nibble(blocks[b].qs, j) + m;
  }
}

namespace {

void block_min_max(const float* x, float* min, float* max) {
  *min = x[0];
  *max = x[0];
  for (int j = 1; j < kQK; ++j) {
    *min = std::min(*min, x[j]);
    *max = std::max(*max, x[j]);
  }
}

}  // namespace

void quantize_q4_1(const float* src, void* dst, int64_t n) {
  auto* blocks = static_cast<BlockQ4_1*>(dst);
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float* x = src + b * kQK;
    float min = 0.0f;
    float max = 0.0f;
    block_min_max(x, &min, &max);
    const float d = (max - min) / 15.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    blocks[b].d = float_to_half(d);
    blocks[b].m = float_to_half(min);
    for (int j = 0; j < kQK / 2; ++j) {
      const int lo = clamp_to_int((x[j] - min) * id + 0.5f, 0, 15);
      const int hi = clamp_to_int((x[j + 16] - min) * id + 0.5f, 0, 15);
      blocks[b].qs[j] = static_cast<uint8_t>(lo | (hi << 4));
    }
  }
}

float vec_dot_q4_1(int64_t n, const void* w, const void* act) {
  const auto* wb = static_cast<const BlockQ4_1*>(w);
  const auto* ab = static_cast<const BlockQ8A*>(act);
  double sum = 0.0;
  int levels[kQK];
  for (int64_t b = 0; b < n / kQK; ++b) {
    for (int j = 0; j < kQK; ++j) levels[j] = nibble(wb[b].qs, j);
    // Σ (d·q + m)·a = d·Σ q·a + m·Σ a, and act.sum holds Σ a of the block.
    sum += static_cast<double>(half_to_float(wb[b].d)) * ab[b].d * dot32(levels, ab[b].qs) +
           static_cast<double>(half_to_float(wb[b].m)) * ab[b].sum;
  }
  return static_cast<float>(sum);
}

// ---- Q5_0: x = d·(q − 16), q = nibble | fifth bit << 4 ----

namespace {

template <typename Block>
void unpack_q5(const Block& block, int* q) {
  const uint32_t qh = load_qh(block.qh);
  for (int j = 0; j < kQK; ++j) q[j] = nibble(block.qs, j) | static_cast<int>(((qh >> j) & 1u) << 4);
}

template <typename Block>
void pack_q5(const int* q, Block* block) {
  uint32_t qh = 0;
  for (int j = 0; j < kQK / 2; ++j) {
    block->qs[j] = static_cast<uint8_t>((q[j] & 15) | ((q[j + 16] & 15) << 4));
  }
  for (int j = 0; j < kQK; ++j) qh |= static_cast<uint32_t>(q[j] >> 4) << j;
  store_qh(block->qh, qh);
}

}  // namespace

void dequantize_q5_0(const void* src, float* dst, int64_t n) {
  const auto* blocks = static_cast<const BlockQ5_0*>(src);
  int q[kQK];
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float d = half_to_float(blocks[b].d);
    unpack_q5(blocks[b], q);
    for (int j = 0; j < kQK; ++j) dst[b * kQK + j] = d * (q[j] - 16);
  }
}

void quantize_q5_0(const float* src, void* dst, int64_t n) {
  auto* blocks = static_cast<BlockQ5_0*>(dst);
  int q[kQK];
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float* x = src + b * kQK;
    const float d = signed_absmax(x, kQK) / -16.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    blocks[b].d = float_to_half(d);
    for (int j = 0; j < kQK; ++j) q[j] = clamp_to_int(x[j] * id + 16.5f, 0, 31);
    pack_q5(q, &blocks[b]);
  }
}

float vec_dot_q5_0(int64_t n, const void* w, const void* act) {
  const auto* wb = static_cast<const BlockQ5_0*>(w);
  const auto* ab = static_cast<const BlockQ8A*>(act);
  double sum = 0.0;
  int levels[kQK];
  for (int64_t b = 0; b < n / kQK; ++b) {
    unpack_q5(wb[b], levels);
    for (int j = 0; j < kQK; ++j) levels[j] -= 16;
    sum += static_cast<double>(half_to_float(wb[b].d)) * ab[b].d * dot32(levels, ab[b].qs);
  }
  return static_cast<float>(sum);
}

// ---- Q5_1: x = d·q + m ----

void dequantize_q5_1(const void* src, float* dst, int64_t n) {
  const auto* blocks = static_cast<const BlockQ5_1*>(src);
  int q[kQK];
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float d = half_to_float(blocks[b].d);
    const float m = half_to_float(blocks[b].m);
    unpack_q5(blocks[b], q);
    for (int j = 0; j < kQK; ++j) dst[b * kQK + j] = d * q[j] + m;
  }
}

void quantize_q5_1(const float* src, void* dst, int64_t n) {
  auto* blocks = static_cast<BlockQ5_1*>(dst);
  int q[kQK];
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float* x = src + b * kQK;
    float min = 0.0f;
    float max = 0.0f;
    block_min_max(x, &min, &max);
    const float d = (max - min) / 31.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    blocks[b].d = float_to_half(d);
    blocks[b].m = float_to_half(min);
    for (int j = 0; j < kQK; ++j) q[j] = clamp_to_int((x[j] - min) * id + 0.5f, 0, 31);
    pack_q5(q, &blocks[b]);
  }
}

float vec_dot_q5_1(int64_t n, const void* w, const void* act) {
  const auto* wb = static_cast<const BlockQ5_1*>(w);
  const auto* ab = static_cast<const BlockQ8A*>(act);
  double sum = 0.0;
  int levels[kQK];
  for (int64_t b = 0; b < n / kQK; ++b) {
    unpack_q5(wb[b], levels);
    sum += static_cast<double>(half_to_float(wb[b].d)) * ab[b].d * dot32(levels, ab[b].qs) +
           static_cast<double>(half_to_float(wb[b].m)) * ab[b].sum;
  }
  return static_cast<float>(sum);
}

// ---- BlockQ8A activations: x ≈ d·q per 32 values ----

void quantize_q8a(const float* src, void* dst, int64_t n) {
  auto* blocks = static_cast<BlockQ8A*>(dst);
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float* x = src + b * kQK;
    float amax = 0.0f;
    for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    int qsum = 0;
    for (int j = 0; j < kQK; ++j) {
      const int q = round_away_clamped(x[j] * id, -127, 127);
      blocks[b].qs[j] = static_cast<int8_t>(q);
      qsum += q;
    }
    blocks[b].d = d;
    blocks[b].sum = d * static_cast<float>(qsum);
  }
}

}  // namespace loco::kernels::ref
