#include "locollm/router/router_file.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "loco/error.h"

namespace loco::router {
namespace {

using nlohmann::json;

// Deepest [ / { nesting outside strings (the format itself needs 3 levels).
int nesting_depth(const std::string& text) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw FormatError(path + ": " + what);
}

}  // namespace

json read_router_json(const std::string& path, std::string_view expected_kind) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) throw Error(path + ": cannot read");
  if (static_cast<uint64_t>(size) > kMaxRouterFileBytes) {
    fail(path, "router file larger than " + std::to_string(kMaxRouterFileBytes >> 20) + " MiB");
  }
  in.seekg(0);
  std::string text(static_cast<size_t>(size), '\0');
  if (!in.read(text.data(), size)) throw Error(path + ": cannot read");
  if (nesting_depth(text) > 8) fail(path, "JSON nested too deeply for a router file");

  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) fail(path, "not valid JSON");
  if (!j.is_object()) fail(path, "not a JSON object");
  if (string_field(j, "format", path) != kRouterFormat) {
    fail(path, "not a loco router file (format is not \"loco-router\")");
  }
  const int64_t version = integer_field(j, "version", path, 0, 1 << 30);
  if (version != kRouterFormatVersion) {
    fail(path, "router file version " + std::to_string(version) + " (this build reads version " +
                   std::to_string(kRouterFormatVersion) + ")");
  }
  const std::string kind = string_field(j, "kind", path);
  if (!expected_kind.empty() && kind != expected_kind) {
    fail(path, "router kind is \"" + kind + "\", expected \"" + std::string(expected_kind) + "\"");
  }
  return j;
}

void write_router_json(const std::string& path, std::string_view kind, json body) {
  json j = json::object();
  j["format"] = kRouterFormat;
  j["version"] = kRouterFormatVersion;
  j["kind"] = kind;
  for (auto& [key, value] : body.items()) j[key] = std::move(value);
  const std::string text = j.dump(-1, ' ', false, json::error_handler_t::replace);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(path + ": cannot write");
  out << text << '\n';
  if (!out.flush()) throw Error(path + ": write failed");
}

const json& field(const json& object, const char* key, const std::string& path) {
  auto it = object.find(key);
  if (it == object.end()) fail(path, std::string("missing field \"") + key + "\"");
  return *it;
}

double number_field(const json& object, const char* key, const std::string& path) {
  const json& v = field(object, key, path);
  if (!v.is_number()) fail(path, std::string("field \"") + key + "\" is not a number");
  const double x = v.get<double>();
  if (!std::isfinite(x)) fail(path, std::string("field \"") + key + "\" is not finite");
  return x;
}

int64_t integer_field(const json& object, const char* key, const std::string& path, int64_t min,
                      int64_t max) {
  const json& v = field(object, key, path);
  if (!v.is_number_integer()) fail(path, std::string("field \"") + key + "\" is not an integer");
  // Unsigned values above INT64_MAX would wrap; compare them as unsigned first.
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(max)) {
    fail(path, std::string("field \"") + key + "\" out of range");
  }
  const int64_t x = v.get<int64_t>();
  if (x < min || x > max) fail(path, std::string("field \"") + key + "\" out of range");
  return x;
}

bool bool_field(const json& object, const char* key, const std::string& path) {
  const json& v = field(object, key, path);
  if (!v.is_boolean()) fail(path, std::string("field \"") + key + "\" is not true or false");
  return v.get<bool>();
}

std::string string_field(const json& object, const char* key, const std::string& path) {
  const json& v = field(object, key, path);
  if (!v.is_string()) fail(path, std::string("field \"") + key + "\" is not a string");
  return v.get<std::string>();
}

std::vector<double> number_array(const json& object, const char* key, const std::string& path,
                                 int64_t size, double max_abs) {
  const json& v = field(object, key, path);
  if (!v.is_array()) fail(path, std::string("field \"") + key + "\" is not an array");
  if (size >= 0 && v.size() != static_cast<size_t>(size)) {
    fail(path, std::string("field \"") + key + "\" has " + std::to_string(v.size()) +
                   " values, expected " + std::to_string(size));
  }
  std::vector<double> out;
  out.reserve(v.size());
  for (const json& e : v) {
    if (!e.is_number()) fail(path, std::string("field \"") + key + "\" holds a non-number");
    const double x = e.get<double>();
    if (!(std::abs(x) <= max_abs)) {
      fail(path, std::string("field \"") + key + "\" holds a value outside [-" +
                     std::to_string(max_abs) + ", " + std::to_string(max_abs) + "]");
    }
    out.push_back(x);
  }
  return out;
}

std::vector<std::string> string_array(const json& object, const char* key,
                                      const std::string& path) {
  const json& v = field(object, key, path);
  if (!v.is_array()) fail(path, std::string("field \"") + key + "\" is not an array");
  std::vector<std::string> out;
  out.reserve(v.size());
  for (const json& e : v) {
    if (!e.is_string()) fail(path, std::string("field \"") + key + "\" holds a non-string");
    out.push_back(e.get<std::string>());
  }
  return out;
}

}  // namespace loco::router
