// AVX-512 (VNNI) kernels of the K-quants used by current models: Q4_K, Q5_K and Q6_K,
// as row kernels for gemm_driver.h (one weight row times up to 16 tokens).
//
// A super-block of 256 weights is unpacked once into four registers of 64 unsigned
// levels laid out like the activations' qs (register j holds values 64j..64j+63), so
// each token then costs per register one vpmaddubsw (level × activation, pairs summed
// to int16, which cannot saturate: 63·127·2 < 2^15) and one vpdpwssd that multiplies
// the pair sums by the sub-block scales, broadcast to the matching int16 positions,
// and accumulates them as int32. The integer result of a super-block is exact; it is
// converted to float once per super-block and token.
//
// Offsets that make the levels unsigned are folded back in with the activations'
// bsums: the minimums of Q4_K/Q5_K (x = d·sc·q − dmin·m) and the −32 of Q6_K.
#include <cstddef>

#include "kernels/avx512/avx512.h"
#include "kernels/gemm_driver.h"
#include "tensor/blocks.h"

namespace loco::kernels::avx512 {
namespace {

// Byte offsets inside BlockQ8K.
constexpr int kActQs = 4;
constexpr int kActBsums = 4 + kQK_K;

inline __m512i load512(const uint8_t* p) { return _mm512_loadu_si512(p); }
inline __m256i load256(const uint8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}
inline __m512i broadcast256(const uint8_t* p) { return _mm512_broadcast_i64x4(load256(p)); }

// An index vector whose low 16 words are `lo` and high 16 words are `hi`.
inline __m512i halves_epi16(int lo, int hi) {
  return _mm512_inserti64x4(_mm512_set1_epi16(static_cast<int16_t>(lo)),
                            _mm256_set1_epi16(static_cast<int16_t>(hi)), 1);
}

// The per-token step shared by the three types: Σ_j scale_j · (q_j · a_j) over the four
// registers of a super-block, starting from `init` (the folded-in offsets).
inline __m512i super_block_dot(const __m512i q[4], const __m512i sc[4], const uint8_t* a_qs,
                               __m512i init) {
  __m512i sum = _mm512_dpwssd_epi32(init, _mm512_maddubs_epi16(q[0], load512(a_qs)), sc[0]);
  sum = _mm512_dpwssd_epi32(sum, _mm512_maddubs_epi16(q[1], load512(a_qs + 64)), sc[1]);
  sum = _mm512_dpwssd_epi32(sum, _mm512_maddubs_epi16(q[2], load512(a_qs + 128)), sc[2]);
  return _mm512_dpwssd_epi32(sum, _mm512_maddubs_epi16(q[3], load512(a_qs + 192)), sc[3]);
}

// ---- Q4_K and Q5_K: x = d·sc·q − dmin·m per sub-block of 32 ----

// Sub-block scales (words 0-7) and minimums (words 8-15) as int16, spread to the
// positions the levels take: register j holds sub-block 2j in its low half and 2j+1
// in its high half; the minimums are doubled so each meets one bsum of 16 values.
struct ScalesK4 {
  __m512i sc[4];
  __m256i mins;
};

// Byte shuffles (vpshufb, in-lane) of the 16 unpacked bytes broadcast to every lane: a
// control byte with the top bit set gives zero, so each word is a zero-extended byte.
inline __m512i spread_control_k4(int lo, int hi) {
  const __m256i lo_words = _mm256_set1_epi16(static_cast<int16_t>(0x8000 | lo));
  const __m256i hi_words = _mm256_set1_epi16(static_cast<int16_t>(0x8000 | hi));
  return _mm512_inserti64x4(_mm512_castsi256_si512(lo_words), hi_words, 1);
}

inline ScalesK4 spread_scales_k4(const uint8_t* packed) {
  const __m128i sm = unpack_scales_k4(packed);
  const __m512i all = _mm512_broadcast_i32x4(sm);
  ScalesK4 s;
  for (int j = 0; j < 4; ++j) s.sc[j] = _mm512_shuffle_epi8(all, spread_control_k4(2 * j, 2 * j + 1));
  const __m256i pairs = _mm256_setr_epi8(8, -128, 8, -128, 9, -128, 9, -128, 10, -128, 10, -128, 11, -128, 11, -128,
                                         12, -128, 12, -128, 13, -128, 13, -128, 14, -128, 14, -128, 15, -128, 15, -128);
  s.mins = _mm256_shuffle_epi8(_mm512_castsi512_si256(all), pairs);
  return s;
}

// Four registers of low nibbles: the 32 bytes of run j go to both halves, the high half
// shifted down by 4 so it yields the high nibbles (sub-block 2j+1).
inline void unpack_nibbles_k4(const uint8_t* qs, __m512i q[4]) {
  const __m512i shift = halves_epi16(0, 4);
  const __m512i low4 = _mm512_set1_epi8(0x0f);
  for (int j = 0; j < 4; ++j) q[j] = _mm512_and_si512(_mm512_srlv_epi16(broadcast256(qs + 32 * j), shift), low4);
}

// Adds d_a·(d·Σ sc·dot − dmin·Σ m·bsum) of one token to acc.
inline __m512 accumulate_k4(const __m512i q[4], const ScalesK4& s, __m512 d, __m512 neg_dmin,
                            const uint8_t* a, __m512 acc) {
  const __m512i dot = super_block_dot(q, s.sc, a + kActQs, _mm512_setzero_si512());
  const __m256i mins = _mm256_madd_epi16(s.mins, load256(a + kActBsums));
  __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(dot), d);
  f = _mm512_fmadd_ps(_mm512_zextps256_ps512(_mm256_cvtepi32_ps(mins)), neg_dmin, f);
  return _mm512_fmadd_ps(f, _mm512_set1_ps(load_as<float>(a)), acc);
}

struct Q4K : RowTiles<Q4K> {
  static constexpr int kTokenTile = 8;
  static constexpr int kBlockValues = kQK_K;
  static constexpr int kActBlockBytes = sizeof(BlockQ8K);
  static constexpr int64_t kActBudget = kGemmL1Budget;
  static constexpr int64_t kChunkBlocks = kActBudget / (kTokenTile * kActBlockBytes);

  template <int T>
  static void row(const uint8_t* w_row, const uint8_t* act, int64_t act_stride, int64_t b0,
                  int64_t b1, float* out) {
    __m512 acc[T];
    for (int t = 0; t < T; ++t) acc[t] = _mm512_setzero_ps();
    for (int64_t b = b0; b < b1; ++b) {
      const uint8_t* blk = w_row + b * static_cast<int64_t>(sizeof(BlockQ4_K));
      prefetch_block(blk + kPrefetchBlocks * sizeof(BlockQ4_K), sizeof(BlockQ4_K));
      __m512i q[4];
      unpack_nibbles_k4(blk + offsetof(BlockQ4_K, qs), q);
      const ScalesK4 s = spread_scales_k4(blk + offsetof(BlockQ4_K, scales));
      const __m512 d = _mm512_set1_ps(fp16(load_as<uint16_t>(blk + offsetof(BlockQ4_K, d))));
      const __m512 neg_dmin = _mm512_set1_ps(-fp16(load_as<uint16_t>(blk + offsetof(BlockQ4_K, dmin))));
      const uint8_t* a = act + b * kActBlockBytes;
      for (int t = 0; t < T; ++t) acc[t] = accumulate_k4(q, s, d, neg_dmin, a + t * act_stride, acc[t]);
    }
    for (int t = 0; t < T; ++t) out[t] = hsum(acc[t]);
  }
};

// Q5_K: the Q4_K nibbles plus a fifth bit, bit i of qh[k] for value k of sub-block i.
struct Q5K : RowTiles<Q5K> {
  static constexpr int kTokenTile = 8;
  static constexpr int kBlockValues = kQK_K;
  static constexpr int kActBlockBytes = sizeof(BlockQ8K);
  static constexpr int64_t kActBudget = kGemmL1Budget;
  static constexpr int64_t kChunkBlocks = kActBudget / (kTokenTile * kActBlockBytes);

  template <int T>
  static void row(const uint8_t* w_row, const uint8_t* act, int64_t act_stride, int64_t b0,
                  int64_t b1, float* out) {
    __m512 acc[T];
    for (int t = 0; t < T; ++t) acc[t] = _mm512_setzero_ps();
    const __m512i sixteen = _mm512_set1_epi8(16);
    for (int64_t b = b0; b < b1; ++b) {
      const uint8_t* blk = w_row + b * static_cast<int64_t>(sizeof(BlockQ5_K));
      prefetch_block(blk + kPrefetchBlocks * sizeof(BlockQ5_K), sizeof(BlockQ5_K));
      __m512i q[4];
      unpack_nibbles_k4(blk + offsetof(BlockQ5_K, qs), q);
      const __m512i qh = broadcast256(blk + offsetof(BlockQ5_K, qh));
      for (int j = 0; j < 4; ++j) {
        const __m512i bit = _mm512_inserti64x4(_mm512_set1_epi8(static_cast<char>(1 << (2 * j))),
                                               _mm256_set1_epi8(static_cast<char>(1 << (2 * j + 1))), 1);
        q[j] = _mm512_mask_add_epi8(q[j], _mm512_test_epi8_mask(qh, bit), q[j], sixteen);
      }
      const ScalesK4 s = spread_scales_k4(blk + offsetof(BlockQ5_K, scales));
      const __m512 d = _mm512_set1_ps(fp16(load_as<uint16_t>(blk + offsetof(BlockQ5_K, d))));
      const __m512 neg_dmin = _mm512_set1_ps(-fp16(load_as<uint16_t>(blk + offsetof(BlockQ5_K, dmin))));
      const uint8_t* a = act + b * kActBlockBytes;
      for (int t = 0; t < T; ++t) acc[t] = accumulate_k4(q, s, d, neg_dmin, a + t * act_stride, acc[t]);
    }
    for (int t = 0; t < T; ++t) out[t] = hsum(acc[t]);
  }
};

// ---- Q6_K: x = d·scale·(q − 32), int8 scale per 16 values ----

struct Q6K : RowTiles<Q6K> {
  static constexpr int kTokenTile = 8;
  static constexpr int kBlockValues = kQK_K;
  static constexpr int kActBlockBytes = sizeof(BlockQ8K);
  static constexpr int64_t kActBudget = kGemmL1Budget;
  static constexpr int64_t kChunkBlocks = kActBudget / (kTokenTile * kActBlockBytes);

  // Per half of 128 values: register 2h holds values 0-63 (low nibbles of ql[0..63],
  // top bits 0-1 then 2-3 of qh), register 2h+1 values 64-127 (high nibbles, top bits
  // 4-5 then 6-7); the top bits are moved to bits 4-5 of each byte.
  static void unpack(const uint8_t* blk, __m512i q[4]) {
    const __m512i low4 = _mm512_set1_epi8(0x0f);
    const __m512i top2 = _mm512_set1_epi8(0x30);
    const __m512i up = halves_epi16(4, 2);
    const __m512i down = halves_epi16(0, 2);
    for (int h = 0; h < 2; ++h) {
      const __m512i ql = load512(blk + offsetof(BlockQ6_K, ql) + 64 * h);
      const __m512i qh = broadcast256(blk + offsetof(BlockQ6_K, qh) + 32 * h);
      q[2 * h] = _mm512_or_si512(_mm512_and_si512(ql, low4),
                                 _mm512_and_si512(_mm512_sllv_epi16(qh, up), top2));
      q[2 * h + 1] = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), low4),
                                     _mm512_and_si512(_mm512_srlv_epi16(qh, down), top2));
    }
  }

  template <int T>
  static void row(const uint8_t* w_row, const uint8_t* act, int64_t act_stride, int64_t b0,
                  int64_t b1, float* out) {
    __m512 acc[T];
    for (int t = 0; t < T; ++t) acc[t] = _mm512_setzero_ps();
    for (int64_t b = b0; b < b1; ++b) {
      const uint8_t* blk = w_row + b * static_cast<int64_t>(sizeof(BlockQ6_K));
      prefetch_block(blk + kPrefetchBlocks * sizeof(BlockQ6_K), sizeof(BlockQ6_K));
      __m512i q[4];
      unpack(blk, q);
      const __m256i sc16 = _mm256_cvtepi8_epi16(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk + offsetof(BlockQ6_K, scales))));
      const __m512i sc512 = _mm512_zextsi256_si512(sc16);
      __m512i sc[4];
      for (int j = 0; j < 4; ++j) {
        // 128-bit lane k of register j covers the 16 values of scale 4j + k.
        const __m512i idx = _mm512_inserti64x4(
            _mm512_castsi256_si512(_mm256_inserti128_si256(
                _mm256_castsi128_si256(_mm_set1_epi16(static_cast<int16_t>(4 * j))),
                _mm_set1_epi16(static_cast<int16_t>(4 * j + 1)), 1)),
            _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_set1_epi16(static_cast<int16_t>(4 * j + 2))),
                                    _mm_set1_epi16(static_cast<int16_t>(4 * j + 3)), 1),
            1);
        sc[j] = _mm512_permutexvar_epi16(idx, sc512);
      }
      // Σ scale·(q − 32)·a = Σ scale·q·a − 32·Σ scale·bsum.
      const __m256i offset_scales = _mm256_mullo_epi16(sc16, _mm256_set1_epi16(-32));
      const __m512 d = _mm512_set1_ps(fp16(load_as<uint16_t>(blk + offsetof(BlockQ6_K, d))));
      const uint8_t* a0 = act + b * kActBlockBytes;
      for (int t = 0; t < T; ++t) {
        const uint8_t* a = a0 + t * act_stride;
        const __m256i offset = _mm256_madd_epi16(offset_scales, load256(a + kActBsums));
        const __m512i dot = super_block_dot(q, sc, a + kActQs, _mm512_zextsi256_si512(offset));
        const __m512 scale = _mm512_mul_ps(d, _mm512_set1_ps(load_as<float>(a)));
        acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), scale, acc[t]);
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

// 16 bytes of levels to 16 floats.
inline __m512 levels_to_float(__m128i bytes) { return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(bytes)); }

}  // namespace

void dequantize_q4_k(const void* src, float* dst, int64_t n) {
  const auto* blocks = static_cast<const uint8_t*>(src);
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    const uint8_t* blk = blocks + b * static_cast<int64_t>(sizeof(BlockQ4_K));
    const float d = fp16(load_as<uint16_t>(blk + offsetof(BlockQ4_K, d)));
    const float dmin = fp16(load_as<uint16_t>(blk + offsetof(BlockQ4_K, dmin)));
    alignas(16) uint8_t sm[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(sm), unpack_scales_k4(blk + offsetof(BlockQ4_K, scales)));
    __m512i q[4];
    unpack_nibbles_k4(blk + offsetof(BlockQ4_K, qs), q);
    float* out = dst + b * kQK_K;
    for (int j = 0; j < 4; ++j) {
      alignas(64) uint8_t levels[64];
      _mm512_store_si512(levels, q[j]);
      for (int half = 0; half < 2; ++half) {
        const int sub = 2 * j + half;
        const __m512 scale = _mm512_set1_ps(d * static_cast<float>(sm[sub]));
        const __m512 min = _mm512_set1_ps(dmin * static_cast<float>(sm[8 + sub]));
        for (int k = 0; k < 2; ++k) {
          const __m128i bytes = _mm_load_si128(reinterpret_cast<const __m128i*>(levels + 32 * half + 16 * k));
          _mm512_storeu_ps(out + 32 * sub + 16 * k, _mm512_sub_ps(_mm512_mul_ps(scale, levels_to_float(bytes)), min));
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
    __m512i q[4];
    Q6K::unpack(blk, q);
    float* out = dst + b * kQK_K;
    for (int j = 0; j < 4; ++j) {
      alignas(64) uint8_t levels[64];
      _mm512_store_si512(levels, _mm512_sub_epi8(q[j], _mm512_set1_epi8(32)));
      for (int k = 0; k < 4; ++k) {
        const __m512 scale = _mm512_set1_ps(d * static_cast<float>(scales[4 * j + k]));
        const __m128i bytes = _mm_load_si128(reinterpret_cast<const __m128i*>(levels + 16 * k));
        _mm512_storeu_ps(out + 64 * j + 16 * k,
                         _mm512_mul_ps(scale, _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(bytes))));
      }
    }
  }
}

}  // namespace loco::kernels::avx512
