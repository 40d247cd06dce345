#include "remote/remote_call.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "loco/error.h"

namespace loco::remote {
namespace {

using json = nlohmann::json;

bool transient(long status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504 || status == 529;
}

}  // namespace

std::string error_message(const std::string& body) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error")) {
    const json& e = j["error"];
    if (e.is_string()) return e.get<std::string>();
    if (e.is_object() && e.contains("message") && e["message"].is_string()) return e["message"].get<std::string>();
  }
  std::string start = body.substr(0, 200);
  std::replace(start.begin(), start.end(), '\n', ' ');
  return start.empty() ? "(no body)" : start + (body.size() > 200 ? "..." : "");
}

HttpReply perform_with_retries(const HttpCall& call, const std::string& who, const std::string& secret, int retries) {
  double pause = 0.5;
  for (int attempt = 0;; ++attempt) {
    HttpReply reply = perform(call, who, secret);
    if (!transient(reply.status) || attempt >= retries) return reply;
    double wait = pause;
    if (!reply.retry_after.empty()) wait = std::strtod(reply.retry_after.c_str(), nullptr);
    wait = std::clamp(wait, 0.0, 10.0);
    std::this_thread::sleep_for(std::chrono::duration<double>(wait));
    pause *= 2;
  }
}

void check_reply(const HttpReply& reply, const std::string& who, const std::string& url, const std::string& secret) {
  if (reply.status >= 200 && reply.status < 300) return;
  if (reply.status >= 300 && reply.status < 400) {
    throw Error(redact(fmt::format("{}: {} answered HTTP {} redirecting to {}; loco does not follow redirects (a key "
                                   "goes only to the configured host): give the final URL in --backend",
                                   who, url, reply.status, reply.location.empty() ? "?" : reply.location),
                       secret));
  }
  std::string hint;
  if ((reply.status == 401 || reply.status == 403) && secret.empty()) {
    hint = " (no API key was sent: set $LOCO_REMOTE_API_KEY, or add the host to keys.yaml in loco's config "
           "directory, see docs/remote.md)";
  }
  throw Error(redact(fmt::format("{}: {} answered HTTP {}: {}{}", who, url, reply.status, error_message(reply.body), hint),
                     secret));
}

}  // namespace loco::remote
