// The bfloat16 products of training's backward pass (kernels/bf16_gemm.h): the scalar
// reference against hand-computed cases and sums in double, and the AVX512_BF16 kernels
// against the reference bit for bit (`vdpbf16ps` defines the reference's order).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <tuple>
#include <vector>

#include "kernels/bf16_gemm.h"
#include "kernels/kernels.h"
#include "tensor/fp16.h"

namespace loco {
namespace {

uint16_t bits_of(float x) { return static_cast<uint16_t>(std::bit_cast<uint32_t>(x) >> 16); }

// A matrix of bf16 values: normal values with exponents spread over ±8 binades.
std::vector<float> bf16_valued(std::mt19937& rng, size_t n) {
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = bf16_bits_to_float(float_to_bf16_bits(nd(rng) * std::ldexp(1.0f, static_cast<int>(rng() % 17) - 8)));
  return v;
}

TEST(Bf16Reference, RoundsToNearestEvenAndKeepsNaN) {
  const float one_and_half_ulp = 1.0f + std::ldexp(1.0f, -8);  // halfway between 1 and 1 + 2^-7
  const float x[] = {1.0f, one_and_half_ulp, 1.0f + 3 * std::ldexp(1.0f, -8), -2.5f,
                     std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN(), 3.4e38f};
  uint16_t out[7];
  kernels::to_bf16_ref(x, 7, out);
  EXPECT_EQ(out[0], 0x3f80);  // 1
  EXPECT_EQ(out[1], 0x3f80);  // a tie goes to the even neighbour, 1
  EXPECT_EQ(out[2], 0x3f82);  // 1 + 3·2^-8 is a tie between 1 + 2^-7 and 1 + 2^-6: even is 1 + 2^-6
  EXPECT_EQ(out[3], 0xc020);  // -2.5 is exact
  EXPECT_EQ(out[4], 0x7f80);  // infinity
  EXPECT_TRUE(std::isnan(bf16_bits_to_float(out[5])));
  EXPECT_EQ(out[6], 0x7f80);  // above the largest bf16: rounds up to infinity
  const float even[] = {1.0f, 2.0f}, odd[] = {-1.0f, 0.5f};
  uint16_t pairs[4];
  kernels::bf16_pairs_ref(even, odd, 2, pairs);
  EXPECT_EQ(pairs[0], 0x3f80);
  EXPECT_EQ(pairs[1], 0xbf80);
  EXPECT_EQ(pairs[2], 0x4000);
  EXPECT_EQ(pairs[3], 0x3f00);
}

TEST(Bf16Reference, EachPairAddsTheOddProductThenTheEvenOneRoundingEachTime) {
  // Pair 0 makes s = 2^24; pair 1 adds 1 (odd) and then 1 (even). 2^24 + 1 is a tie that
  // rounds to 2^24 both times: 2^24, where one rounding of the exact sum would give 2^24 + 2.
  const uint16_t a[4] = {0, bits_of(4096.0f), bits_of(1.0f), bits_of(1.0f)};
  const uint16_t b[4] = {0, bits_of(4096.0f), bits_of(1.0f), bits_of(1.0f)};
  float c = 0.0f;
  kernels::gemm_acc_bf16_ref(1, 1, 2, a, 4, b, 2, &c, 1);
  EXPECT_EQ(c, 16777216.0f);
  // The odd product comes first: after pair 0 gives s = 2^24 + 2, pair 1 with odd product
  // −2^24 and even product 1 gives (2^24 + 2 − 2^24) + 1 = 3; the even one first would give
  // 2^24 + 3, a tie rounding to 2^24 + 4, and then 4.
  const uint16_t a2[4] = {bits_of(2.0f), bits_of(4096.0f), bits_of(1.0f), bits_of(-4096.0f)};
  const uint16_t b2[4] = {bits_of(1.0f), bits_of(4096.0f), bits_of(1.0f), bits_of(4096.0f)};
  float c2 = 0.0f;
  kernels::gemm_acc_bf16_ref(1, 1, 2, a2, 4, b2, 2, &c2, 1);
  EXPECT_EQ(c2, 3.0f);
  // A subnormal input reads as zero.
  const uint16_t tiny[2] = {0x0001, bits_of(1.0f)}, ones[2] = {bits_of(1.0f), 0};
  float c3 = 5.0f;
  kernels::gemm_acc_bf16_ref(1, 1, 1, tiny, 2, ones, 2, &c3, 1);
  EXPECT_EQ(c3, 5.0f);
}

TEST(Bf16Reference, IsCPlusTheProductOfTheRoundedMatrices) {
  // Against sums in double of the bf16 values: every product is exact and the float sums
  // lose at most a few ulps of the terms' magnitude.
  std::mt19937 rng(5);
  const int64_t m = 5, n = 7, k2 = 40, lda = 2 * k2 + 2, ldb = 2 * n + 4, ldc = n + 1;
  const std::vector<float> a = bf16_valued(rng, static_cast<size_t>(m * lda));
  const std::vector<float> b = bf16_valued(rng, static_cast<size_t>(k2 * ldb));
  std::vector<uint16_t> a16(a.size()), b16(b.size());
  kernels::to_bf16_ref(a.data(), static_cast<int64_t>(a.size()), a16.data());
  kernels::to_bf16_ref(b.data(), static_cast<int64_t>(b.size()), b16.data());
  std::vector<float> c(static_cast<size_t>(m * ldc), 0.25f);
  kernels::gemm_acc_bf16_ref(m, n, k2, a16.data(), lda, b16.data(), ldb, c.data(), ldc);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0.25, mag = 0.25;
      for (int64_t p = 0; p < 2 * k2; ++p) {
        const double term = static_cast<double>(a[static_cast<size_t>(i * lda + p)]) *
                            b[static_cast<size_t>((p / 2) * ldb + 2 * j + p % 2)];
        sum += term;
        mag += std::fabs(term);
      }
      EXPECT_NEAR(c[static_cast<size_t>(i * ldc + j)], sum, 1e-6 * mag) << i << "," << j;
    }
  }
}

TEST(Bf16Simd, GivesTheReferenceBits) {
  const kernels::KernelTable* table = kernels::avx512_kernels();
  if (table == nullptr || table->rows.gemm_acc_bf16 == nullptr) {
    GTEST_SKIP() << "this CPU has no AVX512_BF16";
  }
  const kernels::RowKernels& r = table->rows;
  ASSERT_NE(r.to_bf16, nullptr);
  ASSERT_NE(r.bf16_pairs, nullptr);
  std::mt19937 rng(9);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  // Conversions at lengths around the vector width, NaN and infinities included.
  for (int64_t n : {1, 15, 16, 17, 100}) {
    std::vector<float> x(static_cast<size_t>(n)), y(static_cast<size_t>(n));
    for (float& v : x) v = nd(rng) * 1e3f;
    for (float& v : y) v = nd(rng) * 1e-3f;
    x[0] = std::numeric_limits<float>::quiet_NaN();
    if (n > 2) y[2] = -std::numeric_limits<float>::infinity();
    std::vector<uint16_t> want(static_cast<size_t>(2 * n), 7), got(want);
    kernels::to_bf16_ref(x.data(), n, want.data());
    r.to_bf16(x.data(), n, got.data());
    EXPECT_EQ(want, got) << "to_bf16 n=" << n;
    kernels::bf16_pairs_ref(x.data(), y.data(), n, want.data());
    r.bf16_pairs(x.data(), y.data(), n, got.data());
    EXPECT_EQ(want, got) << "bf16_pairs n=" << n;
  }
  // Products at shapes around the 8 × 32 tile, leading dimensions wider than the operands.
  for (const auto& [m, n, k2] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{
           {1, 1, 1}, {1, 17, 3}, {7, 33, 9}, {8, 32, 100}, {9, 65, 1}, {17, 100, 33}, {64, 512, 128}}) {
    const int64_t lda = 2 * k2 + 6, ldb = 2 * n + 10, ldc = n + 3;
    std::vector<float> af = bf16_valued(rng, static_cast<size_t>(m * lda)), bf = bf16_valued(rng, static_cast<size_t>(k2 * ldb));
    std::vector<uint16_t> a(af.size()), b(bf.size());
    kernels::to_bf16_ref(af.data(), static_cast<int64_t>(af.size()), a.data());
    kernels::to_bf16_ref(bf.data(), static_cast<int64_t>(bf.size()), b.data());
    std::vector<float> c0(static_cast<size_t>(m * ldc));
    for (float& v : c0) v = nd(rng);
    std::vector<float> want = c0, got = c0;
    kernels::gemm_acc_bf16_ref(m, n, k2, a.data(), lda, b.data(), ldb, want.data(), ldc);
    r.gemm_acc_bf16(m, n, k2, a.data(), lda, b.data(), ldb, got.data(), ldc);
    EXPECT_EQ(std::memcmp(want.data(), got.data(), want.size() * sizeof(float)), 0) << m << "x" << n << "x" << k2;
  }
}

}  // namespace
}  // namespace loco
