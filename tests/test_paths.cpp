#include "test_paths.h"

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>

namespace loco::test {

std::string testdata_dir() {
  if (const char* env = std::getenv("LOCO_TESTDATA")) return env;
  return std::string(LOCO_SOURCE_DIR) + "/../shared/testdata";
}

std::string model_path(const std::string& file) { return testdata_dir() + "/models/" + file; }

std::string cli_path() { return LOCO_CLI_PATH; }

std::string temp_dir() {
  static std::mutex mutex;
  static std::vector<std::filesystem::path> created;
  std::lock_guard lock(mutex);
  if (created.empty()) {
    std::atexit([] {
      std::error_code ec;
      for (const auto& p : created) std::filesystem::remove_all(p, ec);
    });
  }
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() /
             ("loco-test-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  created.push_back(dir);
  return dir.string();
}

}  // namespace loco::test
