#include "ops/matmul_transposed.h"

#include <algorithm>
#include <vector>

#include "kernels/int8_gemm.h"
#include "kernels/kernels.h"
#include "loco/error.h"
#include "loco/ggml_type.h"
#include "tensor/blocks.h"

namespace loco::ops {
namespace {

// A slice of about 512 columns and a run of 256 rows (a multiple of the packed layouts'
// groups) are dequantized together (512 KB), then multiplied into every token's slice of
// dx at once.
constexpr int64_t kSliceColumns = 512, kRowsPerRun = 256;
static_assert(kRowsPerRun == kernels::kInt8Run && kRowsPerRun == kQK_K, "an int8 run is one BlockQ8K of dy");

void check_type(const Matrix& w) {
  const TypeInfo& info = type_info(w.type);
  if (!info.computable || kernels::active_kernels().of(w.type).to_float == nullptr) {
    throw UnsupportedError(std::string("the transposed product does not support ") + info.name + " weights");
  }
}

}  // namespace

bool uses_int8(const Matrix& w) {
  const kernels::KernelTable& table = kernels::active_kernels();
  const bool quantized = w.type != GgmlType::F32 && w.type != GgmlType::F16 && w.type != GgmlType::BF16;
  return quantized && w.n_out >= kernels::kInt8Run && table.rows.quantize_tile_int8 != nullptr &&
         table.rows.gemm_acc_int8 != nullptr && table.quantize_q8k != nullptr;
}

void matmul_transposed_add(const Matrix& w, const float* dy, int64_t dy_stride, int64_t n_tokens, float* dx,
                           int64_t dx_stride, ThreadPool& pool, Precision precision) {
  check_type(w);
  if (n_tokens <= 0 || w.n_out <= 0 || w.n_in <= 0) return;
  const kernels::KernelTable& table = kernels::active_kernels();
  const auto to_float = table.of(w.type).to_float;
  const auto packed_to_float = table.of(w.type).packed_to_float;
  const auto gemm = table.rows.gemm_acc_f32;
  const TypeInfo& info = type_info(w.type);
  const int64_t n_blocks = w.n_in / info.block_size;
  const int64_t blocks_per_slice = std::max<int64_t>(1, kSliceColumns / info.block_size);
  const int64_t n_slices = (n_blocks + blocks_per_slice - 1) / blocks_per_slice;
  // With int8 products dy is quantized once for every slice's use: a BlockQ8K per token
  // and whole run of rows (a last, partial run takes the float32 product).
  const bool int8 = precision == Precision::int8 && uses_int8(w);
  const int64_t int8_rows = int8 ? w.n_out / kernels::kInt8Run * kernels::kInt8Run : 0;
  const int64_t act_stride = int8_rows / kQK_K * static_cast<int64_t>(sizeof(BlockQ8K));
  std::vector<uint8_t> dy_q8(static_cast<size_t>(n_tokens * act_stride));
  if (int8) {
    pool.parallel_for(n_tokens, [&](int64_t t, int) {
      table.quantize_q8k(dy + t * dy_stride, dy_q8.data() + t * act_stride, int8_rows);
    });
  }
  struct Scratch {
    std::vector<float> rows, scale;
    std::vector<uint8_t> tile;
  };
  std::vector<Scratch> scratch(static_cast<size_t>(pool.size()));
  pool.parallel_for(n_slices, [&](int64_t slice, int thread) {
    const int64_t b0 = slice * blocks_per_slice, b1 = std::min(n_blocks, b0 + blocks_per_slice);
    const int64_t c0 = b0 * info.block_size, len = (b1 - b0) * info.block_size;
    Scratch& mine = scratch[static_cast<size_t>(thread)];
    std::vector<float>& rows = mine.rows;
    for (int64_t r0 = 0; r0 < w.n_out; r0 += kRowsPerRun) {
      const int64_t n_rows = std::min(kRowsPerRun, w.n_out - r0);
      const float* b = nullptr;
      int64_t ldb = len;
      if (w.type == GgmlType::F32) {
        b = reinterpret_cast<const float*>(w.row(r0)) + c0;  // float weights are read in place
        ldb = w.n_in;
      } else if (w.packed != nullptr && packed_to_float != nullptr) {
        rows.resize(static_cast<size_t>(kRowsPerRun * len));
        const int64_t group_rows = table.of(w.type).pack_rows;
        for (int64_t k = 0; k < n_rows; k += group_rows) {
          packed_to_float(w.packed, w.n_in, (r0 + k) / group_rows, b0, b1, rows.data() + k * len, len);
        }
        b = rows.data();
      } else {
        rows.resize(static_cast<size_t>(kRowsPerRun * len));
        for (int64_t k = 0; k < n_rows; ++k) {
          to_float(w.row(r0 + k) + b0 * info.type_size, rows.data() + k * len, len);
        }
        b = rows.data();
      }
      if (r0 + kernels::kInt8Run <= int8_rows) {
        mine.tile.resize(static_cast<size_t>(kernels::kInt8Run * len));
        mine.scale.resize(static_cast<size_t>(len));
        table.rows.quantize_tile_int8(b, ldb, len, mine.tile.data(), mine.scale.data());
        table.rows.gemm_acc_int8(n_tokens, len, dy_q8.data() + r0 / kQK_K * static_cast<int64_t>(sizeof(BlockQ8K)),
                                 act_stride, mine.tile.data(), mine.scale.data(), dx + c0, dx_stride);
      } else {
        // dx[t][c0 + j] += Σ_k dy[t][r0 + k]·row_k[j]
        gemm(n_tokens, len, n_rows, dy + r0, dy_stride, b, ldb, dx + c0, dx_stride);
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
