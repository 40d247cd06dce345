// Multiple-choice answers: the letter A-E the output settles on.
//
// Letters are everywhere in prose ("A train leaves...") and in restated option lists
// ("A) 12  B) 14"), so a letter only counts in a form that marks it as a choice. Forms are
// ranked; the highest rank present decides, and within a rank the last one wins (models
// reconsider, and the final statement is the one they mean):
//   3  statements: "answer is (B)", "Answer: C", "correct option is D", "\boxed{B}",
//      "B is correct", "(B) is the right answer"
//   2  "option D" / "choice D" anywhere, a bold letter "**B**", "**(B)**", "**B)** ..."
//   1  a line holding nothing but the letter: "B", "(B)", "B.", "B)"
//   0  a line starting "B) ..." / "(B) ..." / "B. ..." - only when exactly one letter is
//      given this way (several such lines are a restated option list)
#include <array>
#include <optional>
#include <set>
#include <string>

#include "locollm/answer/answer_text.h"
#include "loco/answer.h"

namespace loco {
namespace {

using answer_detail::at;
using answer_detail::is_alnum;
using answer_detail::is_alpha;
using answer_detail::is_space;
using answer_detail::skip_markup;
using answer_detail::starts_with_at;
using answer_detail::word_at;

constexpr size_t npos = std::string_view::npos;

bool is_choice_upper(char c) { return c >= 'A' && c <= 'E'; }
bool is_choice_lower(char c) { return c >= 'a' && c <= 'e'; }
char upper(char c) { return is_choice_lower(c) ? static_cast<char>(c - 32) : c; }

// Words that may follow a bare "A" when it is a choice ("A because ...", "A is ...");
// any other word makes it the article ("the answer is A train ...").
bool choice_continuation(std::string_view lower, size_t i) {
  static constexpr std::string_view kWords[] = {"because", "since", "as",  "is",   "which",
                                                "and",     "with",  "for", "from", "here"};
  for (std::string_view w : kWords)
    if (word_at(lower, i, w)) return true;
  return false;
}

// Reads a letter in a choice form at s[q]: "(B)", "[B]", or a bare letter followed by no
// further letter or digit. A bare lower-case letter needs ')' '.' ',' ':' '*' or the line
// end after it; a bare "A" followed by a word needs that word to be a continuation.
std::optional<char> read_letter(std::string_view s, std::string_view lower, size_t q,
                                size_t* end = nullptr) {
  char open = at(s, q);
  if ((open == '(' || open == '[') && (is_choice_upper(at(s, q + 1)) || is_choice_lower(at(s, q + 1)))) {
    char close = at(s, q + 2);
    if ((open == '(' && close == ')') || (open == '[' && close == ']')) {
      if (end) *end = q + 3;
      return upper(s[q + 1]);
    }
    return std::nullopt;
  }
  char c = at(s, q);
  if (!is_choice_upper(c) && !is_choice_lower(c)) return std::nullopt;
  char next = at(s, q + 1);
  if (is_alnum(next) || next == '_' || next == '\'') return std::nullopt;
  bool line_end = next == '\0' || next == '\n' || next == '\r';
  bool delimited = next == ')' || next == '.' || next == ',' || next == ':' || next == '*' ||
                   next == ';' || next == ']' || next == '}' || next == '"' || next == '$' ||
                   line_end;
  if (is_choice_lower(c) && !delimited) return std::nullopt;
  if ((c == 'A' || c == 'a') && (next == ' ' || next == '\t')) {
    size_t w = q + 1;
    while (at(s, w) == ' ' || at(s, w) == '\t') ++w;
    if (is_alpha(at(s, w)) && !choice_continuation(lower, w)) return std::nullopt;
  }
  if (end) *end = q + 1;
  return upper(c);
}

struct Pick {
  int rank = -1;
  size_t position = 0;
  char letter = 0;
};

void offer(Pick& best, int rank, size_t position, char letter) {
  if (rank > best.rank || (rank == best.rank && position >= best.position))
    best = Pick{rank, position, letter};
}

// After a statement connector: optional "option"/"choice"/"letter", then the letter.
std::optional<char> stated_letter(std::string_view s, std::string_view lower, size_t q) {
  q = skip_markup(lower, q);
  for (std::string_view w : {"option", "choice", "letter"}) {
    if (word_at(lower, q, w)) {
      q = skip_markup(lower, q + w.size());
      break;
    }
  }
  return read_letter(s, lower, q);
}

void rank3_statements(std::string_view s, std::string_view lower, Pick& best) {
  // "answer is (B)", "Answer: C", "the correct option is D", "correct choice: B"
  for (std::string_view marker : {"answer", "correct option", "correct choice", "best option",
                                  "best choice", "right option"}) {
    for (size_t p = lower.find(marker); p != npos; p = lower.find(marker, p + 1)) {
      if (p > 0 && is_alpha(lower[p - 1])) continue;
      size_t after = p + marker.size();
      if (is_alpha(at(lower, after))) continue;
      size_t q = answer_detail::after_answer_connector(lower, after);
      if (q == npos) continue;
      if (q < lower.size() && lower[q] == '\n') {  // heading: the letter is on the next line
        while (q < lower.size() && is_space(lower[q])) ++q;
      }
      if (auto letter = stated_letter(s, lower, q)) offer(best, 3, p, *letter);
    }
  }
  // "\boxed{B}", "\boxed{(B)}", "\boxed{\text{B}}"
  for (size_t p = s.find("\\boxed{"); p != npos; p = s.find("\\boxed{", p + 1)) {
    size_t q = p + 7;
    if (starts_with_at(s, q, "\\text{")) q += 6;
    size_t end = 0;
    if (auto letter = read_letter(s, lower, q, &end); letter && at(s, end) == '}')
      offer(best, 3, p, *letter);
  }
  // "B is correct", "(B) is the correct answer", "option B is the right one"
  for (std::string_view verdict : {" is correct", " is the correct", " is right", " is the right",
                                   " is the best"}) {
    for (size_t p = lower.find(verdict); p != npos; p = lower.find(verdict, p + 1)) {
      size_t e = p;
      while (e > 0 && s[e - 1] == '*') --e;
      if (e == 0) continue;
      size_t start = e - 1;
      if (s[start] == ')' || s[start] == ']') start = start >= 2 ? start - 2 : 0;
      if (start > 0 && is_alnum(s[start - 1])) continue;
      size_t end = 0;
      auto letter = read_letter(s, lower, start, &end);
      if (letter && end == e) offer(best, 3, start, *letter);
    }
  }
}

void rank2_mentions(std::string_view s, std::string_view lower, Pick& best) {
  for (std::string_view w : {"option", "choice"}) {
    for (size_t p = lower.find(w); p != npos; p = lower.find(w, p + 1)) {
      if (p > 0 && is_alpha(lower[p - 1])) continue;
      size_t q = p + w.size();
      if (at(s, q) != ' ') continue;
      if (auto letter = read_letter(s, lower, q + 1)) offer(best, 2, p, *letter);
    }
  }
  for (size_t p = s.find("**"); p != npos; p = s.find("**", p + 2)) {
    size_t end = 0;
    auto letter = read_letter(s, lower, p + 2, &end);
    if (!letter) continue;
    if (at(s, end) == ')' || at(s, end) == '.' || at(s, end) == ':') ++end;
    if (starts_with_at(s, end, "**")) offer(best, 2, p, *letter);
  }
}

// Lines that are only a letter (rank 1), and lines that start with one (rank 0).
void rank1_and_0_lines(std::string_view s, std::string_view lower, Pick& best) {
  std::set<char> leading;
  size_t last_leading_pos = 0;
  char last_leading = 0;
  for (size_t line = 0; line < s.size();) {
    size_t eol = s.find('\n', line);
    if (eol == npos) eol = s.size();
    size_t b = line, e = eol;
    while (b < e && (is_space(s[b]) || s[b] == '*' || s[b] == '>')) ++b;
    while (e > b && (is_space(s[e - 1]) || s[e - 1] == '*')) --e;
    size_t end = 0;
    if (auto letter = read_letter(s, lower, b, &end)) {
      size_t rest = end;
      if (at(s, rest) == ')' || at(s, rest) == '.' || at(s, rest) == ':') ++rest;
      if (rest >= e) {
        offer(best, 1, b, *letter);
      } else if (rest > end || s[b] == '(' || s[b] == '[') {
        leading.insert(*letter);
        last_leading = *letter;
        last_leading_pos = b;
      }
    }
    line = eol + 1;
  }
  if (leading.size() == 1) offer(best, 0, last_leading_pos, last_leading);
}

std::optional<std::string> choice_in(std::string_view s) {
  std::string lower = answer_detail::ascii_lower(s);
  Pick best;
  rank3_statements(s, lower, best);
  if (best.rank < 3) rank2_mentions(s, lower, best);
  if (best.rank < 2) rank1_and_0_lines(s, lower, best);
  if (best.rank < 0) return std::nullopt;
  return std::string(1, best.letter);
}

}  // namespace

std::optional<std::string> extract_choice(std::string_view model_output) {
  std::string_view answer_part = answer_detail::after_think(model_output);
  auto letter = choice_in(answer_part);
  if (!letter && answer_part.size() != model_output.size()) letter = choice_in(model_output);
  return letter;
}

}  // namespace loco
