#include "pull/curl_session.h"

#include <cstdlib>
#include <string>

#include "loco/error.h"

namespace loco {

namespace {

// curl_global_init is not thread-safe with every TLS backend: do it once, first.
void init_curl_once() {
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!ok) throw Error("cannot initialise libcurl");
}

// Seconds a transfer may go without receiving a byte before it is abandoned (the part
// file stays for a resume). $LOCO_PULL_STALL_SECONDS overrides, for tests.
long stall_seconds() {
  if (const char* env = std::getenv("LOCO_PULL_STALL_SECONDS"); env != nullptr && *env != '\0') {
    const long v = std::strtol(env, nullptr, 10);
    if (v > 0) return v;
  }
  return 60;
}

}  // namespace

CurlSession::CurlSession() {
  init_curl_once();
  curl_ = curl_easy_init();
  if (curl_ == nullptr) throw Error("cannot initialise libcurl");
}

CurlSession::~CurlSession() { curl_easy_cleanup(curl_); }

void CurlSession::configure(const std::string& url) {
  url_ = url;
  curl_easy_setopt(curl_, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error_);
  curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl_, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl_, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl_, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(curl_, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_TIME, stall_seconds());
  curl_easy_setopt(curl_, CURLOPT_USERAGENT, "loco/0.1");
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
}

std::string CurlSession::error_text(CURLcode rc) const {
  std::string text = curl_easy_strerror(rc);
  if (error_[0] != '\0') {
    std::string detail = error_;
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == '\r')) detail.pop_back();
    text += ": " + detail;
  }
  return text;
}

}  // namespace loco
