// libFuzzer target: any byte string given to the GGUF reader must parse or throw a
// loco::Error; a crash, hang, leak or sanitizer report is a bug. A file that parses must
// also survive the accessors and a rewrite through GgufWriter that reads back the same.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <vector>

#include "loco/error.h"
#include "loco/gguf.h"

namespace {

[[noreturn]] void mismatch(const char* what) {
  std::fprintf(stderr, "fuzz_gguf: rewrite does not read back the same: %s\n", what);
  std::abort();
}

// Calls every accessor that takes a key; each must return or throw loco::Error.
void exercise_accessors(const loco::GgufFile& file) {
  for (const loco::GgufKV& kv : file.metadata()) {
    try { (void)file.get_string(kv.key); } catch (const loco::Error&) {}
    try { (void)file.get_uint(kv.key); } catch (const loco::Error&) {}
    try { (void)file.get_float(kv.key); } catch (const loco::Error&) {}
    try { (void)file.optional_bool(kv.key); } catch (const loco::Error&) {}
    const loco::GgufValue& v = kv.value;
    if (!v.is_array()) continue;
    try { (void)file.get_array(kv.key, v.elem_type); } catch (const loco::Error&) {}
    // Numeric access, including one index past the end, which must throw.
    uint64_t n = v.count < 64 ? v.count : 64;
    for (uint64_t i = 0; i <= n; ++i) {
      try { (void)v.array_number(i); } catch (const loco::Error&) {}
      try { (void)v.array_integer(i); } catch (const loco::Error&) {}
    }
  }
  for (const loco::GgufTensor& t : file.tensors()) {
    // The reader promised the whole view lies in the input: ASan checks these reads.
    volatile uint8_t sink = t.data[0];
    sink = t.data[t.nbytes - 1];
    (void)sink;
    if (file.find_tensor(t.name) != &t) mismatch("find_tensor");
  }
}

uint64_t elem_size(loco::GgufValueType type) {
  switch (type) {
    case loco::GgufValueType::U16: case loco::GgufValueType::I16: return 2;
    case loco::GgufValueType::U32: case loco::GgufValueType::I32:
    case loco::GgufValueType::F32: return 4;
    case loco::GgufValueType::U64: case loco::GgufValueType::I64:
    case loco::GgufValueType::F64: return 8;
    default: return 1;
  }
}

bool same_value(const loco::GgufValue& a, const loco::GgufValue& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case loco::GgufValueType::F32: case loco::GgufValueType::F64:
      return a.float_value == b.float_value ||
             (std::isnan(a.float_value) && std::isnan(b.float_value));
    case loco::GgufValueType::STRING: return a.string_value == b.string_value;
    case loco::GgufValueType::ARRAY: break;
    default: return a.uint_value == b.uint_value && a.int_value == b.int_value;
  }
  if (a.elem_type != b.elem_type || a.count != b.count) return false;
  if (a.elem_type == loco::GgufValueType::STRING) return a.strings == b.strings;
  if (a.elem_type == loco::GgufValueType::ARRAY) {
    for (uint64_t i = 0; i < a.count; ++i) {
      if (!same_value(a.arrays[i], b.arrays[i])) return false;
    }
    return true;
  }
  return a.count == 0 || std::memcmp(a.elements, b.elements, a.count * elem_size(a.elem_type)) == 0;
}

// Writes the parsed file again and checks that the reader sees the same metadata and tensors.
void check_rewrite(const loco::GgufFile& file) {
  uint64_t out_size = 0;
  for (const loco::GgufTensor& t : file.tensors()) out_size += t.nbytes + file.alignment();
  if (out_size > (uint64_t{16} << 20)) return;  // alignment padding can make it huge

  loco::GgufWriter writer;
  for (const loco::GgufKV& kv : file.metadata()) writer.set_value(kv.key, kv.value);
  for (const loco::GgufTensor& t : file.tensors()) {
    writer.add_tensor(t.name, t.type, std::vector<int64_t>(t.ne, t.ne + t.n_dims), t.data);
  }
  loco::GgufFile again = loco::GgufFile::from_bytes(writer.write_to_bytes(), "rewrite");
  if (again.metadata().size() != file.metadata().size()) mismatch("metadata count");
  for (size_t i = 0; i < file.metadata().size(); ++i) {
    const loco::GgufKV& a = file.metadata()[i];
    const loco::GgufKV& b = again.metadata()[i];
    if (a.key != b.key) mismatch("metadata key");
    if (!same_value(a.value, b.value)) mismatch(a.key.c_str());
  }
  if (again.tensors().size() != file.tensors().size()) mismatch("tensor count");
  for (size_t i = 0; i < file.tensors().size(); ++i) {
    const loco::GgufTensor& a = file.tensors()[i];
    const loco::GgufTensor& b = again.tensors()[i];
    if (a.name != b.name || a.type != b.type || a.n_dims != b.n_dims || a.nbytes != b.nbytes ||
        std::memcmp(a.ne, b.ne, sizeof a.ne) != 0 || std::memcmp(a.data, b.data, a.nbytes) != 0) {
      mismatch(a.name.c_str());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::optional<loco::GgufFile> file;
  try {
    file = loco::GgufFile::from_bytes(std::vector<uint8_t>(data, data + size), "fuzz");
  } catch (const loco::Error&) {
    return 0;
  }
  exercise_accessors(*file);
  check_rewrite(*file);  // anything it throws escapes: a parsed file must be writable
  return 0;
}
