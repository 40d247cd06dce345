#include "ops/matmul.h"

#include <algorithm>

namespace loco::ops {

using kernels::ActFormat;

void Activations::reset(const float* x, int64_t n_tokens, int64_t n_in, int64_t stride) {
  x_ = x;
  n_tokens_ = n_tokens;
  n_in_ = n_in;
  stride_ = stride;
  have_q8a_ = have_q8k_ = false;
}

const void* Activations::row(ActFormat format, int64_t t) {
  const kernels::KernelTable& k = kernels::active_kernels();
  switch (format) {
    case ActFormat::F32:
      return floats(t);
    case ActFormat::Q8A: {
      const int64_t bytes = kernels::act_bytes(format, n_in_);
      if (!have_q8a_) {
        q8a_.resize(static_cast<size_t>(bytes * n_tokens_));
        for (int64_t i = 0; i < n_tokens_; ++i) k.quantize_q8a(floats(i), q8a_.data() + i * bytes, n_in_);
        have_q8a_ = true;
      }
      return q8a_.data() + t * bytes;
    }
    case ActFormat::Q8K: {
      const int64_t bytes = kernels::act_bytes(format, n_in_);
      if (!have_q8k_) {
        q8k_.resize(static_cast<size_t>(bytes * n_tokens_));
        for (int64_t i = 0; i < n_tokens_; ++i) k.quantize_q8k(floats(i), q8k_.data() + i * bytes, n_in_);
        have_q8k_ = true;
      }
      return q8k_.data() + t * bytes;
    }
  }
  return nullptr;
}

void matmul(const Matrix& w, Activations& x, float* y, int64_t y_stride, ThreadPool& pool) {
  const kernels::TypeKernels& k = kernels::active_kernels().of(w.type);
  const int64_t n_tokens = x.n_tokens();
  const auto* act = static_cast<const uint8_t*>(x.row(k.act_format, 0));
  const int64_t act_stride =
      n_tokens > 1 ? static_cast<const uint8_t*>(x.row(k.act_format, 1)) - act : 0;

  if (w.packed != nullptr && k.packed_gemm != nullptr) {
    // Tasks are runs of whole row groups of the packed layout.
    const int64_t group = k.pack_rows;
    const int64_t groups = w.n_out / group;
    const int64_t groups_per_task = std::max<int64_t>(1, std::min<int64_t>(4, groups / (8 * pool.size())));
    const int64_t n_tasks = (groups + groups_per_task - 1) / groups_per_task;
    pool.parallel_for(n_tasks, [&](int64_t task, int) {
      const int64_t r0 = task * groups_per_task * group;
      const int64_t r1 = std::min(w.n_out, r0 + groups_per_task * group);
      k.packed_gemm(w.n_in, w.packed, r0, r1 - r0, act, act_stride, n_tokens, y + r0, y_stride);
    });
    return;
  }
  // Tasks are runs of rows; each weight row is read once and used for every token.
  const int64_t rows_per_task = std::max<int64_t>(1, std::min<int64_t>(64, w.n_out / (8 * pool.size())));
  const int64_t n_tasks = (w.n_out + rows_per_task - 1) / rows_per_task;
  pool.parallel_for(n_tasks, [&](int64_t task, int) {
    const int64_t r0 = task * rows_per_task;
    const int64_t r1 = std::min(w.n_out, r0 + rows_per_task);
    k.gemm(w.n_in, w.row(r0), w.row_bytes, r1 - r0, act, act_stride, n_tokens, y + r0, y_stride);
  });
}

}  // namespace loco::ops
