#include "pull/json_fields.h"

#include <algorithm>

#include "loco/error.h"
#include "loco/sha256.h"

namespace loco::pull_json {

Json parse_document(std::string_view text, const std::string& file) {
  if (text.size() > (16u << 20)) throw FormatError(file + ": larger than 16 MiB");
  Json doc = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) throw FormatError(file + ": not valid JSON");
  return doc;
}

const Json& entries(const Json& document, const std::string& list_key, const Place& place) {
  if (!document.is_object()) throw FormatError(place.where() + ": must be a JSON object");
  const auto it = document.find(list_key);
  if (it == document.end() || !it->is_array()) {
    throw FormatError(place.where() + ": '" + list_key + "' must be a list");
  }
  for (const Json& e : *it) {
    if (!e.is_object()) throw FormatError(place.where() + ": every entry of '" + list_key + "' must be an object");
  }
  return *it;
}

std::string optional_string(const Json& obj, const char* key, const Place& place) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return "";
  if (!it->is_string()) throw FormatError(place.where() + ": '" + key + "' must be a string");
  return it->get<std::string>();
}

std::string required_string(const Json& obj, const char* key, const Place& place) {
  std::string s = optional_string(obj, key, place);
  if (s.empty()) throw FormatError(place.where() + ": '" + key + "' is required");
  return s;
}

std::vector<std::string> string_list(const Json& obj, const char* key, const Place& place) {
  std::vector<std::string> out;
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_array()) throw FormatError(place.where() + ": '" + key + "' must be a list of strings");
  for (const Json& v : *it) {
    if (!v.is_string()) throw FormatError(place.where() + ": '" + key + "' must be a list of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::string optional_sha256(const Json& obj, const char* key, const Place& place) {
  std::string s = optional_string(obj, key, place);
  if (s.empty() || s == "unknown") return "";
  if (!is_sha256_hex(s)) throw FormatError(place.where() + ": '" + key + "' must be 64 hex digits or \"unknown\"");
  std::transform(s.begin(), s.end(), s.begin(), [](char c) { return c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c; });
  return s;
}

std::optional<uint64_t> optional_size(const Json& obj, const char* key, const Place& place) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_unsigned()) throw FormatError(place.where() + ": '" + key + "' must be a whole number of bytes");
  return it->get<uint64_t>();
}

void only_keys(const Json& obj, std::initializer_list<const char*> known, const Place& place) {
  for (const auto& item : obj.items()) {
    const bool ok = std::any_of(known.begin(), known.end(), [&](const char* k) { return item.key() == k; });
    if (!ok) throw FormatError(place.where() + ": unknown key '" + item.key() + "'");
  }
}

std::string safe_file_name(const std::string& name, const Place& place) {
  const bool bad = name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
                   name.find('\\') != std::string::npos || name.find('\0') != std::string::npos || name.front() == '.';
  if (bad) throw FormatError(place.where() + ": '" + name + "' is not a plain file name");
  return name;
}

}  // namespace loco::pull_json
