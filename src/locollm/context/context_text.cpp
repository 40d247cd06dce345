#include "locollm/context/context_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <filesystem>

namespace loco::context_detail {

std::vector<Line> split_lines(std::string_view text, int first_number) {
  std::vector<Line> lines;
  size_t start = 0;
  int number = first_number;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back({line, number++});
    start = end + 1;
  }
  return lines;
}

bool is_blank(std::string_view line) {
  return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string why_not_text(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0) return fmt::format("a NUL byte at offset {}", i);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int extra = 0;
    uint32_t min_value = 0;
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      min_value = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      min_value = 0x800;
    } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
      extra = 3;
      min_value = 0x10000;
    } else {
      return fmt::format("a byte that is not UTF-8 (0x{:02x}) at offset {}", c, i);
    }
    if (i + static_cast<size_t>(extra) >= text.size()) {
      return fmt::format("a truncated UTF-8 sequence at offset {}", i);
    }
    uint32_t value = c & (0x3F >> extra);
    for (int k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return fmt::format("a byte that is not UTF-8 (0x{:02x}) at offset {}", c, i);
      value = (value << 6) | (cc & 0x3F);
    }
    if (value < min_value || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
      return fmt::format("an invalid UTF-8 sequence at offset {}", i);
    }
    i += static_cast<size_t>(extra) + 1;
  }
  return {};
}

bool is_code_file(const std::string& source) {
  static constexpr std::array<std::string_view, 30> kCode = {
      ".py", ".c",  ".h",   ".cc", ".cpp", ".cxx", ".hpp", ".hh",   ".js",  ".mjs",
      ".ts", ".tsx", ".jsx", ".java", ".kt", ".rs",  ".go",  ".rb",   ".sh",  ".bash",
      ".jl", ".r",  ".m",   ".swift", ".scala", ".cs", ".php", ".lua", ".pl", ".hs"};
  std::string ext = std::filesystem::path(source).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return std::find(kCode.begin(), kCode.end(), ext) != kCode.end();
}

std::string_view heading_text(std::string_view line, int* level) {
  size_t n = 0;
  while (n < line.size() && n < 7 && line[n] == '#') ++n;
  if (n == 0 || n > 6 || n >= line.size() || (line[n] != ' ' && line[n] != '\t')) return {};
  std::string_view t = trim(line.substr(n));
  while (!t.empty() && t.back() == '#') t.remove_suffix(1);  // closing #s
  t = trim(t);
  if (t.empty()) return {};
  if (level != nullptr) *level = static_cast<int>(n);
  return t;
}

namespace {

bool is_fence(std::string_view line) {
  std::string_view t = trim(line);
  return t.starts_with("```") || t.starts_with("~~~");
}

// Joins lines [from, to) back into text (without trailing blank lines).
std::string join(const std::vector<Line>& lines, size_t from, size_t to) {
  while (to > from && is_blank(lines[to - 1].text)) --to;
  std::string out;
  for (size_t i = from; i < to; ++i) {
    out += lines[i].text;
    if (i + 1 < to) out += '\n';
  }
  return out;
}

// Cuts a line longer than the limit at UTF-8 character boundaries.
std::vector<std::string> cut_long_line(std::string_view line) {
  std::vector<std::string> parts;
  while (line.size() > kMaxSectionBytes) {
    size_t cut = kMaxSectionBytes;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    parts.emplace_back(line.substr(0, cut));
    line.remove_prefix(cut);
  }
  parts.emplace_back(line);
  return parts;
}

// Splits one section that is too long: paragraphs (blank lines outside fences) packed into
// groups under the limit; a paragraph over the limit goes line by line.
void split_long(const ContextSection& whole, std::vector<ContextSection>& out) {
  if (whole.text.size() <= kMaxSectionBytes) {
    out.push_back(whole);
    return;
  }
  const std::vector<Line> lines = split_lines(whole.text, whole.line);
  // Pieces: paragraphs, or single lines of an oversized paragraph.
  struct Piece {
    std::string text;
    int line;
  };
  std::vector<Piece> pieces;
  size_t i = 0;
  bool fenced = false;
  while (i < lines.size()) {
    if (is_blank(lines[i].text) && !fenced) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < lines.size() && (fenced || !is_blank(lines[j].text))) {
      if (is_fence(lines[j].text)) fenced = !fenced;
      ++j;
    }
    std::string paragraph = join(lines, i, j);
    if (paragraph.size() <= kMaxSectionBytes) {
      pieces.push_back({std::move(paragraph), lines[i].number});
    } else {
      for (size_t k = i; k < j; ++k) {
        for (std::string& part : cut_long_line(lines[k].text)) pieces.push_back({std::move(part), lines[k].number});
      }
    }
    i = j;
  }
  int part = 0;
  ContextSection current;
  auto flush = [&] {
    if (current.text.empty()) return;
    current.title = part == 0 ? whole.title : fmt::format("{} (part {})", whole.title, part + 1);
    out.push_back(std::move(current));
    current = ContextSection{};
    ++part;
  };
  for (Piece& p : pieces) {
    const size_t joined = current.text.size() + (current.text.empty() ? 0 : 2) + p.text.size();
    if (!current.text.empty() && joined > kMaxSectionBytes) flush();
    if (current.text.empty()) {
      current.line = p.line;
      current.text = std::move(p.text);
    } else {
      current.text += "\n\n";
      current.text += p.text;
    }
  }
  flush();
}

}  // namespace

std::vector<ContextSection> split_markdown(std::string_view body, int first_line, const std::string& opening_title) {
  const std::vector<Line> lines = split_lines(body, first_line);
  std::vector<ContextSection> whole;
  size_t start = 0;
  std::string title = opening_title;
  bool fenced = false;
  auto close = [&](size_t end) {
    size_t first = start;
    while (first < end && is_blank(lines[first].text)) ++first;
    if (first < end) whole.push_back({title, join(lines, first, end), lines[first].number});
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    if (is_fence(lines[i].text)) fenced = !fenced;
    if (fenced) continue;
    std::string_view h = heading_text(lines[i].text);
    if (h.empty()) continue;
    close(i);
    start = i;
    title = std::string(h);
  }
  close(lines.size());
  std::vector<ContextSection> out;
  for (const ContextSection& s : whole) split_long(s, out);
  return out;
}

namespace {

bool starts_definition(std::string_view line) {
  if (line.empty() || line[0] == ' ' || line[0] == '\t') return false;
  const char c = line[0];
  return c != '}' && c != ')' && c != ']';
}

bool is_comment_or_decorator(std::string_view line) {
  std::string_view t = trim(line);
  return t.starts_with("#") || t.starts_with("//") || t.starts_with("/*") || t.starts_with("*") ||
         t.starts_with("@") || t.starts_with("\"\"\"") || t.starts_with("'''");
}

}  // namespace

std::vector<ContextSection> split_code(std::string_view body, int first_line) {
  const std::vector<Line> lines = split_lines(body, first_line);
  std::vector<ContextSection> whole;
  size_t start = 0;
  while (start < lines.size() && is_blank(lines[start].text)) ++start;
  auto close = [&](size_t end) {
    if (start >= end) return;
    std::string text = join(lines, start, end);
    if (is_blank(text)) return;
    std::string title;
    for (size_t k = start; k < end && title.empty(); ++k) {
      if (!is_blank(lines[k].text) && !is_comment_or_decorator(lines[k].text)) title = std::string(trim(lines[k].text));
    }
    if (title.empty()) title = std::string(trim(lines[start].text));
    if (title.size() > 80) title = title.substr(0, 77) + "...";
    whole.push_back({std::move(title), std::move(text), lines[start].number});
  };
  for (size_t i = start + 1; i < lines.size(); ++i) {
    if (starts_definition(lines[i].text) && is_blank(lines[i - 1].text)) {
      close(i);
      start = i;
    }
  }
  close(lines.size());
  std::vector<ContextSection> out;
  for (const ContextSection& s : whole) split_long(s, out);
  return out;
}

}  // namespace loco::context_detail
