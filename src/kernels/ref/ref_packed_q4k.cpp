// Packing Q4_K rows into PackedQ4KBlock groups, and the scalar reference of their product.
#include <cstring>

#include "kernels/kernels.h"
#include "kernels/packed_q4k.h"
#include "kernels/ref/ref_packed_rows.h"
#include "tensor/blocks.h"
#include "tensor/fp16.h"
#include "tensor/kquant_scales.h"

namespace loco::kernels {

void use_packed_q4k(TypeKernels& q4k,
                    void (*gemm)(int64_t, const void*, int64_t, int64_t, const void*, int64_t, int64_t, float*, int64_t),
                    void (*to_float)(const void*, int64_t, int64_t, int64_t, int64_t, float*, int64_t)) {
  use_packed(q4k, packed_q4k_bytes, pack_q4k, gemm, to_float);
}

void use_packed(TypeKernels& k, int64_t (*bytes)(int64_t, int64_t),
                void (*pack)(const void*, int64_t, int64_t, int64_t, void*),
                void (*gemm)(int64_t, const void*, int64_t, int64_t, const void*, int64_t, int64_t, float*, int64_t),
                void (*to_float)(const void*, int64_t, int64_t, int64_t, int64_t, float*, int64_t)) {
  k.pack_rows = kPackRows;
  k.packed_bytes = bytes;
  k.pack = pack;
  k.packed_gemm = gemm;
  k.packed_to_float = to_float;
}

int64_t packed_q4k_bytes(int64_t n, int64_t n_rows) {
  return (n_rows / kPackRows) * (n / kQK_K) * static_cast<int64_t>(sizeof(PackedQ4KBlock));
}

void pack_q4k(const void* w, int64_t w_stride, int64_t n, int64_t n_rows, void* dst) {
  const auto* src = static_cast<const uint8_t*>(w);
  auto* out = static_cast<PackedQ4KBlock*>(dst);
  const int64_t nb = n / kQK_K;
  for (int64_t g = 0; g < n_rows / kPackRows; ++g) {
    for (int64_t b = 0; b < nb; ++b) {
      PackedQ4KBlock& p = out[g * nb + b];
      for (int r = 0; r < kPackRows; ++r) {
        BlockQ4_K blk;
        std::memcpy(&blk, src + (g * kPackRows + r) * w_stride + b * static_cast<int64_t>(sizeof(BlockQ4_K)),
                    sizeof blk);
        p.d[r] = blk.d;
        p.dmin[r] = blk.dmin;
        for (int j = 0; j < 8; ++j) {
          const ScaleMin sm = unpack_scale_min_k4(blk.scales, j);
          p.scales[j][r] = sm.scale;
          p.mins[j / 2][r][j % 2] = sm.min;
        }
        // Values 64·run .. 64·run + 31 are the low nibbles of the run's 32 bytes, the next
        // 32 their high nibbles. Pair p (values 8p .. 8p + 7) therefore takes 8 bytes of
        // one run, low or high nibbles; its first four values go to the low nibbles.
        for (int pair = 0; pair < 32; ++pair) {
          const int run = pair / 8, within = pair % 8;
          const uint8_t* q = blk.qs + 32 * run + 8 * (within % 4);
          uint32_t first, second;
          std::memcpy(&first, q, 4);
          std::memcpy(&second, q + 4, 4);
          const uint32_t word = within < 4 ? (first & 0x0f0f0f0fu) | ((second & 0x0f0f0f0fu) << 4)
                                           : ((first >> 4) & 0x0f0f0f0fu) | (second & 0xf0f0f0f0u);
          std::memcpy(&p.qs[pair][4 * r], &word, 4);
        }
      }
    }
  }
}

void packed_q4k_to_float(const void* packed, int64_t n, int64_t group, int64_t b0, int64_t b1, float* out,
                         int64_t out_stride) {
  const auto* blocks = static_cast<const PackedQ4KBlock*>(packed) + group * (n / kQK_K);
  for (int lane = 0; lane < kPackRows; ++lane) {
    float* dst = out + lane * out_stride;
    for (int64_t b = b0; b < b1; ++b, dst += kQK_K) {
      const PackedQ4KBlock& p = blocks[b];
      const float d = half_to_float(p.d[lane]);
      const float dmin = half_to_float(p.dmin[lane]);
      for (int j = 0; j < 8; ++j) {
        const float scale = d * p.scales[j][lane];
        const float min = dmin * p.mins[j / 2][lane][j % 2];
        for (int pair = 4 * j; pair < 4 * j + 4; ++pair) {
          for (int i = 0; i < 4; ++i) {
            const uint8_t byte = p.qs[pair][4 * lane + i];
            dst[8 * pair + i] = scale * static_cast<float>(byte & 15) - min;
            dst[8 * pair + 4 + i] = scale * static_cast<float>(byte >> 4) - min;
          }
        }
      }
    }
  }
}

void packed_q4k_gemm_ref(int64_t n, const void* packed, int64_t row0, int64_t n_rows, const void* act,
                         int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  const auto block_value = [](const PackedQ4KBlock& p, int lane, const BlockQ8K& a) {
    int32_t isum = 0, imin = 0;
    for (int j = 0; j < 8; ++j) {
      int32_t dot = 0;
      for (int pair = 4 * j; pair < 4 * j + 4; ++pair) {
        for (int i = 0; i < 4; ++i) {
          const uint8_t byte = p.qs[pair][4 * lane + i];
          dot += (byte & 15) * a.qs[8 * pair + i] + (byte >> 4) * a.qs[8 * pair + 4 + i];
        }
      }
      isum += p.scales[j][lane] * dot;
      imin += p.mins[j / 2][lane][j % 2] * (a.bsums[2 * j] + a.bsums[2 * j + 1]);
    }
    const float da = a.d;
    const float ds = half_to_float(p.d[lane]) * da;
    const float ms = half_to_float(p.dmin[lane]) * da;
    return static_cast<float>(isum) * ds - static_cast<float>(imin) * ms;
  };
  packed_rows_ref<PackedQ4KBlock, BlockQ8K>(n, packed, row0, n_rows, act, act_stride, n_tokens, y, y_stride,
                                  [&](float acc, const PackedQ4KBlock& p, int lane, const BlockQ8K* a) {
                                    return acc + block_value(p, lane, *a);
                                  });
}

}  // namespace loco::kernels
