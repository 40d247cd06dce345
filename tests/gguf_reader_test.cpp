#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
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


// Builds GGUF bytes field by field, so tests can write what GgufWriter refuses to.
struct RawGguf {
  std::vector<uint8_t> bytes;

  RawGguf(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
    raw("GGUF", 4);
    u32(version);
    u64(n_tensors);
    u64(n_kv);
  }
  RawGguf& raw(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    bytes.insert(bytes.end(), b, b + n);
    return *this;
  }
  RawGguf& u8(uint8_t v) { return raw(&v, 1); }
  RawGguf& u32(uint32_t v) { return raw(&v, 4); }
  RawGguf& u64(uint64_t v) { return raw(&v, 8); }
  RawGguf& str(std::string_view s) {
    u64(s.size());
    return raw(s.data(), s.size());
  }
  RawGguf& type(GgufValueType t) { return u32(static_cast<uint32_t>(t)); }
  RawGguf& kv_u32(std::string_view key, uint32_t v) {
    str(key).type(GgufValueType::U32);
    return u32(v);
  }
  RawGguf& tensor(std::string_view name, std::vector<uint64_t> ne, uint32_t type_id,
                  uint64_t offset) {
    str(name).u32(static_cast<uint32_t>(ne.size()));
    for (uint64_t d : ne) u64(d);
    return u32(type_id).u64(offset);
  }
  RawGguf& zeros(size_t n) {
    bytes.resize(bytes.size() + n, 0);
    return *this;
  }
  RawGguf& pad_to(size_t alignment) {
    bytes.resize((bytes.size() + alignment - 1) / alignment * alignment, 0);
    return *this;
  }
};

// Parsing must fail with a FormatError whose message names the file and the problem.
void expect_format_error(std::vector<uint8_t> bytes, const std::string& needle) {
  try {
    (void)GgufFile::from_bytes(std::move(bytes), "hostile.gguf");
    ADD_FAILURE() << "parsed, expected an error mentioning: " << needle;
  } catch (const FormatError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find(needle), std::string::npos) << message;
    EXPECT_EQ(message.rfind("hostile.gguf: ", 0), 0u) << message;
  }
}

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The tensor's view lies inside the image it was parsed from.
void expect_in_bounds(const GgufFile& f, const GgufTensor& t) {
  const uint8_t* base = t.data - t.offset - f.data_offset();
  EXPECT_GE(t.nbytes, 1u);
  EXPECT_LE(f.data_offset() + t.offset + t.nbytes, f.file_size()) << t.name;
  EXPECT_LE(t.data + t.nbytes, base + f.file_size()) << t.name;
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

TEST(GgufReader, RoundTripsEveryMetadataType) {
  GgufWriter w;
  w.set_u8("s.u8", 255);
  w.set_i8("s.i8", -128);
  w.set_u16("s.u16", 65535);
  w.set_i16("s.i16", -32768);
  w.set_u32("s.u32", 4294967295u);
  w.set_i32("s.i32", std::numeric_limits<int32_t>::min());
  w.set_u64("s.u64", std::numeric_limits<uint64_t>::max());
  w.set_i64("s.i64", std::numeric_limits<int64_t>::min());
  w.set_f32("s.f32", -1.5f);
  w.set_f64("s.f64", 0.1);  // not representable as a float: checks the full width survives
  w.set_bool("s.bool", false);
  w.set_string("s.string", std::string("with\0nul", 8));
  w.set_u8_array("a.u8", {0, 255});
  w.set_i8_array("a.i8", {-128, 127});
  w.set_u16_array("a.u16", {1, 65535});
  w.set_i16_array("a.i16", {-32768, 32767});
  w.set_u32_array("a.u32", {7, 4294967295u});
  w.set_i32_array("a.i32", {std::numeric_limits<int32_t>::min(), 5});
  w.set_u64_array("a.u64", {uint64_t{1} << 40, 3});
  w.set_i64_array("a.i64", {std::numeric_limits<int64_t>::min(), -2});
  w.set_f32_array("a.f32", {0.5f, -0.25f});
  w.set_f64_array("a.f64", {0.1, 1e300});
  w.set_bool_array("a.bool", {true, false, true});
  w.set_string_array("a.string", {"", "x"});
  w.set_string_array("a.empty", {});
  GgufFile f = GgufFile::from_bytes(w.write_to_bytes());
  ASSERT_EQ(f.metadata().size(), 25u);

  const GgufValueType scalar_types[] = {
      GgufValueType::U8,  GgufValueType::I8,  GgufValueType::U16, GgufValueType::I16,
      GgufValueType::U32, GgufValueType::I32, GgufValueType::U64, GgufValueType::I64,
      GgufValueType::F32, GgufValueType::F64, GgufValueType::BOOL, GgufValueType::STRING};
  for (size_t i = 0; i < std::size(scalar_types); ++i) {
    EXPECT_EQ(f.metadata()[i].value.type, scalar_types[i]) << f.metadata()[i].key;
    EXPECT_EQ(f.metadata()[12 + i].value.type, GgufValueType::ARRAY);
    EXPECT_EQ(f.metadata()[12 + i].value.elem_type, scalar_types[i]) << f.metadata()[12 + i].key;
  }
  EXPECT_EQ(f.get_uint("s.u8"), 255u);
  EXPECT_EQ(f.find("s.i8")->int_value, -128);
  EXPECT_EQ(f.get_uint("s.u16"), 65535u);
  EXPECT_EQ(f.find("s.i16")->int_value, -32768);
  EXPECT_EQ(f.get_uint("s.u32"), 4294967295u);
  EXPECT_EQ(f.find("s.i32")->int_value, std::numeric_limits<int32_t>::min());
  EXPECT_EQ(f.get_uint("s.u64"), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(f.find("s.i64")->int_value, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(f.get_float("s.f32"), -1.5);
  EXPECT_EQ(f.get_float("s.f64"), 0.1);
  EXPECT_EQ(f.optional_bool("s.bool"), false);
  EXPECT_EQ(f.get_string("s.string"), std::string("with\0nul", 8));

  EXPECT_EQ(f.get_array("a.u8", GgufValueType::U8).array_integer(1), 255);
  EXPECT_EQ(f.get_array("a.i8", GgufValueType::I8).array_integer(0), -128);
  EXPECT_EQ(f.get_array("a.u16", GgufValueType::U16).array_integer(1), 65535);
  EXPECT_EQ(f.get_array("a.i16", GgufValueType::I16).array_integer(0), -32768);
  EXPECT_EQ(f.get_array("a.u32", GgufValueType::U32).array_integer(1), 4294967295);
  EXPECT_EQ(f.get_array("a.i32", GgufValueType::I32).array_integer(0),
            std::numeric_limits<int32_t>::min());
  EXPECT_EQ(f.get_array("a.u64", GgufValueType::U64).array_integer(0), int64_t{1} << 40);
  EXPECT_EQ(f.get_array("a.i64", GgufValueType::I64).array_integer(0),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(f.get_array("a.f32", GgufValueType::F32).array_number(1), -0.25);
  EXPECT_EQ(f.get_array("a.f64", GgufValueType::F64).array_number(0), 0.1);
  EXPECT_EQ(f.get_array("a.f64", GgufValueType::F64).array_number(1), 1e300);
  const GgufValue& bools = f.get_array("a.bool", GgufValueType::BOOL);
  ASSERT_EQ(bools.count, 3u);
  EXPECT_EQ(bools.array_integer(0), 1);
  EXPECT_EQ(bools.array_integer(1), 0);
  const GgufValue& strings = f.get_array("a.string", GgufValueType::STRING);
  ASSERT_EQ(strings.strings.size(), 2u);
  EXPECT_EQ(strings.strings[0], "");
  EXPECT_EQ(strings.strings[1], "x");
  EXPECT_EQ(f.get_array("a.empty", GgufValueType::STRING).count, 0u);
  for (const GgufKV& kv : f.metadata()) {
    if (!kv.value.is_array()) continue;
    EXPECT_EQ(kv.value.count, kv.key == "a.empty" ? 0u : kv.key == "a.bool" ? 3u : 2u) << kv.key;
  }

  // A value read back can be written again unchanged (what model rewriting relies on).
  GgufWriter copy;
  for (const GgufKV& kv : f.metadata()) copy.set_value(kv.key, kv.value);
  EXPECT_EQ(copy.write_to_bytes(), w.write_to_bytes());
}

TEST(GgufReader, ArrayAccessIsChecked) {
  GgufWriter w;
  w.set_f32_array("f", {1.0f, std::nanf(""), 1e30f});
  w.set_u64_array("u", {std::numeric_limits<uint64_t>::max()});
  w.set_string_array("s", {"a"});
  GgufFile f = GgufFile::from_bytes(w.write_to_bytes());
  const GgufValue& floats = f.get_array("f", GgufValueType::F32);
  EXPECT_EQ(floats.array_integer(0), 1);
  EXPECT_THROW((void)floats.array_integer(1), FormatError);  // NaN
  EXPECT_THROW((void)floats.array_integer(2), FormatError);  // beyond int64
  EXPECT_THROW((void)floats.array_number(3), FormatError);   // past the end
  const GgufValue& u = f.get_array("u", GgufValueType::U64);
  EXPECT_EQ(u.array_number(0), 18446744073709551615.0);
  EXPECT_THROW((void)u.array_integer(0), FormatError);
  EXPECT_THROW((void)f.get_array("s", GgufValueType::STRING).array_number(0), FormatError);
  EXPECT_THROW((void)f.get_array("s", GgufValueType::I32), FormatError);
}

TEST(GgufReader, NestedArrays) {
  std::vector<int32_t> ints = {1, 2, 3};
  std::vector<std::string_view> words = {"x", "yz"};
  GgufValue innermost = GgufValue::numeric_array(GgufValueType::I32, ints.data(), 2);
  GgufWriter w;
  w.set_value("n", GgufValue::array_of_arrays({
                       GgufValue::numeric_array(GgufValueType::I32, ints.data(), 3),
                       GgufValue::string_array(words),
                       GgufValue::array_of_arrays({innermost}),
                       GgufValue::array_of_arrays({}),
                   }));
  GgufFile f = GgufFile::from_bytes(w.write_to_bytes());
  const GgufValue& n = f.get_array("n", GgufValueType::ARRAY);
  ASSERT_EQ(n.count, 4u);
  ASSERT_EQ(n.arrays.size(), 4u);
  EXPECT_EQ(n.arrays[0].elem_type, GgufValueType::I32);
  EXPECT_EQ(n.arrays[0].array_integer(2), 3);
  ASSERT_EQ(n.arrays[1].strings.size(), 2u);
  EXPECT_EQ(n.arrays[1].strings[1], "yz");
  ASSERT_EQ(n.arrays[2].arrays.size(), 1u);
  EXPECT_EQ(n.arrays[2].arrays[0].count, 2u);
  EXPECT_EQ(n.arrays[2].arrays[0].array_integer(1), 2);
  EXPECT_EQ(n.arrays[3].count, 0u);

  // Eight levels of arrays are allowed, nine are not (the writer refuses them too).
  GgufValue deep = GgufValue::numeric_array(GgufValueType::U8, ints.data(), 0);
  for (int level = 1; level < 8; ++level) deep = GgufValue::array_of_arrays({deep});
  GgufWriter ok;
  ok.set_value("deep", deep);
  EXPECT_NO_THROW(GgufFile::from_bytes(ok.write_to_bytes()));
  EXPECT_THROW(ok.set_value("deeper", GgufValue::array_of_arrays({deep})), Error);
  RawGguf raw(0, 1);
  raw.str("deeper").type(GgufValueType::ARRAY);
  for (int level = 0; level < 8; ++level) raw.type(GgufValueType::ARRAY).u64(1);
  raw.type(GgufValueType::U8).u64(0);
  expect_format_error(raw.bytes, "metadata 'deeper' nests arrays more than 8 deep");
}

TEST(GgufReader, WriterRefusesInconsistentValues) {
  GgufWriter w;
  GgufValue v = GgufValue::string_array({"a"});
  v.count = 2;
  EXPECT_THROW(w.set_value("k", v), Error);
  GgufValue u = GgufValue::numeric_array(GgufValueType::U8, nullptr, 4);
  EXPECT_THROW(w.set_value("k", u), Error);
  GgufValue bad_type;
  bad_type.type = static_cast<GgufValueType>(13);
  EXPECT_THROW(w.set_value("k", bad_type), Error);
  EXPECT_THROW(w.add_tensor("t", GgmlType::F32, {4, -1}, nullptr), Error);
  EXPECT_THROW(w.add_tensor("t", GgmlType::Q8_0, {16}, nullptr), Error);
  EXPECT_TRUE(GgufFile::from_bytes(w.write_to_bytes()).metadata().empty());
}

TEST(GgufReader, WriterReplacesAndRemovesKeys) {
  GgufWriter w;
  w.set_u32("a", 1);
  w.set_string("b", "x");
  w.set_u32("general.alignment", 64);
  w.set_u32("c", 3);
  w.set_i64("a", -2);  // replaces in place, keeping the key's position
  w.remove("b");
  w.remove("general.alignment");
  w.remove("missing");
  w.set_bool("d", true);
  GgufFile f = GgufFile::from_bytes(w.write_to_bytes());
  ASSERT_EQ(f.metadata().size(), 3u);
  EXPECT_EQ(f.metadata()[0].key, "a");
  EXPECT_EQ(f.metadata()[0].value.int_value, -2);
  EXPECT_EQ(f.metadata()[1].key, "c");
  EXPECT_EQ(f.metadata()[2].key, "d");
  EXPECT_EQ(f.alignment(), 32u);
  EXPECT_EQ(f.data_offset() % 32, 0u);
}

TEST(GgufReader, ReadsVersion2) {
  auto bytes = small_file();
  bytes[4] = 2;
  GgufFile f = GgufFile::from_bytes(bytes);
  EXPECT_EQ(f.version(), 2u);
  EXPECT_EQ(f.get_string("general.architecture"), "test");
  EXPECT_EQ(f.get_array("test.words", GgufValueType::STRING).strings[1], "bc");
  ASSERT_NE(f.find_tensor("u.weight"), nullptr);
  float v;
  std::memcpy(&v, f.find_tensor("u.weight")->data + 7 * 4, 4);
  EXPECT_EQ(v, 7.0f);

  // The shared model relabelled as version 2 reads exactly as the original.
  auto model = read_bytes(test::model_path("tiny-qwen3-q4_k_m.gguf"));
  GgufFile v3 = GgufFile::from_bytes(model);
  model[4] = 2;
  GgufFile v2 = GgufFile::from_bytes(model);
  EXPECT_EQ(v2.version(), 2u);
  EXPECT_EQ(v2.metadata().size(), v3.metadata().size());
  ASSERT_EQ(v2.tensors().size(), v3.tensors().size());
  for (size_t i = 0; i < v3.tensors().size(); ++i) {
    EXPECT_EQ(v2.tensors()[i].name, v3.tensors()[i].name);
    EXPECT_EQ(v2.tensors()[i].offset, v3.tensors()[i].offset);
    EXPECT_EQ(v2.tensors()[i].nbytes, v3.tensors()[i].nbytes);
  }
}

TEST(GgufReader, RewritesSharedModelUnchanged) {
  GgufFile f = GgufFile::open(test::model_path("tiny-qwen3-q4_k_m.gguf"));
  GgufWriter w;
  for (const GgufKV& kv : f.metadata()) w.set_value(kv.key, kv.value);
  for (const GgufTensor& t : f.tensors()) {
    w.add_tensor(t.name, t.type, std::vector<int64_t>(t.ne, t.ne + t.n_dims), t.data);
  }
  GgufFile again = GgufFile::from_bytes(w.write_to_bytes());
  ASSERT_EQ(again.metadata().size(), f.metadata().size());
  EXPECT_EQ(again.get_array("tokenizer.ggml.merges", GgufValueType::STRING).strings,
            f.get_array("tokenizer.ggml.merges", GgufValueType::STRING).strings);
  ASSERT_EQ(again.tensors().size(), f.tensors().size());
  for (size_t i = 0; i < f.tensors().size(); ++i) {
    const GgufTensor& a = f.tensors()[i];
    const GgufTensor& b = again.tensors()[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.type, b.type);
    ASSERT_EQ(a.nbytes, b.nbytes);
    EXPECT_EQ(std::memcmp(a.data, b.data, a.nbytes), 0) << a.name;
  }
}

TEST(GgufReader, AlignmentVariants) {
  std::vector<float> values(24);
  for (int i = 0; i < 24; ++i) values[i] = static_cast<float>(i) - 3.0f;
  for (uint32_t alignment : {8u, 16u, 64u, 4096u, 1u << 20}) {
    GgufWriter w;
    w.set_u32("general.alignment", alignment);
    w.add_tensor("a", GgmlType::F32, {3}, values.data());
    w.add_tensor("b", GgmlType::F32, {7, 3}, values.data() + 3);
    GgufFile f = GgufFile::from_bytes(w.write_to_bytes());
    EXPECT_EQ(f.alignment(), alignment);
    EXPECT_EQ(f.data_offset() % alignment, 0u);
    const GgufTensor* b = f.find_tensor("b");
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->offset % alignment, 0u);
    EXPECT_EQ(b->offset, (12u + alignment - 1) / alignment * alignment);
    float last;
    std::memcpy(&last, b->data + 20 * 4, 4);
    EXPECT_EQ(last, 20.0f);
    for (const GgufTensor& t : f.tensors()) expect_in_bounds(f, t);
  }
  GgufWriter w;
  EXPECT_THROW(w.set_u32("general.alignment", 0), Error);
  EXPECT_THROW(w.set_u32("general.alignment", 3), Error);
  EXPECT_THROW(w.set_u32("general.alignment", 4), Error);
  EXPECT_THROW(w.set_u64("general.alignment", 32), Error);
}

TEST(GgufReader, RejectsInvalidAlignment) {
  for (uint32_t bad : {0u, 1u, 3u, 4u, 24u, 1u << 21}) {
    expect_format_error(RawGguf(0, 1).kv_u32("general.alignment", bad).bytes,
                        "general.alignment " + std::to_string(bad) +
                            " is not a power of two from 8 to 1 MiB");
  }
  RawGguf as_u64(0, 1);
  as_u64.str("general.alignment").type(GgufValueType::U64).u64(32);
  expect_format_error(as_u64.bytes, "general.alignment has type u64, expected u32");
  RawGguf as_string(0, 1);
  as_string.str("general.alignment").type(GgufValueType::STRING).str("32");
  expect_format_error(as_string.bytes, "general.alignment has type string, expected u32");
}

// A file with one tensor described by the arguments, followed by `data_bytes` of data.
std::vector<uint8_t> one_tensor(std::vector<uint64_t> ne, uint32_t type_id, uint64_t offset,
                                size_t data_bytes) {
  RawGguf raw(1, 0);
  raw.tensor("t", std::move(ne), type_id, offset).pad_to(32).zeros(data_bytes);
  return raw.bytes;
}

TEST(GgufReader, RejectsBadTensorInfo) {
  EXPECT_NO_THROW(GgufFile::from_bytes(one_tensor({256, 2}, 12, 0, 288)));  // Q4_K, exact fit
  expect_format_error(one_tensor({32}, 4, 0, 64), "tensor 't' has unknown type id 4");
  expect_format_error(one_tensor({32}, 1000, 0, 64), "tensor 't' has unknown type id 1000");
  expect_format_error(one_tensor({}, 0, 0, 64), "tensor 't' has 0 dimensions (1 to 4 allowed)");
  expect_format_error(one_tensor({1, 1, 1, 1, 1}, 0, 0, 64),
                      "tensor 't' has 5 dimensions (1 to 4 allowed)");
  expect_format_error(one_tensor({4, 0}, 0, 0, 64), "tensor 't' has an impossible dimension 0");
  expect_format_error(one_tensor({uint64_t{1} << 30, uint64_t{1} << 30}, 0, 0, 64),
                      "impossible dimension 1073741824");
  expect_format_error(one_tensor({100, 2}, 12, 0, 4096),
                      "tensor 't' of type Q4_K has row length 100, not a multiple of the block "
                      "size 256");
  expect_format_error(one_tensor({4}, 0, 8, 64),
                      "tensor 't' offset 8 is not a multiple of the alignment 32");
  expect_format_error(one_tensor({256, 2}, 12, 0, 287),
                      "tensor 't' (288 bytes at data offset 0) extends past the end of the file");
  expect_format_error(one_tensor({4}, 0, uint64_t{1} << 63, 64), "extends past the end");
  expect_format_error(one_tensor({4}, 0, 0xFFFFFFFFFFFFFFE0, 64), "extends past the end");
  // The header alone, with the data section missing.
  RawGguf header_only(1, 0);
  header_only.tensor("t", {4}, 0, 0);
  expect_format_error(header_only.bytes, "data section starts past the end of the file");
}

TEST(GgufReader, RejectsDuplicatesAndOverlaps) {
  RawGguf keys(0, 2);
  keys.kv_u32("a", 1).kv_u32("a", 2);
  expect_format_error(keys.bytes, "duplicate metadata key 'a'");
  RawGguf names(2, 0);
  names.tensor("t", {8}, 0, 0).tensor("t", {8}, 0, 32).pad_to(32).zeros(64);
  expect_format_error(names.bytes, "duplicate tensor name 't'");
  RawGguf overlap(2, 0);
  overlap.tensor("a", {16}, 0, 0).tensor("b", {8}, 0, 32).pad_to(32).zeros(64);
  expect_format_error(overlap.bytes, "tensors 'a' and 'b' overlap in the data section");
  RawGguf same_offset(2, 0);
  same_offset.tensor("b", {8}, 0, 0).tensor("a", {8}, 0, 0).pad_to(32).zeros(64);
  expect_format_error(same_offset.bytes, "overlap in the data section");
}

TEST(GgufReader, RejectsHugeLengthsAndCounts) {
  const uint64_t huge = uint64_t{1} << 62;
  RawGguf key(0, 1);
  key.u64(huge).zeros(16);
  expect_format_error(key.bytes, "metadata key has length 4611686018427387904, above the limit "
                                 "of 4096");
  RawGguf value(0, 1);
  value.str("k").type(GgufValueType::STRING).u64(huge).zeros(16);
  expect_format_error(value.bytes, "metadata 'k' has length 4611686018427387904, more than the "
                                   "16 bytes left in the file");
  RawGguf element(0, 1);
  element.str("k").type(GgufValueType::ARRAY).type(GgufValueType::STRING).u64(1).u64(huge);
  expect_format_error(element.bytes, "a string in metadata 'k' has length 4611686018427387904");
  RawGguf name(1, 0);
  name.u64(5000).zeros(5000 + 32);
  expect_format_error(name.bytes, "tensor name has length 5000, above the limit of 4096");

  for (GgufValueType elem : {GgufValueType::U8, GgufValueType::F64, GgufValueType::STRING,
                             GgufValueType::ARRAY}) {
    RawGguf array(0, 1);
    array.str("k").type(GgufValueType::ARRAY).type(elem).u64(huge).zeros(64);
    expect_format_error(array.bytes,
                        "metadata 'k' claims 4611686018427387904 array elements, more than the "
                        "file can hold");
  }
  RawGguf tensors(huge, 0);
  expect_format_error(tensors.zeros(64).bytes, "tensor count 4611686018427387904 is larger than "
                                               "the file can hold");
  RawGguf kvs(0, huge);
  expect_format_error(kvs.zeros(64).bytes, "metadata count 4611686018427387904 is larger than "
                                           "the file can hold");
}

// Counts the file could hold but that would decode to far more memory than real files use.
TEST(GgufReader, LimitsDecodedSizes) {
  RawGguf kvs(0, 65537);
  expect_format_error(kvs.zeros(13 * 65537).bytes,
                      "metadata count 65537 is above the limit of 65536");
  RawGguf tensors(262145, 0);
  expect_format_error(tensors.zeros(32 * 262145).bytes,
                      "tensor count 262145 is above the limit of 262144");
  // 65537 empty nested arrays: 786 KB of file, but each decodes to a whole GgufValue.
  RawGguf nested(0, 1);
  nested.str("k").type(GgufValueType::ARRAY).type(GgufValueType::ARRAY).u64(65537);
  for (int i = 0; i < 65537; ++i) nested.type(GgufValueType::U8).u64(0);
  expect_format_error(nested.bytes, "metadata 'k' has 65537 nested arrays, above the limit of "
                                    "65536 per file");
  // 2^24 + 1 empty strings (128 MiB of file): a string_view each would be 256 MiB more.
  const uint64_t n = (uint64_t{1} << 24) + 1;
  RawGguf strings(0, 1);
  strings.str("k").type(GgufValueType::ARRAY).type(GgufValueType::STRING).u64(n).zeros(8 * n);
  expect_format_error(std::move(strings.bytes),
                      "metadata 'k' has 16777217 strings, above the limit of 16777216");
}

TEST(GgufReader, RejectsBadValues) {
  RawGguf type(0, 1);
  type.str("k").u32(13).zeros(8);
  expect_format_error(type.bytes, "unknown metadata value type 13 in metadata 'k'");
  RawGguf elem(0, 1);
  elem.str("k").type(GgufValueType::ARRAY).u32(99).u64(0);
  expect_format_error(elem.bytes, "unknown metadata value type 99 in the elements of metadata 'k'");
  RawGguf b(0, 1);
  b.str("k").type(GgufValueType::BOOL).u8(2);
  expect_format_error(b.bytes, "metadata 'k' holds bool value 2");
  RawGguf bools(0, 1);
  bools.str("k").type(GgufValueType::ARRAY).type(GgufValueType::BOOL).u64(2).u8(1).u8(7);
  expect_format_error(bools.bytes, "metadata 'k' holds a bool above 1");
  RawGguf big_endian(0, 0);
  std::swap(big_endian.bytes[4], big_endian.bytes[7]);
  expect_format_error(big_endian.bytes, "big-endian GGUF files are not supported");
  expect_format_error(RawGguf(0, 0, 1).bytes, "GGUF version 1 is not supported");
  expect_format_error(RawGguf(0, 0, 4).bytes, "unsupported GGUF version 4");
  expect_format_error({'G', 'G', 'U'}, "truncated file: magic needs 4 bytes, 3 remain");
  expect_format_error({'g', 'g', 'u', 'f', 3, 0, 0, 0}, "not a GGUF file (bad magic)");
}

// Byte edits in the header of a real model (random bytes and hostile integers over the
// counts, lengths, type ids and offsets there) and truncations: every result must parse
// into in-bounds views or throw loco::Error. Deterministic: a fixed seed.
TEST(GgufReader, MutatedSharedModelParsesOrThrows) {
  const auto original = read_bytes(test::model_path("tiny-qwen3-q4_k_m.gguf"));
  GgufFile reference = GgufFile::from_bytes(original);
  const uint64_t header = reference.data_offset();
  ASSERT_GT(header, 1000u);
  uint64_t data_end = 0;
  for (const GgufTensor& t : reference.tensors()) {
    data_end = std::max(data_end, header + t.offset + t.nbytes);
  }

  const uint64_t hostile[] = {0, 1, 3, 8, 9, 13, 0xFF, 0x7FFFFFFF, 0xFFFFFFFF, uint64_t{1} << 32,
                              uint64_t{1} << 62, uint64_t{1} << 63, ~uint64_t{0}};
  std::mt19937_64 rng(20250601);
  int parsed = 0, rejected = 0;
  for (int iter = 0; iter < 200; ++iter) {
    std::vector<uint8_t> bytes = original;
    int edits = 1 + static_cast<int>(rng() % 6);
    for (int k = 0; k < edits; ++k) {
      uint64_t pos = rng() % (header - 8);
      switch (rng() % 3) {
        case 0: bytes[pos] = static_cast<uint8_t>(rng()); break;
        case 1: {
          uint64_t v = hostile[rng() % std::size(hostile)];
          std::memcpy(bytes.data() + pos, &v, 8);
          break;
        }
        default: {
          auto v = static_cast<uint32_t>(hostile[rng() % std::size(hostile)]);
          std::memcpy(bytes.data() + pos, &v, 4);
          break;
        }
      }
    }
    if (iter % 4 == 3) bytes.resize(rng() % bytes.size());
    try {
      GgufFile f = GgufFile::from_bytes(std::move(bytes));
      for (const GgufTensor& t : f.tensors()) expect_in_bounds(f, t);
      ++parsed;
    } catch (const Error&) {
      ++rejected;
    }
  }
  EXPECT_GT(parsed, 0);
  EXPECT_GT(rejected, 0);

  // Any cut before the end of the last tensor loses data and must be reported.
  for (int iter = 0; iter < 50; ++iter) {
    uint64_t cut = rng() % data_end;
    std::vector<uint8_t> bytes(original.begin(), original.begin() + static_cast<long>(cut));
    EXPECT_THROW(GgufFile::from_bytes(std::move(bytes)), FormatError) << "cut at " << cut;
  }
}

// Inputs the fuzzer (fuzz/fuzz_gguf.cpp) found crashing an earlier reader, kept under
// fuzz/regressions/. Each must parse or throw loco::Error, and the array accessors the
// fuzzer calls must return or throw FormatError.
TEST(GgufReader, FuzzRegressions) {
  const std::filesystem::path dir = std::filesystem::path(LOCO_SOURCE_DIR) / "fuzz" / "regressions";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    ++files;
    SCOPED_TRACE(entry.path().filename().string());
    try {
      GgufFile f = GgufFile::from_bytes(read_bytes(entry.path().string()));
      for (const GgufTensor& t : f.tensors()) expect_in_bounds(f, t);
      for (const GgufKV& kv : f.metadata()) {
        if (!kv.value.is_array()) continue;
        for (uint64_t i = 0; i <= std::min<uint64_t>(kv.value.count, 64); ++i) {
          try { (void)kv.value.array_number(i); } catch (const FormatError&) {}
          try { (void)kv.value.array_integer(i); } catch (const FormatError&) {}
        }
      }
    } catch (const Error&) {
    }
  }
  EXPECT_GE(files, 2);

  // An empty u8 array: index 0 used to read past the end of the input.
  GgufFile empty = GgufFile::from_bytes(read_bytes((dir / "array-index-past-end.gguf").string()));
  EXPECT_THROW((void)empty.metadata().at(0).value.array_integer(0), FormatError);
  EXPECT_THROW((void)empty.metadata().at(0).value.array_number(0), FormatError);
  // Floats [NaN, -7.8e33]: converting them to int64 was undefined behaviour.
  GgufFile floats =
      GgufFile::from_bytes(read_bytes((dir / "float-array-nan-to-integer.gguf").string()));
  const GgufValue& v = floats.metadata().at(0).value;
  EXPECT_TRUE(std::isnan(v.array_number(0)));
  EXPECT_THROW((void)v.array_integer(0), FormatError);
  EXPECT_THROW((void)v.array_integer(1), FormatError);
}

}  // namespace
}  // namespace loco
