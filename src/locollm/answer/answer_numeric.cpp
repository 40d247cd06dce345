// Numeric answers: find the number a solution ends on and write it canonically.
//
// The text is first made plain (calculator annotations dropped, LaTeX turned into the
// characters it prints), then scanned once into number tokens, then the answer is chosen:
// "####" beats answer statements, which beat the last number. Each rule is in
// docs/voting.md with the example that motivated it.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "locollm/answer/answer_text.h"
#include "loco/answer.h"

namespace loco {
namespace {

using answer_detail::after_answer_connector;
using answer_detail::at;
using answer_detail::is_alpha;
using answer_detail::is_alnum;
using answer_detail::is_digit;
using answer_detail::is_space;
using answer_detail::starts_with_at;

constexpr size_t npos = std::string_view::npos;
constexpr int kMaxLatexDepth = 8;  // nested \frac deeper than this is left as text

// The contents of the brace group starting at s[i] == '{', and the index after its '}'.
// Groups longer than kMaxGroup are not looked for (keeps hostile input linear).
constexpr size_t kMaxGroup = 2000;
bool brace_group(std::string_view s, size_t i, std::string_view& content, size_t& next) {
  if (at(s, i) != '{') return false;
  int depth = 0;
  for (size_t j = i; j < s.size() && j - i < kMaxGroup; ++j) {
    if (s[j] == '{') ++depth;
    if (s[j] == '}' && --depth == 0) {
      content = s.substr(i + 1, j - i - 1);
      next = j + 1;
      return true;
    }
  }
  return false;
}

bool is_plain_integer(std::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

std::string trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::string plain_math_text(std::string_view in, int depth = 0);

// Handles the LaTeX command starting at in[i] == '\\'; returns the index after it.
size_t latex_command(std::string_view in, size_t i, std::string& out, int depth) {
  size_t j = i + 1;
  while (j < in.size() && is_alpha(in[j])) ++j;
  std::string_view name = in.substr(i + 1, j - i - 1);
  if (name.empty()) {  // a control symbol: \$ \% \, \! \{ ...
    char c = at(in, i + 1);
    if (c == ',') {
      // "1\,000" is a thin-space thousands separator.
      if (!out.empty() && is_digit(out.back()) && is_digit(at(in, i + 2))) out += ',';
      else out += ' ';
    } else if (c == '!') {
      // negative thin space: prints nothing
    } else if (c == '\\') {
      out += '\n';
    } else if (c != '\0') {
      out += c;
    }
    return c == '\0' ? i + 1 : i + 2;
  }
  if (name == "frac" || name == "dfrac" || name == "tfrac") {
    std::string_view num, den;
    size_t after_num = 0, after_den = 0;
    size_t k = j;
    while (k < in.size() && in[k] == ' ') ++k;
    if (depth < kMaxLatexDepth && brace_group(in, k, num, after_num)) {
      size_t m = after_num;
      while (m < in.size() && in[m] == ' ') ++m;
      if (brace_group(in, m, den, after_den)) {
        std::string a = trim(plain_math_text(num, depth + 1));
        std::string b = trim(plain_math_text(den, depth + 1));
        // (appended piece by piece: GCC 12 warns falsely on chained string '+')
        bool plain = is_plain_integer(a) && is_plain_integer(b);
        if (!out.empty() && is_alnum(out.back())) out += ' ';  // "2\frac12" is not 21/2
        out.append(plain ? "" : "(").append(a).append(plain ? "/" : ")/(");
        out.append(b).append(plain ? " " : ") ");
        return after_den;
      }
    }
    // "\frac34": single-digit shorthand
    if (is_digit(at(in, j)) && is_digit(at(in, j + 1))) {
      out += ' ';
      out += in[j];
      out += '/';
      out += in[j + 1];
      out += ' ';
      return j + 2;
    }
    out += ' ';
    return j;
  }
  if (name == "boxed" || name == "fbox") {
    out += "\\boxed";  // kept for the answer-statement search
    return j;
  }
  // Formatting commands print their argument; operators and symbols separate numbers.
  if (name == "text" || name == "textbf" || name == "textrm" || name == "mathrm" ||
      name == "mathbf" || name == "mbox" || name == "operatorname" || name == "left" ||
      name == "right" || name == "displaystyle") {
    return j;
  }
  out += ' ';
  return j;
}

// Rewrites `in` so that numbers read plainly: GSM8K calculator annotations "<<4*2=8>>"
// removed (they repeat the number written after them), LaTeX fractions as "3/4", "\$" as
// "$", "{,}" and "\," as thousands commas, other commands as spaces, the Unicode minus
// as '-', no-break spaces as spaces (or as commas between a digit and three digits).
std::string plain_math_text(std::string_view in, int depth) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    char c = in[i];
    if (c == '<' && at(in, i + 1) == '<') {
      size_t close = in.substr(0, std::min(in.size(), i + 400)).find(">>", i + 2);
      if (close != npos && in.substr(i, close - i).find('\n') == npos) {
        i = close + 2;
        continue;
      }
    }
    if (c == '\\') {
      i = latex_command(in, i, out, depth);
      continue;
    }
    if (c == '{' && at(in, i + 1) == ',' && at(in, i + 2) == '}') {
      out += ',';
      i += 3;
      continue;
    }
    if (starts_with_at(in, i, "\xE2\x88\x92")) {  // U+2212 MINUS SIGN
      out += '-';
      i += 3;
      continue;
    }
    size_t space_bytes = starts_with_at(in, i, "\xC2\xA0")       ? 2   // no-break space
                         : starts_with_at(in, i, "\xE2\x80\x89") ? 3   // thin space
                         : starts_with_at(in, i, "\xE2\x80\xAF") ? 3   // narrow no-break
                                                                 : 0;
    if (space_bytes) {
      size_t k = i + space_bytes;
      bool thousands = !out.empty() && is_digit(out.back()) && is_digit(at(in, k)) &&
                       is_digit(at(in, k + 1)) && is_digit(at(in, k + 2)) &&
                       !is_digit(at(in, k + 3));
      out += thousands ? ',' : ' ';
      i = k;
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

struct NumberToken {
  size_t begin = 0;  // first digit (or the '.' of ".5")
  size_t end = 0;    // one past the last character (including a '%')
  double value = 0;
};

size_t count_digits(std::string_view s, size_t i) {
  size_t n = 0;
  while (is_digit(at(s, i + n))) ++n;
  return n;
}

// At s[slash] == '/' after the integer `numerator` (for the mixed-number case the digits
// before `slash` are re-read into it): the denominator, if this is a fraction - plain
// digits, non-zero, and not followed by another '/' or a decimal part.
bool read_fraction(std::string_view s, size_t slash, double& numerator, double& denominator, size_t& end) {
  if (at(s, slash) != '/' || !is_digit(at(s, slash + 1))) return false;
  if (!(slash > 0 && is_digit(s[slash - 1]))) return false;
  size_t num_begin = slash;
  while (num_begin > 0 && is_digit(s[num_begin - 1])) --num_begin;
  size_t k = slash + 1 + count_digits(s, slash + 1);
  bool chained = at(s, k) == '/' || ((at(s, k) == '.' || at(s, k) == ',') && is_digit(at(s, k + 1)));
  if (chained) return false;
  double num = 0, den = 0;
  auto n = std::from_chars(s.data() + num_begin, s.data() + slash, num);
  auto d = std::from_chars(s.data() + slash + 1, s.data() + k, den);
  if (n.ec != std::errc() || d.ec != std::errc() || den == 0 || !std::isfinite(den) || !std::isfinite(num))
    return false;
  numerator = num;
  denominator = den;
  end = k;
  return true;
}

// Reads the number whose digits start at s[i]; returns false (and the end of the word in
// `end`) for digits glued to a preceding letter such as "CO2" or "x2".
bool read_number(std::string_view s, size_t i, NumberToken& token) {
  size_t j = i;
  std::string digits;
  while (is_digit(at(s, j))) digits += s[j++];
  const size_t int_digits = j - i;
  bool grouped = false;
  // Thousands separators: a comma (or a single space, as in "$400 000") is one only
  // between a 1-3 digit head and groups of exactly three digits ("1,000", "12,345,678");
  // "1,2,3" and "1, 000" are lists. One number uses one kind of separator, and a space
  // group may not be followed by '-' ("3 100-page books" is 3 books).
  if (int_digits >= 1 && int_digits <= 3) {
    char sep = at(s, j);
    auto group_follows = [&](size_t k) {
      return at(s, k) == sep && is_digit(at(s, k + 1)) && is_digit(at(s, k + 2)) &&
             is_digit(at(s, k + 3)) && !is_digit(at(s, k + 4)) &&
             (sep == ',' || (at(s, k + 4) != '-' && at(s, k + 4) != ',' && at(s, k + 4) != '/'));
    };
    if (sep == ',' || sep == ' ') {
      while (group_follows(j)) {
        digits.append(s.substr(j + 1, 3));
        j += 4;
        grouped = true;
      }
    }
  }
  bool decimal = false;
  if (at(s, j) == '.' && is_digit(at(s, j + 1))) {
    digits += '.';
    ++j;
    while (is_digit(at(s, j))) digits += s[j++];
    decimal = true;
  }
  double value = 0;
  auto parsed = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (parsed.ec != std::errc() || !std::isfinite(value)) return false;

  // A fraction "3/4" (both sides plain integers); "12/25/2023" is a date, not a fraction.
  // A mixed number "2 1/2" is 2.5 when the fraction is proper.
  bool in_date_chain = i >= 2 && s[i - 1] == '/' && is_digit(s[i - 2]);
  if (!grouped && !decimal && int_digits > 0 && !in_date_chain) {
    double num = 0, den = 0;
    size_t end = 0;
    if (read_fraction(s, j, value, den, end)) {
      value /= den;
      j = end;
    } else if (at(s, j) == ' ' && is_digit(at(s, j + 1)) &&
               read_fraction(s, j + 1 + count_digits(s, j + 1), num, den, end) && num < den) {
      value += num / den;
      j = end;
    }
  }
  if (at(s, j) == '%') ++j;  // "25%" is the number 25
  // A '-' directly before the number (or before its '$') is a sign unless it follows a
  // letter, digit or ')' ("5-3" and "x-3" are subtractions, "= -3" and "(-3)" are not).
  size_t k = i;
  if (k > 0 && s[k - 1] == '$') --k;
  if (k > 0 && s[k - 1] == '-') {
    char before = k >= 2 ? s[k - 2] : ' ';
    if (!is_alnum(before) && before != ')') value = -value;
  }
  token.begin = i;
  token.end = j;
  token.value = value == 0 ? 0.0 : value;
  return true;
}

std::vector<NumberToken> scan_numbers(std::string_view s) {
  std::vector<NumberToken> tokens;
  size_t i = 0;
  while (i < s.size()) {
    bool starts_number =
        is_digit(s[i]) || (s[i] == '.' && is_digit(at(s, i + 1)) && !(i > 0 && is_digit(s[i - 1])));
    if (!starts_number) {
      ++i;
      continue;
    }
    if (i > 0 && (is_alpha(s[i - 1]) || s[i - 1] == '_')) {  // "CO2", "x_1", "step3"
      ++i;
      while (i < s.size() && (is_alnum(s[i]) || s[i] == '_')) ++i;
      continue;
    }
    if (s[i] == '.') {  // ".5" reads as 0.5
      size_t j = i + 1;
      while (is_digit(at(s, j))) ++j;
      std::string number(1, '0');
      number.append(s.substr(i, j - i));
      double value = 0;
      auto parsed = std::from_chars(number.data(), number.data() + number.size(), value);
      if (parsed.ec == std::errc()) tokens.push_back({i, j, value});
      i = j;
      continue;
    }
    NumberToken token;
    if (read_number(s, i, token)) {
      tokens.push_back(token);
      i = token.end;
    } else {
      while (i < s.size() && is_digit(s[i])) ++i;
    }
  }
  return tokens;
}

// The end of the sentence starting at `from`: a newline, or a '.' followed by a space or
// the end that is not a decimal point.
size_t sentence_end(std::string_view s, size_t from) {
  for (size_t j = from; j < s.size(); ++j) {
    if (s[j] == '\n') return j;
    if (s[j] == '.' && (j + 1 == s.size() || is_space(s[j + 1])) &&
        !(j > 0 && is_digit(s[j - 1]) && is_digit(at(s, j + 1))))
      return j;
  }
  return s.size();
}

// The first token starting in [from, to) (tokens are in text order).
const NumberToken* first_token_in(const std::vector<NumberToken>& tokens, size_t from, size_t to) {
  auto it = std::lower_bound(tokens.begin(), tokens.end(), from,
                             [](const NumberToken& t, size_t pos) { return t.begin < pos; });
  return it != tokens.end() && it->begin < to ? &*it : nullptr;
}

// The number an answer statement gives, reading from `from`: the first number of the
// sentence, or of the part after its last '=' ("the answer is 5 + 3 = 8"). When the
// statement ends its line with no number ("**Answer:**\n\n18"), the next non-empty line.
const NumberToken* statement_number(std::string_view s, const std::vector<NumberToken>& tokens,
                                    size_t from) {
  for (int line = 0; line < 2; ++line) {
    size_t end = sentence_end(s, from);
    size_t eq = s.substr(from, end - from).rfind('=');
    size_t start = eq == npos ? from : from + eq + 1;
    if (const NumberToken* t = first_token_in(tokens, start, end)) return t;
    if (end >= s.size() || s[end] != '\n' || s.substr(from, end - from).find_first_not_of(" \t*_:$") != npos)
      return nullptr;
    from = end;
    while (from < s.size() && is_space(s[from])) ++from;
  }
  return nullptr;
}

struct Found {
  size_t position = 0;
  double value = 0;
};

// The number after the last "####" that is followed by a number (GSM8K's final line).
// "#### Step 2" and "#### 1. Setup" are markdown headings, not answers.
std::optional<double> hash_answer(std::string_view s, const std::vector<NumberToken>& tokens) {
  std::optional<double> result;
  for (size_t p = s.find("####"); p != npos; p = s.find("####", p + 4)) {
    size_t q = p + 4;
    while (at(s, q) == '#') ++q;
    while (at(s, q) == ' ' || at(s, q) == '\t' || at(s, q) == '*') ++q;
    size_t digit = q;
    while (at(s, digit) == '-' || at(s, digit) == '$') ++digit;
    const NumberToken* t = first_token_in(tokens, digit, digit + 1);
    if (!t) continue;
    size_t r = t->end;
    bool numbered_heading = (at(s, r) == '.' || at(s, r) == ')') && at(s, r + 1) == ' ' &&
                            is_alpha(at(s, r + 2));
    if (!numbered_heading) result = t->value;
  }
  return result;
}

std::optional<double> number_answer(std::string_view text) {
  std::string s = plain_math_text(text);
  std::string lower = answer_detail::ascii_lower(s);
  std::vector<NumberToken> tokens = scan_numbers(s);
  if (tokens.empty()) return std::nullopt;
  if (auto hashed = hash_answer(s, tokens)) return hashed;

  std::optional<Found> statement;
  for (size_t p = lower.find("answer"); p != npos; p = lower.find("answer", p + 6)) {
    if (p > 0 && is_alpha(lower[p - 1])) continue;
    if (is_alpha(at(lower, p + 6))) continue;  // "answers", "answered"
    size_t q = after_answer_connector(lower, p + 6);
    if (q == npos) continue;
    if (const NumberToken* t = statement_number(s, tokens, q)) statement = Found{p, t->value};
  }
  for (size_t p = s.find("\\boxed"); p != npos; p = s.find("\\boxed", p + 6)) {
    std::string_view content;
    size_t next = 0;
    if (!brace_group(s, p + 6, content, next)) continue;
    size_t from = p + 7;
    size_t eq = content.rfind('=');
    if (eq != npos) from += eq + 1;
    const NumberToken* t = first_token_in(tokens, from, next - 1);
    if (t && (!statement || p >= statement->position)) statement = Found{p, t->value};
  }
  if (statement) return statement->value;
  return tokens.back().value;
}

}  // namespace

std::string canonical_number(double value) {
  if (value == 0 || !std::isfinite(value)) return value == 0 ? "0" : "nan";
  if (value == std::trunc(value) && std::fabs(value) < 1e18)
    return std::to_string(static_cast<int64_t>(value));
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, result.ptr);
}

std::optional<std::string> extract_number(std::string_view model_output) {
  std::string_view answer_part = answer_detail::after_think(model_output);
  std::optional<double> value = number_answer(answer_part);
  if (!value && answer_part.size() != model_output.size()) value = number_answer(model_output);
  if (!value) return std::nullopt;
  return canonical_number(*value);
}

}  // namespace loco
