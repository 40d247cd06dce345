// Reading context from the file system: one file, or a directory's files in path order.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "locollm/context/context_text.h"
#include "loco/context.h"
#include "loco/error.h"

namespace loco {

namespace fs = std::filesystem;

namespace {

std::string read_bounded(const std::string& path, uint64_t limit) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) throw Error(fmt::format("{}: no such file or directory", path));
  if (!fs::is_regular_file(st)) throw Error(fmt::format("{}: not a regular file", path));
  const uint64_t size = fs::file_size(path, ec);
  if (ec) throw Error(fmt::format("{}: cannot read its size: {}", path, ec.message()));
  if (size > limit) {
    throw Error(fmt::format("{}: {:.1f} MB is over the {} MB limit for context files; give the parts that matter",
                            path, static_cast<double>(size) / (1 << 20), limit >> 20));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::string text(size, '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (static_cast<uint64_t>(in.gcount()) != size) throw Error(fmt::format("{}: read error", path));
  return text;
}

bool hidden(const fs::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

}  // namespace

LoadedContext load_context(const std::string& path) {
  LoadedContext out;
  std::error_code ec;
  if (path.empty()) throw Error("--context needs a file or directory");
  if (!fs::is_directory(path, ec)) {
    out.documents.push_back(parse_context(read_bounded(path, kMaxContextBytes), path));
    return out;
  }
  std::vector<fs::path> files;
  fs::recursive_directory_iterator it(path, fs::directory_options::none, ec);
  if (ec) throw Error(fmt::format("{}: cannot read the directory: {}", path, ec.message()));
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) throw Error(fmt::format("{}: cannot read the directory: {}", path, ec.message()));
    if (hidden(it->path())) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    files.push_back(it->path());
    if (files.size() > kMaxContextFiles) {
      throw Error(fmt::format("{}: more than {} files; give the directory that holds the material for this "
                              "question", path, kMaxContextFiles));
    }
  }
  std::sort(files.begin(), files.end());
  uint64_t total = 0;
  for (const fs::path& f : files) {
    std::string text = read_bounded(f.string(), kMaxContextBytes);
    total += text.size();
    if (total > kMaxContextBytes) {
      throw Error(fmt::format("{}: its files hold more than the {} MB limit for context", path,
                              kMaxContextBytes >> 20));
    }
    if (const std::string why = context_detail::why_not_text(text); !why.empty()) {
      out.skipped.push_back(f.string() + " (not text)");
      continue;
    }
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
      out.skipped.push_back(f.string() + " (empty)");
      continue;
    }
    ContextDocument doc = parse_context(text, f.string());
    out.documents.push_back(std::move(doc));
  }
  if (out.documents.empty()) throw Error(fmt::format("{}: the directory holds no text files", path));
  return out;
}

}  // namespace loco
