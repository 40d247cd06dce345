#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "loco/error.h"
#include "loco/router.h"

namespace loco {
namespace {

bool is_word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c >= 0x80;
}

bool is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Lowercase ASCII, whitespace runs become one space, no space at either end.
std::string normalise(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : ch);
  }
  return out;
}

// Both arguments already normalised.
bool occurs_normalised(std::string_view text, std::string_view keyword) {
  if (keyword.empty()) return false;
  const bool check_start = is_word_byte(static_cast<unsigned char>(keyword.front()));
  const bool check_end = is_word_byte(static_cast<unsigned char>(keyword.back()));
  for (size_t pos = text.find(keyword); pos != std::string_view::npos;
       pos = text.find(keyword, pos + 1)) {
    const size_t end = pos + keyword.size();
    const bool start_ok =
        !check_start || pos == 0 || !is_word_byte(static_cast<unsigned char>(text[pos - 1]));
    const bool end_ok =
        !check_end || end == text.size() || !is_word_byte(static_cast<unsigned char>(text[end]));
    if (start_ok && end_ok) return true;
  }
  return false;
}

std::string quoted_list(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += ", ";
    out += '"' + words[i] + '"';
  }
  return out;
}

std::string plural(size_t n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

}  // namespace

Router::~Router() = default;

bool keyword_occurs(std::string_view text, std::string_view keyword) {
  return occurs_normalised(normalise(text), normalise(keyword));
}

KeywordRouter::KeywordRouter(AdapterKeywords adapters) : adapters_(std::move(adapters)) {
  std::set<std::string> names;
  for (auto& [name, keywords] : adapters_) {
    if (name.empty()) throw Error("keyword router: an adapter has an empty name");
    if (name == kBaseModelLabel) {
      throw Error("keyword router: \"none\" is reserved for the base model, not an adapter name");
    }
    if (!names.insert(name).second)
      throw Error("keyword router: adapter " + name + " is listed twice");
    for (std::string& k : keywords) {
      k = normalise(k);
      if (k.empty()) throw Error("keyword router: adapter " + name + " has an empty keyword");
    }
  }
}

RouteDecision KeywordRouter::route(std::string_view query) const {
  const std::string text = normalise(query);
  RouteDecision d;
  size_t best = 0, total = 0;
  std::vector<size_t> leaders;
  std::vector<std::vector<std::string>> found(adapters_.size());
  for (size_t a = 0; a < adapters_.size(); ++a) {
    std::set<std::string> seen;  // a keyword listed twice still counts once
    for (const std::string& k : adapters_[a].second) {
      if (occurs_normalised(text, k) && seen.insert(k).second) found[a].push_back(k);
    }
    const size_t n = found[a].size();
    total += n;
    d.scores.push_back({adapters_[a].first, static_cast<double>(n),
                        n == 0 ? "no keyword matched" : "matched " + quoted_list(found[a])});
    if (n > best) {
      best = n;
      leaders = {a};
    } else if (n == best && n > 0) {
      leaders.push_back(a);
    }
  }

  if (best == 0) {
    d.explanation = "no adapter keyword occurs in the query, so the base model answers";
  } else if (leaders.size() > 1) {
    std::vector<std::string> names;
    for (size_t a : leaders) names.push_back(adapters_[a].first);
    d.explanation = fmt::format(
        "tie: {} each matched {}; the keywords do not single out one adapter, so the base "
        "model answers",
        fmt::join(names, ", "), plural(best, "keyword"));
  } else {
    const size_t a = leaders.front();
    d.adapter = adapters_[a].first;
    d.confidence = static_cast<double>(best) / static_cast<double>(total);
    size_t runner_up = 0;
    for (size_t b = 0; b < adapters_.size(); ++b) {
      if (b != a) runner_up = std::max(runner_up, found[b].size());
    }
    d.explanation =
        fmt::format("{} matched {} ({}), more than any other adapter ({} at most)", d.adapter,
                    plural(best, "keyword"), quoted_list(found[a]), runner_up);
  }
  return d;
}

AdapterKeywords locollm_v1_keywords() {
  return {
      {"math",
       {"solve", "calculate", "equation", "math", "sum", "divide", "multiply", "how many",
        "how much", "total", "average"}},
      {"code",
       {"code", "python", "function", "program", "script", "class", "implement", "algorithm",
        "debug", "write a function"}},
      {"analysis",
       {"analyze", "analyse", "explain", "why", "describe", "passage", "reasoning", "evidence",
        "summarize", "summarise", "interpret", "compare"}},
  };
}

}  // namespace loco
