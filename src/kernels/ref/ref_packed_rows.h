// The scalar references' walk over a packed product (packed_q4k.h, packed_q6k.h,
// packed_q8_0.h): each
// row's lane in its group of kPackRows, each token, the super-blocks summed in order as
// the fast kernels sum them, so that both give the same bits.
#pragma once

#include <cstdint>

#include "kernels/packed_q4k.h"
#include "tensor/blocks.h"

namespace loco::kernels {

// add_block(float acc, const Block& p, int lane, const Act* a) adds one super-block's terms
// to acc, in order, with a the super-block's activations (one BlockQ8K, or eight BlockQ8A).
template <class Block, class Act, class AddBlock>
void packed_rows_ref(int64_t n, const void* packed, int64_t row0, int64_t n_rows, const void* act,
                     int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride, AddBlock add_block) {
  constexpr int64_t kActsPerBlock = static_cast<int64_t>(sizeof(Act)) == static_cast<int64_t>(sizeof(BlockQ8K)) ? 1 : 8;
  const auto* blocks = static_cast<const Block*>(packed);
  const auto* acts = static_cast<const uint8_t*>(act);
  const int64_t nb = n / kQK_K;
  for (int64_t r = 0; r < n_rows; ++r) {
    const int64_t g = (row0 + r) / kPackRows;
    const int lane = static_cast<int>((row0 + r) % kPackRows);
    for (int64_t t = 0; t < n_tokens; ++t) {
      const auto* a = reinterpret_cast<const Act*>(acts + t * act_stride);
      float acc = 0.0f;
      for (int64_t b = 0; b < nb; ++b) acc = add_block(acc, blocks[g * nb + b], lane, a + b * kActsPerBlock);
      y[t * y_stride + r] = acc;
    }
  }
}

}  // namespace loco::kernels
