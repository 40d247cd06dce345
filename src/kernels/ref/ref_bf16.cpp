// The scalar reference of the bfloat16 products (kernels/bf16_gemm.h).
#include <cmath>

#include "kernels/bf16_gemm.h"
#include "tensor/fp16.h"

namespace loco::kernels {
namespace {

float flush_subnormal(float x) { return std::fpclassify(x) == FP_SUBNORMAL ? std::copysign(0.0f, x) : x; }

float bf16_input(uint16_t h) { return flush_subnormal(bf16_bits_to_float(h)); }

}  // namespace

void to_bf16_ref(const float* x, int64_t n, uint16_t* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = float_to_bf16_bits(x[i]);
}

void bf16_pairs_ref(const float* even, const float* odd, int64_t n, uint16_t* out) {
  for (int64_t j = 0; j < n; ++j) {
    out[2 * j] = float_to_bf16_bits(even[j]);
    out[2 * j + 1] = float_to_bf16_bits(odd[j]);
  }
}

void gemm_acc_bf16_ref(int64_t m, int64_t n, int64_t k2, const uint16_t* a, int64_t lda, const uint16_t* b,
                       int64_t ldb, float* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      float s = 0.0f;
      for (int64_t q = 0; q < k2; ++q) {
        const uint16_t* ai = a + i * lda + 2 * q;
        const uint16_t* bj = b + q * ldb + 2 * j;
        s = flush_subnormal(flush_subnormal(s) + bf16_input(ai[1]) * bf16_input(bj[1]));
        s = flush_subnormal(s + bf16_input(ai[0]) * bf16_input(bj[0]));
      }
      c[i * ldc + j] = c[i * ldc + j] + s;
    }
  }
}

}  // namespace loco::kernels
