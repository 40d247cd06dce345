// AVX-512 dequantization of packed Q4_K and Q6_K groups (kernels/packed_q4k.h,
// packed_q6k.h) for training's transposed products: the 16 rows of a group are
// dequantized together, since a row's bytes are spread over the group's 64-byte runs.
// Dword unpacks gather each row's values in order within a 128-bit lane; the float
// expressions are the scalar reference's (multiply, then subtract: nothing fused), so
// the values are its bits.
#include <cstddef>

#include "kernels/avx512/avx512.h"
#include "kernels/packed_q4k.h"
#include "kernels/packed_q6k.h"
#include "tensor/blocks.h"

namespace loco::kernels::avx512 {
namespace {

inline __m512i load512(const void* p) { return _mm512_loadu_si512(p); }
inline __m512 halves16(const uint16_t* p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
inline __m512 bytes16(const uint8_t* p) {
  return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
}

// rows[k]: lane L of register k holds row 4L + k's 16 bytes; each becomes 16 floats
// value(row, level) written to the row's 16 values at `offset`.
template <class Value>
void store_rows(const __m512i (&rows)[4], float* dst, int64_t dst_stride, int64_t offset, Value value) {
  for (int k = 0; k < 4; ++k) {
    alignas(64) uint8_t bytes[64];
    _mm512_store_si512(bytes, rows[k]);
    for (int lane = 0; lane < 4; ++lane) {
      const int row = 4 * lane + k;
      _mm512_storeu_ps(dst + row * dst_stride + offset, value(row, bytes + 16 * lane));
    }
  }
}

}  // namespace

void packed_to_float_q4_k(const void* packed, int64_t n, int64_t group, int64_t b0, int64_t b1, float* dst,
                          int64_t dst_stride) {
  const auto* blocks = static_cast<const PackedQ4KBlock*>(packed) + group * (n / kQK_K);
  const __m512i low4 = _mm512_set1_epi8(0x0f);
  for (int64_t b = b0; b < b1; ++b, dst += kQK_K) {
    const PackedQ4KBlock& p = blocks[b];
    const __m512 d = halves16(p.d), dmin = halves16(p.dmin);
    for (int j = 0; j < 8; ++j) {
      alignas(64) float scale[16], min[16];
      _mm512_store_ps(scale, _mm512_mul_ps(d, bytes16(p.scales[j])));
      const __m512i mins = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.mins[j / 2])));
      const __m512i m = _mm512_and_si512(_mm512_srli_epi32(mins, 8 * (j % 2)), _mm512_set1_epi32(0xff));
      _mm512_store_ps(min, _mm512_mul_ps(dmin, _mm512_cvtepi32_ps(m)));
      // Two pairs of 8 values make a row's 16: pair 4j + 2h and 4j + 2h + 1.
      for (int h = 0; h < 2; ++h) {
        const __m512i q0 = load512(p.qs[4 * j + 2 * h]), q1 = load512(p.qs[4 * j + 2 * h + 1]);
        const __m512i lo0 = _mm512_and_si512(q0, low4), hi0 = _mm512_and_si512(_mm512_srli_epi16(q0, 4), low4);
        const __m512i lo1 = _mm512_and_si512(q1, low4), hi1 = _mm512_and_si512(_mm512_srli_epi16(q1, 4), low4);
        // Within a 128-bit lane (rows 4L..4L+3): a = [lo0 r, hi0 r, lo0 r+1, hi0 r+1], c likewise
        // from pair 1; their 64-bit unpacks put row r's 16 values in order.
        const __m512i a = _mm512_unpacklo_epi32(lo0, hi0), a2 = _mm512_unpackhi_epi32(lo0, hi0);
        const __m512i c = _mm512_unpacklo_epi32(lo1, hi1), c2 = _mm512_unpackhi_epi32(lo1, hi1);
        const __m512i rows[4] = {_mm512_unpacklo_epi64(a, c), _mm512_unpackhi_epi64(a, c),
                                 _mm512_unpacklo_epi64(a2, c2), _mm512_unpackhi_epi64(a2, c2)};
        store_rows(rows, dst, dst_stride, 32 * j + 16 * h, [&](int row, const uint8_t* level) {
          return _mm512_sub_ps(_mm512_mul_ps(_mm512_set1_ps(scale[row]), bytes16(level)), _mm512_set1_ps(min[row]));
        });
      }
    }
  }
}

void packed_to_float_q6_k(const void* packed, int64_t n, int64_t group, int64_t b0, int64_t b1, float* dst,
                          int64_t dst_stride) {
  const auto* blocks = static_cast<const PackedQ6KBlock*>(packed) + group * (n / kQK_K);
  const __m512 offset = _mm512_set1_ps(32.0f);
  for (int64_t b = b0; b < b1; ++b, dst += kQK_K) {
    const PackedQ6KBlock& p = blocks[b];
    const __m512 d = halves16(p.d);
    for (int j = 0; j < 16; ++j) {
      alignas(64) float scale[16];
      const __m512i sc = _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p.scales[j])));
      _mm512_store_ps(scale, _mm512_mul_ps(d, _mm512_cvtepi32_ps(sc)));
      const __m512i l0 = load512(p.ql[2 * j]), l1 = load512(p.ql[2 * j + 1]), h = load512(p.qh[j]);
      // Quad s of the sub-block: byte 4r + i is the level of value 16j + 4s + i of row r.
      __m512i q[4];
      q6k_levels(l0, l1, h, q);
      const __m512i a = _mm512_unpacklo_epi32(q[0], q[1]), a2 = _mm512_unpackhi_epi32(q[0], q[1]);
      const __m512i c = _mm512_unpacklo_epi32(q[2], q[3]), c2 = _mm512_unpackhi_epi32(q[2], q[3]);
      const __m512i rows[4] = {_mm512_unpacklo_epi64(a, c), _mm512_unpackhi_epi64(a, c),
                               _mm512_unpacklo_epi64(a2, c2), _mm512_unpackhi_epi64(a2, c2)};
      // (d·sc)·(level − 32), as dequantize_q6_k: level − 32 is exact in float.
      store_rows(rows, dst, dst_stride, 16 * j, [&](int row, const uint8_t* level) {
        return _mm512_mul_ps(_mm512_set1_ps(scale[row]), _mm512_sub_ps(bytes16(level), offset));
      });
    }
  }
}

}  // namespace loco::kernels::avx512
