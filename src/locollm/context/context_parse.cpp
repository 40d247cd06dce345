// Reading one context file: front matter, kind, rubric criteria, sections.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <optional>

#include "locollm/context/context_text.h"
#include "locollm/registry/yaml_util.h"
#include "loco/context.h"
#include "loco/error.h"

namespace loco {

using namespace context_detail;

const char* context_kind_name(ContextKind kind) {
  switch (kind) {
    case ContextKind::Rubric: return "rubric";
    case ContextKind::Specification: return "specification";
    case ContextKind::Template: return "template";
    case ContextKind::Excerpt: return "excerpt";
  }
  return "excerpt";
}

namespace {

std::optional<ContextKind> parse_kind(const std::string& name) {
  if (name == "rubric") return ContextKind::Rubric;
  if (name == "specification" || name == "spec") return ContextKind::Specification;
  if (name == "template" || name == "task-template") return ContextKind::Template;
  if (name == "excerpt") return ContextKind::Excerpt;
  return std::nullopt;
}

struct FrontMatter {
  std::optional<ContextKind> kind;
  std::optional<std::string> title;
  std::optional<bool> mandatory;
  std::string_view body;
  int body_line = 1;  // the line the body starts on
};

std::string scalar_of(const YAML::Node& node, const std::string& source, const char* key) {
  if (!node.IsScalar()) throw FormatError(fmt::format("{}: front matter: '{}' must be a single value", source, key));
  return node.Scalar();
}

// Front matter: "---" on the first line, YAML, then "---" (or "...") on a line of its own.
FrontMatter read_front_matter(std::string_view text, const std::string& source) {
  FrontMatter fm;
  fm.body = text;
  if (!(text.starts_with("---\n") || text.starts_with("---\r\n"))) return fm;
  const std::vector<Line> lines = split_lines(text);
  const size_t offset = text.find('\n') + 1;
  size_t close = 0, yaml_end = 0, body_offset = text.size();
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].text == "---" || lines[i].text == "...") {
      close = i;
      yaml_end = static_cast<size_t>(lines[i].text.data() - text.data());
      const size_t newline = text.find('\n', yaml_end);
      body_offset = newline == std::string_view::npos ? text.size() : newline + 1;
      break;
    }
  }
  if (close == 0) {
    throw FormatError(fmt::format("{}:1: the front matter opened with '---' is never closed (a line of '---')", source));
  }
  const std::string yaml(text.substr(offset, yaml_end - offset));
  const YAML::Node node = yaml::parse(yaml, source + ": front matter");
  if (!node.IsNull() && !node.IsMap()) {
    throw FormatError(fmt::format("{}: front matter must be 'key: value' lines", source));
  }
  if (node.IsMap()) {
    try {
      for (const auto& kv : node) {
        const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
        if (key == "kind") {
          const std::string k = scalar_of(kv.second, source, "kind");
          fm.kind = parse_kind(k);
          if (!fm.kind) {
            throw FormatError(fmt::format("{}: front matter: unknown kind '{}' (rubric, specification, template or "
                                          "excerpt)", source, k));
          }
        } else if (key == "title") {
          fm.title = scalar_of(kv.second, source, "title");
        } else if (key == "mandatory") {
          const std::string m = scalar_of(kv.second, source, "mandatory");
          fm.mandatory = yaml::to_bool(m);
          if (!fm.mandatory) {
            throw FormatError(fmt::format("{}: front matter: mandatory must be true or false, not '{}'", source, m));
          }
        }
        // Other keys (a site generator's, say) are left alone.
      }
    } catch (const YAML::Exception& e) {
      throw FormatError(fmt::format("{}: front matter: {}", source, e.msg));
    }
  }
  fm.body = text.substr(body_offset);
  fm.body_line = lines[close].number + 1;
  return fm;
}

std::string strip_emphasis(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != '*' && c != '_' && c != '`') out += c;
  }
  return std::string(trim(out));
}

// "- Excellent: description" (also "*", "+", "1.", and **bold** levels).
std::optional<std::pair<std::string, std::string>> level_line(std::string_view line) {
  std::string_view t = trim(line);
  if (t.starts_with("- ") || t.starts_with("* ") || t.starts_with("+ ")) {
    t.remove_prefix(2);
  } else {
    size_t d = 0;
    while (d < t.size() && std::isdigit(static_cast<unsigned char>(t[d]))) ++d;
    if (d == 0 || d + 1 >= t.size() || (t[d] != '.' && t[d] != ')') || t[d + 1] != ' ') return std::nullopt;
    t.remove_prefix(d + 2);
  }
  const size_t colon = t.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string level = strip_emphasis(t.substr(0, colon));
  std::string description = strip_emphasis(t.substr(colon + 1));
  if (level.empty() || level.size() > 60 || description.empty()) return std::nullopt;
  return std::make_pair(std::move(level), std::move(description));
}

bool is_list_item(std::string_view line) {
  std::string_view t = trim(line);
  if (t.starts_with("- ") || t.starts_with("* ") || t.starts_with("+ ")) return true;
  size_t d = 0;
  while (d < t.size() && std::isdigit(static_cast<unsigned char>(t[d]))) ++d;
  return d > 0 && d + 1 < t.size() && (t[d] == '.' || t[d] == ')') && t[d + 1] == ' ';
}

std::vector<std::string> table_cells(std::string_view line) {
  std::string_view t = trim(line);
  if (t.starts_with("|")) t.remove_prefix(1);
  if (t.ends_with("|")) t.remove_suffix(1);
  std::vector<std::string> cells;
  size_t start = 0;
  for (size_t i = 0; i <= t.size(); ++i) {
    if (i == t.size() || t[i] == '|') {
      cells.push_back(strip_emphasis(t.substr(start, i - start)));
      start = i + 1;
    }
  }
  return cells;
}

bool is_table_separator(const std::vector<std::string>& cells) {
  for (const std::string& c : cells) {
    if (c.empty() || c.find_first_not_of("-: ") != std::string::npos) return false;
  }
  return !cells.empty();
}

// Criteria as "## Criterion" headings with level lines under them, or as a Markdown table
// whose header row names the levels. Only criteria and levels enter the prompt; other
// text (a title, notes for the marker) does not.
std::vector<RubricCriterion> parse_criteria(std::string_view body, int first_line, const std::string& source) {
  const std::vector<Line> lines = split_lines(body, first_line);
  std::vector<RubricCriterion> criteria;
  std::optional<RubricCriterion> current;
  int current_line = 0;
  bool current_has_list = false;
  auto finish = [&] {
    if (!current) return;
    if (current->levels.empty() && current_has_list) {
      throw FormatError(fmt::format("{}:{}: rubric criterion '{}' has no levels: write each as '- level: what it "
                                    "looks like'", source, current_line, current->name));
    }
    if (!current->levels.empty()) criteria.push_back(std::move(*current));
    current.reset();
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = lines[i].text;
    if (std::string_view h = heading_text(line); !h.empty()) {
      finish();
      current = RubricCriterion{strip_emphasis(h), {}};
      current_line = lines[i].number;
      current_has_list = false;
      continue;
    }
    if (trim(line).starts_with("|")) {
      finish();
      // A table: header, separator, rows.
      const std::vector<std::string> header = table_cells(line);
      if (i + 1 >= lines.size() || !is_table_separator(table_cells(lines[i + 1].text))) {
        throw FormatError(fmt::format("{}:{}: a rubric table needs a separator row ('|---|---|') under its header",
                                      source, lines[i].number));
      }
      if (header.size() < 2) {
        throw FormatError(fmt::format("{}:{}: a rubric table needs a criterion column and at least one level column",
                                      source, lines[i].number));
      }
      size_t j = i + 2;
      for (; j < lines.size() && trim(lines[j].text).starts_with("|"); ++j) {
        const std::vector<std::string> cells = table_cells(lines[j].text);
        if (cells.size() != header.size()) {
          throw FormatError(fmt::format("{}:{}: this rubric row has {} cells, but the header has {}", source,
                                        lines[j].number, cells.size(), header.size()));
        }
        if (cells[0].empty()) {
          throw FormatError(fmt::format("{}:{}: this rubric row has no criterion in its first cell", source,
                                        lines[j].number));
        }
        RubricCriterion c{cells[0], {}};
        for (size_t k = 1; k < cells.size(); ++k) {
          if (!cells[k].empty()) c.levels.emplace_back(header[k].empty() ? fmt::format("level {}", k) : header[k], cells[k]);
        }
        if (c.levels.empty()) {
          throw FormatError(fmt::format("{}:{}: rubric criterion '{}' has no levels", source, lines[j].number, c.name));
        }
        criteria.push_back(std::move(c));
      }
      i = j - 1;
      continue;
    }
    if (current && is_list_item(line)) {
      current_has_list = true;
      if (auto lv = level_line(line)) current->levels.push_back(std::move(*lv));
    }
  }
  finish();
  if (criteria.empty()) {
    throw FormatError(fmt::format("{}: this rubric has no criteria: write each as a '## Criterion' heading followed "
                                  "by '- level: what it looks like' lines, or as rows of a Markdown table whose "
                                  "header names the levels", source));
  }
  return criteria;
}

// The rubric as it enters the prompt: one line per criterion, its levels in order.
std::string render_criteria(const std::vector<RubricCriterion>& criteria) {
  std::string out;
  for (const RubricCriterion& c : criteria) {
    out += "- ";
    out += c.name;
    out += ':';
    for (size_t i = 0; i < c.levels.size(); ++i) {
      out += i == 0 ? " " : "; ";
      out += c.levels[i].first;
      out += " = ";
      out += c.levels[i].second;
    }
    out += '\n';
  }
  if (!out.empty()) out.pop_back();
  return out;
}

}  // namespace

ContextDocument parse_context(std::string_view text, const std::string& source) {
  if (const std::string why = why_not_text(text); !why.empty()) {
    throw FormatError(fmt::format("{}: not a text file ({}); context files must be UTF-8 text", source, why));
  }
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a byte order mark
  const FrontMatter fm = read_front_matter(text, source);
  ContextDocument doc;
  doc.source = source;
  doc.kind = fm.kind.value_or(ContextKind::Excerpt);
  doc.title = fm.title.value_or(std::filesystem::path(source).filename().string());
  doc.mandatory = fm.mandatory.value_or(doc.kind != ContextKind::Excerpt);
  if (doc.kind == ContextKind::Rubric) {
    doc.criteria = parse_criteria(fm.body, fm.body_line, source);
    doc.sections.push_back({"criteria", render_criteria(doc.criteria), fm.body_line});
    return doc;
  }
  doc.sections = is_code_file(source) ? split_code(fm.body, fm.body_line)
                                      : split_markdown(fm.body, fm.body_line, doc.title);
  if (doc.sections.empty()) throw FormatError(fmt::format("{}: the file has no text", source));
  return doc;
}

}  // namespace loco
