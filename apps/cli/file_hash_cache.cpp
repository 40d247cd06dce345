#include "file_hash_cache.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "loco/sha256.h"

namespace loco::cli {

namespace fs = std::filesystem;

std::string cached_file_sha256(const std::string& path, const std::string& data_dir) {
  std::error_code ec;
  const fs::path abs = fs::absolute(path, ec);
  const auto size = fs::file_size(path, ec);
  const auto mtime = fs::last_write_time(path, ec);
  if (ec || data_dir.empty()) return sha256_file(path);
  const std::string key = abs.string();
  const long long stamp = static_cast<long long>(mtime.time_since_epoch().count());
  const fs::path cache = fs::path(data_dir) / "file-hashes.json";
  nlohmann::json j = nlohmann::json::object();
  {
    std::ifstream in(cache);
    if (in) {
      std::stringstream ss;
      ss << in.rdbuf();
      j = nlohmann::json::parse(ss.str(), nullptr, false);
      if (j.is_discarded() || !j.is_object()) j = nlohmann::json::object();
    }
  }
  if (auto it = j.find(key); it != j.end() && it->is_object()) {
    const nlohmann::json& e = *it;
    if (e.value("size", -1LL) == static_cast<long long>(size) && e.value("mtime", -1LL) == stamp &&
        e.contains("sha256") && e["sha256"].is_string() && is_sha256_hex(e["sha256"].get<std::string>())) {
      return e["sha256"].get<std::string>();
    }
  }
  const std::string sha = sha256_file(path);
  j[key] = {{"size", static_cast<long long>(size)}, {"mtime", stamp}, {"sha256", sha}};
  fs::create_directories(data_dir, ec);
  const fs::path tmp = cache.string() + "." + std::to_string(getpid()) + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return sha;
    out << j.dump(2) << "\n";
  }
  fs::rename(tmp, cache, ec);
  if (ec) fs::remove(tmp, ec);
  return sha;
}

}  // namespace loco::cli
