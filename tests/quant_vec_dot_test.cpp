// The reference dot products and activation quantizers. A type's vec_dot must equal the
// plain float dot product of its dequantized weights with the dequantized activations
// (up to float rounding), and stay within the rounding bound of the 8-bit activations
// of the dot product with the original activations.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/kernels.h"
#include "loco/quantize.h"
#include "tensor/blocks.h"

namespace loco {
namespace {

using kernels::ActFormat;

// Deterministic normal-ish numbers (independent of the standard library's
// distributions, which differ between implementations).
struct Rng {
  uint64_t state;
  float uniform() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<float>((state >> 40) + 0.5) / static_cast<float>(1ull << 24);
  }
  float normal() {
    const float u = uniform();
    const float v = uniform();
    return std::sqrt(-2.0f * std::log(u)) * std::cos(6.2831853f * v);
  }
};

// Activations in the format a weight type asks for, plus their dequantized values and
// the largest rounding error each value may carry (half a quantization step).
struct QuantizedActs {
  std::vector<uint8_t> bytes;
  std::vector<float> values;
  std::vector<float> max_error;
};

QuantizedActs quantize_acts(ActFormat format, const std::vector<float>& x) {
  const auto& k = kernels::ref_kernels();
  const int64_t n = static_cast<int64_t>(x.size());
  QuantizedActs a;
  a.bytes.resize(static_cast<size_t>(kernels::act_bytes(format, n)));
  a.values.resize(x.size());
  a.max_error.assign(x.size(), 0.0f);
  switch (format) {
    case ActFormat::F32:
      std::copy(x.begin(), x.end(), reinterpret_cast<float*>(a.bytes.data()));
      a.values = x;
      break;
    case ActFormat::Q8A: {
      k.quantize_q8a(x.data(), a.bytes.data(), n);
      const auto* blocks = reinterpret_cast<const BlockQ8A*>(a.bytes.data());
      for (int64_t i = 0; i < n; ++i) {
        const BlockQ8A& b = blocks[i / kQK];
        a.values[i] = b.d * b.qs[i % kQK];
        a.max_error[i] = b.d / 2;
      }
      break;
    }
    case ActFormat::Q8K: {
      k.quantize_q8k(x.data(), a.bytes.data(), n);
      const auto* blocks = reinterpret_cast<const BlockQ8K*>(a.bytes.data());
      for (int64_t i = 0; i < n; ++i) {
        const BlockQ8K& b = blocks[i / kQK_K];
        a.values[i] = b.d * b.qs[i % kQK_K];
        a.max_error[i] = b.d / 2;
      }
      break;
    }
  }
  return a;
}

std::vector<float> random_vector(Rng& rng, int64_t n, float scale) {
  std::vector<float> x(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    // Vary the magnitude from block to block, with an occasional outlier.
    const float block_scale = 1.0f + 3.0f * std::fabs(std::sin(static_cast<float>(i / 32)));
    x[i] = scale * block_scale * rng.normal();
    if (i % 97 == 13) x[i] *= 6.0f;
  }
  return x;
}

class VecDot : public testing::TestWithParam<GgmlType> {};

TEST_P(VecDot, MatchesFloatDotOfDequantizedValues) {
  const GgmlType type = GetParam();
  const auto& k = kernels::ref_kernels().of(type);
  ASSERT_NE(k.vec_dot, nullptr);
  const int64_t block = type_info(type).block_size;
  Rng rng{static_cast<uint64_t>(type) * 7919 + 1};
  for (int64_t blocks : {1, 3, 7, 33}) {
    const int64_t n = blocks * block;
    const auto w = random_vector(rng, n, 0.02f);
    std::vector<uint8_t> wq(static_cast<size_t>(row_bytes(type, n)));
    quantize_row(type, w.data(), wq.data(), n);
    std::vector<float> wf(static_cast<size_t>(n));
    dequantize_row(type, wq.data(), wf.data(), n);

    const auto x = random_vector(rng, n, 1.0f);
    const QuantizedActs a = quantize_acts(k.act_format, x);
    const float got = k.vec_dot(n, wq.data(), a.bytes.data());
    ASSERT_TRUE(std::isfinite(got));

    double exact = 0.0;      // dequantized weights · dequantized activations
    double magnitude = 0.0;  // Σ |w·a|, the scale of the float rounding
    double original = 0.0;   // dequantized weights · original activations
    double act_bound = 0.0;  // Σ |w|·(half an activation step)
    for (int64_t i = 0; i < n; ++i) {
      exact += static_cast<double>(wf[i]) * a.values[i];
      magnitude += std::fabs(static_cast<double>(wf[i]) * a.values[i]);
      original += static_cast<double>(wf[i]) * x[i];
      act_bound += std::fabs(static_cast<double>(wf[i])) * a.max_error[i];
    }
    const double tight = 1e-5 * magnitude + 1e-30;
    EXPECT_NEAR(got, exact, tight) << type_name(type) << " n=" << n;
    EXPECT_NEAR(got, original, act_bound * 1.001 + tight) << type_name(type) << " n=" << n;
    if (k.act_format != ActFormat::F32) {
      // The 8-bit activations cost well under 1% of the dot product's scale.
      EXPECT_LT(std::fabs(got - original), 0.01 * magnitude) << type_name(type);
    }
  }
}

TEST_P(VecDot, ZeroWeightsOrActivationsGiveZero) {
  const GgmlType type = GetParam();
  const auto& k = kernels::ref_kernels().of(type);
  const int64_t n = 3 * std::max<int64_t>(type_info(type).block_size, 32);
  Rng rng{99};
  const std::vector<float> zeros(static_cast<size_t>(n), 0.0f);
  const auto w = random_vector(rng, n, 0.05f);
  const auto x = random_vector(rng, n, 1.0f);
  std::vector<uint8_t> wq(static_cast<size_t>(row_bytes(type, n)));
  std::vector<uint8_t> zq(static_cast<size_t>(row_bytes(type, n)));
  quantize_row(type, w.data(), wq.data(), n);
  quantize_row(type, zeros.data(), zq.data(), n);
  const QuantizedActs ax = quantize_acts(k.act_format, x);
  const QuantizedActs az = quantize_acts(k.act_format, zeros);
  EXPECT_EQ(k.vec_dot(n, zq.data(), ax.bytes.data()), 0.0f) << type_name(type);
  EXPECT_EQ(k.vec_dot(n, wq.data(), az.bytes.data()), 0.0f) << type_name(type);
}

INSTANTIATE_TEST_SUITE_P(AllTypes, VecDot,
                         testing::Values(GgmlType::F32, GgmlType::F16, GgmlType::BF16,
                                         GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_1,
                                         GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q2_K,
                                         GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K,
                                         GgmlType::Q6_K),
                         [](const auto& param_info) { return std::string(type_name(param_info.param)); });

TEST(ActQuant, Q8AFollowsItsDefinition) {
  Rng rng{5};
  auto x = random_vector(rng, 7 * kQK, 1.0f);
  std::fill(x.begin() + 2 * kQK, x.begin() + 3 * kQK, 0.0f);  // an all-zero block
  std::vector<BlockQ8A> blocks(7);
  kernels::ref_kernels().quantize_q8a(x.data(), blocks.data(), 7 * kQK);
  for (int b = 0; b < 7; ++b) {
    float amax = 0.0f;
    for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(x[b * kQK + j]));
    const float d = amax / 127.0f;
    EXPECT_EQ(blocks[b].d, d);
    int qsum = 0;
    for (int j = 0; j < kQK; ++j) {
      const int q = blocks[b].qs[j];
      qsum += q;
      EXPECT_LE(std::abs(q), 127);
      EXPECT_LE(std::fabs(x[b * kQK + j] - d * q), d * 0.5f * 1.0001f);
    }
    EXPECT_FLOAT_EQ(blocks[b].sum, d * static_cast<float>(qsum));
  }
  EXPECT_EQ(blocks[2].d, 0.0f);
  EXPECT_EQ(blocks[2].sum, 0.0f);
  for (int j = 0; j < kQK; ++j) EXPECT_EQ(blocks[2].qs[j], 0);
}

TEST(ActQuant, Q8KFollowsItsDefinition) {
  Rng rng{6};
  auto x = random_vector(rng, 3 * kQK_K, 1.0f);
  std::fill(x.begin() + kQK_K, x.begin() + 2 * kQK_K, 0.0f);
  std::vector<BlockQ8K> blocks(3);
  kernels::ref_kernels().quantize_q8k(x.data(), blocks.data(), 3 * kQK_K);
  for (int b = 0; b < 3; ++b) {
    float amax = 0.0f;
    for (int j = 0; j < kQK_K; ++j) amax = std::max(amax, std::fabs(x[b * kQK_K + j]));
    const float d = amax / 127.0f;
    EXPECT_EQ(blocks[b].d, d);
    for (int j = 0; j < kQK_K; ++j) {
      EXPECT_LE(std::fabs(x[b * kQK_K + j] - d * blocks[b].qs[j]), d * 0.5f * 1.0001f);
    }
    for (int r = 0; r < 16; ++r) {
      int s = 0;
      for (int j = 0; j < 16; ++j) s += blocks[b].qs[16 * r + j];
      EXPECT_EQ(blocks[b].bsums[r], s);
    }
  }
  EXPECT_EQ(blocks[1].d, 0.0f);
  for (int r = 0; r < 16; ++r) EXPECT_EQ(blocks[1].bsums[r], 0);
}

TEST(KernelTable, RefTableDescribesEveryComputableType) {
  const auto& table = kernels::ref_kernels();
  EXPECT_STREQ(table.isa, "ref");
  for (uint32_t id = 0; id < static_cast<uint32_t>(kernels::kMaxTypeId); ++id) {
    auto info = type_info(id);
    const auto& k = table.types[id];
    const bool computable = info && info->computable;
    EXPECT_EQ(k.to_float != nullptr, computable) << id;
    EXPECT_EQ(k.from_float != nullptr, computable) << id;
    EXPECT_EQ(k.vec_dot != nullptr, computable) << id;
    if (!computable) continue;
    const int64_t bs = info->block_size;
    const ActFormat expected = bs == 1 ? ActFormat::F32 : bs == 32 ? ActFormat::Q8A : ActFormat::Q8K;
    EXPECT_EQ(k.act_format, expected) << info->name;
  }
}

}  // namespace
}  // namespace loco
