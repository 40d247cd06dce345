// One HTTP request to a remote backend, with the rules include/loco/remote.h promises:
// no redirects followed, no proxy for loopback, a total time limit, the key only in the
// headers given here, and error text with the key redacted.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace loco::remote {

struct HttpCall {
  std::string method = "GET";  // GET or POST
  std::string url;
  std::string body;            // POST: JSON
  std::vector<std::string> headers;
  double timeout_seconds = 600;
  // Called with each piece of a 2xx body as it arrives (streams); return false to stop.
  // A non-2xx body is always collected whole, for the error message.
  std::function<bool(std::string_view)> on_body;
};

struct HttpReply {
  long status = 0;
  std::string body;       // unless on_body took it
  std::string location;   // of a redirect
  std::string retry_after;
  bool stopped = false;   // on_body returned false
};

// Performs the call; throws Error (naming `who` and the URL) when no HTTP answer came:
// refused, timed out, TLS failure. `secret` is removed from any text in the error.
HttpReply perform(const HttpCall& call, const std::string& who, const std::string& secret);

// `text` with every occurrence of `secret` replaced by "[key]".
std::string redact(std::string text, const std::string& secret);

}  // namespace loco::remote
