// Where a remote backend's API key comes from (include/loco/remote.h): the variables, then
// keys.yaml, which must not be readable by anyone but its owner.
#include <fmt/format.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>

#include "loco/error.h"
#include "loco/remote.h"

namespace loco {
namespace {

std::string env_value(const EnvLookup& env, const char* name) {
  const char* v = env ? env(name) : std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

std::string host_without_port(const std::string& host) {
  if (!host.empty() && host.front() == '[') return host.substr(0, host.find(']') + 1);
  const size_t colon = host.rfind(':');
  return colon == std::string::npos ? host : host.substr(0, colon);
}

}  // namespace

std::optional<ApiKey> find_api_key(const RemoteSpec& spec, const std::string& keys_file, const EnvLookup& env) {
  if (std::string v = env_value(env, "LOCO_REMOTE_API_KEY"); !v.empty()) return ApiKey{v, "$LOCO_REMOTE_API_KEY"};
  const std::string bare_host = host_without_port(spec.host);
  if (spec.kind == RemoteKind::OpenAI && bare_host == "api.openai.com") {
    if (std::string v = env_value(env, "OPENAI_API_KEY"); !v.empty()) return ApiKey{v, "$OPENAI_API_KEY"};
  }
  if (spec.kind == RemoteKind::Anthropic && bare_host == "api.anthropic.com") {
    if (std::string v = env_value(env, "ANTHROPIC_API_KEY"); !v.empty()) return ApiKey{v, "$ANTHROPIC_API_KEY"};
  }
  if (keys_file.empty()) return std::nullopt;
  struct stat st {};
  if (::stat(keys_file.c_str(), &st) != 0) return std::nullopt;
  if ((st.st_mode & 077) != 0) {
    throw Error(fmt::format("{} can be read by others (mode {:04o}); its keys were not used: chmod 600 {}", keys_file,
                            st.st_mode & 07777, keys_file));
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(keys_file);
  } catch (const YAML::Exception& e) {
    throw Error(fmt::format("{}: not valid YAML (line {})", keys_file, e.mark.line + 1));
  }
  if (root.IsNull()) return std::nullopt;
  if (!root.IsMap()) throw Error(keys_file + ": must map hosts to keys, e.g. `api.anthropic.com: sk-...`");
  // host:port first, then the host alone.
  for (const std::string& want : {spec.host, bare_host}) {
    for (const auto& kv : root) {
      if (!kv.first.IsScalar() || !kv.second.IsScalar()) {
        throw Error(keys_file + ": must map hosts to keys, e.g. `api.anthropic.com: sk-...`");
      }
      std::string host = kv.first.as<std::string>();
      for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (host == want && !kv.second.as<std::string>().empty()) return ApiKey{kv.second.as<std::string>(), keys_file};
    }
  }
  return std::nullopt;
}

}  // namespace loco
