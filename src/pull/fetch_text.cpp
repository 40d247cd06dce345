// fetch_text: a small document (an adapter index) into memory, from a URL or a local file.
#include <curl/curl.h>
#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <string>

#include "loco/error.h"
#include "loco/pull.h"
#include "pull/curl_session.h"

namespace loco {

namespace {

struct Sink {
  std::string text;
  uint64_t max_bytes = 0;
  bool too_big = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* s = static_cast<Sink*>(user);
  const size_t n = size * count;
  if (s->text.size() + n > s->max_bytes) {
    s->too_big = true;
    return 0;
  }
  s->text.append(data, n);
  return n;
}

std::string read_local(const std::string& path, uint64_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open");
  std::ostringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  if (text.size() > max_bytes) throw Error(fmt::format("{}: larger than {} bytes", path, max_bytes));
  return text;
}

}  // namespace

std::string fetch_text(const std::string& url, uint64_t max_bytes) {
  if (url.rfind("file://", 0) == 0) return read_local(url.substr(7), max_bytes);
  if (!is_http_url(url)) {
    if (url.find("://") != std::string::npos) throw Error("cannot fetch '" + url + "': not an http(s) URL or a file");
    return read_local(url, max_bytes);
  }
  CurlSession session;
  Sink sink;
  sink.max_bytes = max_bytes;
  session.configure(url);
  curl_easy_setopt(session.handle(), CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(session.handle(), CURLOPT_WRITEDATA, &sink);
  const CURLcode rc = curl_easy_perform(session.handle());
  if (sink.too_big) throw Error(fmt::format("{}: larger than {} bytes", url, max_bytes));
  if (rc == CURLE_HTTP_RETURNED_ERROR) {
    long status = 0;
    curl_easy_getinfo(session.handle(), CURLINFO_RESPONSE_CODE, &status);
    throw Error(fmt::format("cannot fetch {}: the server answered HTTP {}", url, status));
  }
  if (rc != CURLE_OK) throw Error(fmt::format("cannot fetch {}: {}", url, session.error_text(rc)));
  return sink.text;
}

}  // namespace loco
