// Small text helpers shared by the answer extractors (ASCII only: model outputs are UTF-8,
// and every byte of a multi-byte sequence is >= 0x80, so it is never mistaken for one of
// the ASCII letters, digits or punctuation the rules look for).
#pragma once

#include <string>
#include <string_view>

namespace loco::answer_detail {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }
inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
inline char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = to_lower(c);
  return out;
}

// Reasoning models (Qwen3) write "<think> ... </think>" before the answer; the answer is
// whatever follows the last "</think>". Returns the whole text when there is none.
inline std::string_view after_think(std::string_view text) {
  size_t at = text.rfind("</think>");
  return at == std::string_view::npos ? text : text.substr(at + 8);
}

// The character at `i`, or '\0' outside the string (saves bounds checks in the scanners).
inline char at(std::string_view s, size_t i) { return i < s.size() ? s[i] : '\0'; }

inline bool starts_with_at(std::string_view s, size_t i, std::string_view prefix) {
  return i <= s.size() && s.substr(i).starts_with(prefix);
}

// `word` at lower[i], not followed by another letter.
inline bool word_at(std::string_view lower, size_t i, std::string_view word) {
  return starts_with_at(lower, i, word) && !is_alpha(at(lower, i + word.size()));
}

// Spaces, tabs and markdown emphasis ('*', '_') from lower[k] on.
inline size_t skip_markup(std::string_view lower, size_t k) {
  while (k < lower.size() &&
         (lower[k] == ' ' || lower[k] == '\t' || lower[k] == '*' || lower[k] == '_'))
    ++k;
  return k;
}

// Reading on from just after the word "answer" in lower-cased text: if a connector follows
// (":", "=", "is", "was", "would be", "will be", "should be", "equals", or the end of the
// line as in a "**Final Answer**" heading), the index where the stated answer starts;
// otherwise npos ("answer the question" states nothing).
inline size_t after_answer_connector(std::string_view lower, size_t q) {
  static constexpr std::string_view kConnectors[] = {"is",       "was",       "would be",
                                                    "will be", "should be", "equals"};
  q = skip_markup(lower, q);
  if (at(lower, q) == ':' || at(lower, q) == '=') {
    ++q;
  } else if (at(lower, q) == '\n' || q == lower.size()) {
    return q;
  } else {
    bool found = false;
    for (std::string_view c : kConnectors) {
      if (word_at(lower, q, c)) {
        q += c.size();
        found = true;
        break;
      }
    }
    if (!found) return std::string_view::npos;
  }
  q = skip_markup(lower, q);
  if (at(lower, q) == ':') q = skip_markup(lower, q + 1);
  return q;
}

}  // namespace loco::answer_detail
