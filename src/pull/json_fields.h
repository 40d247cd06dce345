// Strict reading of the catalogue's and indexes' JSON: each accessor names the file, the
// entry and the key in the FormatError it throws.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loco/catalogue.h"

namespace loco::pull_json {

using Json = nlohmann::json;

// Where a value sits, for messages: "catalogue.json: model 'qwen3-4b'".
struct Place {
  std::string file;
  std::string entry;  // "" : the top level
  std::string where() const { return entry.empty() ? file : file + ": " + entry; }
};

// Parses a whole document that must be an object holding `list_key`: an array of objects.
// Refuses invalid JSON and documents over 16 MiB.
const Json& entries(const Json& document, const std::string& list_key, const Place& place);
Json parse_document(std::string_view text, const std::string& file);

std::string required_string(const Json& obj, const char* key, const Place& place);
std::string optional_string(const Json& obj, const char* key, const Place& place);
std::vector<std::string> string_list(const Json& obj, const char* key, const Place& place);
// A sha256 (64 hex digits, lowercased) or "" when the key is absent, null or "unknown".
std::string optional_sha256(const Json& obj, const char* key, const Place& place);
std::optional<uint64_t> optional_size(const Json& obj, const char* key, const Place& place);
// Refuses keys not in `known`, so that a typo ("sha265") is not silently ignored.
void only_keys(const Json& obj, std::initializer_list<const char*> known, const Place& place);
// A file name without directories (it is joined to a loco directory).
std::string safe_file_name(const std::string& name, const Place& place);

}  // namespace loco::pull_json
