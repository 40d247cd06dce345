// float <-> fp16 / bf16 conversions: exact IEEE cases worked out by hand, ties, and
// (where the compiler has _Float16) a comparison with the compiler's own conversion.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "loco/quantize.h"

namespace loco {
namespace {

uint32_t bits(float f) { return std::bit_cast<uint32_t>(f); }
float from_bits(uint32_t u) { return std::bit_cast<float>(u); }

TEST(Fp16, ExactValues) {
  EXPECT_EQ(float_to_fp16(1.0f), 0x3c00);
  EXPECT_EQ(float_to_fp16(-2.5f), 0xc100);  // -1.25·2^1: sign, exponent 16, mantissa 0x100
  EXPECT_EQ(float_to_fp16(65504.0f), 0x7bff);
  EXPECT_EQ(float_to_fp16(0.0f), 0x0000);
  EXPECT_EQ(float_to_fp16(-0.0f), 0x8000);
  EXPECT_EQ(float_to_fp16(0x1p-14f), 0x0400);   // smallest normal
  EXPECT_EQ(float_to_fp16(0x1p-24f), 0x0001);   // smallest subnormal
  EXPECT_EQ(float_to_fp16(1023 * 0x1p-24f), 0x03ff);  // largest subnormal
  EXPECT_EQ(fp16_to_float(0x3c00), 1.0f);
  EXPECT_EQ(fp16_to_float(0xc100), -2.5f);
  EXPECT_EQ(fp16_to_float(0x7bff), 65504.0f);
  EXPECT_EQ(fp16_to_float(0x0001), 0x1p-24f);
  EXPECT_EQ(fp16_to_float(0x03ff), 1023 * 0x1p-24f);
  EXPECT_EQ(fp16_to_float(0x0400), 0x1p-14f);
  EXPECT_EQ(bits(fp16_to_float(0x8000)), 0x80000000u);
  EXPECT_EQ(fp16_to_float(0x3555), 0.333251953125f);  // 1.0101010101b · 2^-2
}

TEST(Fp16, InfinityAndNan) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(float_to_fp16(inf), 0x7c00);
  EXPECT_EQ(float_to_fp16(-inf), 0xfc00);
  EXPECT_EQ(fp16_to_float(0x7c00), inf);
  EXPECT_EQ(fp16_to_float(0xfc00), -inf);
  const uint16_t nan = float_to_fp16(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan & 0x7c00, 0x7c00);
  EXPECT_NE(nan & 0x03ff, 0);
  // A NaN whose payload sits only in the low 13 bits must not turn into infinity.
  const uint16_t low_payload = float_to_fp16(from_bits(0x7f800001u));
  EXPECT_EQ(low_payload & 0x7c00, 0x7c00);
  EXPECT_NE(low_payload & 0x03ff, 0);
  EXPECT_TRUE(std::isnan(fp16_to_float(0x7e00)));
  EXPECT_TRUE(std::isnan(fp16_to_float(0xfc01)));
  // Overflow: 65519 is below the tie with 2^16 and stays finite; 65520 is the tie and
  // rounds to the even pattern, infinity.
  EXPECT_EQ(float_to_fp16(65519.0f), 0x7bff);
  EXPECT_EQ(float_to_fp16(65520.0f), 0x7c00);
  EXPECT_EQ(float_to_fp16(-1e6f), 0xfc00);
}

TEST(Fp16, RoundsToNearestEven) {
  // Around 1.0 the half ulp is 2^-10.
  EXPECT_EQ(float_to_fp16(1.0f + 0x1p-11f), 0x3c00);              // tie, down to even
  EXPECT_EQ(float_to_fp16(1.0f + 3 * 0x1p-11f), 0x3c02);          // tie, up to even
  EXPECT_EQ(float_to_fp16(1.0f + 0x1p-11f + 0x1p-20f), 0x3c01);   // just above the tie
  EXPECT_EQ(float_to_fp16(1.0f + 0x1p-11f - 0x1p-20f), 0x3c00);   // just below
  EXPECT_EQ(float_to_fp16(2.0f - 0x1p-11f), 0x4000);  // tie at the top of a binade carries
  // Subnormal steps are 2^-24.
  EXPECT_EQ(float_to_fp16(0x1p-25f), 0x0000);          // tie, down to even (zero)
  EXPECT_EQ(float_to_fp16(3 * 0x1p-25f), 0x0002);      // tie, up to even
  EXPECT_EQ(float_to_fp16(0x1p-25f + 0x1p-40f), 0x0001);
  EXPECT_EQ(float_to_fp16(-3 * 0x1p-25f), 0x8002);
  EXPECT_EQ(float_to_fp16(1e-10f), 0x0000);
  EXPECT_EQ(float_to_fp16(0x1p-14f - 0x1p-25f), 0x0400);  // tie rounds up into the normals
}

TEST(Fp16, EveryHalfSurvivesARoundTrip) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = fp16_to_float(static_cast<uint16_t>(h));
    if (std::isnan(f)) {
      EXPECT_EQ((h & 0x7c00), 0x7c00u);
      EXPECT_TRUE(std::isnan(fp16_to_float(float_to_fp16(f))));
      continue;
    }
    ASSERT_EQ(float_to_fp16(f), h) << "half 0x" << std::hex << h;
  }
}

#if defined(__FLT16_MANT_DIG__)
// The compiler's _Float16 conversion is an independent round-to-nearest-even reference.
TEST(Fp16, MatchesCompilerConversion) {
  uint32_t state = 12345;
  for (int i = 0; i < 200000; ++i) {
    state = state * 1664525u + 1013904223u;
    // Spread over every exponent that matters for half (2^-30 .. 2^17) plus random bits.
    const uint32_t exponent = 97 + (state >> 26) % 48;
    const uint32_t u = (state & 0x80000000u) | (exponent << 23) | ((state * 2654435761u) & 0x7fffffu);
    const float f = from_bits(u);
    const auto expected = std::bit_cast<uint16_t>(static_cast<_Float16>(f));
    ASSERT_EQ(float_to_fp16(f), expected) << "float bits 0x" << std::hex << u;
  }
}
#endif

TEST(Bf16, ExactValuesAndRounding) {
  EXPECT_EQ(float_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(float_to_bf16(-2.5f), 0xc020);
  EXPECT_EQ(bf16_to_float(0x3f80), 1.0f);
  EXPECT_EQ(bf16_to_float(0xc020), -2.5f);
  EXPECT_EQ(bf16_to_float(0x0001), 0x1p-133f);  // smallest subnormal
  EXPECT_EQ(float_to_bf16(0x1p-133f), 0x0001);
  // Ties on the 16 dropped bits go to the even pattern.
  EXPECT_EQ(float_to_bf16(from_bits(0x3f808000u)), 0x3f80);
  EXPECT_EQ(float_to_bf16(from_bits(0x3f818000u)), 0x3f82);
  EXPECT_EQ(float_to_bf16(from_bits(0x3f808001u)), 0x3f81);
  EXPECT_EQ(float_to_bf16(from_bits(0x00008000u)), 0x0000);
  EXPECT_EQ(float_to_bf16(from_bits(0x00018000u)), 0x0002);
  // The largest float lies above the tie with 2^128 and rounds to infinity.
  EXPECT_EQ(float_to_bf16(std::numeric_limits<float>::max()), 0x7f80);
  EXPECT_EQ(float_to_bf16(std::numeric_limits<float>::infinity()), 0x7f80);
  EXPECT_EQ(float_to_bf16(-std::numeric_limits<float>::infinity()), 0xff80);
}

TEST(Bf16, NanStaysNan) {
  EXPECT_TRUE(std::isnan(bf16_to_float(float_to_bf16(std::numeric_limits<float>::quiet_NaN()))));
  // Payload only in the dropped bits: truncation alone would give infinity.
  EXPECT_TRUE(std::isnan(bf16_to_float(float_to_bf16(from_bits(0x7f800001u)))));
  EXPECT_TRUE(std::isnan(bf16_to_float(float_to_bf16(from_bits(0xff800001u)))));
  EXPECT_TRUE(std::isnan(bf16_to_float(0x7fc0)));
}

TEST(Bf16, EveryBf16SurvivesARoundTrip) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = bf16_to_float(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    ASSERT_EQ(float_to_bf16(f), h);
  }
}

}  // namespace
}  // namespace loco
