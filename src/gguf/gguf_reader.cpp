// GGUF reader. The file is mapped read-only; every count, length and offset read from it
// is checked against the bytes that remain before anything is allocated or dereferenced.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>

#include "loco/error.h"
#include "loco/gguf.h"

namespace loco {
namespace {

constexpr int kMaxDims = 4;
constexpr int kMaxArrayDepth = 8;
constexpr uint64_t kMaxNameLength = 4096;
// Limits far above any real model (a few hundred keys, a few thousand tensors, vocabularies
// of a few hundred thousand strings, no nested arrays in practice). Each decoded item costs
// more memory than its smallest encoding, so without them a large hostile file could make
// the reader allocate many times its own size.
constexpr uint64_t kMaxMetadataEntries = uint64_t{1} << 16;
constexpr uint64_t kMaxTensors = uint64_t{1} << 18;
constexpr uint64_t kMaxArrayStrings = uint64_t{1} << 24;  // over all string arrays
constexpr uint64_t kMaxNestedArrays = uint64_t{1} << 16;  // over all arrays of arrays

int64_t scalar_size(GgufValueType type) {
  switch (type) {
    case GgufValueType::U8: case GgufValueType::I8: case GgufValueType::BOOL: return 1;
    case GgufValueType::U16: case GgufValueType::I16: return 2;
    case GgufValueType::U32: case GgufValueType::I32: case GgufValueType::F32: return 4;
    case GgufValueType::U64: case GgufValueType::I64: case GgufValueType::F64: return 8;
    default: return 0;
  }
}

template <typename T>
T load_le(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;  // GGUF is little-endian; this build targets little-endian hosts
}
static_assert(std::endian::native == std::endian::little, "loco assumes a little-endian host");

class Cursor {
 public:
  Cursor(const uint8_t* base, uint64_t size, const std::string& label)
      : base_(base), size_(size), label_(label) {}

  uint64_t pos() const { return pos_; }
  uint64_t remaining() const { return size_ - pos_; }

  [[noreturn]] void fail(const std::string& what) const {
    throw FormatError(label_ + ": " + what + " (at byte " + std::to_string(pos_) + ")");
  }
  const uint8_t* take(uint64_t n, const char* what) {
    if (n > remaining()) {
      fail(std::string("truncated file: ") + what + " needs " + std::to_string(n) +
           " bytes, " + std::to_string(remaining()) + " remain");
    }
    const uint8_t* p = base_ + pos_;
    pos_ += n;
    return p;
  }
  template <typename T>
  T read(const char* what) {
    return load_le<T>(take(sizeof(T), what));
  }
  std::string_view read_string(const char* what,
                               uint64_t max_length = std::numeric_limits<uint64_t>::max()) {
    uint64_t length = read<uint64_t>(what);
    if (length > max_length) {
      fail(std::string(what) + " has length " + std::to_string(length) + ", above the limit of " +
           std::to_string(max_length));
    }
    if (length > remaining()) {
      fail(std::string(what) + " has length " + std::to_string(length) + ", more than the " +
           std::to_string(remaining()) + " bytes left in the file");
    }
    const uint8_t* p = take(length, what);
    return {reinterpret_cast<const char*>(p), static_cast<size_t>(length)};
  }

 private:
  const uint8_t* base_;
  uint64_t size_;
  uint64_t pos_ = 0;
  const std::string& label_;
};

GgufValueType read_value_type(Cursor& cursor, const char* what) {
  uint32_t raw = cursor.read<uint32_t>(what);
  if (raw > static_cast<uint32_t>(GgufValueType::F64)) {
    cursor.fail(std::string("unknown metadata value type ") + std::to_string(raw) + " in " + what);
  }
  return static_cast<GgufValueType>(raw);
}

// What is left of the limits on decoded array elements while a file is parsed.
struct DecodeBudget {
  uint64_t strings = kMaxArrayStrings;
  uint64_t nested_arrays = kMaxNestedArrays;
};

void read_value(Cursor& cursor, GgufValueType type, GgufValue& out, int depth,
                const std::string& key, DecodeBudget& budget) {
  out.type = type;
  switch (type) {
    case GgufValueType::U8: out.uint_value = cursor.read<uint8_t>(key.c_str()); return;
    case GgufValueType::I8: out.int_value = cursor.read<int8_t>(key.c_str()); return;
    case GgufValueType::U16: out.uint_value = cursor.read<uint16_t>(key.c_str()); return;
    case GgufValueType::I16: out.int_value = cursor.read<int16_t>(key.c_str()); return;
    case GgufValueType::U32: out.uint_value = cursor.read<uint32_t>(key.c_str()); return;
    case GgufValueType::I32: out.int_value = cursor.read<int32_t>(key.c_str()); return;
    case GgufValueType::U64: out.uint_value = cursor.read<uint64_t>(key.c_str()); return;
    case GgufValueType::I64: out.int_value = cursor.read<int64_t>(key.c_str()); return;
    case GgufValueType::F32: out.float_value = cursor.read<float>(key.c_str()); return;
    case GgufValueType::F64: out.float_value = cursor.read<double>(key.c_str()); return;
    case GgufValueType::BOOL: {
      uint8_t b = cursor.read<uint8_t>(key.c_str());
      if (b > 1) cursor.fail("metadata '" + key + "' holds bool value " + std::to_string(b));
      out.uint_value = b;
      return;
    }
    case GgufValueType::STRING:
      out.string_value = cursor.read_string(("metadata '" + key + "'").c_str());
      return;
    case GgufValueType::ARRAY: {
      if (depth >= kMaxArrayDepth) {
        cursor.fail("metadata '" + key + "' nests arrays more than " +
                    std::to_string(kMaxArrayDepth) + " deep");
      }
      out.elem_type = read_value_type(cursor, ("the elements of metadata '" + key + "'").c_str());
      out.count = cursor.read<uint64_t>(key.c_str());
      // The smallest possible encoding of each element bounds the count by what remains.
      int64_t min_elem = scalar_size(out.elem_type);
      if (out.elem_type == GgufValueType::STRING) min_elem = 8;
      if (out.elem_type == GgufValueType::ARRAY) min_elem = 12;
      if (out.count > cursor.remaining() / static_cast<uint64_t>(min_elem)) {
        cursor.fail("metadata '" + key + "' claims " + std::to_string(out.count) +
                    " array elements, more than the file can hold");
      }
      if (out.elem_type == GgufValueType::STRING) {
        if (out.count > budget.strings) {
          cursor.fail("metadata '" + key + "' has " + std::to_string(out.count) +
                      " strings, above the limit of " + std::to_string(kMaxArrayStrings) +
                      " string array elements per file");
        }
        budget.strings -= out.count;
        out.strings.reserve(out.count);
        const std::string what = "a string in metadata '" + key + "'";
        for (uint64_t i = 0; i < out.count; ++i) {
          out.strings.push_back(cursor.read_string(what.c_str()));
        }
      } else if (out.elem_type == GgufValueType::ARRAY) {
        if (out.count > budget.nested_arrays) {
          cursor.fail("metadata '" + key + "' has " + std::to_string(out.count) +
                      " nested arrays, above the limit of " + std::to_string(kMaxNestedArrays) +
                      " per file");
        }
        budget.nested_arrays -= out.count;
        out.arrays.resize(out.count);
        for (uint64_t i = 0; i < out.count; ++i) {
          // Nested arrays carry no type tag of their own: the parent's element type says it.
          read_value(cursor, GgufValueType::ARRAY, out.arrays[i], depth + 1, key, budget);
        }
      } else {
        out.elements = cursor.take(out.count * static_cast<uint64_t>(min_elem), key.c_str());
        if (out.elem_type == GgufValueType::BOOL) {
          for (uint64_t i = 0; i < out.count; ++i) {
            if (out.elements[i] > 1) cursor.fail("metadata '" + key + "' holds a bool above 1");
          }
        }
      }
      return;
    }
  }
}

struct Mapping {
  void* addr = nullptr;
  size_t length = 0;
  ~Mapping() {
    if (addr != nullptr) munmap(addr, length);
  }
};

}  // namespace

std::string_view gguf_value_type_name(GgufValueType type) {
  static constexpr const char* kNames[] = {"u8",  "i8",   "u16",   "i16", "u32", "i32", "f32",
                                           "bool", "string", "array", "u64", "i64", "f64"};
  auto index = static_cast<uint32_t>(type);
  return index < std::size(kNames) ? kNames[index] : "unknown";
}

bool GgufValue::is_integer() const {
  switch (type) {
    case GgufValueType::U8: case GgufValueType::I8: case GgufValueType::U16:
    case GgufValueType::I16: case GgufValueType::U32: case GgufValueType::I32:
    case GgufValueType::U64: case GgufValueType::I64: return true;
    default: return false;
  }
}

namespace {
// Bounds-checked address of numeric element i: callers index arrays with counts taken from
// other keys of the same (possibly hostile) file.
const uint8_t* numeric_element(const GgufValue& v, uint64_t i) {
  int64_t size = scalar_size(v.elem_type);
  if (v.type != GgufValueType::ARRAY || size == 0 || v.elements == nullptr) {
    throw FormatError("metadata value is not an array of numbers");
  }
  if (i >= v.count) {
    throw FormatError("metadata array index " + std::to_string(i) + " is out of range (" +
                      std::to_string(v.count) + " elements)");
  }
  return v.elements + i * static_cast<uint64_t>(size);
}
}  // namespace

double GgufValue::array_number(uint64_t i) const {
  const uint8_t* p = numeric_element(*this, i);
  switch (elem_type) {
    case GgufValueType::F32: return load_le<float>(p);
    case GgufValueType::F64: return load_le<double>(p);
    case GgufValueType::U64: return static_cast<double>(load_le<uint64_t>(p));
    default: return static_cast<double>(array_integer(i));
  }
}

int64_t GgufValue::array_integer(uint64_t i) const {
  const uint8_t* p = numeric_element(*this, i);
  double real = 0.0;
  switch (elem_type) {
    case GgufValueType::U8: case GgufValueType::BOOL: return load_le<uint8_t>(p);
    case GgufValueType::I8: return load_le<int8_t>(p);
    case GgufValueType::U16: return load_le<uint16_t>(p);
    case GgufValueType::I16: return load_le<int16_t>(p);
    case GgufValueType::U32: return load_le<uint32_t>(p);
    case GgufValueType::I32: return load_le<int32_t>(p);
    case GgufValueType::U64: {
      uint64_t u = load_le<uint64_t>(p);
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        throw FormatError("metadata array element " + std::to_string(i) + " (" +
                          std::to_string(u) + ") does not fit a signed 64-bit integer");
      }
      return static_cast<int64_t>(u);
    }
    case GgufValueType::I64: return load_le<int64_t>(p);
    case GgufValueType::F32: real = load_le<float>(p); break;
    case GgufValueType::F64: real = load_le<double>(p); break;
    default: break;
  }
  // Converting NaN or an out-of-range float to an integer is undefined behaviour.
  if (!(real >= -0x1p63 && real < 0x1p63)) {
    throw FormatError("metadata array element " + std::to_string(i) +
                      " is not a number that fits a 64-bit integer");
  }
  return static_cast<int64_t>(real);
}

std::string GgufTensor::shape_string() const {
  std::string s = "[";
  for (int d = 0; d < n_dims; ++d) {
    if (d > 0) s += ", ";
    s += std::to_string(ne[d]);
  }
  return s + "]";
}

GgufFile GgufFile::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(path + ": not a regular file");
  }
  if (st.st_size < 24) {
    ::close(fd);
    throw FormatError(path + ": too small to be a GGUF file (" + std::to_string(st.st_size) +
                      " bytes)");
  }
  auto mapping = std::make_shared<Mapping>();
  mapping->length = static_cast<size_t>(st.st_size);
  void* addr = mmap(nullptr, mapping->length, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (addr == MAP_FAILED) throw Error(path + ": cannot map file: " + std::strerror(errno));
  mapping->addr = addr;

  GgufFile file;
  file.path_ = path;
  file.base_ = static_cast<const uint8_t*>(addr);
  file.size_ = mapping->length;
  file.storage_ = std::move(mapping);
  file.mapped_ = true;
  file.parse();
  return file;
}

GgufFile GgufFile::from_bytes(std::vector<uint8_t> bytes, std::string label) {
  auto owned = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
  GgufFile file;
  file.path_ = std::move(label);
  file.base_ = owned->data();
  file.size_ = owned->size();
  file.storage_ = std::move(owned);
  file.parse();
  return file;
}

void GgufFile::parse() {
  Cursor cursor(base_, size_, path_);
  const uint8_t* magic = cursor.take(4, "magic");
  if (std::memcmp(magic, "GGUF", 4) != 0) {
    cursor.fail("not a GGUF file (bad magic)");
  }
  version_ = cursor.read<uint32_t>("version");
  if (version_ == 1) cursor.fail("GGUF version 1 is not supported (only 2 and 3)");
  if (version_ != 2 && version_ != 3) {
    if ((version_ & 0xFFFF) == 0) cursor.fail("big-endian GGUF files are not supported");
    cursor.fail("unsupported GGUF version " + std::to_string(version_));
  }
  uint64_t n_tensors = cursor.read<uint64_t>("tensor count");
  uint64_t n_kv = cursor.read<uint64_t>("metadata count");
  // A metadata entry takes at least 8 (key length) + 4 (type) + 1 bytes; a tensor info
  // at least 8 + 4 + 8 + 4 + 8.
  if (n_kv > cursor.remaining() / 13) {
    cursor.fail("metadata count " + std::to_string(n_kv) + " is larger than the file can hold");
  }
  if (n_kv > kMaxMetadataEntries) {
    cursor.fail("metadata count " + std::to_string(n_kv) + " is above the limit of " +
                std::to_string(kMaxMetadataEntries));
  }
  if (n_tensors > cursor.remaining() / 32) {
    cursor.fail("tensor count " + std::to_string(n_tensors) + " is larger than the file can hold");
  }
  if (n_tensors > kMaxTensors) {
    cursor.fail("tensor count " + std::to_string(n_tensors) + " is above the limit of " +
                std::to_string(kMaxTensors));
  }

  DecodeBudget budget;
  kvs_.reserve(n_kv);
  for (uint64_t i = 0; i < n_kv; ++i) {
    GgufKV kv;
    kv.key = std::string(cursor.read_string("metadata key", kMaxNameLength));
    GgufValueType type = read_value_type(cursor, ("metadata '" + kv.key + "'").c_str());
    read_value(cursor, type, kv.value, 0, kv.key, budget);
    if (!kv_index_.emplace(kv.key, kvs_.size()).second) {
      cursor.fail("duplicate metadata key '" + kv.key + "'");
    }
    kvs_.push_back(std::move(kv));
  }

  if (const GgufValue* align = find("general.alignment")) {
    if (align->type != GgufValueType::U32) {
      cursor.fail("general.alignment has type " + std::string(gguf_value_type_name(align->type)) +
                  ", expected u32");
    }
    // The spec asks for a multiple of 8; with a power of two of at least 8 every tensor view
    // is 8-byte aligned in the (page-aligned) mapping, so typed loads from it are aligned.
    uint64_t a = align->uint_value;
    if (a < 8 || (a & (a - 1)) != 0 || a > (1u << 20)) {
      cursor.fail("general.alignment " + std::to_string(a) +
                  " is not a power of two from 8 to 1 MiB");
    }
    alignment_ = static_cast<uint32_t>(a);
  }

  tensors_.reserve(n_tensors);
  for (uint64_t i = 0; i < n_tensors; ++i) {
    GgufTensor t;
    t.name = std::string(cursor.read_string("tensor name", kMaxNameLength));
    uint32_t n_dims = cursor.read<uint32_t>("tensor dimension count");
    if (n_dims == 0 || n_dims > kMaxDims) {
      cursor.fail("tensor '" + t.name + "' has " + std::to_string(n_dims) +
                  " dimensions (1 to 4 allowed)");
    }
    t.n_dims = static_cast<int>(n_dims);
    uint64_t n_elements = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
      uint64_t ne = cursor.read<uint64_t>("tensor dimension");
      // 2^50 elements is far beyond any file, and keeps every later product below 2^63.
      if (ne == 0 || ne > (uint64_t{1} << 50) || n_elements > (uint64_t{1} << 50) / ne) {
        cursor.fail("tensor '" + t.name + "' has an impossible dimension " + std::to_string(ne));
      }
      n_elements *= ne;
      t.ne[d] = static_cast<int64_t>(ne);
    }
    uint32_t type_id = cursor.read<uint32_t>("tensor type");
    auto info = type_info(type_id);
    if (!info) {
      cursor.fail("tensor '" + t.name + "' has unknown type id " + std::to_string(type_id));
    }
    t.type = info->type;
    if (t.ne[0] % info->block_size != 0) {
      cursor.fail("tensor '" + t.name + "' of type " + info->name + " has row length " +
                  std::to_string(t.ne[0]) + ", not a multiple of the block size " +
                  std::to_string(info->block_size));
    }
    t.nbytes = n_elements / static_cast<uint64_t>(info->block_size) *
               static_cast<uint64_t>(info->type_size);
    t.offset = cursor.read<uint64_t>("tensor offset");
    if (t.offset % alignment_ != 0) {
      cursor.fail("tensor '" + t.name + "' offset " + std::to_string(t.offset) +
                  " is not a multiple of the alignment " + std::to_string(alignment_));
    }
    if (!tensor_index_.emplace(t.name, tensors_.size()).second) {
      cursor.fail("duplicate tensor name '" + t.name + "'");
    }
    tensors_.push_back(std::move(t));
  }

  uint64_t header_end = cursor.pos();
  data_offset_ = (header_end + alignment_ - 1) / alignment_ * alignment_;
  if (data_offset_ > size_ && !tensors_.empty()) {
    cursor.fail("truncated file: the data section starts past the end of the file");
  }
  for (GgufTensor& t : tensors_) {
    uint64_t available = size_ - data_offset_;
    if (t.offset > available || t.nbytes > available - t.offset) {
      throw FormatError(path_ + ": tensor '" + t.name + "' (" + std::to_string(t.nbytes) +
                        " bytes at data offset " + std::to_string(t.offset) +
                        ") extends past the end of the file (truncated?)");
    }
    t.data = base_ + data_offset_ + t.offset;
  }
  // Overlapping tensors mean a corrupt file: writers lay tensors out one after another
  // (ggml rejects anything else), so a view that reaches into its neighbour is wrong.
  std::vector<const GgufTensor*> by_offset;
  by_offset.reserve(tensors_.size());
  for (const GgufTensor& t : tensors_) by_offset.push_back(&t);
  std::sort(by_offset.begin(), by_offset.end(),
            [](const GgufTensor* a, const GgufTensor* b) { return a->offset < b->offset; });
  for (size_t i = 1; i < by_offset.size(); ++i) {
    const GgufTensor& prev = *by_offset[i - 1];
    const GgufTensor& next = *by_offset[i];
    if (prev.offset + prev.nbytes > next.offset) {
      throw FormatError(path_ + ": tensors '" + prev.name + "' and '" + next.name +
                        "' overlap in the data section");
    }
  }
}

const GgufValue* GgufFile::find(std::string_view key) const {
  auto it = kv_index_.find(std::string(key));
  return it == kv_index_.end() ? nullptr : &kvs_[it->second].value;
}

const GgufValue& GgufFile::require(std::string_view key) const {
  const GgufValue* v = find(key);
  if (v == nullptr) throw FormatError(path_ + ": missing metadata key '" + std::string(key) + "'");
  return *v;
}

std::string GgufFile::get_string(std::string_view key) const {
  const GgufValue& v = require(key);
  if (v.type != GgufValueType::STRING) {
    throw FormatError(path_ + ": metadata '" + std::string(key) + "' is " +
                      std::string(gguf_value_type_name(v.type)) + ", expected string");
  }
  return std::string(v.string_value);
}

std::optional<std::string> GgufFile::optional_string(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return get_string(key);
}

uint64_t GgufFile::get_uint(std::string_view key) const {
  const GgufValue& v = require(key);
  if (v.is_integer()) {
    if (v.int_value < 0) {
      throw FormatError(path_ + ": metadata '" + std::string(key) + "' is negative");
    }
    return v.uint_value != 0 ? v.uint_value : static_cast<uint64_t>(v.int_value);
  }
  throw FormatError(path_ + ": metadata '" + std::string(key) + "' is " +
                    std::string(gguf_value_type_name(v.type)) + ", expected an integer");
}

std::optional<uint64_t> GgufFile::optional_uint(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return get_uint(key);
}

double GgufFile::get_float(std::string_view key) const {
  const GgufValue& v = require(key);
  if (v.is_float()) return v.float_value;
  if (v.is_integer()) {
    return v.int_value != 0 ? static_cast<double>(v.int_value) : static_cast<double>(v.uint_value);
  }
  throw FormatError(path_ + ": metadata '" + std::string(key) + "' is " +
                    std::string(gguf_value_type_name(v.type)) + ", expected a number");
}

std::optional<double> GgufFile::optional_float(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return get_float(key);
}

std::optional<bool> GgufFile::optional_bool(std::string_view key) const {
  const GgufValue* v = find(key);
  if (v == nullptr) return std::nullopt;
  if (v->type != GgufValueType::BOOL) {
    throw FormatError(path_ + ": metadata '" + std::string(key) + "' is " +
                      std::string(gguf_value_type_name(v->type)) + ", expected bool");
  }
  return v->uint_value != 0;
}

const GgufValue& GgufFile::get_array(std::string_view key, GgufValueType elem_type) const {
  const GgufValue& v = require(key);
  if (v.type != GgufValueType::ARRAY || v.elem_type != elem_type) {
    std::string got = std::string(gguf_value_type_name(v.type));
    if (v.is_array()) got = "array of " + std::string(gguf_value_type_name(v.elem_type));
    throw FormatError(path_ + ": metadata '" + std::string(key) + "' is " + got +
                      ", expected array of " + std::string(gguf_value_type_name(elem_type)));
  }
  return v;
}

const GgufValue* GgufFile::optional_array(std::string_view key, GgufValueType elem_type) const {
  if (!has(key)) return nullptr;
  return &get_array(key, elem_type);
}

const GgufTensor* GgufFile::find_tensor(std::string_view name) const {
  auto it = tensor_index_.find(std::string(name));
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

}  // namespace loco
