// GGUF version 3 writer: metadata in insertion order, tensors aligned to 32 bytes.
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

int64_t elem_size(GgufValueType type) {
  switch (type) {
    case GgufValueType::U8: case GgufValueType::I8: case GgufValueType::BOOL: return 1;
    case GgufValueType::U16: case GgufValueType::I16: return 2;
    case GgufValueType::U32: case GgufValueType::I32: case GgufValueType::F32: return 4;
    default: return 8;
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
        put_bytes(out, v.elements, v.count * static_cast<uint64_t>(elem_size(v.elem_type)));
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

void GgufWriter::put(const std::string& key, std::vector<uint8_t> encoded) {
  for (Entry& e : entries_) {
    if (e.key == key) {
      e.encoded = std::move(encoded);
      return;
    }
  }
  entries_.push_back({key, std::move(encoded)});
}

void GgufWriter::set_string(const std::string& key, std::string value) {
  std::vector<uint8_t> e;
  put_type(e, GgufValueType::STRING);
  put_string(e, value);
  put(key, std::move(e));
}
void GgufWriter::set_u32(const std::string& key, uint32_t value) {
  std::vector<uint8_t> e;
  put_type(e, GgufValueType::U32);
  loco::put<uint32_t>(e, value);
  if (key == "general.alignment") alignment_ = value;
  put(key, std::move(e));
}
void GgufWriter::set_i32(const std::string& key, int32_t value) {
  std::vector<uint8_t> e;
  put_type(e, GgufValueType::I32);
  loco::put<int32_t>(e, value);
  put(key, std::move(e));
}
void GgufWriter::set_u64(const std::string& key, uint64_t value) {
  std::vector<uint8_t> e;
  put_type(e, GgufValueType::U64);
  loco::put<uint64_t>(e, value);
  put(key, std::move(e));
}
void GgufWriter::set_f32(const std::string& key, float value) {
  std::vector<uint8_t> e;
  put_type(e, GgufValueType::F32);
  loco::put<float>(e, value);
  put(key, std::move(e));
}
void GgufWriter::set_bool(const std::string& key, bool value) {
  std::vector<uint8_t> e;
  put_type(e, GgufValueType::BOOL);
  loco::put<uint8_t>(e, value ? 1 : 0);
  put(key, std::move(e));
}
void GgufWriter::set_string_array(const std::string& key, std::vector<std::string> values) {
  std::vector<uint8_t> e;
  put_type(e, GgufValueType::ARRAY);
  put_type(e, GgufValueType::STRING);
  loco::put<uint64_t>(e, values.size());
  for (const std::string& s : values) put_string(e, s);
  put(key, std::move(e));
}
void GgufWriter::set_i32_array(const std::string& key, std::vector<int32_t> values) {
  std::vector<uint8_t> e;
  put_type(e, GgufValueType::ARRAY);
  put_type(e, GgufValueType::I32);
  loco::put<uint64_t>(e, values.size());
  put_bytes(e, values.data(), values.size() * sizeof(int32_t));
  put(key, std::move(e));
}
void GgufWriter::set_f32_array(const std::string& key, std::vector<float> values) {
  std::vector<uint8_t> e;
  put_type(e, GgufValueType::ARRAY);
  put_type(e, GgufValueType::F32);
  loco::put<uint64_t>(e, values.size());
  put_bytes(e, values.data(), values.size() * sizeof(float));
  put(key, std::move(e));
}
void GgufWriter::set_value(const std::string& key, const GgufValue& value) {
  std::vector<uint8_t> e;
  put_type(e, value.type);
  encode_body(e, value);
  if (key == "general.alignment" && value.type == GgufValueType::U32) {
    alignment_ = static_cast<uint32_t>(value.uint_value);
  }
  put(key, std::move(e));
}
void GgufWriter::remove(const std::string& key) {
  std::erase_if(entries_, [&](const Entry& e) { return e.key == key; });
  if (key == "general.alignment") alignment_ = 32;
}

void GgufWriter::add_tensor(const std::string& name, GgmlType type, std::vector<int64_t> ne,
                            Fill fill) {
  if (ne.empty() || ne.size() > 4) throw Error("tensor '" + name + "': 1 to 4 dimensions allowed");
  const TypeInfo& info = type_info(type);
  if (ne[0] % info.block_size != 0) {
    throw Error("tensor '" + name + "': row length " + std::to_string(ne[0]) +
                " is not a multiple of the " + info.name + " block size " +
                std::to_string(info.block_size));
  }
  uint64_t n = 1;
  for (int64_t d : ne) n *= static_cast<uint64_t>(d);
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
