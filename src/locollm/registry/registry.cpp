// Registry loading, validation and saving. Every error names the file, the adapter and the
// key; everything loco does not interpret is carried through to the saved file.
#include "loco/registry.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <set>

#include "loco/atomic_file.h"
#include "loco/error.h"
#include "loco/sha256.h"
#include "locollm/registry/yaml_util.h"

namespace loco {

namespace fs = std::filesystem;

namespace {


// Where in the file a value is, for error messages: "registry.yaml: adapter 'math': ".
struct Context {
  const std::string& file;
  std::string where;
  yaml::NodeBudget& budget;

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw FormatError(file + ": " + where + key + " " + what);
  }

  std::string string(const YAML::Node& node, const std::string& key) const {
    if (node.IsNull()) return "";
    auto text = yaml::scalar_text(node);
    if (!text) fail(key, "must be a string");
    return *text;
  }

  std::vector<std::string> strings(const YAML::Node& node, const std::string& key) const {
    std::vector<std::string> out;
    if (node.IsNull()) return out;
    if (!node.IsSequence()) fail(key, "must be a list of strings");
    for (const YAML::Node& item : node) {
      auto text = yaml::scalar_text(item);
      if (!text) fail(key, "must be a list of strings");
      out.push_back(*text);
    }
    return out;
  }

  double number(const YAML::Node& node, const std::string& key) const {
    auto text = yaml::scalar_text(node);
    auto value = text ? yaml::to_double(*text) : std::nullopt;
    if (!value) fail(key, "must be a number");
    return *value;
  }

  bool boolean(const YAML::Node& node, const std::string& key) const {
    auto text = yaml::scalar_text(node);
    auto value = text ? yaml::to_bool(*text) : std::nullopt;
    if (!value) fail(key, "must be true or false");
    return *value;
  }

  std::string sha256(const YAML::Node& node, const std::string& key) const {
    std::string text = string(node, key);
    if (!text.empty() && !is_sha256_hex(text)) fail(key, "must be 64 hexadecimal digits");
    return text;
  }

  YamlField keep(const std::string& key, const YAML::Node& value) const {
    auto text = yaml::to_flow_text(value, budget);
    if (!text) fail(key, "is nested too deeply or too large");
    return {key, *text};
  }
};

// The keys of a mapping in order, each checked to be a string and to appear once.
std::vector<std::pair<std::string, YAML::Node>> entries(const YAML::Node& map,
                                                        const Context& ctx,
                                                        const std::string& what) {
  std::vector<std::pair<std::string, YAML::Node>> out;
  std::set<std::string> seen;
  for (const auto& kv : map) {
    auto key = yaml::scalar_text(kv.first);
    if (!key) throw FormatError(ctx.file + ": " + ctx.where + what + " has a key that is not a string");
    if (!seen.insert(*key).second) {
      throw FormatError(ctx.file + ": " + ctx.where + what + " has the key '" + *key + "' twice");
    }
    out.emplace_back(*key, kv.second);
  }
  return out;
}

BaseModelInfo parse_base_model(const YAML::Node& node, const Context& ctx) {
  if (!node.IsMap()) ctx.fail("base_model", "must be a mapping");
  Context c{ctx.file, "base_model: ", ctx.budget};
  BaseModelInfo base;
  for (const auto& [key, value] : entries(node, c, "base_model")) {
    if (key == "name") {
      base.name = c.string(value, key);
    } else if (key == "quantization") {
      base.quantization = c.string(value, key);
    } else if (key == "format") {
      base.format = c.string(value, key);
    } else if (key == "size_gb") {
      if (!value.IsNull()) base.size_gb = c.number(value, key);
    } else if (key == "academic_year") {
      base.academic_year = c.string(value, key);
    } else if (key == "ollama_name") {
      base.ollama_name = c.string(value, key);
    } else if (key == "path") {
      base.path = c.string(value, key);
    } else if (key == "sha256") {
      base.sha256 = c.sha256(value, key);
    } else {
      base.extra.push_back(c.keep(key, value));
    }
  }
  return base;
}

struct ParsedAdapter {
  AdapterEntry entry;
  std::optional<bool> active;  // as written; settled per domain afterwards
};

ParsedAdapter parse_adapter(const std::string& name, const YAML::Node& node, const Context& ctx) {
  Context c{ctx.file, "adapter '" + name + "': ", ctx.budget};
  if (!is_valid_adapter_name(name)) {
    throw FormatError(ctx.file + ": adapter '" + name.substr(0, 80) +
                      "': names must be 1 to 64 of A-Z a-z 0-9 . _ - (not starting with . or -)");
  }
  if (!node.IsMap()) throw FormatError(ctx.file + ": adapter '" + name + "' must be a mapping");
  ParsedAdapter parsed;
  AdapterEntry& e = parsed.entry;
  e.name = name;
  std::string gguf_path;
  for (const auto& [key, value] : entries(node, c, "the entry")) {
    if (key == "version") {
      e.version = c.string(value, key);
    } else if (key == "type") {
      e.type = c.string(value, key);
    } else if (key == "path") {
      e.path = c.string(value, key);
    } else if (key == "gguf_path") {
      gguf_path = c.string(value, key);
    } else if (key == "description") {
      e.description = c.string(value, key);
    } else if (key == "authors") {
      e.authors = c.strings(value, key);
    } else if (key == "tags") {
      e.tags = c.strings(value, key);
    } else if (key == "domain") {
      e.domain = c.string(value, key);
      if (!e.domain.empty() && !is_valid_adapter_name(e.domain)) {
        c.fail(key, "must be 1 to 64 of A-Z a-z 0-9 . _ - (not starting with . or -)");
      }
    } else if (key == "active") {
      if (!value.IsNull()) parsed.active = c.boolean(value, key);
    } else if (key == "eval_dataset") {
      e.eval_dataset = c.string(value, key);
    } else if (key == "eval_type") {
      std::string text = c.string(value, key);
      auto type = parse_eval_type(text);
      if (!type) c.fail(key, "must be numeric, multiple_choice, code, analysis or free_text");
      e.eval_type = *type;
    } else if (key == "router_keywords") {
      e.router_keywords = c.strings(value, key);
    } else if (key == "nudges") {
      e.nudges = value.IsNull() ? std::vector<std::string>{} : c.strings(value, key);
    } else if (key == "context") {
      e.context = c.strings(value, key);
    } else if (key == "training") {
      if (value.IsNull()) continue;
      if (!value.IsMap()) c.fail(key, "must be a mapping");
      for (const auto& [k, v] : entries(value, c, "training")) e.training.push_back(c.keep(k, v));
    } else if (key == "benchmark_scores") {
      if (value.IsNull()) continue;
      if (!value.IsMap()) c.fail(key, "must be a mapping of benchmark names to numbers");
      for (const auto& [k, v] : entries(value, c, "benchmark_scores")) {
        e.benchmark_scores.emplace_back(k, c.number(v, "benchmark_scores." + k));
      }
    } else if (key == "system_prompt") {
      if (!value.IsNull()) e.system_prompt = c.string(value, key);
    } else if (key == "few_shot") {
      if (value.IsNull()) continue;
      if (!value.IsSequence()) c.fail(key, "must be a list of {question, answer} mappings");
      for (size_t i = 0; i < value.size(); ++i) {
        const YAML::Node item = value[i];
        const std::string item_key = "few_shot[" + std::to_string(i) + "]";
        if (!item.IsMap()) c.fail(item_key, "must be a mapping with question and answer");
        FewShotExample example;
        bool has_question = false, has_answer = false;
        for (const auto& [k, v] : entries(item, c, item_key)) {
          if (k == "question") {
            example.question = c.string(v, item_key + ".question");
            has_question = true;
          } else if (k == "answer") {
            example.answer = c.string(v, item_key + ".answer");
            has_answer = true;
          } else {
            c.fail(item_key, "has the unknown key '" + k + "' (only question and answer)");
          }
        }
        if (!has_question || !has_answer) c.fail(item_key, "needs both question and answer");
        e.few_shot.push_back(std::move(example));
      }
    } else if (key == "scale") {
      if (!value.IsNull()) e.scale = c.number(value, key);
    } else if (key == "remote_model") {
      e.remote_model = c.string(value, key);
    } else if (key == "sha256") {
      e.sha256 = c.sha256(value, key);
    } else if (key == "config_sha256") {
      e.config_sha256 = c.sha256(value, key);
    } else {
      e.extra.push_back(c.keep(key, value));
    }
  }
  if (!gguf_path.empty()) {
    if (!e.path.empty() && e.path != gguf_path) {
      c.fail("gguf_path", "and path name different files; give one of them");
    }
    e.path = gguf_path;
    e.path_key_is_gguf_path = true;
  }
  if (e.domain.empty()) e.domain = e.name;
  return parsed;
}

// Emitter output, checked: yaml-cpp refuses some strings (invalid UTF-8) without throwing.
std::string emitted(const YAML::Emitter& out, const std::string& file, const std::string& what) {
  if (!out.good()) throw Error(file + ": cannot write " + what + ": " + out.GetLastError());
  return std::string(out.c_str(), out.size());
}

void emit_string(YAML::Emitter& out, const char* key, const std::string& value) {
  if (value.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::DoubleQuoted << value;
}

void emit_strings(YAML::Emitter& out, const char* key, const std::vector<std::string>& values) {
  if (values.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const std::string& v : values) out << YAML::DoubleQuoted << v;
  out << YAML::EndSeq;
}

std::string number_text(double value) {
  // Shortest text that reads back as the same double.
  char buffer[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  std::string text = buffer;
  // Keep it a float in YAML readers that type numbers (1 -> 1.0).
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  return text;
}

void emit_fields(YAML::Emitter& out, const std::vector<YamlField>& fields, const std::string& file) {
  for (const YamlField& field : fields) {
    yaml::NodeBudget budget;
    const YAML::Node value = yaml::parse(field.yaml, file + ": " + field.key);
    out << YAML::Key << field.key << YAML::Value;
    if (!yaml::emit(out, value, budget)) {
      throw Error(file + ": " + field.key + " is nested too deeply or too large to write");
    }
  }
}

std::string base_model_yaml(const BaseModelInfo& b, const std::string& file) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  emit_string(out, "name", b.name);
  emit_string(out, "quantization", b.quantization);
  emit_string(out, "format", b.format);
  if (b.size_gb) out << YAML::Key << "size_gb" << YAML::Value << number_text(*b.size_gb);
  emit_string(out, "academic_year", b.academic_year);
  emit_string(out, "ollama_name", b.ollama_name);
  emit_string(out, "path", b.path);
  emit_string(out, "sha256", b.sha256);
  emit_fields(out, b.extra, file);
  out << YAML::EndMap;
  return emitted(out, file, "base_model");
}

std::string adapter_yaml(const AdapterEntry& e, const std::string& file) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  emit_string(out, "domain", e.domain);
  out << YAML::Key << "active" << YAML::Value << e.active;
  emit_string(out, "version", e.version);
  emit_string(out, "type", e.type);
  emit_string(out, e.path_key_is_gguf_path ? "gguf_path" : "path", e.path);
  emit_string(out, "description", e.description);
  emit_strings(out, "authors", e.authors);
  emit_strings(out, "tags", e.tags);
  emit_string(out, "eval_dataset", e.eval_dataset);
  emit_string(out, "eval_type", eval_type_name(e.eval_type));
  emit_strings(out, "router_keywords", e.router_keywords);
  emit_strings(out, "context", e.context);
  if (e.nudges) {
    out << YAML::Key << "nudges" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const std::string& v : *e.nudges) out << YAML::DoubleQuoted << v;
    out << YAML::EndSeq;
  }
  if (e.system_prompt) {
    out << YAML::Key << "system_prompt" << YAML::Value << YAML::DoubleQuoted << *e.system_prompt;
  }
  if (!e.few_shot.empty()) {
    out << YAML::Key << "few_shot" << YAML::Value << YAML::BeginSeq;
    for (const FewShotExample& ex : e.few_shot) {
      out << YAML::BeginMap;
      out << YAML::Key << "question" << YAML::Value << YAML::DoubleQuoted << ex.question;
      out << YAML::Key << "answer" << YAML::Value << YAML::DoubleQuoted << ex.answer;
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  if (e.scale != 1.0) out << YAML::Key << "scale" << YAML::Value << number_text(e.scale);
  emit_string(out, "remote_model", e.remote_model);
  if (!e.training.empty()) {
    out << YAML::Key << "training" << YAML::Value << YAML::BeginMap;
    emit_fields(out, e.training, file);
    out << YAML::EndMap;
  }
  if (!e.benchmark_scores.empty()) {
    out << YAML::Key << "benchmark_scores" << YAML::Value << YAML::BeginMap;
    for (const auto& [k, v] : e.benchmark_scores) {
      out << YAML::Key << k << YAML::Value << number_text(v);
    }
    out << YAML::EndMap;
  }
  emit_string(out, "sha256", e.sha256);
  emit_string(out, "config_sha256", e.config_sha256);
  emit_fields(out, e.extra, file);
  out << YAML::EndMap;
  return emitted(out, file, "adapter '" + e.name + "'");
}

// Adapter names are safe characters, but some would read back as numbers, booleans or null
// in YAML readers that type plain scalars ("2024", "yes", "null"): those are quoted.
std::string name_key(const std::string& name) {
  std::string lower;
  for (char c : name) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  const bool keyword = lower == "true" || lower == "false" || lower == "yes" || lower == "no" ||
                       lower == "on" || lower == "off" || lower == "null" || lower == "y" || lower == "n";
  const bool letter = std::isalpha(static_cast<unsigned char>(name[0])) != 0;
  return (keyword || !letter) ? "\"" + name + "\"" : name;
}

// The comment lines (and blank lines) a file starts with, such as v1's header.
std::string leading_comment(std::string_view text) {
  size_t end = 0, pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    const size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && line[first] != '#') break;
    if (first != std::string_view::npos) end = eol;
    pos = eol + 1;
  }
  return std::string(text.substr(0, end));
}

}  // namespace

bool is_valid_adapter_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name[0] == '.' || name[0] == '-') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
  });
}

Registry Registry::parse(std::string_view text, const std::string& path) {
  Registry reg;
  reg.file_ = path;
  if (text.size() > yaml::kMaxFileBytes) {
    throw FormatError(path + ": larger than " + std::to_string(yaml::kMaxFileBytes >> 20) +
                      " MiB, too large for a registry");
  }
  reg.header_comment_ = leading_comment(text);
  const YAML::Node root = yaml::parse(text, path);
  if (root.IsNull()) return reg;
  if (!root.IsMap()) throw FormatError(path + ": must be a mapping with base_model and adapters");
  yaml::NodeBudget budget;
  Context ctx{path, "", budget};
  std::vector<ParsedAdapter> parsed;
  for (const auto& [key, value] : entries(root, ctx, "the file")) {
    if (key == "base_model") {
      if (!value.IsNull()) reg.base_model = parse_base_model(value, ctx);
    } else if (key == "adapters") {
      if (value.IsNull()) continue;
      if (!value.IsMap()) ctx.fail("adapters", "must be a mapping of adapter names to entries");
      for (const auto& [name, node] : entries(value, ctx, "adapters")) {
        parsed.push_back(parse_adapter(name, node, ctx));
      }
    } else {
      reg.extra_.push_back(ctx.keep(key, value));
    }
  }
  // More than one adapter marked active in a domain is ambiguous: refuse to guess.
  for (size_t i = 0; i < parsed.size(); ++i) {
    if (parsed[i].active != true) continue;
    for (size_t j = i + 1; j < parsed.size(); ++j) {
      if (parsed[j].active == true && parsed[j].entry.domain == parsed[i].entry.domain) {
        throw FormatError(path + ": domain '" + parsed[i].entry.domain + "' has more than one active adapter ('" +
                          parsed[i].entry.name + "' and '" + parsed[j].entry.name + "')");
      }
    }
  }
  for (ParsedAdapter& p : parsed) {
    p.entry.active = p.active.value_or(false);
    reg.adapters_.push_back(std::move(p.entry));
  }
  reg.settle_active();
  return reg;
}

Registry Registry::load(const std::string& path) {
  std::optional<std::string> text = yaml::read_file(path);
  if (!text) throw Error(path + ": no such file");
  return parse(*text, path);
}

Registry Registry::load_or_empty(const std::string& path) {
  std::optional<std::string> text = yaml::read_file(path);
  if (!text) {
    Registry reg;
    reg.file_ = path;
    return reg;
  }
  return parse(*text, path);
}

std::string Registry::to_yaml() const {
  std::string text;
  if (!header_comment_.empty()) text += header_comment_ + "\n\n";
  if (base_model) {
    text.append("base_model:\n").append(yaml::indent_lines(base_model_yaml(*base_model, file_), 2));
    text.append("\n");
  }
  text += adapters_.empty() ? "adapters: {}\n" : "adapters:\n";
  for (size_t i = 0; i < adapters_.size(); ++i) {
    if (i > 0) text += "\n";
    text.append("  ").append(name_key(adapters_[i].name)).append(":\n");
    text.append(yaml::indent_lines(adapter_yaml(adapters_[i], file_), 4));
  }
  if (!extra_.empty()) {
    YAML::Emitter out;
    out << YAML::BeginMap;
    emit_fields(out, extra_, file_);
    out << YAML::EndMap;
    text.append("\n").append(emitted(out, file_, "the top-level keys")).append("\n");
  }
  return text;
}

void Registry::save() const { write_file_atomically(file_, to_yaml()); }

std::string Registry::dir() const {
  const fs::path parent = fs::path(file_).parent_path();
  return parent.empty() ? "." : parent.string();
}

std::string Registry::resolve(const std::string& p) const {
  if (p.empty() || fs::path(p).is_absolute()) return p;
  return (fs::path(dir()) / p).lexically_normal().string();
}

std::string Registry::resolve_eval_dataset(const AdapterEntry& entry) const {
  if (entry.eval_dataset.empty() || fs::path(entry.eval_dataset).is_absolute()) {
    return entry.eval_dataset;
  }
  const std::string beside_registry = resolve(entry.eval_dataset);
  std::error_code ec;
  if (fs::exists(beside_registry, ec)) return beside_registry;
  return (fs::path(dir()) / entry.name / entry.eval_dataset).lexically_normal().string();
}

const AdapterEntry* Registry::find(std::string_view name) const {
  for (const AdapterEntry& e : adapters_) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

const AdapterEntry* Registry::active_for(std::string_view domain) const {
  for (const AdapterEntry& e : adapters_) {
    if (e.domain == domain && e.active) return &e;
  }
  return nullptr;
}

std::vector<std::string> Registry::domains() const {
  std::vector<std::string> out;
  for (const AdapterEntry& e : adapters_) {
    if (std::find(out.begin(), out.end(), e.domain) == out.end()) out.push_back(e.domain);
  }
  return out;
}

// Exactly one active adapter per domain: the first one marked active, else the first listed.
void Registry::settle_active() {
  for (const std::string& domain : domains()) {
    AdapterEntry* chosen = nullptr;
    for (AdapterEntry& e : adapters_) {
      if (e.domain == domain && e.active && !chosen) chosen = &e;
    }
    for (AdapterEntry& e : adapters_) {
      if (e.domain != domain) continue;
      if (!chosen) chosen = &e;
      e.active = (&e == chosen);
    }
  }
}

void Registry::add(AdapterEntry entry, bool replace) {
  if (!is_valid_adapter_name(entry.name)) {
    throw Error("adapter name '" + entry.name + "' is not valid: use 1 to 64 of A-Z a-z 0-9 . _ - (not starting with . or -)");
  }
  if (entry.domain.empty()) entry.domain = entry.name;
  auto it = std::find_if(adapters_.begin(), adapters_.end(),
                         [&](const AdapterEntry& e) { return e.name == entry.name; });
  if (it != adapters_.end() && !replace) {
    throw Error(file_ + ": adapter '" + entry.name + "' already exists (use --force to replace it)");
  }
  const bool takes_over = entry.active;
  if (it != adapters_.end()) {
    // A replacement keeps its predecessor's place and, unless it moves domain, its standing.
    if (it->domain == entry.domain && it->active) entry.active = true;
    *it = std::move(entry);
  } else {
    adapters_.push_back(std::move(entry));
    it = adapters_.end() - 1;
  }
  if (takes_over) {
    for (AdapterEntry& e : adapters_) {
      if (e.domain == it->domain) e.active = (&e == &*it);
    }
  }
  settle_active();
}

AdapterEntry Registry::remove(std::string_view name) {
  auto it = std::find_if(adapters_.begin(), adapters_.end(),
                         [&](const AdapterEntry& e) { return e.name == name; });
  if (it == adapters_.end()) throw Error(file_ + ": no adapter named '" + std::string(name) + "'");
  AdapterEntry removed = std::move(*it);
  adapters_.erase(it);
  settle_active();
  return removed;
}

std::string Registry::activate(std::string_view name) {
  auto it = std::find_if(adapters_.begin(), adapters_.end(),
                         [&](const AdapterEntry& e) { return e.name == name; });
  if (it == adapters_.end()) throw Error(file_ + ": no adapter named '" + std::string(name) + "'");
  std::string previous;
  for (AdapterEntry& e : adapters_) {
    if (e.domain != it->domain) continue;
    if (e.active && &e != &*it) previous = e.name;
    e.active = (&e == &*it);
  }
  return previous;
}

}  // namespace loco
