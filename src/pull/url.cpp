// The little URL handling loco needs: is it http(s), the file name at its end, and a
// relative reference resolved against an index's URL.
#include <string>

#include "loco/pull.h"

namespace loco {

namespace {

bool has_prefix(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// Position just past "scheme://host[:port]", or npos when there is no scheme.
size_t authority_end(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return std::string::npos;
  const size_t path = url.find_first_of("/?#", scheme + 3);
  return path == std::string::npos ? url.size() : path;
}

}  // namespace

bool is_http_url(const std::string& text) {
  return (has_prefix(text, "http://") && text.size() > 7) || (has_prefix(text, "https://") && text.size() > 8);
}

std::string url_file_name(const std::string& url) {
  std::string path = url.substr(0, url.find_first_of("?#"));
  const size_t start = authority_end(path);
  if (start != std::string::npos) path = path.substr(start);
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string resolve_url(const std::string& base, const std::string& relative) {
  if (relative.find("://") != std::string::npos) return relative;
  const size_t auth = authority_end(base);
  if (auth == std::string::npos) {
    // A local index: relative to its directory.
    if (!relative.empty() && relative.front() == '/') return relative;
    const size_t slash = base.rfind('/');
    return slash == std::string::npos ? relative : base.substr(0, slash + 1) + relative;
  }
  if (!relative.empty() && relative.front() == '/') return base.substr(0, auth) + relative;
  const std::string path = base.substr(0, base.find_first_of("?#"));
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash < auth) return path + "/" + relative;
  return path.substr(0, slash + 1) + relative;
}

}  // namespace loco
