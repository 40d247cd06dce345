#include "loco/atomic_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>

#include "loco/error.h"

namespace loco {

namespace fs = std::filesystem;

void write_file_atomically(const std::string& path, const std::string& text) {
  const fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) {
    fs::create_directories(target.parent_path(), ec);
    if (ec) throw Error(target.parent_path().string() + ": cannot create: " + ec.message());
  }
  std::random_device rd;
  const std::string temp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
  {
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(temp.c_str(), "wb"), std::fclose);
    if (!file) throw Error(temp + ": cannot create: " + std::strerror(errno));
    const bool written = std::fwrite(text.data(), 1, text.size(), file.get()) == text.size() &&
                         std::fflush(file.get()) == 0 && ::fsync(::fileno(file.get())) == 0;
    if (!written) {
      const int err = errno;
      file.reset();
      std::remove(temp.c_str());
      throw Error(temp + ": write failed: " + std::strerror(err));
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(temp.c_str());
    throw Error(path + ": cannot replace: " + std::strerror(err));
  }
}

}  // namespace loco
