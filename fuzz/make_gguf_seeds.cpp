// Writes small GGUF seed files for fuzz_gguf: mutation works best on inputs of a few KB
// that still reach every branch of the reader (each metadata type, nested arrays, several
// tensor types, version 2, other alignments), plus model-shaped files derived from the
// shared test models with their arrays cut short and their tensors shrunk.
//   make_gguf_seeds OUT_DIR [TESTDATA_DIR]
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "loco/error.h"
#include "loco/gguf.h"

namespace {

std::vector<uint8_t> pattern(uint64_t n) {
  std::vector<uint8_t> bytes(n);
  for (uint64_t i = 0; i < n; ++i) bytes[i] = static_cast<uint8_t>(i * 37 + 11);
  return bytes;
}

void add_pattern_tensor(loco::GgufWriter& w, const std::string& name, loco::GgmlType type,
                        std::vector<int64_t> ne) {
  w.add_tensor(name, type, std::move(ne), [](uint8_t* dst, uint64_t nbytes) {
    std::vector<uint8_t> bytes = pattern(nbytes);
    std::copy(bytes.begin(), bytes.end(), dst);
  });
}

// Every scalar type, every array element type, nested arrays and tensors of several types.
loco::GgufWriter all_types(uint32_t alignment) {
  loco::GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_string("general.name", "seed");
  if (alignment != 32) w.set_u32("general.alignment", alignment);
  w.set_u8("t.u8", 200);
  w.set_i8("t.i8", -100);
  w.set_u16("t.u16", 60000);
  w.set_i16("t.i16", -30000);
  w.set_u32("llama.block_count", 2);
  w.set_i32("t.i32", -7);
  w.set_u64("llama.context_length", 4096);
  w.set_i64("t.i64", -1);
  w.set_f32("llama.rope.freq_base", 10000.0f);
  w.set_f64("t.f64", 0.25);
  w.set_bool("tokenizer.ggml.add_bos_token", true);
  w.set_string_array("tokenizer.ggml.tokens", {"<s>", "</s>", "a", "b", "ab", ""});
  w.set_string_array("tokenizer.ggml.merges", {"a b"});
  w.set_i32_array("tokenizer.ggml.token_type", {3, 3, 1, 1, 1, 1});
  w.set_f32_array("tokenizer.ggml.scores", {0.0f, 0.0f, -1.0f, -2.0f, -3.0f, -4.0f});
  w.set_u8_array("t.u8s", {1, 2, 255});
  w.set_i8_array("t.i8s", {-1, 0, 1});
  w.set_u16_array("t.u16s", {1, 65535});
  w.set_i16_array("t.i16s", {-32768, 32767});
  w.set_u32_array("t.u32s", {0, 4294967295u});
  w.set_u64_array("t.u64s", {1, uint64_t{1} << 63});
  w.set_i64_array("t.i64s", {-5, 5});
  w.set_f64_array("t.f64s", {1.5, -2.5});
  w.set_bool_array("t.bools", {true, false, true});
  std::vector<int32_t> inner_ints = {1, 2, 3};
  std::vector<std::string_view> inner_strings = {"x", "yz"};
  std::vector<loco::GgufValue> inner = {
      loco::GgufValue::numeric_array(loco::GgufValueType::I32, inner_ints.data(), 3),
      loco::GgufValue::string_array(inner_strings),
      loco::GgufValue::array_of_arrays(
          {loco::GgufValue::numeric_array(loco::GgufValueType::I32, inner_ints.data(), 2)}),
  };
  w.set_value("t.nested", loco::GgufValue::array_of_arrays(inner));
  add_pattern_tensor(w, "token_embd.weight", loco::GgmlType::F32, {8, 6});
  add_pattern_tensor(w, "blk.0.attn_norm.weight", loco::GgmlType::F16, {8});
  add_pattern_tensor(w, "blk.0.attn_q.weight", loco::GgmlType::Q8_0, {32, 2});
  add_pattern_tensor(w, "blk.0.ffn_up.weight", loco::GgmlType::Q4_K, {256, 1});
  add_pattern_tensor(w, "blk.0.ffn_down.weight", loco::GgmlType::BF16, {2, 2, 2});
  add_pattern_tensor(w, "blk.0.four_d", loco::GgmlType::I32, {1, 1, 1, 2});
  return w;
}

// A shared file's metadata with every array cut to a few elements and its first tensors
// shrunk to one row of one block, so the seed keeps the real keys and names but is small.
loco::GgufWriter shrunk(const loco::GgufFile& file) {
  loco::GgufWriter w;
  for (const loco::GgufKV& kv : file.metadata()) {
    loco::GgufValue v = kv.value;
    if (v.is_array()) {
      v.count = std::min<uint64_t>(v.count, 8);
      if (v.strings.size() > v.count) v.strings.resize(v.count);
      if (v.arrays.size() > v.count) v.arrays.resize(v.count);
    }
    w.set_value(kv.key, v);
  }
  size_t n = std::min<size_t>(file.tensors().size(), 12);
  for (size_t i = 0; i < n; ++i) {
    const loco::GgufTensor& t = file.tensors()[i];
    std::vector<int64_t> ne(static_cast<size_t>(t.n_dims), 1);
    ne[0] = loco::type_info(t.type).block_size;
    add_pattern_tensor(w, t.name, t.type, ne);
  }
  return w;
}

void save(const std::filesystem::path& path, std::vector<uint8_t> bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() ||
      std::fclose(f) != 0) {
    throw loco::Error(path.string() + ": cannot write seed");
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR [TESTDATA_DIR]\n", argv[0]);
    return 2;
  }
  try {
    std::filesystem::path out = argv[1];
    std::filesystem::create_directories(out);
    std::vector<uint8_t> v3 = all_types(32).write_to_bytes();
    save(out / "seed-all-types.gguf", v3);
    std::vector<uint8_t> v2 = v3;
    v2[4] = 2;  // version 2 has the same layout as version 3
    save(out / "seed-all-types-v2.gguf", v2);
    save(out / "seed-align-8.gguf", all_types(8).write_to_bytes());
    save(out / "seed-align-64.gguf", all_types(64).write_to_bytes());
    loco::GgufWriter empty;
    save(out / "seed-empty.gguf", empty.write_to_bytes());
    if (argc >= 3) {
      std::filesystem::path testdata = argv[2];
      for (const char* rel : {"models/tiny-qwen3-q4_k_m.gguf", "models/tiny-llama-q4_k_m.gguf",
                              "models/tiny-qwen3-lora-attn.gguf",
                              "tokenizer/ggml-vocab-llama-spm.gguf"}) {
        std::filesystem::path src = testdata / rel;
        if (!std::filesystem::exists(src)) continue;
        loco::GgufFile file = loco::GgufFile::open(src.string());
        save(out / ("seed-shrunk-" + src.filename().string()), shrunk(file).write_to_bytes());
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_gguf_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
