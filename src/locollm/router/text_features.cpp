#include "locollm/router/text_features.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "loco/error.h"

namespace loco::router {
namespace {

bool is_word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c >= 0x80;
}

char lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::vector<std::string> word_tokens(std::string_view text) {
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (is_word_byte(c)) {
      size_t j = i;
      bool all_digits = true;
      std::string word;
      while (j < text.size() && is_word_byte(static_cast<unsigned char>(text[j]))) {
        all_digits = all_digits && text[j] >= '0' && text[j] <= '9';
        word.push_back(lower_ascii(text[j]));
        ++j;
      }
      tokens.push_back(all_digits ? std::string("<num>") : std::move(word));
      i = j;
    } else {
      if (c > ' ' && c < 0x7f) tokens.emplace_back(1, static_cast<char>(c));
      ++i;
    }
  }
  return tokens;
}

std::vector<std::string> text_terms(std::string_view text, bool bigrams) {
  std::vector<std::string> tokens = word_tokens(text);
  std::vector<std::string> terms = tokens;
  if (bigrams) {
    for (size_t i = 0; i + 1 < tokens.size(); ++i) terms.push_back(tokens[i] + " " + tokens[i + 1]);
  }
  return terms;
}

TfidfVectorizer TfidfVectorizer::fit(const std::vector<std::string>& documents, bool bigrams,
                                     int min_df) {
  std::map<std::string, int64_t> df;  // ordered: the vocabulary comes out sorted
  for (const std::string& doc : documents) {
    std::vector<std::string> terms = text_terms(doc, bigrams);
    std::sort(terms.begin(), terms.end());
    terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
    for (std::string& t : terms) ++df[std::move(t)];
  }
  TfidfVectorizer v;
  v.bigrams_ = bigrams;
  const double n = static_cast<double>(documents.size());
  for (const auto& [term, count] : df) {
    if (count < min_df) continue;
    v.vocabulary_.push_back(term);
    v.idf_.push_back(std::log((1.0 + n) / (1.0 + static_cast<double>(count))) + 1.0);
  }
  v.build_index();
  return v;
}

TfidfVectorizer TfidfVectorizer::from_parts(std::vector<std::string> vocabulary,
                                            std::vector<double> idf, bool bigrams) {
  if (vocabulary.size() != idf.size()) {
    throw FormatError("vocabulary has " + std::to_string(vocabulary.size()) + " terms but idf " +
                      std::to_string(idf.size()) + " values");
  }
  for (double x : idf) {
    if (!std::isfinite(x) || x <= 0) throw FormatError("idf values must be finite and positive");
  }
  TfidfVectorizer v;
  v.bigrams_ = bigrams;
  v.vocabulary_ = std::move(vocabulary);
  v.idf_ = std::move(idf);
  v.build_index();
  if (v.index_.size() != v.vocabulary_.size()) throw FormatError("vocabulary has repeated terms");
  return v;
}

void TfidfVectorizer::build_index() {
  index_.clear();
  index_.reserve(vocabulary_.size());
  for (size_t i = 0; i < vocabulary_.size(); ++i)
    index_.emplace(vocabulary_[i], static_cast<uint32_t>(i));
}

int64_t TfidfVectorizer::find(const std::string& term) const {
  auto it = index_.find(term);
  return it == index_.end() ? -1 : static_cast<int64_t>(it->second);
}

SparseVector TfidfVectorizer::transform(std::string_view text) const {
  std::map<uint32_t, double> counts;
  for (const std::string& term : text_terms(text, bigrams_)) {
    auto it = index_.find(term);
    if (it != index_.end()) counts[it->second] += 1.0;
  }
  double norm2 = 0;
  for (auto& [i, tf] : counts) {
    tf *= idf_[i];
    norm2 += tf * tf;
  }
  SparseVector out;
  const double inv = norm2 > 0 ? 1.0 / std::sqrt(norm2) : 0.0;
  for (const auto& [i, w] : counts) {
    out.index.push_back(i);
    out.value.push_back(static_cast<float>(w * inv));
  }
  return out;
}

}  // namespace loco::router
