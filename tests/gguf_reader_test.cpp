#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <random>

#include "loco/error.h"
#include "loco/gguf.h"
#include "test_paths.h"

namespace loco {
namespace {

std::vector<uint8_t> small_file() {
  GgufWriter w;
  w.set_string("general.architecture", "test");
  w.set_u32("test.count", 7);
  w.set_f32("test.scale", 0.5f);
  w.set_bool("test.flag", true);
  w.set_string_array("test.words", {"a", "bc", ""});
  w.set_i32_array("test.ints", {-1, 2, 3});
  std::vector<float> values(64);
  for (int i = 0; i < 64; ++i) values[i] = static_cast<float>(i);
  w.add_tensor("t.weight", GgmlType::F32, {32, 2}, values.data());
  w.add_tensor("u.weight", GgmlType::F32, {8}, values.data());
  return w.write_to_bytes();
}

TEST(GgufReader, RoundTripsWriterOutput) {
  GgufFile f = GgufFile::from_bytes(small_file());
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.get_string("general.architecture"), "test");
  EXPECT_EQ(f.get_uint("test.count"), 7u);
  EXPECT_FLOAT_EQ(f.get_float("test.scale"), 0.5);
  EXPECT_EQ(f.optional_bool("test.flag"), true);
  const GgufValue& words = f.get_array("test.words", GgufValueType::STRING);
  ASSERT_EQ(words.strings.size(), 3u);
  EXPECT_EQ(words.strings[1], "bc");
  const GgufValue& ints = f.get_array("test.ints", GgufValueType::I32);
  EXPECT_EQ(ints.array_integer(0), -1);
  EXPECT_EQ(ints.array_integer(2), 3);
  ASSERT_EQ(f.tensors().size(), 2u);
  const GgufTensor* t = f.find_tensor("t.weight");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->ne[0], 32);
  EXPECT_EQ(t->ne[1], 2);
  EXPECT_EQ(t->nbytes, 256u);
  float last;
  std::memcpy(&last, t->data + 63 * 4, 4);
  EXPECT_EQ(last, 63.0f);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t->data - f.data_offset()) % 1, 0u);
  EXPECT_EQ(t->offset % f.alignment(), 0u);
}

TEST(GgufReader, ReadsSharedModel) {
  GgufFile f = GgufFile::open(test::model_path("tiny-qwen3-q4_k_m.gguf"));
  EXPECT_EQ(f.get_string("general.architecture"), "qwen3");
  EXPECT_EQ(f.get_uint("qwen3.block_count"), 4u);
  const GgufTensor* emb = f.find_tensor("token_embd.weight");
  ASSERT_NE(emb, nullptr);
  EXPECT_EQ(emb->type, GgmlType::Q6_K);
  EXPECT_EQ(emb->ne[0], 256);
  EXPECT_EQ(emb->ne[1], 4101);
  EXPECT_EQ(f.get_array("tokenizer.ggml.tokens", GgufValueType::STRING).strings.size(), 4101u);
}

TEST(GgufReader, WrongTypeNamesKey) {
  GgufFile f = GgufFile::from_bytes(small_file(), "x.gguf");
  try {
    (void)f.get_string("test.count");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("test.count"), std::string::npos);
  }
  EXPECT_THROW((void)f.get_uint("missing.key"), FormatError);
}

TEST(GgufReader, RejectsBadMagicAndVersion) {
  auto bytes = small_file();
  bytes[0] = 'X';
  EXPECT_THROW(GgufFile::from_bytes(bytes), FormatError);
  bytes = small_file();
  bytes[4] = 1;
  EXPECT_THROW(GgufFile::from_bytes(bytes), FormatError);
  bytes = small_file();
  bytes[4] = 9;
  EXPECT_THROW(GgufFile::from_bytes(bytes), FormatError);
}

TEST(GgufReader, EveryTruncationIsAnError) {
  auto bytes = small_file();
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<long>(n));
    EXPECT_THROW(GgufFile::from_bytes(cut), FormatError) << "length " << n;
  }
}

TEST(GgufReader, HostileCountsDoNotAllocate) {
  auto bytes = small_file();
  // tensor count at byte 8, metadata count at byte 16
  uint64_t huge = uint64_t{1} << 60;
  auto patched = bytes;
  std::memcpy(patched.data() + 8, &huge, 8);
  EXPECT_THROW(GgufFile::from_bytes(patched), FormatError);
  patched = bytes;
  std::memcpy(patched.data() + 16, &huge, 8);
  EXPECT_THROW(GgufFile::from_bytes(patched), FormatError);
  // first key length at byte 24
  patched = bytes;
  std::memcpy(patched.data() + 24, &huge, 8);
  EXPECT_THROW(GgufFile::from_bytes(patched), FormatError);
}

TEST(GgufReader, MissingFileIsClearError) {
  try {
    (void)GgufFile::open("/nonexistent/model.gguf");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/model.gguf"), std::string::npos);
  }
}

TEST(GgufReader, RandomMutationsNeverCrash) {
  auto original = small_file();
  std::mt19937 rng(1234);
  int parsed = 0, rejected = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    auto bytes = original;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) {
      bytes[rng() % bytes.size()] = static_cast<uint8_t>(rng());
    }
    try {
      GgufFile f = GgufFile::from_bytes(bytes);
      for (const GgufTensor& t : f.tensors()) {
        ASSERT_LE(t.data + t.nbytes, t.data - f.data_offset() - t.offset + f.file_size());
      }
      ++parsed;
    } catch (const Error&) {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 0);
  EXPECT_GT(parsed, 0);
}

}  // namespace
}  // namespace loco
