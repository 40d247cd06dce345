// Batch invariance of gemm: for every kernel table and weight type, y[t][r] is bit for
// bit the table's vec_dot(row r, token t), and the same as gemm of that token alone,
// whatever the number of tokens (1..40), rows, row offset and row length (including
// rows long enough to be cut into several chunks).
#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/kernels.h"
#include "loco/quantize.h"

namespace loco {
namespace {

using kernels::ActFormat;
using kernels::KernelTable;

std::vector<const KernelTable*> tables() {
  std::vector<const KernelTable*> out = {&kernels::ref_kernels()};
  if (const KernelTable* t = kernels::avx2_kernels()) out.push_back(t);
  if (const KernelTable* t = kernels::avx512_kernels()) out.push_back(t);
  if (const KernelTable* t = kernels::neon_kernels()) out.push_back(t);
  if (const KernelTable* t = kernels::neon_dotprod_kernels()) out.push_back(t);
  return out;
}

constexpr GgmlType kTypes[] = {GgmlType::F32,  GgmlType::F16,  GgmlType::BF16, GgmlType::Q8_0, GgmlType::Q4_0,
                               GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q2_K, GgmlType::Q3_K,
                               GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K};

// The gemm calls checked: `rows` rows starting at row `offset` of the 9-row matrix.
struct RowRange {
  int64_t offset, rows;
};
constexpr RowRange kRanges[] = {{0, 9}, {3, 5}, {8, 1}, {1, 2}};
constexpr int64_t kMatrixRows = 9;

struct Case {
  const KernelTable* table;
  GgmlType type;
  int64_t n;
};

void check(const Case& c, const std::vector<int64_t>& token_counts) {
  const kernels::TypeKernels& k = c.table->of(c.type);
  std::mt19937 rng(static_cast<unsigned>(c.n) * 31u + static_cast<unsigned>(c.type));
  std::normal_distribution<float> nd(0.0f, 1.0f);
  const int64_t wrow = row_bytes(c.type, c.n);
  std::vector<uint8_t> w(static_cast<size_t>(wrow * kMatrixRows));
  std::vector<float> x(static_cast<size_t>(c.n * 40));
  for (int64_t r = 0; r < kMatrixRows; ++r) {
    for (int64_t i = 0; i < c.n; ++i) x[static_cast<size_t>(i)] = nd(rng);
    quantize_row(c.type, x.data(), w.data() + r * wrow, c.n);
  }
  for (float& v : x) v = nd(rng);
  const int64_t arow = kernels::act_bytes(k.act_format, c.n);
  std::vector<uint8_t> act(static_cast<size_t>(arow * 40));
  for (int64_t t = 0; t < 40; ++t) {
    const float* xt = &x[static_cast<size_t>(t * c.n)];
    uint8_t* at = act.data() + t * arow;
    if (k.act_format == ActFormat::F32) std::memcpy(at, xt, static_cast<size_t>(c.n) * 4);
    if (k.act_format == ActFormat::Q8A) c.table->quantize_q8a(xt, at, c.n);
    if (k.act_format == ActFormat::Q8K) c.table->quantize_q8k(xt, at, c.n);
  }
  // vec_dot of every (row, token): what every gemm must reproduce.
  std::vector<uint32_t> dot(static_cast<size_t>(40 * kMatrixRows));
  for (int64_t t = 0; t < 40; ++t) {
    for (int64_t r = 0; r < kMatrixRows; ++r) {
      dot[static_cast<size_t>(t * kMatrixRows + r)] =
          std::bit_cast<uint32_t>(k.vec_dot(c.n, w.data() + r * wrow, act.data() + t * arow));
    }
  }
  const std::string where = std::string(c.table->isa) + " " + std::string(type_name(c.type)) + " n=" + std::to_string(c.n);
  for (const RowRange& range : kRanges) {
    // Each token alone, written into a wider output as a forward pass does.
    const int64_t y_stride = range.rows + 3;
    for (int64_t t = 0; t < 40; ++t) {
      std::vector<float> y(static_cast<size_t>(y_stride), -1.0f);
      k.gemm(c.n, w.data() + range.offset * wrow, wrow, range.rows, act.data() + t * arow, arow, 1, y.data(), y_stride);
      for (int64_t r = 0; r < range.rows; ++r) {
        ASSERT_EQ(std::bit_cast<uint32_t>(y[static_cast<size_t>(r)]), dot[static_cast<size_t>(t * kMatrixRows + range.offset + r)])
            << where << ": gemm of token " << t << " alone, row " << range.offset + r << " differs from vec_dot";
      }
    }
    for (int64_t n_tokens : token_counts) {
      std::vector<float> y(static_cast<size_t>(y_stride * n_tokens), -1.0f);
      k.gemm(c.n, w.data() + range.offset * wrow, wrow, range.rows, act.data(), arow, n_tokens, y.data(), y_stride);
      for (int64_t t = 0; t < n_tokens; ++t) {
        for (int64_t r = 0; r < range.rows; ++r) {
          ASSERT_EQ(std::bit_cast<uint32_t>(y[static_cast<size_t>(t * y_stride + r)]),
                    dot[static_cast<size_t>(t * kMatrixRows + range.offset + r)])
              << where << ": gemm of " << n_tokens << " tokens from row " << range.offset << " (" << range.rows
              << " rows) differs at token " << t << ", row " << range.offset + r;
        }
        // Columns past the rows are not written.
        for (int64_t r = range.rows; r < y_stride; ++r) ASSERT_EQ(y[static_cast<size_t>(t * y_stride + r)], -1.0f) << where;
      }
    }
  }
}

std::vector<int64_t> one_to_forty() {
  std::vector<int64_t> out;
  for (int64_t t = 1; t <= 40; ++t) out.push_back(t);
  return out;
}

bool is_float(GgmlType t) { return t == GgmlType::F32 || t == GgmlType::F16 || t == GgmlType::BF16; }

TEST(KernelsBatchInvariance, ShortRowsEveryTokenCount) {
  for (const KernelTable* table : tables()) {
    for (GgmlType type : kTypes) {
      const int64_t block = type_info(type).block_size;
      // Float rows of odd lengths (SIMD tails); one to three blocks for the others.
      const std::vector<int64_t> lengths = is_float(type) ? std::vector<int64_t>{1, 45, 333} : std::vector<int64_t>{block, 3 * block};
      for (int64_t n : lengths) check({table, type, n}, one_to_forty());
    }
  }
}

// Rows of 10240 values (floats: 10240 + 27) span several chunks of every kernel.
TEST(KernelsBatchInvariance, LongRowsSpanningChunks) {
  for (const KernelTable* table : tables()) {
    for (GgmlType type : kTypes) {
      const int64_t n = is_float(type) ? 10240 + 27 : 10240;
      check({table, type, n}, {1, 2, 3, 5, 6, 7, 8, 9, 17, 40});
    }
  }
}

}  // namespace
}  // namespace loco
