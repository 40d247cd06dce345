// GGUF files: a memory-mapped, validated reader with zero-copy tensor views, and a writer.
//
// Every count, length and offset in a file is checked against the file's size before it
// is used, so a truncated, corrupt or hostile file gives a FormatError naming the problem.
// Versions 2 and 3 are read (same layout). Guarantees for a file that opens: each tensor
// view lies inside the file, views do not overlap, and each starts at a multiple of
// general.alignment (a power of two from 8 to 1 MiB) from the page-aligned file start.
// Decoded metadata stays within fixed limits (65536 keys, 262144 tensors, 2^24 strings in
// arrays, 65536 nested arrays, 8 levels of nesting), far above real models, so the memory
// a hostile file can make the reader allocate stays bounded.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "loco/ggml_type.h"

namespace loco {

enum class GgufValueType : uint32_t {
  U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, BOOL = 7,
  STRING = 8, ARRAY = 9, U64 = 10, I64 = 11, F64 = 12,
};
std::string_view gguf_value_type_name(GgufValueType type);

// One metadata value. Scalars are decoded; strings and arrays point into the mapping.
struct GgufValue {
  GgufValueType type = GgufValueType::U8;
  uint64_t uint_value = 0;   // U8, U16, U32, U64, BOOL
  int64_t int_value = 0;     // I8, I16, I32, I64
  double float_value = 0.0;  // F32, F64
  std::string_view string_value;

  // Arrays: element type and count; numeric elements stay in the file (little-endian,
  // possibly unaligned), strings and nested arrays are decoded.
  GgufValueType elem_type = GgufValueType::U8;
  uint64_t count = 0;
  const uint8_t* elements = nullptr;
  std::vector<std::string_view> strings;
  std::vector<GgufValue> arrays;

  bool is_integer() const;
  bool is_float() const { return type == GgufValueType::F32 || type == GgufValueType::F64; }
  bool is_array() const { return type == GgufValueType::ARRAY; }
  // Numeric element i of an array, converted to the requested representation. Throws
  // FormatError when i >= count, the elements are not numbers, or (array_integer) a float
  // element is NaN or out of the int64 range.
  double array_number(uint64_t i) const;
  int64_t array_integer(uint64_t i) const;

  // Array values that view caller-owned data, for GgufWriter::set_value (which copies
  // them); the data must outlive the value. Nested arrays are built from the inside out.
  static GgufValue numeric_array(GgufValueType elem_type, const void* elements, uint64_t count);
  static GgufValue string_array(std::vector<std::string_view> strings);
  static GgufValue array_of_arrays(std::vector<GgufValue> arrays);
};

struct GgufKV {
  std::string key;
  GgufValue value;
};

// A tensor's description and a view of its bytes inside the mapping.
struct GgufTensor {
  std::string name;
  GgmlType type = GgmlType::F32;
  int n_dims = 0;
  int64_t ne[4] = {1, 1, 1, 1};  // ggml order: ne[0] is the contiguous dimension
  uint64_t offset = 0;           // relative to the data section
  uint64_t nbytes = 0;
  const uint8_t* data = nullptr;

  int64_t n_elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
  int64_t n_rows() const { return ne[1] * ne[2] * ne[3]; }
  int64_t row_bytes() const { return static_cast<int64_t>(nbytes) / n_rows(); }
  const uint8_t* row(int64_t r) const { return data + r * row_bytes(); }
  std::string shape_string() const;
};

class GgufFile {
 public:
  // Maps the file read-only and validates it. Throws FormatError / Error.
  static GgufFile open(const std::string& path);
  // Parses a copy of an in-memory image (tests and fuzzing); `label` names it in errors.
  static GgufFile from_bytes(std::vector<uint8_t> bytes, std::string label = "<memory>");

  const std::string& path() const { return path_; }
  // True when the tensors' bytes are a read-only mapping of the file (open), whose pages
  // may be dropped and read again; false for an in-memory image (from_bytes).
  bool mapped() const { return mapped_; }
  uint32_t version() const { return version_; }
  uint64_t file_size() const { return size_; }
  uint64_t data_offset() const { return data_offset_; }
  uint32_t alignment() const { return alignment_; }

  const std::vector<GgufKV>& metadata() const { return kvs_; }
  const GgufValue* find(std::string_view key) const;
  bool has(std::string_view key) const { return find(key) != nullptr; }

  // Typed getters: a missing key or a value of the wrong kind throws an Error naming the
  // key and the file. The optional_ variants return nullopt for a missing key only.
  std::string get_string(std::string_view key) const;
  std::optional<std::string> optional_string(std::string_view key) const;
  uint64_t get_uint(std::string_view key) const;
  std::optional<uint64_t> optional_uint(std::string_view key) const;
  double get_float(std::string_view key) const;
  std::optional<double> optional_float(std::string_view key) const;
  std::optional<bool> optional_bool(std::string_view key) const;
  const GgufValue& get_array(std::string_view key, GgufValueType elem_type) const;
  const GgufValue* optional_array(std::string_view key, GgufValueType elem_type) const;

  const std::vector<GgufTensor>& tensors() const { return tensors_; }
  const GgufTensor* find_tensor(std::string_view name) const;

 private:
  GgufFile() = default;
  void parse();
  const GgufValue& require(std::string_view key) const;

  std::string path_;
  std::shared_ptr<const void> storage_;  // the mapping or the owned bytes
  bool mapped_ = false;
  const uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
  uint32_t version_ = 0;
  uint32_t alignment_ = 32;
  uint64_t data_offset_ = 0;
  std::vector<GgufKV> kvs_;
  std::unordered_map<std::string, size_t> kv_index_;
  std::vector<GgufTensor> tensors_;
  std::unordered_map<std::string, size_t> tensor_index_;
};

// Writes GGUF version 3. Tensor data is produced by a callback at write time so that a
// multi-gigabyte file never has to be held in memory at once.
class GgufWriter {
 public:
  using Fill = std::function<void(uint8_t* dst, uint64_t nbytes)>;

  // Each setter replaces an earlier value of the same key. general.alignment must be a u32
  // power of two from 8 to 1 MiB (it sets the tensor alignment); anything else throws Error.
  void set_string(const std::string& key, std::string value);
  void set_u8(const std::string& key, uint8_t value);
  void set_i8(const std::string& key, int8_t value);
  void set_u16(const std::string& key, uint16_t value);
  void set_i16(const std::string& key, int16_t value);
  void set_u32(const std::string& key, uint32_t value);
  void set_i32(const std::string& key, int32_t value);
  void set_u64(const std::string& key, uint64_t value);
  void set_i64(const std::string& key, int64_t value);
  void set_f32(const std::string& key, float value);
  void set_f64(const std::string& key, double value);
  void set_bool(const std::string& key, bool value);

  void set_string_array(const std::string& key, const std::vector<std::string>& values);
  void set_u8_array(const std::string& key, const std::vector<uint8_t>& values);
  void set_i8_array(const std::string& key, const std::vector<int8_t>& values);
  void set_u16_array(const std::string& key, const std::vector<uint16_t>& values);
  void set_i16_array(const std::string& key, const std::vector<int16_t>& values);
  void set_u32_array(const std::string& key, const std::vector<uint32_t>& values);
  void set_i32_array(const std::string& key, const std::vector<int32_t>& values);
  void set_u64_array(const std::string& key, const std::vector<uint64_t>& values);
  void set_i64_array(const std::string& key, const std::vector<int64_t>& values);
  void set_f32_array(const std::string& key, const std::vector<float>& values);
  void set_f64_array(const std::string& key, const std::vector<double>& values);
  void set_bool_array(const std::string& key, const std::vector<bool>& values);
  // Any value, including arrays of arrays (see GgufValue::array_of_arrays) and values read
  // from another file (used when rewriting a model). Throws Error for an inconsistent value
  // (an unknown type, a count that disagrees with the elements held).
  void set_value(const std::string& key, const GgufValue& value);
  void remove(const std::string& key);

  void add_tensor(const std::string& name, GgmlType type, std::vector<int64_t> ne, Fill fill);
  void add_tensor(const std::string& name, GgmlType type, std::vector<int64_t> ne,
                  const void* data);

  void write(const std::string& path) const;
  std::vector<uint8_t> write_to_bytes() const;

 private:
  struct Entry {
    std::string key;
    std::vector<uint8_t> encoded;  // type id + value, already serialized
  };
  struct Tensor {
    std::string name;
    GgmlType type;
    std::vector<int64_t> ne;
    uint64_t nbytes;
    Fill fill;
  };
  void put(const std::string& key, std::vector<uint8_t> encoded);
  void put_scalar(const std::string& key, GgufValueType type, const void* value, size_t size);
  void put_numeric_array(const std::string& key, GgufValueType elem_type, const void* elements,
                         uint64_t count);
  template <typename Sink>
  void emit(Sink& sink) const;

  std::vector<Entry> entries_;
  std::unordered_map<std::string, size_t> entry_index_;  // key -> position in entries_
  std::vector<Tensor> tensors_;
  uint32_t alignment_ = 32;
};

}  // namespace loco
