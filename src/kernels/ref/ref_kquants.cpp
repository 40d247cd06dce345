// Reference dequantization and dot products of the K-quants (Q2_K .. Q6_K), and the
// BlockQ8K activations they are multiplied with.
//
// Each type has one unpack function that turns a super-block's packed bits into 256
// integer levels, written to follow the layout description directly; dequantization
// and the dot product both go through it, so the bit layout lives in one place.
// Dot products sum integer products per sub-block and apply the scales once per
// sub-block; the minimums of Q2_K/Q4_K/Q5_K multiply the activation sums (bsums).
#include <algorithm>
#include <cmath>

#include "kernels/ref/ref.h"
#include "tensor/blocks.h"
#include "tensor/fp16.h"
#include "tensor/kquant_scales.h"

namespace loco::kernels::ref {
namespace {

// Two halves of 128 values, 32 bytes each: bits 2s..2s+1 of byte k of a half hold
// value 32·s + k of that half (the low bits of Q2_K and Q3_K).
int two_bit_level(const uint8_t* qs, int v) {
  const int half = v / 128;
  const int w = v % 128;
  return (qs[32 * half + w % 32] >> (2 * (w / 32))) & 3;
}

// Q4_K/Q5_K low nibbles: run j of 32 bytes holds sub-block 2j in its low nibbles and
// sub-block 2j+1 in its high nibbles.
int four_bit_level(const uint8_t* qs, int v) {
  const int sub = v / 32;
  const uint8_t byte = qs[32 * (sub / 2) + v % 32];
  return sub % 2 == 0 ? (byte & 15) : (byte >> 4);
}

void unpack_q2_k(const BlockQ2_K& b, int* q) {
  for (int v = 0; v < kQK_K; ++v) q[v] = two_bit_level(b.qs, v);
}

// Levels -4..3: the hmask bit of value v is bit v/32 of hmask[v%32]; clear means −4.
void unpack_q3_k(const BlockQ3_K& b, int* q) {
  for (int v = 0; v < kQK_K; ++v) {
    const bool high = ((b.hmask[v % 32] >> (v / 32)) & 1) != 0;
    q[v] = two_bit_level(b.qs, v) - (high ? 0 : 4);
  }
}

void unpack_q4_k(const BlockQ4_K& b, int* q) {
  for (int v = 0; v < kQK_K; ++v) q[v] = four_bit_level(b.qs, v);
}

// Bit i of qh[k] is the fifth bit of value k of sub-block i.
void unpack_q5_k(const BlockQ5_K& b, int* q) {
  for (int v = 0; v < kQK_K; ++v) {
    q[v] = four_bit_level(b.qs, v) | (((b.qh[v % 32] >> (v / 32)) & 1) << 4);
  }
}

// Levels -32..31.
void unpack_q6_k(const BlockQ6_K& b, int* q) {
  for (int v = 0; v < kQK_K; ++v) q[v] = q6k_level(b.ql, b.qh, v) - 32;
}

// Σ q·qa over `len` values starting at `start`.
int dot_range(const int* q, const int8_t* qa, int start, int len) {
  int sum = 0;
  for (int i = start; i < start + len; ++i) sum += q[i] * qa[i];
  return sum;
}

}  // namespace

// ---- Q2_K: x = d·(sc & 15)·q − dmin·(sc >> 4), one scale byte per 16 values ----

void dequantize_q2_k(const void* src, float* dst, int64_t n) {
  const auto* blocks = static_cast<const BlockQ2_K*>(src);
  int q[kQK_K];
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    const BlockQ2_K& block = blocks[b];
    const float d = half_to_float(block.d);
    const float dmin = half_to_float(block.dmin);
    unpack_q2_k(block, q);
    for (int v = 0; v < kQK_K; ++v) {
      const uint8_t sc = block.scales[v / 16];
      dst[b * kQK_K + v] = d * static_cast<float>(sc & 15) * q[v] - dmin * static_cast<float>(sc >> 4);
    }
  }
}

float vec_dot_q2_k(int64_t n, const void* w, const void* act) {
  const auto* wb = static_cast<const BlockQ2_K*>(w);
  const auto* ab = static_cast<const BlockQ8K*>(act);
  double sum = 0.0;
  int q[kQK_K];
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    unpack_q2_k(wb[b], q);
    int scaled = 0;
    int mins = 0;
    for (int j = 0; j < kQK_K / 16; ++j) {
      scaled += (wb[b].scales[j] & 15) * dot_range(q, ab[b].qs, 16 * j, 16);
      mins += (wb[b].scales[j] >> 4) * ab[b].bsums[j];
    }
    sum += static_cast<double>(ab[b].d) * (static_cast<double>(half_to_float(wb[b].d)) * scaled -
                                           static_cast<double>(half_to_float(wb[b].dmin)) * mins);
  }
  return static_cast<float>(sum);
}

// ---- Q3_K: x = d·scale·q with signed 6-bit scales per 16 values ----

void dequantize_q3_k(const void* src, float* dst, int64_t n) {
  const auto* blocks = static_cast<const BlockQ3_K*>(src);
  int q[kQK_K];
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    const float d = half_to_float(blocks[b].d);
    unpack_q3_k(blocks[b], q);
    for (int v = 0; v < kQK_K; ++v) {
      const int scale = unpack_scale_q3k(blocks[b].scales, v / 16);
      dst[b * kQK_K + v] = d * static_cast<float>(scale) * q[v];
    }
  }
}

float vec_dot_q3_k(int64_t n, const void* w, const void* act) {
  const auto* wb = static_cast<const BlockQ3_K*>(w);
  const auto* ab = static_cast<const BlockQ8K*>(act);
  double sum = 0.0;
  int q[kQK_K];
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    unpack_q3_k(wb[b], q);
    int scaled = 0;
    for (int j = 0; j < kQK_K / 16; ++j) {
      scaled += unpack_scale_q3k(wb[b].scales, j) * dot_range(q, ab[b].qs, 16 * j, 16);
    }
    sum += static_cast<double>(ab[b].d) * half_to_float(wb[b].d) * scaled;
  }
  return static_cast<float>(sum);
}

// ---- Q4_K / Q5_K: x = d·sc[i]·q − dmin·m[i] per sub-block i of 32 ----

namespace {

template <typename Block>
void dequantize_q45_k(const Block& block, const int* q, float* dst) {
  const float d = half_to_float(block.d);
  const float dmin = half_to_float(block.dmin);
  for (int i = 0; i < kQK_K / 32; ++i) {
    const ScaleMin sm = unpack_scale_min_k4(block.scales, i);
    const float scale = d * sm.scale;
    const float min = dmin * sm.min;
    for (int k = 0; k < 32; ++k) dst[32 * i + k] = scale * q[32 * i + k] - min;
  }
}

template <typename Block>
double dot_q45_k(const Block& block, const int* q, const BlockQ8K& a) {
  int scaled = 0;
  int mins = 0;
  for (int i = 0; i < kQK_K / 32; ++i) {
    const ScaleMin sm = unpack_scale_min_k4(block.scales, i);
    scaled += sm.scale * dot_range(q, a.qs, 32 * i, 32);
    mins += sm.min * (a.bsums[2 * i] + a.bsums[2 * i + 1]);
  }
  return static_cast<double>(a.d) * (static_cast<double>(half_to_float(block.d)) * scaled -
                                     static_cast<double>(half_to_float(block.dmin)) * mins);
}

}  // namespace

void dequantize_q4_k(const void* src, float* dst, int64_t n) {
  const auto* blocks = static_cast<const BlockQ4_K*>(src);
  int q[kQK_K];
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    unpack_q4_k(blocks[b], q);
    dequantize_q45_k(blocks[b], q, dst + b * kQK_K);
  }
}

float vec_dot_q4_k(int64_t n, const void* w, const void* act) {
  const auto* wb = static_cast<const BlockQ4_K*>(w);
  const auto* ab = static_cast<const BlockQ8K*>(act);
  double sum = 0.0;
  int q[kQK_K];
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    unpack_q4_k(wb[b], q);
    sum += dot_q45_k(wb[b], q, ab[b]);
  }
  return static_cast<float>(sum);
}

void dequantize_q5_k(const void* src, float* dst, int64_t n) {
  const auto* blocks = static_cast<const BlockQ5_K*>(src);
  int q[kQK_K];
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    unpack_q5_k(blocks[b], q);
    dequantize_q45_k(blocks[b], q, dst + b * kQK_K);
  }
}

float vec_dot_q5_k(int64_t n, const void* w, const void* act) {
  const auto* wb = static_cast<const BlockQ5_K*>(w);
  const auto* ab = static_cast<const BlockQ8K*>(act);
  double sum = 0.0;
  int q[kQK_K];
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    unpack_q5_k(wb[b], q);
    sum += dot_q45_k(wb[b], q, ab[b]);
  }
  return static_cast<float>(sum);
}

// ---- Q6_K: x = d·scales[v/16]·q, int8 scales ----

void dequantize_q6_k(const void* src, float* dst, int64_t n) {
  const auto* blocks = static_cast<const BlockQ6_K*>(src);
  int q[kQK_K];
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    const float d = half_to_float(blocks[b].d);
    unpack_q6_k(blocks[b], q);
    for (int v = 0; v < kQK_K; ++v) {
      dst[b * kQK_K + v] = d * static_cast<float>(blocks[b].scales[v / 16]) * q[v];
    }
  }
}

float vec_dot_q6_k(int64_t n, const void* w, const void* act) {
  const auto* wb = static_cast<const BlockQ6_K*>(w);
  const auto* ab = static_cast<const BlockQ8K*>(act);
  double sum = 0.0;
  int q[kQK_K];
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    unpack_q6_k(wb[b], q);
    int scaled = 0;
    for (int j = 0; j < kQK_K / 16; ++j) {
      scaled += wb[b].scales[j] * dot_range(q, ab[b].qs, 16 * j, 16);
    }
    sum += static_cast<double>(ab[b].d) * half_to_float(wb[b].d) * scaled;
  }
  return static_cast<float>(sum);
}

// ---- BlockQ8K activations: x ≈ d·q per 256 values, with sums of each run of 16 ----

void quantize_q8k(const float* src, void* dst, int64_t n) {
  auto* blocks = static_cast<BlockQ8K*>(dst);
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    const float* x = src + b * kQK_K;
    float amax = 0.0f;
    for (int j = 0; j < kQK_K; ++j) amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    for (int j = 0; j < kQK_K; ++j) {
      blocks[b].qs[j] = static_cast<int8_t>(round_away_clamped(x[j] * id, -127, 127));
    }
    for (int r = 0; r < kQK_K / 16; ++r) {
      int s = 0;
      for (int j = 0; j < 16; ++j) s += blocks[b].qs[16 * r + j];
      blocks[b].bsums[r] = static_cast<int16_t>(s);
    }
    blocks[b].d = d;
  }
}

}  // namespace loco::kernels::ref
