// The loop nest shared by the packed products (packed_q4k.h, packed_q6k.h): tokens in
// groups of Kernel::kTokens, the super-blocks in passes whose activations stay in L1, for
// Q4_K each token's 32-value sums paired as int16 once per pass (what `vpdpwssd` /
// `vpmaddwd` multiply the minimums by), then every row group of the call.
//
// No intrinsics here: every instantiation is keyed by an instruction-set specific Kernel
// type (as in gemm_driver.h), so no two instruction sets share a compiled function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/packed_q4k.h"
#include "tensor/blocks.h"

namespace loco::kernels {

constexpr int64_t kPackedMaxPassBlocks = 64;
constexpr int64_t kPackedActBudget = 32 * 1024;

// The instantiation of a per-token-count function template for `tokens` (1..kMax): `pick`
// is a template lambda returning &fn<T>, so each count gets its own fully unrolled body.
template <int kMax, class Pick>
auto by_token_count(int tokens, Pick pick) {
  if constexpr (kMax == 1) {
    return pick.template operator()<1>();
  } else {
    return tokens == kMax ? pick.template operator()<kMax>() : by_token_count<kMax - 1>(tokens, pick);
  }
}

// Kernel provides Block (the packed block type), kTokens, kPairs (whether it reads
// `pairs`), the accumulator Acc (one vector of kPackRows / kHalves rows' floats) with
// zero(), load(const float*) and store(float*, Acc), and
//   template <int T> static void blocks(const Block* group_blocks, int half, const uint8_t* act,
//                                       int64_t act_stride, int64_t b0, int64_t b1,
//                                       const int32_t* pairs, Acc* acc)
// which adds super-blocks [b0, b1) of rows [half·lanes, (half + 1)·lanes) of one row group
// into acc[t] for T tokens. pairs[(t·(b1 − b0) + b − b0)·4 + i] holds sub-block sums 2i, 2i+1.
template <class Kernel>
void packed_driver(int64_t n, const void* packed, int64_t row0, int64_t n_rows, const void* act,
                       int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  const auto* blocks = static_cast<const typename Kernel::Block*>(packed);
  const auto* acts = static_cast<const uint8_t*>(act);
  const int64_t nb = n / kQK_K;
  const int64_t g0 = row0 / kPackRows;
  const int64_t groups = n_rows / kPackRows;
  constexpr int kHalves = Kernel::kHalves;
  constexpr int kLanes = static_cast<int>(kPackRows) / kHalves;
  alignas(64) int32_t pairs[Kernel::kTokens * kPackedMaxPassBlocks * 4];
  for (int64_t t0 = 0; t0 < n_tokens; t0 += Kernel::kTokens) {
    const int tokens = static_cast<int>(n_tokens - t0 < Kernel::kTokens ? n_tokens - t0 : Kernel::kTokens);
    const uint8_t* a = acts + t0 * act_stride;
    const auto body = by_token_count<Kernel::kTokens>(tokens, []<int T>() { return &Kernel::template blocks<T>; });
    int64_t pass = kPackedActBudget / (tokens * static_cast<int64_t>(sizeof(BlockQ8K)));
    pass = pass < 1 ? 1 : pass > kPackedMaxPassBlocks ? kPackedMaxPassBlocks : pass;
    for (int64_t b0 = 0; b0 < nb; b0 += pass) {
      const int64_t b1 = nb - b0 < pass ? nb : b0 + pass;
      for (int t = 0; t < (Kernel::kPairs ? tokens : 0); ++t) {
        for (int64_t b = b0; b < b1; ++b) {
          int16_t bsums[kQK_K / 16];
          std::memcpy(bsums, a + t * act_stride + b * static_cast<int64_t>(sizeof(BlockQ8K)) + offsetof(BlockQ8K, bsums),
                      sizeof bsums);
          for (int i = 0; i < 4; ++i) {
            const int s0 = bsums[4 * i] + bsums[4 * i + 1];
            const int s1 = bsums[4 * i + 2] + bsums[4 * i + 3];
            pairs[(t * (b1 - b0) + (b - b0)) * 4 + i] =
                static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint16_t>(s0)) |
                                     (static_cast<uint32_t>(static_cast<uint16_t>(s1)) << 16));
          }
        }
      }
      for (int64_t g = 0; g < groups; ++g) {
        for (int h = 0; h < kHalves; ++h) {
          float* yg = y + t0 * y_stride + g * kPackRows + h * kLanes;
          typename Kernel::Acc acc[Kernel::kTokens];
          for (int t = 0; t < tokens; ++t) acc[t] = b0 == 0 ? Kernel::zero() : Kernel::load(yg + t * y_stride);
          body(blocks + (g0 + g) * nb, h, a, act_stride, b0, b1, pairs, acc);
          for (int t = 0; t < tokens; ++t) Kernel::store(yg + t * y_stride, acc[t]);
        }
      }
    }
  }
}

}  // namespace loco::kernels
