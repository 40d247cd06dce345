// safetensors files (what PEFT and Unsloth save adapters as): a u64 header length, a JSON
// header naming each tensor's dtype, shape and byte range, then the data. Every range is
// checked against the file.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace loco {

struct SafeTensor {
  std::string dtype;  // "F32", "F16", "BF16", ...
  std::vector<int64_t> shape;
  const uint8_t* data = nullptr;
  uint64_t nbytes = 0;
};

class SafetensorsFile {
 public:
  static SafetensorsFile open(const std::string& path);
  static SafetensorsFile from_bytes(std::vector<uint8_t> bytes, const std::string& label);

  const std::string& path() const { return path_; }
  const std::map<std::string, SafeTensor>& tensors() const { return tensors_; }
  const SafeTensor* find(const std::string& name) const;

 private:
  void parse();
  std::string path_;
  std::vector<uint8_t> bytes_;
  std::map<std::string, SafeTensor> tensors_;
};

// One float32 tensor to write.
struct SafeTensorF32 {
  std::string name;
  std::vector<int64_t> shape;
  const float* data = nullptr;  // the product of shape values
};

// Writes a safetensors file of float32 tensors (header padded with spaces to 8 bytes).
void write_safetensors(const std::string& path, const std::vector<SafeTensorF32>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace loco
