#include "locollm/registry/yaml_util.h"

#include <yaml-cpp/depthguard.h>


#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "loco/error.h"

namespace loco::yaml {

namespace fs = std::filesystem;

std::optional<std::string> read_file(const std::string& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (status.type() == fs::file_type::not_found) return std::nullopt;
  if (ec) throw Error(path + ": cannot read: " + ec.message());
  if (status.type() != fs::file_type::regular) throw Error(path + ": not a regular file");
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!file) throw Error(path + ": cannot open: " + std::strerror(errno));
  std::string text;
  char chunk[1 << 16];
  for (;;) {
    const size_t n = std::fread(chunk, 1, sizeof chunk, file.get());
    text.append(chunk, n);
    if (text.size() > kMaxFileBytes) {
      throw FormatError(path + ": larger than " + std::to_string(kMaxFileBytes >> 20) +
                        " MiB, too large for a YAML file loco reads");
    }
    if (n < sizeof chunk) break;
  }
  if (std::ferror(file.get())) throw Error(path + ": read error: " + std::strerror(errno));
  return text;
}

YAML::Node parse(std::string_view text, const std::string& label) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    std::string where = label;
    if (!e.mark.is_null()) {
      where += ": line " + std::to_string(e.mark.line + 1) + ", column " +
               std::to_string(e.mark.column + 1);
    }
    // yaml-cpp reports its recursion limit as "bad file".
    const bool too_deep = dynamic_cast<const YAML::DeepRecursion*>(&e) != nullptr;
    throw FormatError(where + ": " + (too_deep ? std::string("nested too deeply")
                                               : e.msg.empty() ? "invalid YAML" : e.msg));
  }
}

std::optional<std::string> scalar_text(const YAML::Node& node) {
  if (!node.IsScalar()) return std::nullopt;
  return node.Scalar();
}

std::optional<bool> to_bool(const std::string& text) {
  std::string lower;
  for (char c : text) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower == "true" || lower == "yes" || lower == "on") return true;
  if (lower == "false" || lower == "no" || lower == "off") return false;
  return std::nullopt;
}

std::optional<double> to_double(const std::string& text) {
  if (text.empty() || text.size() > 64 || std::isspace(static_cast<unsigned char>(text[0]))) {
    return std::nullopt;
  }
  errno = 0;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> to_int(const std::string& text) {
  if (text.empty() || text.size() > 20 || std::isspace(static_cast<unsigned char>(text[0]))) {
    return std::nullopt;
  }
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (end != text.c_str() + text.size() || errno == ERANGE) return std::nullopt;
  return value;
}

namespace {

bool all_scalars(const YAML::Node& seq) {
  for (const YAML::Node& item : seq) {
    if (!item.IsScalar() && !item.IsNull()) return false;
  }
  return true;
}

}  // namespace

bool emit(YAML::Emitter& out, const YAML::Node& node, NodeBudget& budget, int depth) {
  if (!budget.visit(depth)) return false;
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      out << YAML::Null;
      return true;
    case YAML::NodeType::Scalar:
      // yaml-cpp tags plain scalars "?" and quoted ones "!"; explicit tags such as !!str
      // are not kept, but the value stays a string by being quoted.
      if (node.Tag() == "?") {
        out << node.Scalar();
      } else {
        out << YAML::DoubleQuoted << node.Scalar();
      }
      return true;
    case YAML::NodeType::Sequence: {
      if (node.size() == 0 || all_scalars(node)) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const YAML::Node& item : node) {
        if (!emit(out, item, budget, depth + 1)) return false;
      }
      out << YAML::EndSeq;
      return true;
    }
    case YAML::NodeType::Map: {
      if (node.size() == 0) out << YAML::Flow;
      out << YAML::BeginMap;
      for (const auto& kv : node) {
        out << YAML::Key;
        if (!emit(out, kv.first, budget, depth + 1)) return false;
        out << YAML::Value;
        if (!emit(out, kv.second, budget, depth + 1)) return false;
      }
      out << YAML::EndMap;
      return true;
    }
  }
  return false;
}

std::optional<std::string> to_flow_text(const YAML::Node& node, NodeBudget& budget) {
  YAML::Emitter out;
  out.SetSeqFormat(YAML::Flow);
  out.SetMapFormat(YAML::Flow);
  if (!emit(out, node, budget)) return std::nullopt;
  return std::string(out.c_str(), out.size());
}

std::string indent_lines(std::string_view text, int indent) {
  std::string out;
  const std::string pad(static_cast<size_t>(indent), ' ');
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) out.append(pad).append(text.substr(start, end - start));
    out.push_back('\n');
    start = end + 1;
  }
  return out;
}

}  // namespace loco::yaml
