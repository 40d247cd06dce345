// Packing Q6_K rows into PackedQ6KBlock groups, and the scalar reference of their product.
#include <cstring>

#include "kernels/kernels.h"
#include "kernels/packed_q6k.h"
#include "kernels/ref/ref_packed_rows.h"
#include "tensor/blocks.h"
#include "tensor/fp16.h"

namespace loco::kernels {

void use_packed_q6k(TypeKernels& q6k,
                    void (*gemm)(int64_t, const void*, int64_t, int64_t, const void*, int64_t, int64_t, float*, int64_t),
                    void (*to_float)(const void*, int64_t, int64_t, int64_t, int64_t, float*, int64_t)) {
  use_packed(q6k, packed_q6k_bytes, pack_q6k, gemm, to_float);
}

int64_t packed_q6k_bytes(int64_t n, int64_t n_rows) {
  return (n_rows / kPackRows) * (n / kQK_K) * static_cast<int64_t>(sizeof(PackedQ6KBlock));
}

namespace {

// q6k_level for all 256 values, in loops the compiler vectorizes (packing a 4B model's
// Q6_K matrices reads 700 MB at load).
void unpack_levels(const BlockQ6_K& blk, uint8_t* level) {
  for (int half = 0; half < 2; ++half) {
    const uint8_t* ql = blk.ql + 64 * half;
    const uint8_t* qh = blk.qh + 32 * half;
    uint8_t* out = level + 128 * half;
    for (int l = 0; l < 32; ++l) {
      out[l] = static_cast<uint8_t>((ql[l] & 15) | ((qh[l] & 3) << 4));
      out[l + 32] = static_cast<uint8_t>((ql[l + 32] & 15) | (((qh[l] >> 2) & 3) << 4));
      out[l + 64] = static_cast<uint8_t>((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4));
      out[l + 96] = static_cast<uint8_t>((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4));
    }
  }
}

}  // namespace

void pack_q6k(const void* w, int64_t w_stride, int64_t n, int64_t n_rows, void* dst) {
  const auto* src = static_cast<const uint8_t*>(w);
  auto* out = static_cast<PackedQ6KBlock*>(dst);
  const int64_t nb = n / kQK_K;
  for (int64_t g = 0; g < n_rows / kPackRows; ++g) {
    for (int64_t b = 0; b < nb; ++b) {
      PackedQ6KBlock& p = out[g * nb + b];
      for (int r = 0; r < kPackRows; ++r) {
        BlockQ6_K blk;
        std::memcpy(&blk, src + (g * kPackRows + r) * w_stride + b * static_cast<int64_t>(sizeof(BlockQ6_K)),
                    sizeof blk);
        p.d[r] = blk.d;
        for (int j = 0; j < 16; ++j) p.scales[j][r] = blk.scales[j];
        uint8_t level[kQK_K];
        unpack_levels(blk, level);
        for (int pair = 0; pair < 32; ++pair) {
          const uint8_t* x = level + 8 * pair;
          for (int i = 0; i < 4; ++i) p.ql[pair][4 * r + i] = static_cast<uint8_t>((x[i] & 15) | ((x[i + 4] & 15) << 4));
        }
        for (int j = 0; j < 16; ++j) {
          const uint8_t* x = level + 16 * j;
          for (int i = 0; i < 4; ++i) {
            p.qh[j][4 * r + i] = static_cast<uint8_t>((x[i] >> 4) | ((x[4 + i] >> 4) << 2) | ((x[8 + i] >> 4) << 4) |
                                                      ((x[12 + i] >> 4) << 6));
          }
        }
      }
    }
  }
}

namespace {

int packed_level(const PackedQ6KBlock& p, int lane, int v) {
  const int pair = v / 8, i = v % 8;
  const uint8_t low = p.ql[pair][4 * lane + i % 4];
  const uint8_t top = p.qh[v / 16][4 * lane + v % 4];
  return ((i < 4 ? low : low >> 4) & 15) | (((top >> (2 * ((v % 16) / 4))) & 3) << 4);
}

}  // namespace

void packed_q6k_to_float(const void* packed, int64_t n, int64_t group, int64_t b0, int64_t b1, float* out,
                         int64_t out_stride) {
  const auto* blocks = static_cast<const PackedQ6KBlock*>(packed) + group * (n / kQK_K);
  for (int lane = 0; lane < kPackRows; ++lane) {
    float* dst = out + lane * out_stride;
    for (int64_t b = b0; b < b1; ++b, dst += kQK_K) {
      const PackedQ6KBlock& p = blocks[b];
      const float d = half_to_float(p.d[lane]);
      for (int v = 0; v < kQK_K; ++v) {
        // dequantize_q6_k's expression, so the values are the same bits.
        dst[v] = d * static_cast<float>(p.scales[v / 16][lane]) * (packed_level(p, lane, v) - 32);
      }
    }
  }
}

void packed_q6k_gemm_ref(int64_t n, const void* packed, int64_t row0, int64_t n_rows, const void* act,
                         int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  const auto block_value = [](const PackedQ6KBlock& p, int lane, const BlockQ8K& a) {
    int32_t isum = 0, ioff = 0;
    for (int j = 0; j < 16; ++j) {
      int32_t dot = 0;
      for (int v = 16 * j; v < 16 * j + 16; ++v) dot += packed_level(p, lane, v) * a.qs[v];
      isum += p.scales[j][lane] * dot;
      ioff += p.scales[j][lane] * a.bsums[j];
    }
    const float ds = half_to_float(p.d[lane]) * a.d;
    return static_cast<float>(isum - 32 * ioff) * ds;
  };
  packed_rows_ref<PackedQ6KBlock, BlockQ8K>(n, packed, row0, n_rows, act, act_stride, n_tokens, y, y_stride,
                                  [&](float acc, const PackedQ6KBlock& p, int lane, const BlockQ8K* a) {
                                    return acc + block_value(p, lane, *a);
                                  });
}

}  // namespace loco::kernels
