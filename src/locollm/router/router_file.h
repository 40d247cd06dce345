// Reading and writing saved router files (JSON) with every field checked, so a malformed
// or hostile file ends in a FormatError naming the file and the field, never in a crash.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace loco::router {

inline constexpr std::string_view kRouterFormat = "loco-router";
inline constexpr int kRouterFormatVersion = 1;
inline constexpr size_t kMaxRouterFileBytes = size_t{64} << 20;

// Parses the file and checks "format", "version" and, unless expected_kind is empty,
// "kind". Refuses files over kMaxRouterFileBytes and nesting deeper than 8 levels.
nlohmann::json read_router_json(const std::string& path, std::string_view expected_kind);
// Writes {"format", "version", "kind", ...body}; strings that are not valid UTF-8 are
// written with U+FFFD in place of the bad bytes.
void write_router_json(const std::string& path, std::string_view kind, nlohmann::json body);

// Field access for an object read from `path`; each throws FormatError "<path>: <what>".
const nlohmann::json& field(const nlohmann::json& object, const char* key, const std::string& path);
double number_field(const nlohmann::json& object, const char* key, const std::string& path);
int64_t integer_field(const nlohmann::json& object, const char* key, const std::string& path,
                      int64_t min, int64_t max);
bool bool_field(const nlohmann::json& object, const char* key, const std::string& path);
std::string string_field(const nlohmann::json& object, const char* key, const std::string& path);
// An array of numbers in [-max_abs, max_abs] (so later sums cannot overflow), of exactly
// `size` elements unless size is -1.
std::vector<double> number_array(const nlohmann::json& object, const char* key,
                                 const std::string& path, int64_t size, double max_abs);
std::vector<std::string> string_array(const nlohmann::json& object, const char* key,
                                      const std::string& path);

}  // namespace loco::router
