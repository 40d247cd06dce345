// Code answers: the Python program inside a model's reply, and the entry point a code
// question names.
#include <optional>
#include <string>
#include <vector>

#include "locollm/answer/answer_text.h"
#include "loco/answer.h"

namespace loco {
namespace {

using answer_detail::is_alnum;
using answer_detail::is_alpha;
using answer_detail::is_space;

// Lines without their '\n' (and without a '\r' before it).
std::vector<std::string_view> split_lines(std::string_view s) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= s.size()) {
    size_t eol = s.find('\n', start);
    if (eol == std::string_view::npos) eol = s.size();
    std::string_view line = s.substr(start, eol - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (eol == s.size()) break;
    start = eol + 1;
  }
  return lines;
}

size_t indent_of(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  return i;
}

// Lines joined with trailing whitespace removed and blank lines trimmed at both ends.
std::optional<std::string> tidy(const std::vector<std::string_view>& lines) {
  size_t first = 0, last = lines.size();
  auto blank = [](std::string_view l) { return indent_of(l) == l.size(); };
  while (first < last && blank(lines[first])) ++first;
  while (last > first && blank(lines[last - 1])) --last;
  if (first == last) return std::nullopt;
  std::string out;
  for (size_t i = first; i < last; ++i) {
    std::string_view l = lines[i];
    while (!l.empty() && is_space(l.back())) l.remove_suffix(1);
    out.append(l);
    out += '\n';
  }
  return out;
}

struct Fence {
  std::string lang;  // lower-cased first word after the backticks, "" if none
  std::vector<std::string_view> lines;
  bool complete = false;
};

std::vector<Fence> fenced_blocks(const std::vector<std::string_view>& lines) {
  std::vector<Fence> fences;
  Fence* open = nullptr;
  size_t open_indent = 0;
  for (std::string_view line : lines) {
    size_t ind = indent_of(line);
    std::string_view body = line.substr(ind);
    if (body.starts_with("```")) {
      if (open) {
        open->complete = true;
        open = nullptr;
        continue;
      }
      std::string_view info = body.substr(3);
      while (!info.empty() && info.front() == '`') info.remove_prefix(1);
      size_t w = 0;
      while (w < info.size() && !is_space(info[w]) && info[w] != '{') ++w;
      fences.push_back({answer_detail::ascii_lower(info.substr(0, w)), {}, false});
      open = &fences.back();
      open_indent = ind;
      continue;
    }
    // A fence indented inside a list item indents its code the same amount.
    if (open) open->lines.push_back(line.substr(std::min(open_indent, ind)));
  }
  return fences;
}

bool python_fence(const Fence& f) {
  return f.lang.empty() || f.lang == "python" || f.lang == "py" || f.lang == "python3" ||
         f.lang == "py3";
}

bool defines_something(const std::vector<std::string_view>& lines) {
  for (std::string_view l : lines) {
    std::string_view b = l.substr(indent_of(l));
    if (b.starts_with("def ") || b.starts_with("class ") || b.starts_with("async def "))
      return true;
  }
  return false;
}

bool top_level_code_start(std::string_view line) {
  return line.starts_with("def ") || line.starts_with("class ") || line.starts_with("async def ") ||
         line.starts_with("import ") || (line.starts_with("from ") && line.find(" import ") != std::string_view::npos) ||
         line.starts_with("@");
}

// An unindented line that continues unfenced code: a statement such as "x = 5",
// "print(f(3))" or "result[0] = 1", a keyword line, or a comment. Prose ("This function
// works by ...") stops the code.
bool top_level_code_line(std::string_view line) {
  if (top_level_code_start(line) || line.starts_with("#") || line.starts_with("if __name__") ||
      line.starts_with("assert ") || line.starts_with("for ") || line.starts_with("while ") ||
      line.starts_with("try:") || line.starts_with("with ") || line.starts_with("return ") ||
      line.starts_with("else:") || line.starts_with("elif ") || line.starts_with("except") ||
      line.starts_with("finally:"))
    return true;
  size_t i = 0;
  if (i >= line.size() || !(is_alpha(line[i]) || line[i] == '_')) return false;
  while (i < line.size() && (is_alnum(line[i]) || line[i] == '_' || line[i] == '.')) ++i;
  while (i < line.size() && line[i] == ' ') ++i;
  if (i >= line.size()) return false;
  char c = line[i];
  return c == '=' || c == '(' || c == '[' || ((c == '+' || c == '-' || c == '*') && i + 1 < line.size() && line[i + 1] == '=');
}

std::optional<std::string> unfenced_code(const std::vector<std::string_view>& lines) {
  size_t start = 0;
  while (start < lines.size() && !top_level_code_start(lines[start])) ++start;
  if (start == lines.size()) {
    // A raw completion of a function body starts indented (HumanEval style).
    size_t first = 0;
    while (first < lines.size() && indent_of(lines[first]) == lines[first].size()) ++first;
    if (first == lines.size() || indent_of(lines[first]) == 0) return std::nullopt;
    std::vector<std::string_view> body;
    for (size_t i = first; i < lines.size(); ++i) {
      std::string_view l = lines[i];
      if (indent_of(l) == 0 && !l.empty()) break;
      body.push_back(l);
    }
    return tidy(body);
  }
  std::vector<std::string_view> code;
  for (size_t i = start; i < lines.size(); ++i) {
    std::string_view l = lines[i];
    bool blank = indent_of(l) == l.size();
    if (!blank && indent_of(l) == 0 && !top_level_code_line(l)) break;
    code.push_back(l);
  }
  return tidy(code);
}

std::optional<std::string> code_in(std::string_view text) {
  std::vector<std::string_view> lines = split_lines(text);
  std::vector<Fence> fences = fenced_blocks(lines);
  const Fence* chosen = nullptr;
  for (const Fence& f : fences)
    if (f.complete && python_fence(f) && defines_something(f.lines)) {
      chosen = &f;
      break;
    }
  if (!chosen)
    for (const Fence& f : fences)
      if (f.complete && python_fence(f) && tidy(f.lines)) {
        chosen = &f;
        break;
      }
  // The reply was cut off inside its code block: take what there is.
  if (!chosen && !fences.empty() && !fences.back().complete && python_fence(fences.back()))
    chosen = &fences.back();
  if (chosen) return tidy(chosen->lines);
  return unfenced_code(lines);
}

}  // namespace

std::optional<std::string> extract_code(std::string_view model_output) {
  std::string_view answer_part = answer_detail::after_think(model_output);
  auto code = code_in(answer_part);
  if (!code && answer_part.size() != model_output.size()) code = code_in(model_output);
  return code;
}

std::optional<std::string> code_entry_point(std::string_view question) {
  size_t p = 0;
  while ((p = question.find('`', p)) != std::string_view::npos) {
    size_t e = question.find('`', p + 1);
    if (e == std::string_view::npos) break;
    std::string_view inside = question.substr(p + 1, e - p - 1);
    bool identifier = !inside.empty() && (is_alpha(inside[0]) || inside[0] == '_');
    for (char c : inside) identifier = identifier && (is_alnum(c) || c == '_');
    if (identifier) return std::string(inside);
    p = e + 1;
  }
  return std::nullopt;
}

}  // namespace loco
