#include "ops/lora_apply.h"

#include <vector>

#include "kernels/kernels.h"

namespace loco::ops {

void apply_lora(std::span<const TokenAdapter> tokens, int32_t layer, LoraTarget target,
                const float* x, int64_t x_stride, float* y, int64_t y_stride, ThreadPool& pool) {
  const int64_t n = static_cast<int64_t>(tokens.size());
  // The pair each token uses (null: none), and the largest rank for the scratch layout.
  std::vector<const LoraPair*> pairs(static_cast<size_t>(n), nullptr);
  int32_t max_rank = 0;
  for (int64_t t = 0; t < n; ++t) {
    const TokenAdapter& ta = tokens[static_cast<size_t>(t)];
    if (ta.adapter == nullptr) continue;
    const LoraPair* p = ta.adapter->find(layer, target);
    pairs[static_cast<size_t>(t)] = p;
    if (p != nullptr) max_rank = std::max(max_rank, p->rank);
  }
  if (max_rank == 0) return;

  const kernels::KernelTable& k = kernels::active_kernels();
  // A · x for each token: rank values, in float.
  std::vector<float> ax(static_cast<size_t>(n * max_rank));
  // Each token through its own pair: a one-token gemm (bit for bit vec_dot per row, as
  // every gemm is, so a token's correction does not depend on the batch).
  pool.parallel_for(n, [&](int64_t t, int) {
    const LoraPair* p = pairs[static_cast<size_t>(t)];
    if (p == nullptr) return;
    k.of(p->type).gemm(p->n_in, p->a.data(), row_bytes(p->type, p->n_in), p->rank, x + t * x_stride, 0, 1,
                       &ax[static_cast<size_t>(t * max_rank)], max_rank);
  });
  // y += scale · B · (A · x), split over output rows.
  const int64_t n_out = [&] {
    for (const LoraPair* p : pairs) {
      if (p != nullptr) return p->n_out;
    }
    return int64_t{0};
  }();
  constexpr int64_t rows_per_task = 256;
  pool.parallel_for((n_out + rows_per_task - 1) / rows_per_task, [&](int64_t task, int) {
    const int64_t r0 = task * rows_per_task;
    const int64_t r1 = std::min(n_out, r0 + rows_per_task);
    float bv[rows_per_task];
    for (int64_t t = 0; t < n; ++t) {
      const LoraPair* p = pairs[static_cast<size_t>(t)];
      if (p == nullptr) continue;
      const float s = p->scale * tokens[static_cast<size_t>(t)].scale;
      k.of(p->type).gemm(p->rank, p->b_row(r0), row_bytes(p->type, p->rank), r1 - r0,
                         &ax[static_cast<size_t>(t * max_rank)], 0, 1, bv, rows_per_task);
      for (int64_t r = r0; r < r1; ++r) y[t * y_stride + r] += s * bv[r - r0];
    }
  });
}

}  // namespace loco::ops
