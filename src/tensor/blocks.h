// Storage layouts of the quantized block types, as in GGUF files, plus the two 8-bit
// activation formats that weight rows are multiplied with. Sizes are checked so that a
// struct can be laid over file bytes.
#pragma once

#include <cstdint>

namespace loco {

using fp16_t = uint16_t;  // IEEE half, stored as bits
using bf16_t = uint16_t;  // upper half of an IEEE float, stored as bits

constexpr int kQK = 32;    // values per block of the 32-value types
constexpr int kQK_K = 256; // values per super-block of the K-quants

struct BlockQ4_0 { fp16_t d; uint8_t qs[kQK / 2]; };
struct BlockQ4_1 { fp16_t d; fp16_t m; uint8_t qs[kQK / 2]; };
struct BlockQ5_0 { fp16_t d; uint8_t qh[4]; uint8_t qs[kQK / 2]; };
struct BlockQ5_1 { fp16_t d; fp16_t m; uint8_t qh[4]; uint8_t qs[kQK / 2]; };
struct BlockQ8_0 { fp16_t d; int8_t qs[kQK]; };
struct BlockQ2_K { uint8_t scales[kQK_K / 16]; uint8_t qs[kQK_K / 4]; fp16_t d; fp16_t dmin; };
struct BlockQ3_K { uint8_t hmask[kQK_K / 8]; uint8_t qs[kQK_K / 4]; uint8_t scales[12]; fp16_t d; };
struct BlockQ4_K { fp16_t d; fp16_t dmin; uint8_t scales[12]; uint8_t qs[kQK_K / 2]; };
struct BlockQ5_K { fp16_t d; fp16_t dmin; uint8_t scales[12]; uint8_t qh[kQK_K / 8]; uint8_t qs[kQK_K / 2]; };
struct BlockQ6_K { uint8_t ql[kQK_K / 2]; uint8_t qh[kQK_K / 4]; int8_t scales[kQK_K / 16]; fp16_t d; };

static_assert(sizeof(BlockQ4_0) == 18);
static_assert(sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22);
static_assert(sizeof(BlockQ5_1) == 24);
static_assert(sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ2_K) == 84);
static_assert(sizeof(BlockQ3_K) == 110);
static_assert(sizeof(BlockQ4_K) == 144);
static_assert(sizeof(BlockQ5_K) == 176);
static_assert(sizeof(BlockQ6_K) == 210);

// Activations quantized per 32 values: x ≈ d·q; `sum` = d·Σq lets types with an offset
// (Q4_1, Q5_1) fold the offset in with one multiply. Internal format, never stored.
struct BlockQ8A {
  float d;
  float sum;
  int8_t qs[kQK];
};
static_assert(sizeof(BlockQ8A) == 40);

// Activations quantized per 256 values for the K-quants, with the sum of each run of 16
// (the K-quants' sub-block minimums multiply those sums).
struct BlockQ8K {
  float d;
  int8_t qs[kQK_K];
  int16_t bsums[kQK_K / 16];
};
static_assert(sizeof(BlockQ8K) == 292);

}  // namespace loco
