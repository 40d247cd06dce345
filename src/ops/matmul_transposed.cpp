#include "ops/matmul_transposed.h"

#include <algorithm>
#include <vector>

#include "kernels/kernels.h"
#include "loco/error.h"
#include "loco/ggml_type.h"

namespace loco::ops {
namespace {

constexpr int64_t kRowsPerRun = 8;  // rows dequantized together before the token loop

void check_type(const Matrix& w) {
  const TypeInfo& info = type_info(w.type);
  if (!info.computable || kernels::active_kernels().of(w.type).to_float == nullptr) {
    throw UnsupportedError(std::string("the transposed product does not support ") + info.name + " weights");
  }
}

}  // namespace

void matmul_transposed_add(const Matrix& w, const float* dy, int64_t dy_stride, int64_t n_tokens, float* dx,
                           int64_t dx_stride, ThreadPool& pool) {
  check_type(w);
  if (n_tokens <= 0 || w.n_out <= 0 || w.n_in <= 0) return;
  const kernels::KernelTable& table = kernels::active_kernels();
  const auto to_float = table.of(w.type).to_float;
  const auto axpy = table.rows.axpy_f32;
  const TypeInfo& info = type_info(w.type);
  const int64_t n_blocks = w.n_in / info.block_size;
  // About four slices per thread, whole blocks each, so threads stay busy to the end.
  const int64_t n_slices = std::min<int64_t>(n_blocks, 4 * pool.size());
  std::vector<std::vector<float>> scratch(static_cast<size_t>(pool.size()));
  pool.parallel_for(n_slices, [&](int64_t slice, int thread) {
    const int64_t b0 = slice * n_blocks / n_slices, b1 = (slice + 1) * n_blocks / n_slices;
    const int64_t c0 = b0 * info.block_size, len = (b1 - b0) * info.block_size;
    std::vector<float>& rows = scratch[static_cast<size_t>(thread)];
    rows.resize(static_cast<size_t>(kRowsPerRun * len));
    for (int64_t r0 = 0; r0 < w.n_out; r0 += kRowsPerRun) {
      const int64_t n_rows = std::min(kRowsPerRun, w.n_out - r0);
      for (int64_t k = 0; k < n_rows; ++k) {
        to_float(w.row(r0 + k) + b0 * info.type_size, rows.data() + k * len, len);
      }
      for (int64_t t = 0; t < n_tokens; ++t) {
        const float* g = dy + t * dy_stride + r0;
        float* out = dx + t * dx_stride + c0;
        for (int64_t k = 0; k < n_rows; ++k) axpy(len, g[k], rows.data() + k * len, out);
      }
    }
  });
}

void matmul_transposed_add_reference(const Matrix& w, const float* dy, int64_t dy_stride, int64_t n_tokens,
                                     float* dx, int64_t dx_stride) {
  check_type(w);
  const auto to_float = kernels::ref_kernels().of(w.type).to_float;
  std::vector<float> row(static_cast<size_t>(w.n_in));
  std::vector<double> sum(static_cast<size_t>(w.n_in * std::max<int64_t>(n_tokens, 0)), 0.0);
  for (int64_t r = 0; r < w.n_out; ++r) {
    to_float(w.row(r), row.data(), w.n_in);
    for (int64_t t = 0; t < n_tokens; ++t) {
      const double g = dy[t * dy_stride + r];
      double* s = sum.data() + t * w.n_in;
      for (int64_t i = 0; i < w.n_in; ++i) s[i] += static_cast<double>(row[static_cast<size_t>(i)]) * g;
    }
  }
  for (int64_t t = 0; t < n_tokens; ++t) {
    for (int64_t i = 0; i < w.n_in; ++i) {
      float& out = dx[t * dx_stride + i];
      out = static_cast<float>(static_cast<double>(out) + sum[static_cast<size_t>(t * w.n_in + i)]);
    }
  }
}

}  // namespace loco::ops
