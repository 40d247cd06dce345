#include "loco/eval/eval_set.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "loco/answer.h"
#include "loco/error.h"
#include "loco/sha256.h"

#ifndef LOCO_EVAL_DATA_DIR
#define LOCO_EVAL_DATA_DIR "data/eval"
#endif

namespace loco::eval {
namespace {

using nlohmann::json;

struct BundledSet {
  const char* name;
  const char* file;
};
constexpr BundledSet kBundled[] = {
    {"gsm8k", "gsm8k/test.jsonl"},
    {"humaneval", "humaneval/HumanEval.jsonl"},
    {"locollm-v1/math", "locollm-v1/math.jsonl"},
    {"locollm-v1/code", "locollm-v1/code.jsonl"},
    {"locollm-v1/analysis", "locollm-v1/analysis.jsonl"},
};

bool is_free_text(EvalType t) { return t == EvalType::Analysis || t == EvalType::FreeText; }

std::string string_field(const json& obj, const char* key, const std::string& where, bool required = true) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) throw FormatError(fmt::format("{}: missing \"{}\"", where, key));
    return {};
  }
  if (!it->is_string()) throw FormatError(fmt::format("{}: \"{}\" must be a string", where, key));
  std::string s = it->get<std::string>();
  if (required && s.empty()) throw FormatError(fmt::format("{}: \"{}\" is empty", where, key));
  return s;
}

std::string id_of(const json& obj, const char* key, size_t line, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::to_string(line);
  if (it->is_string() && !it->get<std::string>().empty()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<long long>());
  throw FormatError(fmt::format("{}: \"{}\" must be a non-empty string or an integer", where, key));
}

EvalItem parse_item(const json& obj, size_t line, const std::string& where) {
  EvalItem item;
  item.line = line;
  // HumanEval's own fields.
  if (obj.contains("task_id") || obj.contains("entry_point")) {
    item.type = EvalType::Code;
    item.id = id_of(obj, "task_id", line, where);
    item.code_prompt = string_field(obj, "prompt", where);
    item.code_test = string_field(obj, "test", where);
    item.entry_point = string_field(obj, "entry_point", where);
    item.question = code_question(item.code_prompt);
    return item;
  }
  item.id = id_of(obj, "id", line, where);
  item.question = string_field(obj, "question", where);
  const std::string type_name = string_field(obj, "eval_type", where, false);
  std::optional<EvalType> type = type_name.empty() ? EvalType::Numeric : parse_eval_type(type_name);
  if (!type || *type == EvalType::None) {
    throw FormatError(fmt::format("{}: unknown eval_type '{}' (numeric, multiple_choice, code, analysis, free_text)",
                                  where, type_name));
  }
  item.type = *type;
  const auto answer = obj.find("answer");
  switch (item.type) {
    case EvalType::Numeric: {
      std::optional<std::string> ref;
      if (answer != obj.end() && answer->is_number()) ref = canonical_number(answer->get<double>());
      if (answer != obj.end() && answer->is_string()) ref = reference_number(answer->get<std::string>());
      if (!ref) {
        throw FormatError(fmt::format("{}: \"answer\" must be a number or end in \"#### N\"{}", where,
                                      type_name.empty() ? " (or give an \"eval_type\")" : ""));
      }
      item.reference = *ref;
      break;
    }
    case EvalType::MultipleChoice: {
      std::optional<std::string> letter;
      if (answer != obj.end() && answer->is_string()) letter = extract_choice(answer->get<std::string>());
      if (!letter) throw FormatError(where + ": \"answer\" must be a choice letter A to E");
      item.reference = *letter;
      break;
    }
    case EvalType::Code: {
      auto entry = code_entry_point(item.question);
      if (!entry) {
        throw FormatError(where + ": a code question must name its function in backticks, e.g. `is_even`");
      }
      item.entry_point = *entry;
      if (auto kw = obj.find("answer_keywords"); kw != obj.end()) {
        if (!kw->is_array()) throw FormatError(where + ": \"answer_keywords\" must be a list of strings");
        for (const json& k : *kw) {
          if (!k.is_string()) throw FormatError(where + ": \"answer_keywords\" must be a list of strings");
          item.keywords.push_back(k.get<std::string>());
        }
      }
      break;
    }
    default:
      item.reference = string_field(obj, "answer", where);
      break;
  }
  return item;
}

}  // namespace

std::string code_question(std::string_view code_prompt) {
  return fmt::format(
      "Complete the following Python function. Reply with the complete function in one ```python code "
      "block.\n\n```python\n{}```",
      code_prompt);
}

std::optional<std::string> reference_number(std::string_view answer) {
  if (answer.find("####") == std::string_view::npos) {
    // A bare number, possibly with separators or a currency sign: nothing else may be there.
    std::string digits;
    for (char c : answer) {
      if (c == ',' || c == '$' || c == ' ') continue;
      digits += c;
    }
    if (digits.empty()) return std::nullopt;
    char* end = nullptr;
    const double v = std::strtod(digits.c_str(), &end);
    if (end != digits.c_str() + digits.size()) return std::nullopt;
    return canonical_number(v);
  }
  return extract_number(answer);
}

EvalSet load_eval_set(const std::string& path, const std::string& name) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open the evaluation set " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  EvalSet set;
  set.name = name;
  set.path = path;
  set.sha256 = sha256_hex(text);
  std::set<std::string> ids;
  std::istringstream lines(text);
  size_t line_no = 0;
  for (std::string line; std::getline(lines, line);) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    const std::string where = fmt::format("{}:{}", path, line_no);
    json obj = json::parse(line, nullptr, false);
    if (obj.is_discarded() || !obj.is_object()) throw FormatError(where + ": not a JSON object");
    EvalItem item = parse_item(obj, line_no, where);
    if (!set.items.empty() && item.type != set.items.front().type &&
        !(is_free_text(item.type) && is_free_text(set.items.front().type))) {
      throw FormatError(fmt::format("{}: a {} item in a set of {} items (one type per set)", where,
                                    eval_type_name(item.type), eval_type_name(set.items.front().type)));
    }
    if (!ids.insert(item.id).second) throw FormatError(fmt::format("{}: the id '{}' is used twice", where, item.id));
    set.items.push_back(std::move(item));
  }
  if (set.items.empty()) throw FormatError("the evaluation set " + path + " has no items");
  return set;
}

std::string bundled_sets_dir() {
  if (const char* env = std::getenv("LOCO_EVAL_DATA"); env != nullptr && *env != '\0') return env;
  return LOCO_EVAL_DATA_DIR;
}

std::vector<std::string> bundled_set_names() {
  std::vector<std::string> out;
  for (const BundledSet& b : kBundled) out.emplace_back(b.name);
  return out;
}

std::optional<std::string> bundled_set_path(std::string_view name) {
  for (const BundledSet& b : kBundled) {
    if (name == b.name) return (std::filesystem::path(bundled_sets_dir()) / b.file).string();
  }
  return std::nullopt;
}

}  // namespace loco::eval
