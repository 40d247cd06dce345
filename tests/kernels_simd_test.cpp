// The SIMD kernel tables against the scalar reference: every kernel a table replaces
// must agree with the reference one on random data at odd sizes. Integer parts are exact
// in both, so the only differences are float rounding; they are bounded relative to
// M = Σ_i (|main_i| + |offset_i|)·|a_i|, the scale of the terms being summed (main and
// offset are the two parts of a weight, e.g. d·sc·q and −dmin·m). Activation quantizers
// must produce identical blocks. An instruction set this CPU lacks is skipped.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "kernel_random_data.h"
#include "kernels/kernels.h"
#include "tensor/blocks.h"
#include "tensor/fp16.h"

namespace loco {
namespace {

using kernels::ActFormat;
using kernels::KernelTable;
using kernels::TypeKernels;

using namespace kernel_test;  // Rng, random_rows, random_acts, tolerance, ...

// ---- Instruction sets ----

struct Isa {
  const char* name;
  const KernelTable* (*get)();
};

const Isa kIsas[] = {{"avx2", kernels::avx2_kernels},
                     {"avx512", kernels::avx512_kernels},
                     {"neon", kernels::neon_kernels},
                     {"neon_dotprod", kernels::neon_dotprod_kernels}};

std::string isa_name(const testing::TestParamInfo<Isa>& info) { return info.param.name; }
void PrintTo(const Isa& isa, std::ostream* os) { *os << isa.name; }

#define LOCO_TABLE_OR_SKIP(isa, table)                                              \
  const KernelTable* table = (isa).get();                                           \
  if (table == nullptr) GTEST_SKIP() << (isa).name << " is not supported by this CPU or build"


// ---- vec_dot and gemm ----

struct TypeCase {
  Isa isa;
  GgmlType type;
};

void PrintTo(const TypeCase& c, std::ostream* os) { *os << c.isa.name << " " << type_name(c.type); }

std::string type_case_name(const testing::TestParamInfo<TypeCase>& info) {
  return std::string(info.param.isa.name) + "_" + std::string(type_name(info.param.type));
}

std::vector<TypeCase> all_type_cases() {
  std::vector<TypeCase> cases;
  for (const Isa& isa : kIsas) {
    for (GgmlType t : {GgmlType::F32, GgmlType::F16, GgmlType::BF16, GgmlType::Q8_0, GgmlType::Q4_0,
                       GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q2_K, GgmlType::Q3_K,
                       GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K}) {
      cases.push_back({isa, t});
    }
  }
  return cases;
}

// Row lengths: 1, 3, 7 and 13 blocks; float types also lengths that are no multiple of
// the vector width.
std::vector<int64_t> row_lengths(GgmlType type) {
  const int64_t block = type_info(type).block_size;
  if (block == 1) return {1, 3, 7, 13, 16, 31, 100, 257};
  return {block, 3 * block, 7 * block, 13 * block};
}

class SimdKernels : public testing::TestWithParam<TypeCase> {};

TEST_P(SimdKernels, VecDotMatchesReference) {
  const auto [isa, type] = GetParam();
  LOCO_TABLE_OR_SKIP(isa, table);
  const TypeKernels& fast = table->of(type);
  const TypeKernels& ref = kernels::ref_kernels().of(type);
  ASSERT_EQ(fast.act_format, ref.act_format);
  Rng rng{static_cast<uint64_t>(type) * 131 + 7};
  for (int64_t n : row_lengths(type)) {
    for (int rep = 0; rep < 4; ++rep) {
      const int64_t wbytes = row_bytes(type, n);
      const auto w = random_rows(rng, type, n, 1, wbytes);
      const Acts a = random_acts(rng, ref.act_format, n, 1);
      std::vector<float> main, offset;
      weight_parts(type, w.data(), n, main, offset);
      const float want = ref.vec_dot(n, w.data(), a.bytes.data());
      const float got = fast.vec_dot(n, w.data(), a.bytes.data());
      EXPECT_NEAR(got, want, tolerance(main, offset, a.values[0])) << "n=" << n << " rep=" << rep;
    }
  }
}

TEST_P(SimdKernels, VecDotOfZerosIsZero) {
  const auto [isa, type] = GetParam();
  LOCO_TABLE_OR_SKIP(isa, table);
  const TypeKernels& fast = table->of(type);
  const int64_t n = 3 * type_info(type).block_size * (is_float_type(type) ? 32 : 1);
  Rng rng{3};
  const auto w = random_rows(rng, type, n, 1, row_bytes(type, n));
  const std::vector<uint8_t> zero_w(static_cast<size_t>(row_bytes(type, n)), 0);
  const std::vector<float> zeros(static_cast<size_t>(n), 0.0f);
  std::vector<uint8_t> zero_a(static_cast<size_t>(kernels::act_bytes(fast.act_format, n)));
  const Acts a = random_acts(rng, fast.act_format, n, 1);
  switch (fast.act_format) {
    case ActFormat::F32: std::memset(zero_a.data(), 0, zero_a.size()); break;
    case ActFormat::Q8A: table->quantize_q8a(zeros.data(), zero_a.data(), n); break;
    case ActFormat::Q8K: table->quantize_q8k(zeros.data(), zero_a.data(), n); break;
  }
  EXPECT_EQ(fast.vec_dot(n, zero_w.data(), a.bytes.data()), 0.0f);
  EXPECT_EQ(fast.vec_dot(n, w.data(), zero_a.data()), 0.0f);
}

// gemm against the reference vec_dot of every (row, token), for odd tile shapes; padded
// strides, and y entries outside the result must stay untouched.
void check_gemm(const TypeKernels& fast, const TypeKernels& ref, GgmlType type, Rng& rng, int64_t n,
                int64_t rows, int64_t tokens) {
  const int64_t w_stride = row_bytes(type, n) + 16;
  const auto w = random_rows(rng, type, n, rows, w_stride);
  const Acts a = random_acts(rng, ref.act_format, n, tokens);
  const int64_t y_stride = rows + 3;
  const float sentinel = -12345.0f;
  std::vector<float> y(static_cast<size_t>(y_stride * tokens), sentinel);
  fast.gemm(n, w.data(), w_stride, rows, a.bytes.data(), a.stride, tokens, y.data(), y_stride);
  std::vector<float> main, offset;
  for (int64_t r = 0; r < rows; ++r) {
    const uint8_t* row = w.data() + r * w_stride;
    weight_parts(type, row, n, main, offset);
    for (int64_t t = 0; t < tokens; ++t) {
      const uint8_t* act = a.bytes.data() + t * a.stride;
      const double tol = tolerance(main, offset, a.values[static_cast<size_t>(t)]);
      const float got = y[static_cast<size_t>(t * y_stride + r)];
      EXPECT_NEAR(got, ref.vec_dot(n, row, act), tol) << "n=" << n << " rows=" << rows << " tokens=" << tokens
                                                      << " r=" << r << " t=" << t;
      EXPECT_NEAR(got, fast.vec_dot(n, row, act), 2 * tol) << "gemm vs fast vec_dot, r=" << r << " t=" << t;
    }
  }
  for (int64_t t = 0; t < tokens; ++t) {
    for (int64_t r = rows; r < y_stride; ++r) ASSERT_EQ(y[static_cast<size_t>(t * y_stride + r)], sentinel);
  }
}

TEST_P(SimdKernels, GemmMatchesReferenceForOddTiles) {
  const auto [isa, type] = GetParam();
  LOCO_TABLE_OR_SKIP(isa, table);
  const TypeKernels& fast = table->of(type);
  const TypeKernels& ref = kernels::ref_kernels().of(type);
  Rng rng{static_cast<uint64_t>(type) * 977 + 5};
  const int64_t block = type_info(type).block_size;
  const int64_t n = block == 1 ? 37 : 3 * block;
  for (int64_t rows = 1; rows <= 9; ++rows) {
    for (int64_t tokens = 1; tokens <= 7; ++tokens) check_gemm(fast, ref, type, rng, n, rows, tokens);
  }
}

// Token counts past the kernels' token tiles (4, 8, 16) and rows long enough to be split
// into chunks.
TEST_P(SimdKernels, GemmMatchesReferenceForLargeShapes) {
  const auto [isa, type] = GetParam();
  LOCO_TABLE_OR_SKIP(isa, table);
  const TypeKernels& fast = table->of(type);
  const TypeKernels& ref = kernels::ref_kernels().of(type);
  Rng rng{static_cast<uint64_t>(type) * 31 + 1};
  const int64_t block = type_info(type).block_size;
  check_gemm(fast, ref, type, rng, 13 * (block == 1 ? 256 : block), 3, 17);
  check_gemm(fast, ref, type, rng, block == 1 ? 4100 : (block == 32 ? 260 * 32 : 40 * 256), 2, 33);
}

INSTANTIATE_TEST_SUITE_P(Isa, SimdKernels, testing::ValuesIn(all_type_cases()), type_case_name);

// ---- to_float ----

class SimdToFloat : public testing::TestWithParam<TypeCase> {};

TEST_P(SimdToFloat, MatchesReference) {
  const auto [isa, type] = GetParam();
  LOCO_TABLE_OR_SKIP(isa, table);
  const TypeKernels& fast = table->of(type);
  const TypeKernels& ref = kernels::ref_kernels().of(type);
  Rng rng{static_cast<uint64_t>(type) + 11};
  for (int64_t n : row_lengths(type)) {
    const auto w = random_rows(rng, type, n, 1, row_bytes(type, n));
    std::vector<float> want(static_cast<size_t>(n)), got(static_cast<size_t>(n) + 1, -7.0f);
    ref.to_float(w.data(), want.data(), n);
    fast.to_float(w.data(), got.data(), n);
    std::vector<float> main, offset;
    weight_parts(type, w.data(), n, main, offset);
    for (int64_t i = 0; i < n; ++i) {
      // Q4_K's d·sc·q − dmin·m may be fused into one rounding; the others are exact.
      const double tol = type == GgmlType::Q4_K ? 0x1p-23 * (std::fabs(main[i]) + std::fabs(offset[i])) : 0.0;
      ASSERT_NEAR(got[i], want[i], tol) << "n=" << n << " i=" << i;
    }
    EXPECT_EQ(got[static_cast<size_t>(n)], -7.0f) << "wrote past the end";
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, SimdToFloat,
                         testing::Values(TypeCase{kIsas[0], GgmlType::F16}, TypeCase{kIsas[0], GgmlType::BF16},
                                         TypeCase{kIsas[0], GgmlType::Q8_0}, TypeCase{kIsas[0], GgmlType::Q4_K},
                                         TypeCase{kIsas[0], GgmlType::Q6_K}, TypeCase{kIsas[1], GgmlType::F16},
                                         TypeCase{kIsas[1], GgmlType::BF16}, TypeCase{kIsas[1], GgmlType::Q8_0},
                                         TypeCase{kIsas[1], GgmlType::Q4_K}, TypeCase{kIsas[1], GgmlType::Q6_K}),
                         type_case_name);

// ---- Activation quantizers ----

// Random blocks plus the edge cases: all zero, exact ties (x·id = k + 0.5), NaN and
// infinite inputs, values so small that 1/d overflows, and huge values.
std::vector<float> quantizer_inputs(Rng& rng, int64_t block, int64_t blocks) {
  std::vector<float> x(static_cast<size_t>(block * blocks));
  for (float& v : x) v = rng.normal() * (rng.uniform() < 0.1f ? 50.0f : 1.0f);
  auto fill = [&](int64_t b, auto f) {
    for (int64_t j = 0; j < block; ++j) x[static_cast<size_t>(b * block + j)] = f(j);
  };
  fill(0, [](int64_t) { return 0.0f; });
  // amax 127 gives d = 1, so j − 63.5 are exact ties.
  fill(1, [](int64_t j) { return j == 0 ? 127.0f : static_cast<float>(j % 64) - 31.5f; });
  fill(2, [&](int64_t j) { return j == 5 ? std::numeric_limits<float>::quiet_NaN() : rng.normal(); });
  fill(3, [&](int64_t j) { return j == 7 ? -std::numeric_limits<float>::infinity() : rng.normal(); });
  fill(4, [&](int64_t j) { return j % 3 == 0 ? 1e-44f * static_cast<float>(j % 5) : 0.0f; });
  fill(5, [&](int64_t) { return rng.normal() * 3e38f; });
  fill(6, [](int64_t j) { return j % 2 == 0 ? -0.0f : 2.5f * static_cast<float>(j); });
  return x;
}

class SimdQuantize : public testing::TestWithParam<Isa> {};

TEST_P(SimdQuantize, Q8AIsIdenticalToReference) {
  LOCO_TABLE_OR_SKIP(GetParam(), table);
  Rng rng{17};
  for (int64_t blocks : {7, 13, 40}) {
    const auto x = quantizer_inputs(rng, kQK, blocks);
    std::vector<BlockQ8A> want(static_cast<size_t>(blocks)), got(static_cast<size_t>(blocks));
    std::memset(want.data(), 0, want.size() * sizeof(BlockQ8A));
    std::memset(got.data(), 0, got.size() * sizeof(BlockQ8A));
    kernels::ref_kernels().quantize_q8a(x.data(), want.data(), blocks * kQK);
    table->quantize_q8a(x.data(), got.data(), blocks * kQK);
    for (int64_t b = 0; b < blocks; ++b) {
      EXPECT_EQ(std::memcmp(&want[b], &got[b], sizeof(BlockQ8A)), 0) << "block " << b;
    }
  }
}

TEST_P(SimdQuantize, Q8KIsIdenticalToReference) {
  LOCO_TABLE_OR_SKIP(GetParam(), table);
  Rng rng{19};
  for (int64_t blocks : {7, 13}) {
    const auto x = quantizer_inputs(rng, kQK_K, blocks);
    std::vector<BlockQ8K> want(static_cast<size_t>(blocks)), got(static_cast<size_t>(blocks));
    std::memset(want.data(), 0, want.size() * sizeof(BlockQ8K));
    std::memset(got.data(), 0, got.size() * sizeof(BlockQ8K));
    kernels::ref_kernels().quantize_q8k(x.data(), want.data(), blocks * kQK_K);
    table->quantize_q8k(x.data(), got.data(), blocks * kQK_K);
    for (int64_t b = 0; b < blocks; ++b) {
      EXPECT_EQ(std::memcmp(&want[b], &got[b], sizeof(BlockQ8K)), 0) << "block " << b;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, SimdQuantize, testing::ValuesIn(kIsas), isa_name);

// ---- Dispatch ----

TEST(KernelDispatch, PicksTheWidestAvailableTableUnlessForced) {
  const char* forced = std::getenv("LOCO_ISA");
  const std::string active = kernels::active_kernels().isa;
  if (forced != nullptr && *forced != '\0') {
    EXPECT_EQ(active, forced);
    return;
  }
  const char* best = kernels::avx512_kernels() != nullptr ? "avx512"
                     : kernels::avx2_kernels() != nullptr ? "avx2"
                     : kernels::neon_dotprod_kernels() != nullptr ? "neon_dotprod"
                     : kernels::neon_kernels() != nullptr ? "neon"
                                                          : "ref";
  EXPECT_EQ(active, best);
}

TEST(KernelDispatch, EveryTableFillsEveryComputableType) {
  for (const Isa& isa : kIsas) {
    const KernelTable* table = isa.get();
    if (table == nullptr) continue;
    EXPECT_EQ(std::string(table->isa), isa.name);
    ASSERT_NE(table->quantize_q8a, nullptr);
    ASSERT_NE(table->quantize_q8k, nullptr);
    for (int id = 0; id < kernels::kMaxTypeId; ++id) {
      const TypeKernels& r = kernels::ref_kernels().types[id];
      const TypeKernels& k = table->types[id];
      EXPECT_EQ(k.vec_dot == nullptr, r.vec_dot == nullptr) << isa.name << " type " << id;
      EXPECT_EQ(k.gemm == nullptr, r.gemm == nullptr) << isa.name << " type " << id;
      EXPECT_EQ(k.to_float == nullptr, r.to_float == nullptr) << isa.name << " type " << id;
      EXPECT_EQ(k.act_format, r.act_format) << isa.name << " type " << id;
    }
  }
}

}  // namespace
}  // namespace loco
