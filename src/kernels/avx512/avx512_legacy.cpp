// AVX-512 build of the 256-bit kernels (32-value types, Q2_K, Q3_K, Q8_0 rows): with
// AVX512-VL and VNNI the byte and word dot products are single instructions, and the
// 32 vector registers allow a tile of 8 tokens.
#include <cstddef>

#include "kernels/avx512/avx512.h"
#include "kernels/gemm_driver.h"
#include "tensor/blocks.h"

namespace loco::kernels::avx512 {
namespace {

constexpr int kMaxTokens256 = 8;

inline __m256i dot_u8s8(__m256i acc, __m256i u, __m256i s) { return _mm256_dpbusd_epi32(acc, u, s); }
inline __m256i dot_s16(__m256i acc, __m256i a, __m256i b) { return _mm256_dpwssd_epi32(acc, a, b); }
inline __m256i bits_to_bytes(uint32_t bits) { return _mm256_movm_epi8(bits); }

}  // namespace

#include "kernels/avx2/kernels256.inc"

}  // namespace loco::kernels::avx512
