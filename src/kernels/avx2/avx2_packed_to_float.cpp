// AVX2 dequantization of packed Q4_K and Q6_K groups (kernels/packed_q4k.h,
// packed_q6k.h) for training's transposed products, as avx512_packed_to_float.cpp does it
// with the group's 16 rows taken in two halves of 8: dword unpacks gather each row's
// values in order within a 128-bit lane, and the float expressions are the scalar
// reference's (multiply, then subtract: nothing fused), so the values are its bits.
#include <cstddef>

#include "kernels/avx2/avx2.h"
#include "kernels/packed_q4k.h"
#include "kernels/packed_q6k.h"
#include "tensor/blocks.h"

namespace loco::kernels::avx2 {
namespace {

inline __m256i load256(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }
inline __m256 halves8(const uint16_t* p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }
inline __m256 bytes8(const uint8_t* p) {
  return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
}

// rows[k]: lane L of register k holds row 8·half + 4L + k's 16 bytes; value(row, 8 bytes)
// gives 8 floats, written to the row's 16 values at `offset`.
template <class Value>
void store_rows(const __m256i (&rows)[4], int half, float* dst, int64_t dst_stride, int64_t offset, Value value) {
  for (int k = 0; k < 4; ++k) {
    alignas(32) uint8_t bytes[32];
    _mm256_store_si256(reinterpret_cast<__m256i*>(bytes), rows[k]);
    for (int lane = 0; lane < 2; ++lane) {
      const int row = 8 * half + 4 * lane + k;
      float* out = dst + row * dst_stride + offset;
      _mm256_storeu_ps(out, value(row, bytes + 16 * lane));
      _mm256_storeu_ps(out + 8, value(row, bytes + 16 * lane + 8));
    }
  }
}

}  // namespace

void packed_to_float_q4_k(const void* packed, int64_t n, int64_t group, int64_t b0, int64_t b1, float* dst,
                          int64_t dst_stride) {
  const auto* blocks = static_cast<const PackedQ4KBlock*>(packed) + group * (n / kQK_K);
  const __m256i low4 = _mm256_set1_epi8(0x0f);
  for (int64_t b = b0; b < b1; ++b, dst += kQK_K) {
    const PackedQ4KBlock& p = blocks[b];
    for (int j = 0; j < 8; ++j) {
      alignas(32) float scale[16], min[16];
      for (int half = 0; half < 2; ++half) {
        const __m256i sc = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p.scales[j] + 8 * half)));
        _mm256_store_ps(scale + 8 * half, _mm256_mul_ps(halves8(p.d + 8 * half), _mm256_cvtepi32_ps(sc)));
        const __m256i mins = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p.mins[j / 2][8 * half])));
        const __m256i m = _mm256_and_si256(_mm256_srli_epi32(mins, 8 * (j % 2)), _mm256_set1_epi32(0xff));
        _mm256_store_ps(min + 8 * half, _mm256_mul_ps(halves8(p.dmin + 8 * half), _mm256_cvtepi32_ps(m)));
      }
      const auto value = [&](int row, const uint8_t* level) {
        return _mm256_sub_ps(_mm256_mul_ps(_mm256_set1_ps(scale[row]), bytes8(level)), _mm256_set1_ps(min[row]));
      };
      for (int half = 0; half < 2; ++half) {
        // Pairs 4j + 2h and 4j + 2h + 1 make a row's 16 values (see the AVX-512 file).
        for (int h = 0; h < 2; ++h) {
          const __m256i q0 = load256(p.qs[4 * j + 2 * h] + 32 * half), q1 = load256(p.qs[4 * j + 2 * h + 1] + 32 * half);
          const __m256i lo0 = _mm256_and_si256(q0, low4), hi0 = _mm256_and_si256(_mm256_srli_epi16(q0, 4), low4);
          const __m256i lo1 = _mm256_and_si256(q1, low4), hi1 = _mm256_and_si256(_mm256_srli_epi16(q1, 4), low4);
          const __m256i a = _mm256_unpacklo_epi32(lo0, hi0), a2 = _mm256_unpackhi_epi32(lo0, hi0);
          const __m256i c = _mm256_unpacklo_epi32(lo1, hi1), c2 = _mm256_unpackhi_epi32(lo1, hi1);
          const __m256i rows[4] = {_mm256_unpacklo_epi64(a, c), _mm256_unpackhi_epi64(a, c),
                                   _mm256_unpacklo_epi64(a2, c2), _mm256_unpackhi_epi64(a2, c2)};
          store_rows(rows, half, dst, dst_stride, 32 * j + 16 * h, value);
        }
      }
    }
  }
}

void packed_to_float_q6_k(const void* packed, int64_t n, int64_t group, int64_t b0, int64_t b1, float* dst,
                          int64_t dst_stride) {
  const auto* blocks = static_cast<const PackedQ6KBlock*>(packed) + group * (n / kQK_K);
  const __m256 offset = _mm256_set1_ps(32.0f);
  for (int64_t b = b0; b < b1; ++b, dst += kQK_K) {
    const PackedQ6KBlock& p = blocks[b];
    for (int j = 0; j < 16; ++j) {
      alignas(32) float scale[16];
      for (int half = 0; half < 2; ++half) {
        const __m256i sc = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p.scales[j] + 8 * half)));
        _mm256_store_ps(scale + 8 * half, _mm256_mul_ps(halves8(p.d + 8 * half), _mm256_cvtepi32_ps(sc)));
      }
      // (d·sc)·(level − 32), as dequantize_q6_k: level − 32 is exact in float.
      const auto value = [&](int row, const uint8_t* level) {
        return _mm256_mul_ps(_mm256_set1_ps(scale[row]), _mm256_sub_ps(bytes8(level), offset));
      };
      for (int half = 0; half < 2; ++half) {
        const __m256i l0 = load256(p.ql[2 * j] + 32 * half), l1 = load256(p.ql[2 * j + 1] + 32 * half);
        const __m256i h = load256(p.qh[j] + 32 * half);
        __m256i q[4];
        q6k_levels(l0, l1, h, q);
        const __m256i a = _mm256_unpacklo_epi32(q[0], q[1]), a2 = _mm256_unpackhi_epi32(q[0], q[1]);
        const __m256i c = _mm256_unpacklo_epi32(q[2], q[3]), c2 = _mm256_unpackhi_epi32(q[2], q[3]);
        const __m256i rows[4] = {_mm256_unpacklo_epi64(a, c), _mm256_unpackhi_epi64(a, c),
                                 _mm256_unpacklo_epi64(a2, c2), _mm256_unpackhi_epi64(a2, c2)};
        store_rows(rows, half, dst, dst_stride, 16 * j, value);
      }
    }
  }
}

}  // namespace loco::kernels::avx2
