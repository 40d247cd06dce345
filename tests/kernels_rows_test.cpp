// The SIMD row operations (kernels.h, RowKernels) against the scalar reference at odd
// lengths, the accuracy of the vectorized exp against a double-precision exp, and the
// element-wise invariance the forward pass relies on: an element's result does not
// depend on where it sits in the array or how the array is split into calls.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <tuple>
#include <string>
#include <vector>

#include "kernels/kernels.h"
#include "tensor/fp16.h"

namespace loco {
namespace {

using kernels::KernelTable;
using kernels::RowKernels;

struct Isa {
  const char* name;
  const KernelTable* (*get)();
};
const Isa kIsas[] = {{"avx2", kernels::avx2_kernels}, {"avx512", kernels::avx512_kernels}};
void PrintTo(const Isa& isa, std::ostream* os) { *os << isa.name; }

class SimdRows : public testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    table_ = GetParam().get();
    if (table_ == nullptr) GTEST_SKIP() << GetParam().name << " is not supported by this CPU or build";
  }
  const RowKernels& simd() const { return table_->rows; }
  const RowKernels& ref() const { return kernels::ref_kernels().rows; }
  const KernelTable* table_ = nullptr;
};

// Lengths around the vector widths (8, 16) and real row sizes.
constexpr int64_t kLengths[] = {1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 100, 128, 1023, 2565};

std::vector<float> normal(std::mt19937& rng, int64_t n, float sigma) {
  std::normal_distribution<float> nd(0.0f, sigma);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = nd(rng);
  return v;
}

bool same_bits(float a, float b) { return std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b); }

TEST_P(SimdRows, EveryKernelIsSet) {
  const RowKernels& r = simd();
  EXPECT_TRUE(r.rms_norm && r.add && r.silu_mul && r.softmax && r.exp && r.rope && r.axpy_f32 && r.axpy_f16 &&
              r.dot_f32 && r.dot_f16 && r.dot_f16_rows && r.axpy_f16_rows && r.gemm_acc_f32);
}

// The training products: the same fused multiply-add chains as the reference, so the
// same bits, at shapes around the tile sizes (6 or 8 rows, 16 or 32 columns) and with
// leading dimensions wider than the operands.
TEST_P(SimdRows, GemmAccGivesTheReferenceBits) {
  std::mt19937 rng(41);
  for (const auto& [m, n, k] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{
           {1, 1, 1}, {1, 17, 3}, {5, 31, 7}, {6, 16, 64}, {7, 33, 9}, {8, 32, 100}, {9, 65, 1}, {17, 100, 33},
           {64, 256, 256}}) {
    const int64_t lda = k + 3, ldb = n + 5, ldc = n + 2;
    const std::vector<float> a = normal(rng, m * lda, 1.0f), b = normal(rng, k * ldb, 1.0f);
    const std::vector<float> c0 = normal(rng, m * ldc, 1.0f);
    std::vector<float> want = c0, got = c0;
    ref().gemm_acc_f32(m, n, k, a.data(), lda, b.data(), ldb, want.data(), ldc);
    simd().gemm_acc_f32(m, n, k, a.data(), lda, b.data(), ldb, got.data(), ldc);
    for (size_t i = 0; i < want.size(); ++i) {
      ASSERT_TRUE(same_bits(want[i], got[i])) << m << "x" << n << "x" << k << " at " << i << ": " << want[i] << " vs "
                                              << got[i];
    }
    // And the reference is C + A·B: against sums in double.
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        double sum = c0[static_cast<size_t>(i * ldc + j)], mag = std::fabs(sum);
        for (int64_t p = 0; p < k; ++p) {
          const double term = static_cast<double>(a[static_cast<size_t>(i * lda + p)]) * b[static_cast<size_t>(p * ldb + j)];
          sum += term;
          mag += std::fabs(term);
        }
        ASSERT_NEAR(want[static_cast<size_t>(i * ldc + j)], sum, 1e-6 * mag + 1e-30);
      }
    }
  }
}

// Over [-87, 88], where exp is a normal float: relative error below 1e-6 (kernels.h).
TEST_P(SimdRows, ExpRelativeErrorBelowOneMillionth) {
  std::vector<float> x;
  for (double v = -87.0; v <= 88.0; v += 1.0 / 4096) x.push_back(static_cast<float>(v));
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> ud(-87.0f, 88.0f);
  for (int i = 0; i < 100000; ++i) x.push_back(ud(rng));
  for (float v : {0.0f, -0.0f, 1.0f, -1.0f, 0.34657359f, -0.34657359f, 1e-8f, -1e-8f}) x.push_back(v);
  std::vector<float> y(x.size());
  simd().exp(x.data(), y.data(), static_cast<int64_t>(x.size()));
  double worst = 0.0;
  float worst_x = 0.0f;
  for (size_t i = 0; i < x.size(); ++i) {
    const double want = std::exp(static_cast<double>(x[i]));
    const double err = std::abs(y[i] - want) / want;
    if (err > worst) worst = err, worst_x = x[i];
  }
  EXPECT_LT(worst, 1e-6) << "at x = " << worst_x;
  RecordProperty("exp_max_relative_error", std::to_string(worst));
  std::printf("[ %s ] exp: max relative error %.3g over [-87, 88] (at x = %.7g)\n", GetParam().name, worst, worst_x);
  EXPECT_EQ(y[y.size() - 8], 1.0f);  // exp(0) is exact
}

TEST_P(SimdRows, ExpAtTheEdges) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> x = {89.0f, 100.0f, inf, -104.0f, -110.0f, -inf, std::nanf(""), 88.7f, -90.0f, -100.0f, -87.5f};
  std::vector<float> y(x.size());
  simd().exp(x.data(), y.data(), static_cast<int64_t>(x.size()));
  EXPECT_EQ(y[0], inf);
  EXPECT_EQ(y[1], inf);
  EXPECT_EQ(y[2], inf);
  EXPECT_EQ(y[3], 0.0f);
  EXPECT_EQ(y[4], 0.0f);
  EXPECT_EQ(y[5], 0.0f);
  EXPECT_TRUE(std::isnan(y[6]));
  // Near the top of the range and in the subnormals: within 1e-6 relative or one
  // subnormal step.
  for (size_t i = 7; i < x.size(); ++i) {
    const double want = std::exp(static_cast<double>(x[i]));
    EXPECT_LE(std::abs(y[i] - want), 1e-6 * want + 1.5e-45) << "x = " << x[i];
  }
}

TEST_P(SimdRows, RmsNormMatchesReference) {
  std::mt19937 rng(1);
  for (int64_t n : kLengths) {
    const auto x = normal(rng, n, 3.0f), w = normal(rng, n, 1.0f);
    std::vector<float> want(static_cast<size_t>(n)), got(static_cast<size_t>(n));
    ref().rms_norm(x.data(), w.data(), want.data(), n, 1e-6f);
    simd().rms_norm(x.data(), w.data(), got.data(), n, 1e-6f);
    for (int64_t i = 0; i < n; ++i) {
      // The sums of squares differ only in the order of double additions.
      EXPECT_NEAR(got[i], want[i], 3e-7f * std::abs(want[i])) << "n " << n << " i " << i;
    }
  }
}

TEST_P(SimdRows, AddIsExact) {
  std::mt19937 rng(2);
  for (int64_t n : kLengths) {
    auto want = normal(rng, n, 1.0f);
    auto got = want;
    const auto y = normal(rng, n, 1.0f);
    ref().add(want.data(), y.data(), n);
    simd().add(got.data(), y.data(), n);
    for (int64_t i = 0; i < n; ++i) EXPECT_TRUE(same_bits(got[i], want[i])) << "n " << n << " i " << i;
  }
}

TEST_P(SimdRows, SiluMulMatchesReference) {
  std::mt19937 rng(3);
  for (int64_t n : kLengths) {
    const auto g = normal(rng, n, 6.0f), u = normal(rng, n, 1.0f);
    std::vector<float> want(static_cast<size_t>(n)), got(static_cast<size_t>(n));
    ref().silu_mul(g.data(), u.data(), want.data(), n);
    simd().silu_mul(g.data(), u.data(), got.data(), n);
    for (int64_t i = 0; i < n; ++i) EXPECT_NEAR(got[i], want[i], 2e-6f * std::abs(want[i])) << "n " << n << " i " << i;
  }
}

TEST_P(SimdRows, SoftmaxMatchesReference) {
  std::mt19937 rng(4);
  for (int64_t n : kLengths) {
    auto want = normal(rng, n, 4.0f);
    auto got = want;
    ref().softmax(want.data(), n);
    simd().softmax(got.data(), n);
    double total = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      EXPECT_NEAR(got[i], want[i], 2e-6f * want[i] + 1e-30f) << "n " << n << " i " << i;
      total += got[i];
    }
    EXPECT_NEAR(total, 1.0, 1e-5) << "n " << n;
  }
}

// Rotations are a few exactly rounded products and sums: identical to the reference.
TEST_P(SimdRows, RopeIsBitwiseTheReference) {
  std::mt19937 rng(6);
  for (bool neox : {true, false}) {
    for (int64_t head_dim : {2, 6, 18, 34, 64, 80, 128, 256}) {
      const int64_t heads = 3, half = head_dim / 2;
      std::vector<float> cos(static_cast<size_t>(half)), sin(static_cast<size_t>(half));
      for (int64_t i = 0; i < half; ++i) {
        const double angle = 37.0 * std::pow(10000.0, -2.0 * static_cast<double>(i) / static_cast<double>(head_dim));
        cos[static_cast<size_t>(i)] = static_cast<float>(std::cos(angle));
        sin[static_cast<size_t>(i)] = static_cast<float>(std::sin(angle));
      }
      auto want = normal(rng, heads * head_dim, 2.0f);
      auto got = want;
      ref().rope(want.data(), heads, head_dim, cos.data(), sin.data(), neox);
      simd().rope(got.data(), heads, head_dim, cos.data(), sin.data(), neox);
      for (size_t i = 0; i < want.size(); ++i) {
        EXPECT_TRUE(same_bits(got[i], want[i])) << (neox ? "neox" : "pairs") << " head_dim " << head_dim << " i " << i;
      }
    }
  }
}

std::vector<uint16_t> halves(const std::vector<float>& v) {
  std::vector<uint16_t> h(v.size());
  for (size_t i = 0; i < v.size(); ++i) h[i] = float_to_half(v[i]);
  return h;
}

TEST_P(SimdRows, AxpyMatchesReference) {
  std::mt19937 rng(7);
  for (int64_t n : kLengths) {
    const auto x = normal(rng, n, 1.0f);
    const auto xh = halves(x);
    const auto y0 = normal(rng, n, 1.0f);
    const float a = 0.37f;
    auto want = y0, got = y0, want_h = y0, got_h = y0;
    ref().axpy_f32(n, a, x.data(), want.data());
    simd().axpy_f32(n, a, x.data(), got.data());
    ref().axpy_f16(n, a, xh.data(), want_h.data());
    simd().axpy_f16(n, a, xh.data(), got_h.data());
    for (int64_t i = 0; i < n; ++i) {
      // The reference rounds a·x before adding; the SIMD code uses one FMA.
      const float bound = 2.4e-7f * (std::abs(y0[i]) + std::abs(a * x[i]));
      EXPECT_NEAR(got[i], want[i], bound) << "f32 n " << n << " i " << i;
      EXPECT_NEAR(got_h[i], want_h[i], bound) << "f16 n " << n << " i " << i;
    }
  }
}

TEST_P(SimdRows, DotMatchesReference) {
  std::mt19937 rng(8);
  for (int64_t n : kLengths) {
    const auto x = normal(rng, n, 1.0f), y = normal(rng, n, 1.0f);
    const auto xh = halves(x);
    double scale = 0.0;
    for (int64_t i = 0; i < n; ++i) scale += std::abs(double(x[i]) * y[i]);
    // Float accumulation over n / (2·width) steps per lane.
    const double bound = 1e-6 * scale;
    EXPECT_NEAR(simd().dot_f32(n, x.data(), y.data()), ref().dot_f32(n, x.data(), y.data()), bound) << "n " << n;
    EXPECT_NEAR(simd().dot_f16(n, xh.data(), y.data()), ref().dot_f16(n, xh.data(), y.data()), bound) << "n " << n;
  }
}

// Attention's grouped kernels: for every query head of the group and every cached row,
// the bits of the same table's single-row kernel called row by row (the grouped form only
// shares each row's conversion), at head sizes around the vector widths, groups across
// the four heads held in registers, and row strides wider than the rows.
TEST_P(SimdRows, GroupedAttentionKernelsGiveTheSingleRowBits) {
  std::mt19937 rng(12);
  for (const auto& [n, rows, group] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{
           {128, 32, 4}, {128, 7, 1}, {64, 32, 8}, {80, 5, 5}, {96, 1, 3}, {17, 9, 2}, {7, 3, 6}, {256, 12, 7}}) {
    const int64_t stride = n + 5, ld = rows + 3;
    const auto xh = halves(normal(rng, rows * stride, 1.0f));
    const auto q = normal(rng, group * n, 1.0f);
    const auto a = normal(rng, group * ld, 0.3f);
    const auto y0 = normal(rng, group * n, 1.0f);
    for (const RowKernels* k : {&simd(), &ref()}) {
      std::vector<float> got(static_cast<size_t>(group * ld), -1.0f), want = got;
      k->dot_f16_rows(n, xh.data(), stride, rows, q.data(), group, 0.125f, got.data(), ld);
      auto got_y = y0, want_y = y0;
      k->axpy_f16_rows(n, xh.data(), stride, rows, a.data(), ld, group, got_y.data());
      for (int64_t g = 0; g < group; ++g) {
        for (int64_t j = 0; j < rows; ++j) {
          want[g * ld + j] = k->dot_f16(n, xh.data() + j * stride, q.data() + g * n) * 0.125f;
          k->axpy_f16(n, a[g * ld + j], xh.data() + j * stride, want_y.data() + g * n);
        }
      }
      for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_TRUE(same_bits(got[i], want[i])) << "scores n " << n << " group " << group << " at " << i;
      }
      for (size_t i = 0; i < got_y.size(); ++i) {
        EXPECT_TRUE(same_bits(got_y[i], want_y[i])) << "values n " << n << " group " << group << " at " << i;
      }
    }
  }
}

// The forward pass calls the element-wise kernels on whole batches (n_tokens × width):
// splitting the array anywhere must not change a bit.
TEST_P(SimdRows, ElementWiseResultsDoNotDependOnTheSplit) {
  std::mt19937 rng(9);
  const int64_t n = 3 * 1000 + 5;
  const auto g = normal(rng, n, 6.0f), u = normal(rng, n, 1.0f);
  std::vector<float> whole(static_cast<size_t>(n)), pieces(static_cast<size_t>(n));
  std::vector<float> exp_whole(static_cast<size_t>(n)), exp_pieces(static_cast<size_t>(n));
  simd().silu_mul(g.data(), u.data(), whole.data(), n);
  simd().exp(g.data(), exp_whole.data(), n);
  auto add_whole = u;
  simd().add(add_whole.data(), g.data(), n);
  auto add_pieces = u;
  for (int64_t i0 = 0, step = 1; i0 < n; i0 += step, step = step * 3 % 37 + 1) {
    const int64_t k = std::min(step, n - i0);
    simd().silu_mul(g.data() + i0, u.data() + i0, pieces.data() + i0, k);
    simd().exp(g.data() + i0, exp_pieces.data() + i0, k);
    simd().add(add_pieces.data() + i0, g.data() + i0, k);
  }
  for (int64_t i = 0; i < n; ++i) {
    ASSERT_TRUE(same_bits(whole[i], pieces[i])) << "silu_mul at " << i;
    ASSERT_TRUE(same_bits(exp_whole[i], exp_pieces[i])) << "exp at " << i;
    ASSERT_TRUE(same_bits(add_whole[i], add_pieces[i])) << "add at " << i;
  }
}

std::string isa_name(const testing::TestParamInfo<Isa>& param) { return param.param.name; }
INSTANTIATE_TEST_SUITE_P(Isa, SimdRows, testing::ValuesIn(kIsas), isa_name);

}  // namespace
}  // namespace loco
