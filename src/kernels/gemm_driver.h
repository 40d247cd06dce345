// The loop nest shared by the blocked SIMD gemm kernels; the instruction-set specific
// part is a row kernel that multiplies ONE weight row with up to kMaxTokens activation
// rows, unpacking each weight block once and using it for every token it holds.
//
// Tokens go in groups of up to kMaxTokens (the row kernel's register tile). Weight blocks
// go in chunks whose activations for the whole group fit the kernel's budget (kActBudget
// bytes, L1 for the compute-bound kernels), so the group's activations are read from
// cache once per row while the weights stream through once per group; partial sums of
// later chunks are added into y. The row kernels prefetch their weights, as the hardware
// prefetchers lose track of rows read in chunks.
//
// No intrinsics here: every instantiation is keyed by an instruction-set specific
// Kernel type, so the avx2 and avx512 compilations never share a function.
#pragma once

#include <cstdint>

namespace loco::kernels {

// A row kernel: out[t] = Σ over weight blocks [b0, b1) of the row's dot product with
// token t's activations, for t < T.
using RowKernelFn = void (*)(const uint8_t* w_row, const uint8_t* act, int64_t act_stride,
                             int64_t b0, int64_t b1, float* out);

// Bytes of activations a token group may occupy when it should stay in L1 (about two
// thirds of a 48 KB L1): the budget of the compute-bound kernels.
constexpr int64_t kGemmL1Budget = 32 * 1024;
// The budget of kernels that do so little per weight byte that streaming the weights
// in one sequential run matters more than L1 hits on the activations (they come from L2).
constexpr int64_t kGemmL2Budget = 512 * 1024;

// The instantiation of Kernel::row for exactly `tokens` tokens (1 <= tokens <= T).
template <class Kernel, int T = Kernel::kMaxTokens>
RowKernelFn row_kernel_for(int tokens) {
  if constexpr (T == 1) {
    return &Kernel::template row<1>;
  } else {
    return tokens == T ? &Kernel::template row<T> : row_kernel_for<Kernel, T - 1>(tokens);
  }
}

// Kernel provides kMaxTokens, kBlockValues (values per weight block), kActBlockBytes
// (activation bytes per weight block), kActBudget and `template <int T> static void row(...)`.
template <class Kernel>
void blocked_gemm(int64_t n, const void* w, int64_t w_stride, int64_t n_rows, const void* act,
                  int64_t act_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  const auto* wb = static_cast<const uint8_t*>(w);
  const auto* ab = static_cast<const uint8_t*>(act);
  const int64_t n_blocks = n / Kernel::kBlockValues;
  for (int64_t t0 = 0; t0 < n_tokens; t0 += Kernel::kMaxTokens) {
    const int64_t left = n_tokens - t0;
    const int tokens = static_cast<int>(left < Kernel::kMaxTokens ? left : Kernel::kMaxTokens);
    const RowKernelFn row = row_kernel_for<Kernel>(tokens);
    const uint8_t* group = ab + t0 * act_stride;
    int64_t chunk = Kernel::kActBudget / (tokens * Kernel::kActBlockBytes);
    if (chunk < 1) chunk = 1;
    for (int64_t b0 = 0; b0 < n_blocks; b0 += chunk) {
      const int64_t b1 = n_blocks - b0 < chunk ? n_blocks : b0 + chunk;
      for (int64_t r = 0; r < n_rows; ++r) {
        float out[Kernel::kMaxTokens];
        row(wb + r * w_stride, group, act_stride, b0, b1, out);
        for (int t = 0; t < tokens; ++t) {
          float& dst = y[(t0 + t) * y_stride + r];
          dst = b0 == 0 ? out[t] : dst + out[t];
        }
      }
    }
  }
}

// vec_dot as the one-token row kernel over the whole row.
template <class Kernel>
float blocked_vec_dot(int64_t n, const void* w, const void* act) {
  float out[1];
  Kernel::template row<1>(static_cast<const uint8_t*>(w), static_cast<const uint8_t*>(act), 0, 0,
                          n / Kernel::kBlockValues, out);
  return out[0];
}

}  // namespace loco::kernels
