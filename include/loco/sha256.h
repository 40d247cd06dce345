// SHA-256 (FIPS 180-4), streaming: feed bytes in pieces of any size, then finish. Used to
// record and check the identity of adapter and model files in the registry.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace loco {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  // The digest of everything fed so far; the object must not be used afterwards.
  std::array<uint8_t, 32> finish();

 private:
  void compress(const uint8_t* block);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

// Lowercase hex of a digest (64 characters).
std::string to_hex(const std::array<uint8_t, 32>& digest);
std::string sha256_hex(std::string_view data);
// Hashes a file of any size, reading it in pieces. Throws Error naming the file.
std::string sha256_file(const std::string& path);
// True for 64 hex digits (either case).
bool is_sha256_hex(std::string_view text);

}  // namespace loco
