// AVX2 build of the 256-bit kernels (32-value types, Q2_K, Q3_K): byte dot products are
// vpmaddubsw (pairs to int16) followed by vpmaddwd against ones; a tile of 4 tokens
// fits the 16 vector registers.
#include <cstddef>

#include "kernels/avx2/avx2.h"
#include "kernels/gemm_driver.h"
#include "tensor/blocks.h"

namespace loco::kernels::avx2 {
namespace {

constexpr int kMaxTokens256 = 4;

// The int16 pair sums cannot saturate for the operands used here: |u| <= 128 and
// |s| <= 127 give at most 2·128·127 < 2^15.
inline __m256i dot_u8s8(__m256i acc, __m256i u, __m256i s) {
  return _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1)));
}
inline __m256i dot_s16(__m256i acc, __m256i a, __m256i b) {
  return _mm256_add_epi32(acc, _mm256_madd_epi16(a, b));
}
// Byte i gets bit i: each byte picks the byte of `bits` it belongs to, then tests its bit.
inline __m256i bits_to_bytes(uint32_t bits) {
  const __m256i spread = _mm256_shuffle_epi8(
      _mm256_set1_epi32(static_cast<int>(bits)),
      _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,  //
                       2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3));
  const __m256i bit = _mm256_set1_epi64x(static_cast<long long>(0x8040201008040201ull));
  return _mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit);
}

}  // namespace

#include "kernels/avx2/kernels256.inc"

}  // namespace loco::kernels::avx2
