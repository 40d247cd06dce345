// GGUF version 3 writer: metadata in insertion order, tensors aligned to general.alignment
// (32 bytes unless set).
#include <cstdio>
#include <cstring>
#include <memory>

#include "loco/error.h"
#include "loco/gguf.h"

namespace loco {
namespace {

void put_bytes(std::vector<uint8_t>& out, const void* p, size_t n) {
  // resize + memcpy rather than insert: GCC 12 reports a false stringop-overflow there.
  if (n == 0) return;
  size_t old = out.size();
  out.resize(old + n);
  std::memcpy(out.data() + old, p, n);
}
template <typename T>
void put(std::vector<uint8_t>& out, T value) {
  put_bytes(out, &value, sizeof(T));
}
void put_string(std::vector<uint8_t>& out, std::string_view s) {
  put<uint64_t>(out, s.size());
  put_bytes(out, s.data(), s.size());
}
void put_type(std::vector<uint8_t>& out, GgufValueType type) {
  put<uint32_t>(out, static_cast<uint32_t>(type));
}

// Bytes of one element of a numeric type, 0 for string, array and unknown ids.
uint64_t scalar_size(GgufValueType type) {
  switch (type) {
    case GgufValueType::U8: case GgufValueType::I8: case GgufValueType::BOOL: return 1;
    case GgufValueType::U16: case GgufValueType::I16: return 2;
    case GgufValueType::U32: case GgufValueType::I32: case GgufValueType::F32: return 4;
    case GgufValueType::U64: case GgufValueType::I64: case GgufValueType::F64: return 8;
    default: return 0;
  }
}

// A value that encode_body would write as something the reader cannot read back.
void check_value(const std::string& key, const GgufValue& v, int depth) {
  auto bad = [&](const std::string& what) { throw Error("metadata '" + key + "': " + what); };
  if (static_cast<uint32_t>(v.type) > static_cast<uint32_t>(GgufValueType::F64)) {
    bad("unknown value type " + std::to_string(static_cast<uint32_t>(v.type)));
  }
  if (v.type == GgufValueType::BOOL && v.uint_value > 1) bad("bool value above 1");
  if (v.type != GgufValueType::ARRAY) return;
  if (depth >= 8) bad("arrays nested more than 8 deep");
  switch (v.elem_type) {
    case GgufValueType::STRING:
      if (v.strings.size() != v.count) bad("array count disagrees with its strings");
      return;
    case GgufValueType::ARRAY:
      if (v.arrays.size() != v.count) bad("array count disagrees with its nested arrays");
      for (const GgufValue& inner : v.arrays) {
        if (inner.type != GgufValueType::ARRAY) bad("array of arrays holds a non-array value");
        check_value(key, inner, depth + 1);
      }
      return;
    default:
      if (scalar_size(v.elem_type) == 0) {
        bad("unknown array element type " + std::to_string(static_cast<uint32_t>(v.elem_type)));
      }
      if (v.count > 0 && v.elements == nullptr) bad("array has a count but no elements");
      if (v.elem_type == GgufValueType::BOOL) {
        for (uint64_t i = 0; i < v.count; ++i) {
          if (v.elements[i] > 1) bad("bool array element above 1");
        }
      }
      return;
  }
}

// Serializes a value without its type tag (the caller writes the tag when one is due).
void encode_body(std::vector<uint8_t>& out, const GgufValue& v) {
  switch (v.type) {
    case GgufValueType::U8: case GgufValueType::BOOL: put<uint8_t>(out, static_cast<uint8_t>(v.uint_value)); break;
    case GgufValueType::I8: put<int8_t>(out, static_cast<int8_t>(v.int_value)); break;
    case GgufValueType::U16: put<uint16_t>(out, static_cast<uint16_t>(v.uint_value)); break;
    case GgufValueType::I16: put<int16_t>(out, static_cast<int16_t>(v.int_value)); break;
    case GgufValueType::U32: put<uint32_t>(out, static_cast<uint32_t>(v.uint_value)); break;
    case GgufValueType::I32: put<int32_t>(out, static_cast<int32_t>(v.int_value)); break;
    case GgufValueType::U64: put<uint64_t>(out, v.uint_value); break;
    case GgufValueType::I64: put<int64_t>(out, v.int_value); break;
    case GgufValueType::F32: put<float>(out, static_cast<float>(v.float_value)); break;
    case GgufValueType::F64: put<double>(out, v.float_value); break;
    case GgufValueType::STRING: put_string(out, v.string_value); break;
    case GgufValueType::ARRAY:
      put_type(out, v.elem_type);
      put<uint64_t>(out, v.count);
      if (v.elem_type == GgufValueType::STRING) {
        for (std::string_view s : v.strings) put_string(out, s);
      } else if (v.elem_type == GgufValueType::ARRAY) {
        for (const GgufValue& a : v.arrays) encode_body(out, a);
      } else {
        put_bytes(out, v.elements, v.count * scalar_size(v.elem_type));
      }
      break;
  }
}

uint64_t align_up(uint64_t n, uint64_t a) { return (n + a - 1) / a * a; }

class FileSink {
 public:
  explicit FileSink(const std::string& path) : path_(path), file_(std::fopen(path.c_str(), "wb")) {
    if (file_ == nullptr) throw Error(path + ": cannot open for writing: " + std::strerror(errno));
  }
  ~FileSink() {
    if (file_ != nullptr) std::fclose(file_);
  }
  void write(const void* p, size_t n) {
    if (n > 0 && std::fwrite(p, 1, n, file_) != n) throw Error(path_ + ": write failed");
  }
  void close() {
    int rc = std::fclose(file_);
    file_ = nullptr;
    if (rc != 0) throw Error(path_ + ": write failed on close");
  }

 private:
  std::string path_;
  std::FILE* file_;
};

class BytesSink {
 public:
  void write(const void* p, size_t n) { put_bytes(bytes, p, n); }
  std::vector<uint8_t> bytes;
};

}  // namespace

GgufValue GgufValue::numeric_array(GgufValueType elem_type, const void* elements, uint64_t count) {
  GgufValue v;
  v.type = GgufValueType::ARRAY;
  v.elem_type = elem_type;
  v.count = count;
  v.elements = static_cast<const uint8_t*>(elements);
  return v;
}

GgufValue GgufValue::string_array(std::vector<std::string_view> strings) {
  GgufValue v;
  v.type = GgufValueType::ARRAY;
  v.elem_type = GgufValueType::STRING;
  v.count = strings.size();
  v.strings = std::move(strings);
  return v;
}

GgufValue GgufValue::array_of_arrays(std::vector<GgufValue> arrays) {
  GgufValue v;
  v.type = GgufValueType::ARRAY;
  v.elem_type = GgufValueType::ARRAY;
  v.count = arrays.size();
  v.arrays = std::move(arrays);
  return v;
}

void GgufWriter::put(const std::string& key, std::vector<uint8_t> encoded) {
  if (key == "general.alignment") {
    // The reader accepts only a u32 power of two from 8 to 1 MiB; refuse to write anything else.
    uint32_t type = 0, value = 0;
    std::memcpy(&type, encoded.data(), 4);
    if (type == static_cast<uint32_t>(GgufValueType::U32)) std::memcpy(&value, encoded.data() + 4, 4);
    if (value < 8 || (value & (value - 1)) != 0 || value > (1u << 20)) {
      throw Error("general.alignment must be a u32 power of two from 8 to 1 MiB");
    }
    alignment_ = value;
  }
  auto [it, inserted] = entry_index_.emplace(key, entries_.size());
  if (!inserted) {
    entries_[it->second].encoded = std::move(encoded);
    return;
  }
  entries_.push_back({key, std::move(encoded)});
}

void GgufWriter::put_scalar(const std::string& key, GgufValueType type, const void* value,
                            size_t size) {
  std::vector<uint8_t> e;
  put_type(e, type);
  put_bytes(e, value, size);
  put(key, std::move(e));
}

void GgufWriter::put_numeric_array(const std::string& key, GgufValueType elem_type,
                                   const void* elements, uint64_t count) {
  std::vector<uint8_t> e;
  put_type(e, GgufValueType::ARRAY);
  put_type(e, elem_type);
  loco::put<uint64_t>(e, count);
  put_bytes(e, elements, count * scalar_size(elem_type));
  put(key, std::move(e));
}

void GgufWriter::set_string(const std::string& key, std::string value) {
  std::vector<uint8_t> e;
  put_type(e, GgufValueType::STRING);
  put_string(e, value);
  put(key, std::move(e));
}
void GgufWriter::set_u8(const std::string& key, uint8_t value) {
  put_scalar(key, GgufValueType::U8, &value, sizeof value);
}
void GgufWriter::set_i8(const std::string& key, int8_t value) {
  put_scalar(key, GgufValueType::I8, &value, sizeof value);
}
void GgufWriter::set_u16(const std::string& key, uint16_t value) {
  put_scalar(key, GgufValueType::U16, &value, sizeof value);
}
void GgufWriter::set_i16(const std::string& key, int16_t value) {
  put_scalar(key, GgufValueType::I16, &value, sizeof value);
}
void GgufWriter::set_u32(const std::string& key, uint32_t value) {
  put_scalar(key, GgufValueType::U32, &value, sizeof value);
}
void GgufWriter::set_i32(const std::string& key, int32_t value) {
  put_scalar(key, GgufValueType::I32, &value, sizeof value);
}
void GgufWriter::set_u64(const std::string& key, uint64_t value) {
  put_scalar(key, GgufValueType::U64, &value, sizeof value);
}
void GgufWriter::set_i64(const std::string& key, int64_t value) {
  put_scalar(key, GgufValueType::I64, &value, sizeof value);
}
void GgufWriter::set_f32(const std::string& key, float value) {
  put_scalar(key, GgufValueType::F32, &value, sizeof value);
}
void GgufWriter::set_f64(const std::string& key, double value) {
  put_scalar(key, GgufValueType::F64, &value, sizeof value);
}
void GgufWriter::set_bool(const std::string& key, bool value) {
  uint8_t byte = value ? 1 : 0;
  put_scalar(key, GgufValueType::BOOL, &byte, 1);
}

void GgufWriter::set_string_array(const std::string& key, const std::vector<std::string>& values) {
  std::vector<uint8_t> e;
  put_type(e, GgufValueType::ARRAY);
  put_type(e, GgufValueType::STRING);
  loco::put<uint64_t>(e, values.size());
  for (const std::string& s : values) put_string(e, s);
  put(key, std::move(e));
}
void GgufWriter::set_u8_array(const std::string& key, const std::vector<uint8_t>& values) {
  put_numeric_array(key, GgufValueType::U8, values.data(), values.size());
}
void GgufWriter::set_i8_array(const std::string& key, const std::vector<int8_t>& values) {
  put_numeric_array(key, GgufValueType::I8, values.data(), values.size());
}
void GgufWriter::set_u16_array(const std::string& key, const std::vector<uint16_t>& values) {
  put_numeric_array(key, GgufValueType::U16, values.data(), values.size());
}
void GgufWriter::set_i16_array(const std::string& key, const std::vector<int16_t>& values) {
  put_numeric_array(key, GgufValueType::I16, values.data(), values.size());
}
void GgufWriter::set_u32_array(const std::string& key, const std::vector<uint32_t>& values) {
  put_numeric_array(key, GgufValueType::U32, values.data(), values.size());
}
void GgufWriter::set_i32_array(const std::string& key, const std::vector<int32_t>& values) {
  put_numeric_array(key, GgufValueType::I32, values.data(), values.size());
}
void GgufWriter::set_u64_array(const std::string& key, const std::vector<uint64_t>& values) {
  put_numeric_array(key, GgufValueType::U64, values.data(), values.size());
}
void GgufWriter::set_i64_array(const std::string& key, const std::vector<int64_t>& values) {
  put_numeric_array(key, GgufValueType::I64, values.data(), values.size());
}
void GgufWriter::set_f32_array(const std::string& key, const std::vector<float>& values) {
  put_numeric_array(key, GgufValueType::F32, values.data(), values.size());
}
void GgufWriter::set_f64_array(const std::string& key, const std::vector<double>& values) {
  put_numeric_array(key, GgufValueType::F64, values.data(), values.size());
}
void GgufWriter::set_bool_array(const std::string& key, const std::vector<bool>& values) {
  std::vector<uint8_t> bytes(values.begin(), values.end());  // vector<bool> is packed
  put_numeric_array(key, GgufValueType::BOOL, bytes.data(), bytes.size());
}

void GgufWriter::set_value(const std::string& key, const GgufValue& value) {
  check_value(key, value, 0);
  std::vector<uint8_t> e;
  put_type(e, value.type);
  encode_body(e, value);
  put(key, std::move(e));
}

void GgufWriter::remove(const std::string& key) {
  if (entry_index_.erase(key) == 0) return;
  std::erase_if(entries_, [&](const Entry& e) { return e.key == key; });
  for (size_t i = 0; i < entries_.size(); ++i) entry_index_[entries_[i].key] = i;
  if (key == "general.alignment") alignment_ = 32;
}

void GgufWriter::add_tensor(const std::string& name, GgmlType type, std::vector<int64_t> ne,
                            Fill fill) {
  if (ne.empty() || ne.size() > 4) throw Error("tensor '" + name + "': 1 to 4 dimensions allowed");
  for (int64_t d : ne) {
    if (d <= 0) throw Error("tensor '" + name + "': dimension " + std::to_string(d) + " is not positive");
  }
  const TypeInfo& info = type_info(type);
  if (ne[0] % info.block_size != 0) {
    throw Error("tensor '" + name + "': row length " + std::to_string(ne[0]) +
                " is not a multiple of the " + info.name + " block size " +
                std::to_string(info.block_size));
  }
  uint64_t n = 1;
  for (int64_t d : ne) {
    if (static_cast<uint64_t>(d) > (uint64_t{1} << 50) / n) {
      throw Error("tensor '" + name + "': more than 2^50 elements");
    }
    n *= static_cast<uint64_t>(d);
  }
  uint64_t nbytes = n / static_cast<uint64_t>(info.block_size) * static_cast<uint64_t>(info.type_size);
  tensors_.push_back({name, type, std::move(ne), nbytes, std::move(fill)});
}

void GgufWriter::add_tensor(const std::string& name, GgmlType type, std::vector<int64_t> ne,
                            const void* data) {
  add_tensor(name, type, std::move(ne), [data](uint8_t* dst, uint64_t nbytes) {
    std::memcpy(dst, data, nbytes);
  });
}

template <typename Sink>
void GgufWriter::emit(Sink& sink) const {
  std::vector<uint8_t> header;
  put_bytes(header, "GGUF", 4);
  loco::put<uint32_t>(header, 3);
  loco::put<uint64_t>(header, tensors_.size());
  loco::put<uint64_t>(header, entries_.size());
  for (const Entry& e : entries_) {
    put_string(header, e.key);
    put_bytes(header, e.encoded.data(), e.encoded.size());
  }
  uint64_t offset = 0;
  for (const Tensor& t : tensors_) {
    put_string(header, t.name);
    loco::put<uint32_t>(header, static_cast<uint32_t>(t.ne.size()));
    for (int64_t d : t.ne) loco::put<uint64_t>(header, static_cast<uint64_t>(d));
    loco::put<uint32_t>(header, static_cast<uint32_t>(t.type));
    loco::put<uint64_t>(header, offset);
    offset = align_up(offset + t.nbytes, alignment_);
  }
  header.resize(align_up(header.size(), alignment_), 0);
  sink.write(header.data(), header.size());

  std::vector<uint8_t> buffer;
  for (const Tensor& t : tensors_) {
    uint64_t padded = align_up(t.nbytes, alignment_);
    buffer.assign(padded, 0);
    t.fill(buffer.data(), t.nbytes);
    sink.write(buffer.data(), buffer.size());
  }
}

void GgufWriter::write(const std::string& path) const {
  FileSink sink(path);
  emit(sink);
  sink.close();
}

std::vector<uint8_t> GgufWriter::write_to_bytes() const {
  BytesSink sink;
  emit(sink);
  return std::move(sink.bytes);
}

}  // namespace loco
