// `--backend openai:URL | anthropic[:URL]`, and connecting to it.
#include <fmt/format.h>

#include <cctype>

#include "loco/error.h"
#include "loco/remote.h"
#include "remote/remote_backends.h"

namespace loco {
namespace {

constexpr const char* kAnthropicUrl = "https://api.anthropic.com";

std::string checked_url(std::string url, const std::string& spec) {
  const bool http = url.starts_with("http://"), https = url.starts_with("https://");
  if (!http && !https) throw Error("--backend " + spec + ": the URL must start with http:// or https://");
  const size_t scheme_end = url.find("://") + 3;
  if (url.size() == scheme_end || url[scheme_end] == '/') throw Error("--backend " + spec + ": the URL names no host");
  while (url.back() == '/') url.pop_back();
  if (url.ends_with("/v1")) url.resize(url.size() - 3);
  const size_t start = url.find("://") + 3;
  const size_t end = url.find_first_of("/?#", start);
  const std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (authority.empty()) throw Error("--backend " + spec + ": the URL names no host");
  if (authority.find('@') != std::string::npos) {
    throw Error("--backend " + spec + ": a URL with a user name or password is refused; keys go in $LOCO_REMOTE_API_KEY "
                "or keys.yaml");
  }
  if (url.find_first_of("?#", start) != std::string::npos) throw Error("--backend " + spec + ": the URL may not have a query");
  return url;
}

std::string host_of(const std::string& url) {
  const size_t start = url.find("://") + 3;
  const size_t end = url.find('/', start);
  std::string host = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return host;
}

}  // namespace

RemoteSpec parse_backend_spec(const std::string& spec) {
  RemoteSpec out;
  if (spec == "anthropic") {
    out.kind = RemoteKind::Anthropic;
    out.url = kAnthropicUrl;
  } else if (spec.starts_with("anthropic:")) {
    out.kind = RemoteKind::Anthropic;
    out.url = checked_url(spec.substr(10), spec);
  } else if (spec.starts_with("openai:")) {
    out.kind = RemoteKind::OpenAI;
    out.url = checked_url(spec.substr(7), spec);
  } else if (spec == "openai") {
    throw Error("--backend openai needs the endpoint: openai:URL, e.g. openai:http://127.0.0.1:8080");
  } else {
    throw Error("--backend '" + spec + "' is not one of openai:URL, anthropic, anthropic:URL");
  }
  out.host = host_of(out.url);
  return out;
}

std::shared_ptr<RemoteBackend> connect_remote(const RemoteSpec& spec, const RemoteOptions& options) {
  if (!(options.timeout_seconds > 0)) throw Error("--remote-timeout must be positive");
  if (spec.kind == RemoteKind::Anthropic) return remote::make_anthropic_backend(spec, options);
  return remote::make_openai_backend(spec, options);
}

}  // namespace loco
