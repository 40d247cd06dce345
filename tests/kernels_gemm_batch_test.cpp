// gemm at the token counts a forward pass really uses (prefill chunks, batches of votes),
// for every available kernel table against the reference vec_dot, token by token.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "kernels/kernels.h"
#include "loco/quantize.h"

namespace loco {
namespace {

void check_table(const kernels::KernelTable& table, GgmlType type, int64_t n_in, int64_t n_rows) {
  const kernels::KernelTable& ref = kernels::ref_kernels();
  std::mt19937 rng(static_cast<unsigned>(type) + 7);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  const int64_t wrow = row_bytes(type, n_in);
  std::vector<uint8_t> w(static_cast<size_t>(wrow * n_rows));
  std::vector<float> tmp(static_cast<size_t>(n_in));
  for (int64_t r = 0; r < n_rows; ++r) {
    for (float& v : tmp) v = nd(rng);
    quantize_row(type, tmp.data(), w.data() + r * wrow, n_in);
  }
  const kernels::ActFormat fmt = ref.of(type).act_format;
  const int64_t arow = kernels::act_bytes(fmt, n_in);
  for (int64_t n_tokens = 1; n_tokens <= 40; n_tokens += (n_tokens < 24 ? 1 : 5)) {
    std::vector<float> x(static_cast<size_t>(n_in * n_tokens));
    for (float& v : x) v = nd(rng);
    std::vector<uint8_t> act(static_cast<size_t>(arow * n_tokens));
    for (int64_t t = 0; t < n_tokens; ++t) {
      const float* xt = &x[static_cast<size_t>(t * n_in)];
      uint8_t* at = act.data() + t * arow;
      if (fmt == kernels::ActFormat::F32) std::memcpy(at, xt, static_cast<size_t>(n_in) * 4);
      if (fmt == kernels::ActFormat::Q8A) ref.quantize_q8a(xt, at, n_in);
      if (fmt == kernels::ActFormat::Q8K) ref.quantize_q8k(xt, at, n_in);
    }
    // Write into a wider output, as a forward pass does (each task fills a column band).
    const int64_t y_stride = n_rows + 3;
    std::vector<float> y(static_cast<size_t>(y_stride * n_tokens), NAN);
    table.of(type).gemm(n_in, w.data(), wrow, n_rows, act.data(), arow, n_tokens, y.data(), y_stride);
    for (int64_t t = 0; t < n_tokens; ++t) {
      for (int64_t r = 0; r < n_rows; ++r) {
        const float expected = ref.of(type).vec_dot(n_in, w.data() + r * wrow, act.data() + t * arow);
        const float got = y[static_cast<size_t>(t * y_stride + r)];
        ASSERT_NEAR(got, expected, 1e-3f * (1.0f + std::abs(expected)))
            << table.isa << " " << type_name(type) << " n_in " << n_in << " rows " << n_rows << " tokens " << n_tokens << " token " << t << " row " << r;
      }
    }
  }
}

TEST(KernelsGemmBatch, EveryTableAgreesWithTheReferenceAtBatchSizes) {
  std::vector<const kernels::KernelTable*> tables = {&kernels::ref_kernels()};
  if (auto* t = kernels::avx2_kernels()) tables.push_back(t);
  if (auto* t = kernels::avx512_kernels()) tables.push_back(t);
  if (auto* t = kernels::neon_kernels()) tables.push_back(t);
  if (auto* t = kernels::neon_dotprod_kernels()) tables.push_back(t);
  for (const auto* table : tables) {
    for (GgmlType type : {GgmlType::F32, GgmlType::F16, GgmlType::BF16, GgmlType::Q8_0, GgmlType::Q4_0,
                          GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q2_K, GgmlType::Q3_K,
                          GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K}) {
      for (auto [n_in, n_rows] : {std::pair<int64_t, int64_t>{512, 40}, {256, 5}, {256, 16}, {768, 48}, {256, 64}}) {
        check_table(*table, type, n_in, n_rows);
      }
    }
  }
}

}  // namespace
}  // namespace loco
