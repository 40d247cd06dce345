// Packing Q8_0 rows into PackedQ8_0Block groups, and the scalar reference of their product.
#include <cstring>

#include "kernels/kernels.h"
#include "kernels/packed_q8_0.h"
#include "kernels/ref/ref_packed_rows.h"
#include "tensor/blocks.h"
#include "tensor/fp16.h"

namespace loco::kernels {

void use_packed_q8_0(TypeKernels& q8_0,
                     void (*gemm)(int64_t, const void*, int64_t, int64_t, const void*, int64_t, int64_t, float*, int64_t),
                     void (*to_float)(const void*, int64_t, int64_t, int64_t, int64_t, float*, int64_t)) {
  use_packed(q8_0, packed_q8_0_bytes, pack_q8_0, gemm, to_float);
}

int64_t packed_q8_0_bytes(int64_t n, int64_t n_rows) {
  return (n_rows / kPackRows) * (n / kQK_K) * static_cast<int64_t>(sizeof(PackedQ8_0Block));
}

void pack_q8_0(const void* w, int64_t w_stride, int64_t n, int64_t n_rows, void* dst) {
  const auto* src = static_cast<const uint8_t*>(w);
  auto* out = static_cast<PackedQ8_0Block*>(dst);
  const int64_t nb = n / kQK_K;
  for (int64_t g = 0; g < n_rows / kPackRows; ++g) {
    for (int64_t b = 0; b < nb; ++b) {
      PackedQ8_0Block& p = out[g * nb + b];
      for (int r = 0; r < kPackRows; ++r) {
        const uint8_t* row = src + (g * kPackRows + r) * w_stride + b * 8 * static_cast<int64_t>(sizeof(BlockQ8_0));
        for (int k = 0; k < 8; ++k) {
          BlockQ8_0 blk;
          std::memcpy(&blk, row + k * static_cast<int64_t>(sizeof(BlockQ8_0)), sizeof blk);
          p.d[k][r] = blk.d;
          // Four values at a time, + 128 as a flip of each byte's top bit (packing a Q8_0
          // model moves 4 GB at load).
          for (int quad = 0; quad < 8; ++quad) {
            uint32_t four;
            std::memcpy(&four, blk.qs + 4 * quad, 4);
            four ^= 0x80808080u;
            std::memcpy(&p.qs[8 * k + quad][4 * r], &four, 4);
          }
        }
      }
    }
  }
}

namespace {

// Value v (0..255) of a super-block of row `lane`, as the file's signed level.
int packed_q(const PackedQ8_0Block& p, int lane, int v) { return p.qs[v / 4][4 * lane + v % 4] - 128; }

}  // namespace

void packed_q8_0_to_float(const void* packed, int64_t n, int64_t group, int64_t b0, int64_t b1, float* out,
                          int64_t out_stride) {
  const auto* blocks = static_cast<const PackedQ8_0Block*>(packed) + group * (n / kQK_K);
  for (int lane = 0; lane < kPackRows; ++lane) {
    float* dst = out + lane * out_stride;
    for (int64_t b = b0; b < b1; ++b, dst += kQK) {
      const PackedQ8_0Block& p = blocks[b / 8];
      const int k = static_cast<int>(b % 8);
      // dequantize_q8_0's expression, so the values are the same bits.
      const float d = half_to_float(p.d[k][lane]);
      for (int i = 0; i < kQK; ++i) dst[i] = d * static_cast<float>(packed_q(p, lane, 32 * k + i));
    }
  }
}

void packed_q8_0_gemm_ref(int64_t n, const void* packed, int64_t row0, int64_t n_rows, const void* act,
                          int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  const auto add_block = [](float acc, const PackedQ8_0Block& p, int lane, const BlockQ8A* a) {
    for (int k = 0; k < 8; ++k) {
      int32_t isum = 0, asum = 0;
      for (int i = 0; i < kQK; ++i) {
        isum += p.qs[8 * k + i / 4][4 * lane + i % 4] * a[k].qs[i];
        asum += a[k].qs[i];
      }
      const float ds = half_to_float(p.d[k][lane]) * a[k].d;
      acc = acc + static_cast<float>(isum - 128 * asum) * ds;
    }
    return acc;
  };
  packed_rows_ref<PackedQ8_0Block, BlockQ8A>(n, packed, row0, n_rows, act, act_stride, n_tokens, y, y_stride,
                                             add_block);
}

}  // namespace loco::kernels
