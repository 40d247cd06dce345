#include "remote/http_call.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cctype>
#include <memory>

#include "loco/error.h"
#include "pull/curl_session.h"

namespace loco::remote {
namespace {

struct Transfer {
  const HttpCall* call = nullptr;
  CURL* curl = nullptr;
  HttpReply reply;
};

long status_of(CURL* curl) {
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  return status;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  const long status = status_of(t->curl);
  if (t->call->on_body && status >= 200 && status < 300) {
    if (!t->call->on_body(std::string_view(data, n))) {
      t->reply.stopped = true;
      return 0;
    }
    return n;
  }
  // Error bodies and whole replies: bounded, a hostile server cannot fill memory.
  if (t->reply.body.size() + n > (64u << 20)) return 0;
  t->reply.body.append(data, n);
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string line(data, n);
  const size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(value.begin());
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
    if (name == "location") t->reply.location = value;
    if (name == "retry-after") t->reply.retry_after = value;
  }
  return n;
}

struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
};

}  // namespace

std::string redact(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 5)) {
    text.replace(at, secret.size(), "[key]");
  }
  return text;
}

HttpReply perform(const HttpCall& call, const std::string& who, const std::string& secret) {
  CurlSession session;
  CURL* c = session.handle();
  session.configure(call.url);
  // The key must reach only the configured host: a redirect is reported, not followed.
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_FAILONERROR, 0L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 0L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(call.timeout_seconds * 1000));
  curl_easy_setopt(c, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");
  HeaderList headers;
  for (const std::string& h : call.headers) headers.list = curl_slist_append(headers.list, h.c_str());
  if (call.method == "POST") {
    headers.list = curl_slist_append(headers.list, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, call.body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
  }
  // No "Expect: 100-continue" round trip for large prompts.
  headers.list = curl_slist_append(headers.list, "Expect:");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.list);
  Transfer t;
  t.call = &call;
  t.curl = c;
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  const CURLcode rc = curl_easy_perform(c);
  t.reply.status = status_of(c);
  if (rc == CURLE_WRITE_ERROR && t.reply.stopped) return std::move(t.reply);
  if (rc != CURLE_OK) {
    throw Error(redact(fmt::format("{}: no answer from {}: {}", who, call.url, session.error_text(rc)), secret));
  }
  return std::move(t.reply);
}

}  // namespace loco::remote
