// BM25 (Robertson and Zaragoza's Okapi weighting) for ranking context sections against
// the question: k1 = 1.2, b = 0.75, idf = ln(1 + (N - n + 0.5) / (n + 0.5)), each distinct
// query term counted once.
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>

#include "loco/context.h"

namespace loco {

namespace {

constexpr double kK1 = 1.2;
constexpr double kB = 0.75;

// Words that say little about which section is relevant; BM25's idf would discount them
// too, but a handful of sections gives too little evidence to rely on that.
constexpr std::array<std::string_view, 40> kStopWords = {
    "a",    "an",   "the",  "and",  "or",  "of",    "to",   "in",   "on",    "at",
    "for",  "is",   "are",  "was",  "were", "be",   "it",   "its",  "this",  "that",
    "with", "as",   "by",   "what", "how", "which", "who",  "do",   "does",  "i",
    "my",   "me",   "you",  "your", "can", "from",  "about", "there", "their", "will"};

bool is_word_byte(unsigned char c) { return std::isalnum(c) != 0 || c >= 0x80; }

}  // namespace

std::vector<std::string> bm25_terms(std::string_view text) {
  std::vector<std::string> terms;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !is_word_byte(static_cast<unsigned char>(text[i]))) ++i;
    size_t j = i;
    while (j < text.size() && is_word_byte(static_cast<unsigned char>(text[j]))) ++j;
    if (j > i) {
      std::string term(text.substr(i, j - i));
      for (char& c : term) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (std::find(kStopWords.begin(), kStopWords.end(), term) == kStopWords.end()) terms.push_back(std::move(term));
    }
    i = j;
  }
  return terms;
}

std::vector<double> bm25_scores(const std::string& query, const std::vector<std::string>& documents) {
  std::vector<double> scores(documents.size(), 0.0);
  if (documents.empty()) return scores;
  std::vector<std::string> q = bm25_terms(query);
  std::sort(q.begin(), q.end());
  q.erase(std::unique(q.begin(), q.end()), q.end());
  if (q.empty()) return scores;

  std::vector<std::map<std::string, int>> tf(documents.size());
  std::vector<double> length(documents.size(), 0.0);
  std::map<std::string, int> containing;  // documents holding each query term
  double total_length = 0;
  for (size_t d = 0; d < documents.size(); ++d) {
    const std::vector<std::string> terms = bm25_terms(documents[d]);
    length[d] = static_cast<double>(terms.size());
    total_length += length[d];
    for (const std::string& t : terms) {
      if (std::binary_search(q.begin(), q.end(), t)) ++tf[d][t];
    }
    for (const auto& [term, count] : tf[d]) ++containing[term];
  }
  const double n_docs = static_cast<double>(documents.size());
  const double average = total_length / n_docs;
  for (size_t d = 0; d < documents.size(); ++d) {
    double s = 0;
    for (const auto& [term, count] : tf[d]) {
      const double n = containing[term];
      const double idf = std::log(1.0 + (n_docs - n + 0.5) / (n + 0.5));
      const double f = count;
      const double norm = average > 0 ? length[d] / average : 0.0;
      s += idf * f * (kK1 + 1) / (f + kK1 * (1 - kB + kB * norm));
    }
    scores[d] = s;
  }
  return scores;
}

}  // namespace loco
