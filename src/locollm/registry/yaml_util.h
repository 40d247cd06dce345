// YAML helpers shared by the registry and the user configuration: bounded file reading,
// parse errors as one-line FormatErrors, strict scalar conversions and an emitter that
// keeps quoted scalars quoted. Internal: yaml-cpp stays out of the public headers.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loco::yaml {

// Registries and configs are small; anything larger is not one of them.
constexpr uint64_t kMaxFileBytes = uint64_t{16} << 20;
// Limits for walking values loco keeps verbatim: aliases can make a small file describe
// an enormous tree, so the nodes visited over a whole document are counted.
constexpr int kMaxDepth = 64;
constexpr int64_t kMaxNodes = 1 << 20;

// The file's bytes; nullopt if it does not exist. Throws Error on other failures.
std::optional<std::string> read_file(const std::string& path);

// Parses one YAML document; syntax errors become FormatError("<label>: line L, column C: ...").
YAML::Node parse(std::string_view text, const std::string& label);

// A scalar is a string; a null is absent; a sequence or map is a type error (nullopt).
std::optional<std::string> scalar_text(const YAML::Node& node);
std::optional<bool> to_bool(const std::string& text);      // true/false (yes/no, on/off)
std::optional<double> to_double(const std::string& text);  // finite decimal numbers
std::optional<int64_t> to_int(const std::string& text);

class NodeBudget {
 public:
  // Counts one node at `depth`; false once a limit is exceeded.
  bool visit(int depth) { return depth <= kMaxDepth && ++nodes_ <= kMaxNodes; }

 private:
  int64_t nodes_ = 0;
};

// Emits `node`, with quoted scalars double-quoted, sequences of scalars in flow style and
// maps in block style. Returns false (having emitted part of it) if `budget` runs out.
bool emit(YAML::Emitter& out, const YAML::Node& node, NodeBudget& budget, int depth = 0);
// `node` as one line of flow-style YAML; nullopt if `budget` runs out.
std::optional<std::string> to_flow_text(const YAML::Node& node, NodeBudget& budget);

// Adds `indent` spaces in front of every non-empty line.
std::string indent_lines(std::string_view text, int indent);

}  // namespace loco::yaml
