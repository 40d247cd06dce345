// Text helpers of the context module: lines, UTF-8 checks and splitting into sections.
// Internal to src/locollm/context.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "loco/context.h"

namespace loco::context_detail {

// Sections of more than this many bytes are split at paragraphs, then lines: a section is
// the unit of selection, and a huge one could never fit a small budget.
inline constexpr size_t kMaxSectionBytes = 2000;

struct Line {
  std::string_view text;  // without its newline
  int number = 1;
};
std::vector<Line> split_lines(std::string_view text, int first_number = 1);

bool is_blank(std::string_view line);
std::string_view trim(std::string_view s);

// Empty when `text` is UTF-8 without NUL bytes; else why not, e.g. "a NUL byte at offset 12".
std::string why_not_text(std::string_view text);

// True for file names whose extension is a programming language's (split by definitions).
bool is_code_file(const std::string& source);

// The heading text of a Markdown ATX heading line ("## Title" -> "Title"), else empty;
// `level` receives the number of #s.
std::string_view heading_text(std::string_view line, int* level = nullptr);

// Splits a body into sections: Markdown by headings (outside fenced code), code by
// top-level definitions; then any section over kMaxSectionBytes into paragraph groups.
std::vector<ContextSection> split_markdown(std::string_view body, int first_line, const std::string& opening_title);
std::vector<ContextSection> split_code(std::string_view body, int first_line);

}  // namespace loco::context_detail
