#include "lora/safetensors.h"

#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "loco/error.h"

namespace loco {
namespace {

constexpr uint64_t kMaxHeader = 100ull << 20;

int64_t dtype_size(const std::string& dtype) {
  if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
  if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
  if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
  if (dtype == "I8" || dtype == "U8" || dtype == "BOOL" || dtype == "F8_E4M3" || dtype == "F8_E5M2") return 1;
  return 0;
}

}  // namespace

SafetensorsFile SafetensorsFile::open(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw Error(path + ": cannot open");
  const std::streamoff size = in.tellg();
  if (size < 8) throw FormatError(path + ": too small to be a safetensors file");
  // The whole file is read into memory: refuse sizes no LoRA adapter has before allocating.
  constexpr std::streamoff kMaxFileBytes = std::streamoff{4} << 30;
  if (size > kMaxFileBytes) {
    throw FormatError(fmt::format("{}: {} bytes is larger than the {} GiB a LoRA adapter file may have", path,
                                  static_cast<long long>(size), kMaxFileBytes >> 30));
  }
  in.seekg(0);
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  if (!in.read(reinterpret_cast<char*>(bytes.data()), size)) throw Error(path + ": read failed");
  return from_bytes(std::move(bytes), path);
}

SafetensorsFile SafetensorsFile::from_bytes(std::vector<uint8_t> bytes, const std::string& label) {
  SafetensorsFile f;
  f.path_ = label;
  f.bytes_ = std::move(bytes);
  f.parse();
  return f;
}

const SafeTensor* SafetensorsFile::find(const std::string& name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

void SafetensorsFile::parse() {
  if (bytes_.size() < 8) throw FormatError(path_ + ": too small to be a safetensors file");
  uint64_t header_len;
  std::memcpy(&header_len, bytes_.data(), 8);
  if (header_len > kMaxHeader || header_len > bytes_.size() - 8) {
    throw FormatError(fmt::format("{}: header length {} does not fit the file ({} bytes)", path_,
                                  header_len, bytes_.size()));
  }
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes_.begin() + 8, bytes_.begin() + 8 + static_cast<long>(header_len));
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(path_ + ": the header is not valid JSON (" + e.what() + ")");
  }
  if (!header.is_object()) throw FormatError(path_ + ": the header is not a JSON object");
  const uint8_t* data = bytes_.data() + 8 + header_len;
  const uint64_t data_size = bytes_.size() - 8 - header_len;
  for (const auto& item : header.items()) {
    const std::string& name = item.key();
    const nlohmann::json& entry = item.value();
    if (name == "__metadata__") continue;
    auto bad = [&](const std::string& what) {
      return FormatError(fmt::format("{}: tensor '{}': {}", path_, name, what));
    };
    if (!entry.is_object()) throw bad("entry is not an object");
    if (!entry.contains("dtype") || !entry["dtype"].is_string()) throw bad("missing dtype");
    if (!entry.contains("shape") || !entry["shape"].is_array()) throw bad("missing shape");
    if (!entry.contains("data_offsets") || !entry["data_offsets"].is_array() ||
        entry["data_offsets"].size() != 2) {
      throw bad("missing data_offsets");
    }
    SafeTensor t;
    t.dtype = entry["dtype"].get<std::string>();
    const int64_t elem = dtype_size(t.dtype);
    if (elem == 0) throw bad("unknown dtype " + t.dtype);
    uint64_t count = 1;
    for (const auto& d : entry["shape"]) {
      if (!d.is_number_unsigned()) throw bad("shape holds a non-integer");
      const uint64_t v = d.get<uint64_t>();
      if (v > (uint64_t{1} << 40) || (v != 0 && count > (uint64_t{1} << 50) / v)) throw bad("shape is too large");
      count *= v;
      t.shape.push_back(static_cast<int64_t>(v));
    }
    const auto& offsets = entry["data_offsets"];
    if (!offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned()) throw bad("bad data_offsets");
    const uint64_t begin = offsets[0].get<uint64_t>(), end = offsets[1].get<uint64_t>();
    if (begin > end || end > data_size) {
      throw bad(fmt::format("data [{}, {}) lies outside the {} data bytes (truncated?)", begin, end, data_size));
    }
    if (end - begin != count * static_cast<uint64_t>(elem)) {
      throw bad(fmt::format("holds {} bytes but its shape needs {}", end - begin, count * static_cast<uint64_t>(elem)));
    }
    t.data = data + begin;
    t.nbytes = end - begin;
    tensors_.emplace(name, std::move(t));
  }
}

void write_safetensors(const std::string& path, const std::vector<SafeTensorF32>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const SafeTensorF32& t : tensors) {
    uint64_t count = 1;
    for (int64_t d : t.shape) count *= static_cast<uint64_t>(d);
    header[t.name] = {{"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {offset, offset + 4 * count}}};
    offset += 4 * count;
  }
  std::string text = header.dump();
  while (text.size() % 8 != 0) text.push_back(' ');
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(path + ": cannot open for writing");
  uint8_t len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(static_cast<uint64_t>(text.size()) >> (8 * i));
  out.write(reinterpret_cast<const char*>(len), 8);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  for (const SafeTensorF32& t : tensors) {
    uint64_t count = 1;
    for (int64_t d : t.shape) count *= static_cast<uint64_t>(d);
    // Little-endian float32 is the in-memory layout on every platform loco builds for.
    out.write(reinterpret_cast<const char*>(t.data), static_cast<std::streamsize>(4 * count));
  }
  out.close();
  if (!out) throw Error(path + ": write failed");
}

}  // namespace loco
