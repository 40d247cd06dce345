// The scalar reference of training's int8 transposed products (kernels/int8_gemm.h).
#include <cmath>
#include <cstring>

#include "kernels/int8_gemm.h"
#include "tensor/blocks.h"

namespace loco::kernels {

void quantize_tile_int8_ref(const float* rows, int64_t ld, int64_t n, uint8_t* out, float* scale) {
  for (int64_t j = 0; j < n; ++j) {
    float amax = 0.0f;
    for (int64_t o = 0; o < kInt8Run; ++o) amax = std::fmax(amax, std::fabs(rows[o * ld + j]));
    const float id = amax > 0.0f ? 127.0f / amax : 0.0f;
    scale[j] = amax / 127.0f;
    for (int64_t o = 0; o < kInt8Run; ++o) {
      const int q = static_cast<int>(std::nearbyint(rows[o * ld + j] * id));
      out[((o / 4) * n + j) * 4 + o % 4] = static_cast<uint8_t>(q + 128);
    }
  }
}

void gemm_acc_int8_ref(int64_t m, int64_t n, const void* act, int64_t act_stride, const uint8_t* b,
                       const float* scale, float* c, int64_t ldc) {
  for (int64_t t = 0; t < m; ++t) {
    BlockQ8K a;
    std::memcpy(&a, static_cast<const uint8_t*>(act) + t * act_stride, sizeof a);
    for (int64_t j = 0; j < n; ++j) {
      int32_t isum = 0;
      for (int64_t o = 0; o < kInt8Run; ++o) {
        isum += (static_cast<int32_t>(b[((o / 4) * n + j) * 4 + o % 4]) - 128) * a.qs[o];
      }
      c[t * ldc + j] = c[t * ldc + j] + (static_cast<float>(isum) * scale[j]) * a.d;
    }
  }
}

}  // namespace loco::kernels
