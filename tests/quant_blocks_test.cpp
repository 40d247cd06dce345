// Dequantization of hand-built blocks of every type. Each expected value is worked out
// from the layout description in ../shared/docs/gguf-formats.md (the comment beside it
// shows how), not from the implementation. Also: zero and degenerate blocks, and the
// errors of the public row functions.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "loco/error.h"
#include "loco/quantize.h"
#include "tensor/blocks.h"

namespace loco {
namespace {

template <typename Block>
std::vector<float> decode(GgmlType type, const Block& block, int n) {
  std::vector<float> out(static_cast<size_t>(n));
  dequantize_row(type, &block, out.data(), n);
  return out;
}

template <typename Block>
Block zeroed() {
  Block b;
  std::memset(&b, 0, sizeof(b));
  return b;
}

TEST(QuantBlocks, FloatTypes) {
  const uint16_t halves[3] = {0x3c00, 0xc100, 0x7bff};
  float out[3];
  dequantize_row(GgmlType::F16, halves, out, 3);
  EXPECT_EQ(out[0], 1.0f);
  EXPECT_EQ(out[1], -2.5f);
  EXPECT_EQ(out[2], 65504.0f);
  const uint16_t bf[2] = {0x3f80, 0xc020};
  dequantize_row(GgmlType::BF16, bf, out, 2);
  EXPECT_EQ(out[0], 1.0f);
  EXPECT_EQ(out[1], -2.5f);
  const float f[2] = {0.25f, -7.0f};
  dequantize_row(GgmlType::F32, f, out, 2);
  EXPECT_EQ(out[0], 0.25f);
  EXPECT_EQ(out[1], -7.0f);
}

TEST(QuantBlocks, Q8_0) {
  auto b = zeroed<BlockQ8_0>();
  b.d = 0x3800;  // 0.5
  b.qs[0] = -128;
  b.qs[5] = 7;
  b.qs[31] = -3;
  auto x = decode(GgmlType::Q8_0, b, 32);
  EXPECT_EQ(x[0], -64.0f);
  EXPECT_EQ(x[5], 3.5f);
  EXPECT_EQ(x[31], -1.5f);
  EXPECT_EQ(x[1], 0.0f);
}

TEST(QuantBlocks, Q4_0) {
  auto b = zeroed<BlockQ4_0>();
  b.d = 0x4000;     // 2.0
  b.qs[0] = 0x1f;   // value 0: low nibble 15; value 16: high nibble 1
  b.qs[15] = 0x80;  // value 15: 0; value 31: 8
  auto x = decode(GgmlType::Q4_0, b, 32);
  EXPECT_EQ(x[0], 14.0f);    // 2·(15−8)
  EXPECT_EQ(x[16], -14.0f);  // 2·(1−8)
  EXPECT_EQ(x[15], -16.0f);  // 2·(0−8)
  EXPECT_EQ(x[31], 0.0f);    // 2·(8−8)
  EXPECT_EQ(x[3], -16.0f);
}

TEST(QuantBlocks, Q4_1) {
  auto b = zeroed<BlockQ4_1>();
  b.d = 0x3c00;  // 1.0
  b.m = 0xbc00;  // -1.0
  b.qs[3] = 0xa5;
  auto x = decode(GgmlType::Q4_1, b, 32);
  EXPECT_EQ(x[3], 4.0f);   // 1·5 − 1
  EXPECT_EQ(x[19], 9.0f);  // 1·10 − 1
  EXPECT_EQ(x[0], -1.0f);
}

TEST(QuantBlocks, Q5_0) {
  auto b = zeroed<BlockQ5_0>();
  b.d = 0x3800;  // 0.5
  // qh as little-endian u32: bits 0, 16 and 31 set.
  b.qh[0] = 0x01;
  b.qh[2] = 0x01;
  b.qh[3] = 0x80;
  b.qs[0] = 0x3f;
  b.qs[15] = 0xf2;
  auto x = decode(GgmlType::Q5_0, b, 32);
  EXPECT_EQ(x[0], 7.5f);    // low 15 + bit 0 → 31; 0.5·(31−16)
  EXPECT_EQ(x[16], 1.5f);   // high nibble 3 + bit 16 → 19; 0.5·3
  EXPECT_EQ(x[15], -7.0f);  // 2, bit 15 clear; 0.5·(2−16)
  EXPECT_EQ(x[31], 7.5f);   // 15 + bit 31 → 31
  EXPECT_EQ(x[1], -8.0f);   // 0
}

TEST(QuantBlocks, Q5_1) {
  auto b = zeroed<BlockQ5_1>();
  b.d = 0x3400;  // 0.25
  b.m = 0x4000;  // 2.0
  b.qh[1] = 0x02;  // bit 9
  b.qs[9] = 0x47;
  auto x = decode(GgmlType::Q5_1, b, 32);
  EXPECT_EQ(x[9], 7.75f);  // 7 + 16 = 23; 0.25·23 + 2
  EXPECT_EQ(x[25], 3.0f);  // 4, bit 25 clear; 0.25·4 + 2
  EXPECT_EQ(x[0], 2.0f);
}

TEST(QuantBlocks, Q2_K) {
  auto b = zeroed<BlockQ2_K>();
  b.d = 0x3c00;     // 1.0
  b.dmin = 0x3800;  // 0.5
  b.scales[0] = 0x23;   // scale 3, min 2
  b.scales[2] = 0x14;   // scale 4, min 1
  b.scales[4] = 0x02;   // scale 2, min 0
  b.scales[9] = 0x51;   // scale 1, min 5
  b.scales[15] = 0xf7;  // scale 7, min 15
  b.qs[0] = 0x93;   // 2-bit fields (low to high): 3, 0, 1, 2
  b.qs[54] = 0x03;  // byte 22 of the second half, field 0
  b.qs[63] = 0xc0;  // byte 31 of the second half, field 3
  auto x = decode(GgmlType::Q2_K, b, 256);
  EXPECT_EQ(x[0], 8.0f);     // field 0 of qs[0] = 3, run 0: 1·3·3 − 0.5·2
  EXPECT_EQ(x[32], -0.5f);   // field 1 of qs[0] = 0, run 2: 0 − 0.5·1
  EXPECT_EQ(x[64], 2.0f);    // field 2 = 1, run 4: 1·2·1 − 0
  EXPECT_EQ(x[96], 0.0f);    // field 3 = 2, run 6 has scale 0 and min 0
  EXPECT_EQ(x[150], 0.5f);   // 128 + 22: qs[32+22] field 0 = 3, run 9: 1·1·3 − 0.5·5
  EXPECT_EQ(x[255], 13.5f);  // 128 + 96 + 31: qs[63] field 3 = 3, run 15: 7·3 − 0.5·15
  EXPECT_EQ(x[1], -1.0f);    // level 0, run 0: −0.5·2
}

TEST(QuantBlocks, Q3_K) {
  auto b = zeroed<BlockQ3_K>();
  b.d = 0x3800;  // 0.5
  // Scale 0 = 33 (low 4 bits 1 in byte 0's low nibble, top bits 2 in bits 0-1 of byte 8).
  // Scale 13 = 60: low 12 in byte 5's high nibble, top 3 in bits 6-7 of byte 9.
  // Scale 6 = 20: low 4 in byte 6's low nibble, top 1 in bits 2-3 of byte 10.
  // Every other scale is 0, i.e. −32 after the bias.
  b.scales[0] = 0x01;
  b.scales[5] = 0xc0;
  b.scales[6] = 0x04;
  b.scales[8] = 0x02;
  b.scales[9] = 0xc0;
  b.scales[10] = 0x04;
  b.qs[0] = 0x03;     // value 0: low bits 3
  b.hmask[0] = 0x01;  // value 0: high bit set (no −4)
  b.qs[4] = 0x80;     // value 100 = 32·3 + 4: field 3 of qs[4] = 2
  b.hmask[4] = 0x08;  // value 100: bit 3 of hmask[4]
  b.qs[53] = 0x50;    // second half, byte 21: field 2 = 1 (value 213), field 3 = 1 (value 245)
  b.hmask[21] = 0x80; // value 245 = 32·7 + 21 has its high bit; value 213 (bit 6) not
  auto x = decode(GgmlType::Q3_K, b, 256);
  EXPECT_EQ(x[0], 1.5f);     // 0.5·(33−32)·3
  EXPECT_EQ(x[1], -2.0f);    // level 0, high bit clear → −4: 0.5·1·(−4)
  EXPECT_EQ(x[100], -12.0f); // run 6: 0.5·(20−32)·2
  EXPECT_EQ(x[213], -42.0f); // run 13: 0.5·(60−32)·(1−4)
  EXPECT_EQ(x[245], -16.0f); // run 15: 0.5·(0−32)·1
  EXPECT_EQ(x[255], 64.0f);  // run 15: 0.5·(−32)·(0−4)
}

TEST(QuantBlocks, Q4_K) {
  auto b = zeroed<BlockQ4_K>();
  b.d = 0x3c00;     // 1.0
  b.dmin = 0x3800;  // 0.5
  // Sub-block 1: scale 5, min 3 (low 6 bits of bytes 1 and 5).
  // Sub-block 5: scale 37 = 0b10'0101, min 50 = 0b11'0010: low nibbles in byte 9,
  //   top bits in bits 6-7 of byte 1 (scale) and byte 5 (min).
  // Sub-block 7: scale 63: low 15 in byte 11, top 3 in bits 6-7 of byte 3.
  // Sub-block 4: scale 2, min 1 in byte 8.
  b.scales[1] = 0x85;
  b.scales[5] = 0xc3;
  b.scales[9] = 0x25;
  b.scales[3] = 0xc0;
  b.scales[11] = 0x0f;
  b.scales[8] = 0x12;
  b.qs[7] = 0xa0;    // run 0: value 7 (sub-block 0) = 0, value 39 (sub-block 1) = 10
  b.qs[64] = 0x09;   // run 2: value 128 (sub-block 4) = 9
  b.qs[67] = 0x70;   // run 2: value 131 = 0, value 163 (sub-block 5) = 7
  b.qs[127] = 0xf0;  // run 3: value 255 (sub-block 7) = 15
  auto x = decode(GgmlType::Q4_K, b, 256);
  EXPECT_EQ(x[7], 0.0f);      // sub-block 0 has scale 0, min 0
  EXPECT_EQ(x[39], 48.5f);    // 5·10 − 0.5·3
  EXPECT_EQ(x[128], 17.5f);   // 2·9 − 0.5·1
  EXPECT_EQ(x[131], -0.5f);   // 2·0 − 0.5·1
  EXPECT_EQ(x[163], 234.0f);  // 37·7 − 0.5·50
  EXPECT_EQ(x[255], 945.0f);  // 63·15 − 0
}

TEST(QuantBlocks, Q5_K) {
  auto b = zeroed<BlockQ5_K>();
  b.d = 0x3800;     // 0.5
  b.dmin = 0x3c00;  // 1.0
  // Sub-block 1: scale 3, min 2. Sub-block 6: scale 20 = 0b01'0100, min 33 =
  // 0b10'0001: low nibbles in byte 10, top bits in bits 6-7 of bytes 2 and 6.
  b.scales[1] = 0x03;
  b.scales[5] = 0x02;
  b.scales[10] = 0x14;
  b.scales[2] = 0x40;
  b.scales[6] = 0x80;
  b.qs[0] = 0x50;    // run 0: value 32 (sub-block 1, k = 0) = 5
  b.qh[0] = 0x02;    // bit 1 of qh[0]: fifth bit of value 0 of sub-block 1
  b.qs[105] = 0x0b;  // run 3 low nibbles: value 192 + 9 = 201 (sub-block 6) = 11
  b.qh[9] = 0x40;    // bit 6 of qh[9]: fifth bit of value 9 of sub-block 6
  auto x = decode(GgmlType::Q5_K, b, 256);
  EXPECT_EQ(x[32], 29.5f);    // 0.5·3·(5+16) − 1·2
  EXPECT_EQ(x[201], 237.0f);  // 0.5·20·(11+16) − 1·33
  EXPECT_EQ(x[200], -33.0f);  // level 0 − 33
  EXPECT_EQ(x[0], 0.0f);      // sub-block 0: scale 0, min 0
}

TEST(QuantBlocks, Q6_K) {
  auto b = zeroed<BlockQ6_K>();
  b.d = 0x3400;  // 0.25
  b.scales[0] = 3;
  b.scales[2] = 1;
  b.scales[4] = -2;
  b.scales[6] = -128;
  b.scales[9] = 5;
  b.scales[13] = 127;
  b.ql[0] = 0x7a;   // value 0: low 10; value 64: high 7
  b.qh[0] = 0x36;   // 2-bit fields 2, 1, 3, 0: tops of values 0, 32, 64, 96
  b.ql[95] = 0xe0;  // second half, ql[64+31]: value 128+31 low 0, value 128+95 high 14
  b.qh[63] = 0x20;  // second half, qh[32+31]: field 2 = 2 (top of value 128+95)
  auto x = decode(GgmlType::Q6_K, b, 256);
  EXPECT_EQ(x[0], 7.5f);      // (10 | 2<<4) − 32 = 10; 0.25·3·10
  EXPECT_EQ(x[32], -4.0f);    // (0 | 1<<4) − 32 = −16; 0.25·1·(−16)
  EXPECT_EQ(x[64], -11.5f);   // (7 | 3<<4) − 32 = 23; 0.25·(−2)·23
  EXPECT_EQ(x[96], 1024.0f);  // 0 − 32; 0.25·(−128)·(−32)
  EXPECT_EQ(x[159], -40.0f);  // 0 − 32; 0.25·5·(−32)
  EXPECT_EQ(x[223], 444.5f);  // (14 | 2<<4) − 32 = 14; 0.25·127·14
}

// Every writable type: all-zero input gives zero output, and awkward blocks (constant,
// one spike, tiny values, a zero half) stay finite and near the input.
class QuantDegenerate : public testing::TestWithParam<GgmlType> {};

TEST_P(QuantDegenerate, ZeroAndAwkwardBlocksStayFinite) {
  const GgmlType type = GetParam();
  const int n = 512;
  auto round_trip = [&](const std::vector<float>& in) {
    std::vector<uint8_t> q(static_cast<size_t>(row_bytes(type, n)));
    std::vector<float> out(n);
    quantize_row(type, in.data(), q.data(), n);
    dequantize_row(type, q.data(), out.data(), n);
    return out;
  };
  for (float v : round_trip(std::vector<float>(n, 0.0f))) ASSERT_EQ(v, 0.0f);

  std::vector<std::vector<float>> inputs;
  inputs.push_back(std::vector<float>(n, -0.75f));  // constant
  inputs.push_back(std::vector<float>(n, 2.0f));
  std::vector<float> spike(n, 0.0f);
  spike[37] = 3.0f;
  spike[300] = -5.0f;
  inputs.push_back(spike);
  // Small values whose block scales fall among the fp16 subnormals (Q6_K's super-block
  // scale is about max / 4096 here); much smaller blocks flush to zero in every format.
  std::vector<float> tiny(n);
  for (int i = 0; i < n; ++i) tiny[i] = static_cast<float>((i * 7) % 13 - 6) * 1e-3f;
  inputs.push_back(tiny);
  std::vector<float> half_zero(n, 0.0f);
  for (int i = n / 2; i < n; ++i) half_zero[i] = std::sin(0.37f * static_cast<float>(i));
  inputs.push_back(half_zero);
  for (const auto& in : inputs) {
    const auto out = round_trip(in);
    double err = 0.0;
    double ref = 0.0;
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(std::isfinite(out[i])) << type_name(type) << " value " << i;
      err += (out[i] - in[i]) * static_cast<double>(out[i] - in[i]);
      ref += in[i] * static_cast<double>(in[i]);
    }
    // Even 2-bit formats keep these within 60% relative error (the spike, tiny and
    // constant blocks are represented nearly exactly by most types).
    EXPECT_LE(std::sqrt(err / ref), 0.6) << type_name(type);
  }
  for (int i : {0, n / 2 - 1}) EXPECT_EQ(round_trip(half_zero)[i], 0.0f) << type_name(type);
}

INSTANTIATE_TEST_SUITE_P(AllTypes, QuantDegenerate,
                         testing::Values(GgmlType::F32, GgmlType::F16, GgmlType::BF16,
                                         GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_1,
                                         GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q2_K,
                                         GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K,
                                         GgmlType::Q6_K),
                         [](const auto& param_info) { return std::string(type_name(param_info.param)); });

TEST(QuantRows, UnsupportedTypeNamesIt) {
  std::vector<uint8_t> data(1024);
  std::vector<float> out(256);
  try {
    dequantize_row(GgmlType::IQ2_XXS, data.data(), out.data(), 256);
    FAIL() << "no exception";
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("IQ2_XXS"), std::string::npos) << e.what();
  }
  try {
    quantize_row(GgmlType::Q8_K, out.data(), data.data(), 256);
    FAIL() << "no exception";
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("Q8_K"), std::string::npos) << e.what();
  }
  EXPECT_THROW(dequantize_row(static_cast<GgmlType>(33), data.data(), out.data(), 32),
               UnsupportedError);
  EXPECT_THROW(dequantize_row(static_cast<GgmlType>(1000), data.data(), out.data(), 32),
               UnsupportedError);
}

TEST(QuantRows, LengthMustBeAMultipleOfTheBlock) {
  std::vector<uint8_t> data(1024);
  std::vector<float> out(256);
  EXPECT_THROW(dequantize_row(GgmlType::Q4_K, data.data(), out.data(), 100), Error);
  EXPECT_THROW(quantize_row(GgmlType::Q8_0, out.data(), data.data(), 33), Error);
}

}  // namespace
}  // namespace loco
