// One libcurl easy handle with the settings every loco transfer shares: http and https
// only (redirects included), redirects followed, TLS verified (libcurl's default, never
// turned off), proxies from the environment (libcurl's default), a connect timeout and a
// stall timeout instead of a total one (a 2.5 GB file may take an hour).
#pragma once

#include <curl/curl.h>

#include <string>

namespace loco {

class CurlSession {
 public:
  CurlSession();
  ~CurlSession();
  CurlSession(const CurlSession&) = delete;
  CurlSession& operator=(const CurlSession&) = delete;

  CURL* handle() const { return curl_; }
  // The shared settings, for a GET of `url` that fails on HTTP status >= 400.
  void configure(const std::string& url);
  // libcurl's message for `rc`, with its detailed error text when there is one.
  std::string error_text(CURLcode rc) const;

 private:
  CURL* curl_ = nullptr;
  std::string url_;
  char error_[CURL_ERROR_SIZE] = {};
};

}  // namespace loco
