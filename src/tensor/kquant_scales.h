// Packing of the sub-block scales of the K-quants, shared by every kernel that reads or
// writes those blocks (see docs in ../shared/docs/gguf-formats.md).
#pragma once

#include <cstdint>

namespace loco {

// Q4_K / Q5_K: eight 6-bit scales and eight 6-bit minimums in 12 bytes. Sub-blocks 0-3
// keep theirs in the low 6 bits of bytes 0-7; sub-blocks 4-7 keep their low 4 bits in
// the nibbles of bytes 8-11 and their top 2 bits in the spare top bits of bytes 0-7.
struct ScaleMin {
  uint8_t scale;
  uint8_t min;
};

inline ScaleMin unpack_scale_min_k4(const uint8_t* packed, int j) {
  if (j < 4) {
    return {static_cast<uint8_t>(packed[j] & 63), static_cast<uint8_t>(packed[j + 4] & 63)};
  }
  return {static_cast<uint8_t>((packed[j + 4] & 15) | ((packed[j - 4] >> 6) << 4)),
          static_cast<uint8_t>((packed[j + 4] >> 4) | ((packed[j] >> 6) << 4))};
}

// Writes scale and min (each 0..63) of sub-block j; `packed` must start zeroed.
inline void pack_scale_min_k4(uint8_t* packed, int j, int scale, int min) {
  if (j < 4) {
    packed[j] = static_cast<uint8_t>(packed[j] | scale);
    packed[j + 4] = static_cast<uint8_t>(packed[j + 4] | min);
  } else {
    packed[j + 4] = static_cast<uint8_t>((scale & 15) | ((min & 15) << 4));
    packed[j - 4] = static_cast<uint8_t>(packed[j - 4] | ((scale >> 4) << 6));
    packed[j] = static_cast<uint8_t>(packed[j] | ((min >> 4) << 6));
  }
}

// Q3_K: sixteen 6-bit scales stored with a +32 bias. The low 4 bits of scale j are a
// nibble of byte j % 8 (low nibble for j < 8); the top 2 bits are bits 2·(j/4) of byte
// 8 + j % 4. Returns the signed scale (-32..31).
inline int unpack_scale_q3k(const uint8_t* packed, int j) {
  const int low = j < 8 ? (packed[j] & 15) : (packed[j - 8] >> 4);
  const int high = (packed[8 + j % 4] >> (2 * (j / 4))) & 3;
  return (low | (high << 4)) - 32;
}

// Writes the biased scale (0..63) of sub-block j; `packed` must start zeroed.
inline void pack_scale_q3k(uint8_t* packed, int j, int biased) {
  if (j < 8) {
    packed[j] = static_cast<uint8_t>(packed[j] | (biased & 15));
  } else {
    packed[j - 8] = static_cast<uint8_t>(packed[j - 8] | ((biased & 15) << 4));
  }
  packed[8 + j % 4] = static_cast<uint8_t>(packed[8 + j % 4] | ((biased >> 4) << (2 * (j / 4))));
}

// Q6_K: value v of a super-block as its unsigned level 0..63 (the stored value is
// level − 32). Per half of 128 values, value w takes the low nibble of ql[w] (w < 64) or
// the high nibble of ql[w − 64]; its top 2 bits are bits 2·(w/32) of qh[w % 32].
inline int q6k_level(const uint8_t* ql, const uint8_t* qh, int v) {
  const int half = v / 128;
  const int w = v % 128;
  const uint8_t* low_bytes = ql + 64 * half;
  const int low = w < 64 ? (low_bytes[w] & 15) : (low_bytes[w - 64] >> 4);
  const int top = (qh[32 * half + w % 32] >> (2 * (w / 32))) & 3;
  return low | (top << 4);
}

}  // namespace loco
