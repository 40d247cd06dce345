// AVX2 kernels of Q4_K, Q5_K and Q6_K as row kernels for gemm_driver.h (one weight row
// times up to 4 tokens). Each register holds 32 unsigned levels laid out like the
// activations' qs; per token it costs a vpmaddubsw (pairs of level × activation, which
// cannot saturate: 63·127·2 < 2^15) and a vpmaddwd against the sub-block scales. The
// integer sum of a super-block is exact and converted to float once. Offsets that make
// the levels unsigned are folded back in with the activations' bsums.
#include <cstddef>

#include "kernels/avx2/avx2.h"
#include "kernels/gemm_driver.h"
#include "tensor/blocks.h"

namespace loco::kernels::avx2 {
namespace {

constexpr int kActQs = 4;
constexpr int kActBsums = 4 + kQK_K;
constexpr int kMaxTokens = 4;

inline __m256i load256(const uint8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

inline __m256i madd_add(__m256i acc, __m256i a, __m256i b) { return _mm256_add_epi32(acc, _mm256_madd_epi16(a, b)); }

// Q4_K / Q5_K: x = d·sc·q − dmin·m per sub-block of 32. The fifth bits of Q5_K (bit i of
// qh[k] for value k of sub-block i) come from `qh` when kFive.
template <bool kFive, int kBlockBytes, int kQsOffset>
struct K45 : RowTiles<K45<kFive, kBlockBytes, kQsOffset>> {
  static constexpr int kTokenTile = kMaxTokens;
  static constexpr int kBlockValues = kQK_K;
  static constexpr int kActBlockBytes = sizeof(BlockQ8K);
  static constexpr int64_t kActBudget = kGemmL1Budget;
  static constexpr int64_t kChunkBlocks = kActBudget / (kTokenTile * kActBlockBytes);

  template <int T>
  static void row(const uint8_t* w_row, const uint8_t* act, int64_t act_stride, int64_t b0,
                  int64_t b1, float* out) {
    __m256 acc[T];
    for (int t = 0; t < T; ++t) acc[t] = _mm256_setzero_ps();
    const __m256i low4 = _mm256_set1_epi8(0x0f);
    for (int64_t b = b0; b < b1; ++b) {
      const uint8_t* blk = w_row + b * kBlockBytes;
      prefetch_block(blk + kPrefetchBlocks * kBlockBytes, kBlockBytes);
      const __m128i sm = unpack_scales_k4(blk + 4);  // scales at byte 4 in both types
      // Scales as int16 in both lanes (picked per sub-block below); minimums doubled so
      // each meets one bsum of 16 values.
      const __m256i scales = _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(sm));
      const __m256i mins = _mm256_cvtepu8_epi16(
          _mm_shuffle_epi8(sm, _mm_setr_epi8(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15)));
      const __m256 d = _mm256_set1_ps(fp16(load_as<uint16_t>(blk)));
      const __m256 neg_dmin = _mm256_set1_ps(-fp16(load_as<uint16_t>(blk + 2)));
      const __m256i qh = kFive ? load256(blk + 16) : _mm256_setzero_si256();
      const uint8_t* a0 = act + b * kActBlockBytes;
      __m256i dot[T];
      for (int t = 0; t < T; ++t) dot[t] = _mm256_setzero_si256();
      for (int j = 0; j < 4; ++j) {
        const __m256i raw = load256(blk + kQsOffset + 32 * j);
        __m256i lo = _mm256_and_si256(raw, low4);
        __m256i hi = _mm256_and_si256(_mm256_srli_epi16(raw, 4), low4);
        if constexpr (kFive) {
          const __m256i one = _mm256_set1_epi8(1);
          lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * j), one), 4));
          hi = _mm256_or_si256(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * j + 1), one), 4));
        }
        const __m256i sc_lo = _mm256_shuffle_epi8(scales, _mm256_set1_epi16(static_cast<int16_t>(0x0100 * (4 * j + 1) + 4 * j)));
        const __m256i sc_hi = _mm256_shuffle_epi8(scales, _mm256_set1_epi16(static_cast<int16_t>(0x0100 * (4 * j + 3) + 4 * j + 2)));
        for (int t = 0; t < T; ++t) {
          const uint8_t* a = a0 + t * act_stride + kActQs + 64 * j;
          dot[t] = madd_add(dot[t], _mm256_maddubs_epi16(lo, load256(a)), sc_lo);
          dot[t] = madd_add(dot[t], _mm256_maddubs_epi16(hi, load256(a + 32)), sc_hi);
        }
      }
      for (int t = 0; t < T; ++t) {
        const uint8_t* a = a0 + t * act_stride;
        const __m256i m = _mm256_madd_epi16(mins, load256(a + kActBsums));
        __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(dot[t]), d);
        f = _mm256_fmadd_ps(_mm256_cvtepi32_ps(m), neg_dmin, f);
        acc[t] = _mm256_fmadd_ps(f, _mm256_set1_ps(load_as<float>(a)), acc[t]);
      }
    }
    for (int t = 0; t < T; ++t) out[t] = hsum(acc[t]);
  }
};

using Q4K = K45<false, sizeof(BlockQ4_K), offsetof(BlockQ4_K, qs)>;
using Q5K = K45<true, sizeof(BlockQ5_K), offsetof(BlockQ5_K, qs)>;

// Q6_K: x = d·scale·(q − 32), int8 scale per 16 values. Register k = 4h + s holds values
// 128h + 32s + i: the low nibble of ql[64h + 32(s%2) + i] (high nibble for s >= 2) and
// bits 2s of qh[32h + i] on top.
struct Q6K : RowTiles<Q6K> {
  static constexpr int kTokenTile = kMaxTokens;
  static constexpr int kBlockValues = kQK_K;
  static constexpr int kActBlockBytes = sizeof(BlockQ8K);
  static constexpr int64_t kActBudget = kGemmL1Budget;
  static constexpr int64_t kChunkBlocks = kActBudget / (kTokenTile * kActBlockBytes);

  static __m256i levels(const uint8_t* blk, int k) {
    const int h = k / 4, s = k % 4;
    const __m256i ql = load256(blk + offsetof(BlockQ6_K, ql) + 64 * h + 32 * (s % 2));
    const __m256i qh = load256(blk + offsetof(BlockQ6_K, qh) + 32 * h);
    const __m256i low = _mm256_and_si256(s < 2 ? ql : _mm256_srli_epi16(ql, 4), _mm256_set1_epi8(0x0f));
    const __m256i top = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * s), _mm256_set1_epi8(3));
    return _mm256_or_si256(low, _mm256_slli_epi16(top, 4));
  }

  template <int T>
  static void row(const uint8_t* w_row, const uint8_t* act, int64_t act_stride, int64_t b0,
                  int64_t b1, float* out) {
    __m256 acc[T];
    for (int t = 0; t < T; ++t) acc[t] = _mm256_setzero_ps();
    for (int64_t b = b0; b < b1; ++b) {
      const uint8_t* blk = w_row + b * static_cast<int64_t>(sizeof(BlockQ6_K));
      prefetch_block(blk + kPrefetchBlocks * sizeof(BlockQ6_K), sizeof(BlockQ6_K));
      const __m256i scales = _mm256_cvtepi8_epi16(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk + offsetof(BlockQ6_K, scales))));
      // Σ scale·(q − 32)·a = Σ scale·q·a − 32·Σ scale·bsum.
      const __m256i offset_scales = _mm256_mullo_epi16(scales, _mm256_set1_epi16(-32));
      const __m256 d = _mm256_set1_ps(fp16(load_as<uint16_t>(blk + offsetof(BlockQ6_K, d))));
      const uint8_t* a0 = act + b * kActBlockBytes;
      __m256i dot[T];
      for (int t = 0; t < T; ++t) dot[t] = _mm256_madd_epi16(offset_scales, load256(a0 + t * act_stride + kActBsums));
      for (int k = 0; k < 8; ++k) {
        const __m256i q = levels(blk, k);
        const __m256i sc = scale_pair(scales, k);
        for (int t = 0; t < T; ++t) {
          dot[t] = madd_add(dot[t], _mm256_maddubs_epi16(q, load256(a0 + t * act_stride + kActQs + 32 * k)), sc);
        }
      }
      for (int t = 0; t < T; ++t) {
        const __m256 scale = _mm256_mul_ps(d, _mm256_set1_ps(load_as<float>(a0 + t * act_stride)));
        acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot[t]), scale, acc[t]);
      }
    }
    for (int t = 0; t < T; ++t) out[t] = hsum(acc[t]);
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

// ---- Dequantization (embedding rows) ----

namespace {

inline __m256 bytes_to_float(__m128i eight_bytes, bool is_signed) {
  return _mm256_cvtepi32_ps(is_signed ? _mm256_cvtepi8_epi32(eight_bytes) : _mm256_cvtepu8_epi32(eight_bytes));
}

}  // namespace

void dequantize_q4_k(const void* src, float* dst, int64_t n) {
  const auto* blocks = static_cast<const uint8_t*>(src);
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    const uint8_t* blk = blocks + b * static_cast<int64_t>(sizeof(BlockQ4_K));
    const float d = fp16(load_as<uint16_t>(blk + offsetof(BlockQ4_K, d)));
    const float dmin = fp16(load_as<uint16_t>(blk + offsetof(BlockQ4_K, dmin)));
    alignas(16) uint8_t sm[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(sm), unpack_scales_k4(blk + offsetof(BlockQ4_K, scales)));
    float* out = dst + b * kQK_K;
    for (int j = 0; j < 4; ++j) {
      const __m256i raw = load256(blk + offsetof(BlockQ4_K, qs) + 32 * j);
      alignas(32) uint8_t levels[2][32];
      _mm256_store_si256(reinterpret_cast<__m256i*>(levels[0]), _mm256_and_si256(raw, _mm256_set1_epi8(0x0f)));
      _mm256_store_si256(reinterpret_cast<__m256i*>(levels[1]),
                         _mm256_and_si256(_mm256_srli_epi16(raw, 4), _mm256_set1_epi8(0x0f)));
      for (int half = 0; half < 2; ++half) {
        const int sub = 2 * j + half;
        const __m256 scale = _mm256_set1_ps(d * static_cast<float>(sm[sub]));
        const __m256 min = _mm256_set1_ps(dmin * static_cast<float>(sm[8 + sub]));
        for (int k = 0; k < 4; ++k) {
          const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(levels[half] + 8 * k));
          _mm256_storeu_ps(out + 32 * sub + 8 * k, _mm256_sub_ps(_mm256_mul_ps(scale, bytes_to_float(bytes, false)), min));
        }
      }
    }
  }
}

void dequantize_q6_k(const void* src, float* dst, int64_t n) {
  const auto* blocks = static_cast<const uint8_t*>(src);
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    const uint8_t* blk = blocks + b * static_cast<int64_t>(sizeof(BlockQ6_K));
    const float d = fp16(load_as<uint16_t>(blk + offsetof(BlockQ6_K, d)));
    const auto* scales = reinterpret_cast<const int8_t*>(blk + offsetof(BlockQ6_K, scales));
    float* out = dst + b * kQK_K;
    for (int k = 0; k < 8; ++k) {
      alignas(32) uint8_t levels[32];
      _mm256_store_si256(reinterpret_cast<__m256i*>(levels), _mm256_sub_epi8(Q6K::levels(blk, k), _mm256_set1_epi8(32)));
      for (int half = 0; half < 2; ++half) {
        const __m256 scale = _mm256_set1_ps(d * static_cast<float>(scales[2 * k + half]));
        for (int i = 0; i < 2; ++i) {
          const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(levels + 16 * half + 8 * i));
          _mm256_storeu_ps(out + 32 * k + 16 * half + 8 * i, _mm256_mul_ps(scale, bytes_to_float(bytes, true)));
        }
      }
    }
  }
}

}  // namespace loco::kernels::avx2
