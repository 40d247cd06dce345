// The loop nest shared by the packed products (packed_q4k.h, packed_q6k.h, packed_q8_0.h):
// tokens in groups of Kernel::kTokens, the super-blocks (256 values) in passes whose
// activations stay in L1, the integer sums of the activations a kernel needs made once per
// pass (for Q4_K each token's 32-value sums paired as int16, what `vpdpwssd` / `vpmaddwd`
// multiply the minimums by; for Q8_0 −128 times each 32-value block's sum), then every row
// group of the call.
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

// The activations a packed product reads, and the sums it wants of them per super-block.
enum class PackedActs {
  q8k,        // BlockQ8K, no sums
  q8k_pairs,  // BlockQ8K, 4 sums: bsums 4i + bsums 4i+1 and 4i+2 + 4i+3 as two int16
  q8a_sums,   // 8 BlockQ8A, 8 sums: −128 · Σ qs of each
};
constexpr int packed_sums(PackedActs acts) {
  return acts == PackedActs::q8k_pairs ? 4 : acts == PackedActs::q8a_sums ? 8 : 0;
}
constexpr int64_t packed_act_bytes(PackedActs acts) {
  return acts == PackedActs::q8a_sums ? 8 * static_cast<int64_t>(sizeof(BlockQ8A))
                                      : static_cast<int64_t>(sizeof(BlockQ8K));
}

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

// Kernel provides Block (the packed block type), kTokens, kActs (its PackedActs), the
// accumulator Acc (one vector of kPackRows / kHalves rows' floats) with
// zero(), load(const float*) and store(float*, Acc), and
//   template <int T> static void blocks(const Block* group_blocks, int half, const uint8_t* act,
//                                       int64_t act_stride, int64_t b0, int64_t b1,
//                                       const int32_t* sums, Acc* acc)
// which adds super-blocks [b0, b1) of rows [half·lanes, (half + 1)·lanes) of one row group
// into acc[t] for T tokens. sums[(t·(b1 − b0) + b − b0)·S + i], S = packed_sums(kActs),
// holds the token's sum i of super-block b.
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
  constexpr int kSums = packed_sums(Kernel::kActs);
  constexpr int64_t kActBlock = packed_act_bytes(Kernel::kActs);
  alignas(64) int32_t sums[Kernel::kTokens * kPackedMaxPassBlocks * (kSums > 0 ? kSums : 1)];
  for (int64_t t0 = 0; t0 < n_tokens; t0 += Kernel::kTokens) {
    const int tokens = static_cast<int>(n_tokens - t0 < Kernel::kTokens ? n_tokens - t0 : Kernel::kTokens);
    const uint8_t* a = acts + t0 * act_stride;
    const auto body = by_token_count<Kernel::kTokens>(tokens, []<int T>() { return &Kernel::template blocks<T>; });
    int64_t pass = kPackedActBudget / (tokens * kActBlock);
    pass = pass < 1 ? 1 : pass > kPackedMaxPassBlocks ? kPackedMaxPassBlocks : pass;
    for (int64_t b0 = 0; b0 < nb; b0 += pass) {
      const int64_t b1 = nb - b0 < pass ? nb : b0 + pass;
      for (int t = 0; t < (kSums > 0 ? tokens : 0); ++t) {
        for (int64_t b = b0; b < b1; ++b) {
          const uint8_t* blk = a + t * act_stride + b * kActBlock;
          int32_t* out = sums + (t * (b1 - b0) + (b - b0)) * kSums;
          if constexpr (Kernel::kActs == PackedActs::q8k_pairs) {
            int16_t bsums[kQK_K / 16];
            std::memcpy(bsums, blk + offsetof(BlockQ8K, bsums), sizeof bsums);
            for (int i = 0; i < 4; ++i) {
              const int s0 = bsums[4 * i] + bsums[4 * i + 1];
              const int s1 = bsums[4 * i + 2] + bsums[4 * i + 3];
              out[i] = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint16_t>(s0)) |
                                            (static_cast<uint32_t>(static_cast<uint16_t>(s1)) << 16));
            }
          } else if constexpr (Kernel::kActs == PackedActs::q8a_sums) {
            for (int k = 0; k < 8; ++k) {
              const auto* qs = reinterpret_cast<const int8_t*>(blk + k * static_cast<int64_t>(sizeof(BlockQ8A)) +
                                                               offsetof(BlockQ8A, qs));
              int32_t sum = 0;
              for (int i = 0; i < kQK; ++i) sum += qs[i];
              out[k] = -128 * sum;
            }
          }
        }
      }
      for (int64_t g = 0; g < groups; ++g) {
        for (int h = 0; h < kHalves; ++h) {
          float* yg = y + t0 * y_stride + g * kPackRows + h * kLanes;
          typename Kernel::Acc acc[Kernel::kTokens];
          for (int t = 0; t < tokens; ++t) acc[t] = b0 == 0 ? Kernel::zero() : Kernel::load(yg + t * y_stride);
          body(blocks + (g0 + g) * nb, h, a, act_stride, b0, b1, sums, acc);
          for (int t = 0; t < tokens; ++t) Kernel::store(yg + t * y_stride, acc[t]);
        }
      }
    }
  }
}

}  // namespace loco::kernels
