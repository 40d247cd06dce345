// What both backends do with a reply: retry the transient failures, and turn the others
// into one line naming the endpoint and what it said.
#pragma once

#include <string>

#include "remote/http_call.h"

namespace loco::remote {

// Performs `call`, again after a pause (Retry-After, else 0.5 s doubling, at most 10 s)
// while the answer is 429, 500, 502, 503, 504 or 529 and retries remain.
HttpReply perform_with_retries(const HttpCall& call, const std::string& who, const std::string& secret, int retries);

// Throws Error for anything but a 2xx: a redirect (not followed), or the status with the
// error message of the body (OpenAI, Ollama and Anthropic shapes), key redacted. A 401
// or 403 says where keys come from when none was sent.
void check_reply(const HttpReply& reply, const std::string& who, const std::string& url, const std::string& secret);

// The message of an error body, or its start when it is not one of the known shapes.
std::string error_message(const std::string& body);

}  // namespace loco::remote
