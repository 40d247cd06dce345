// Text to sparse feature vectors for the classifier router: lowercase word tokens (plus
// adjacent-token bigrams) weighted by TF-IDF and scaled to unit length.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace loco::router {

// A sparse vector: indices in increasing order, one value each.
struct SparseVector {
  std::vector<uint32_t> index;
  std::vector<float> value;
};

// Splits text into tokens: runs of ASCII letters, digits, '_' and non-ASCII bytes (so a
// UTF-8 word stays whole) lowercased; a run of digits becomes "<num>" because which
// number a query holds says nothing about its topic; every other visible ASCII character
// (+ = % $ ( ...) is a token of its own.
std::vector<std::string> word_tokens(std::string_view text);

// The terms counted for a text: its tokens and, with bigrams, "a b" for adjacent tokens.
std::vector<std::string> text_terms(std::string_view text, bool bigrams);

// TF-IDF as scikit-learn's TfidfVectorizer(smooth_idf=True, norm="l2") computes it:
// tf = count of the term in the text, idf = ln((1 + n_docs) / (1 + df)) + 1, and the
// vector tf * idf divided by its Euclidean length. Terms not seen in training are ignored.
class TfidfVectorizer {
 public:
  TfidfVectorizer() = default;
  // Builds the vocabulary (sorted, so the result does not depend on hash order) from the
  // terms that occur in at least min_df documents.
  static TfidfVectorizer fit(const std::vector<std::string>& documents, bool bigrams,
                             int min_df = 1);
  // From saved parts; the vocabulary must be unique and as long as idf.
  static TfidfVectorizer from_parts(std::vector<std::string> vocabulary, std::vector<double> idf,
                                    bool bigrams);

  SparseVector transform(std::string_view text) const;

  bool bigrams() const { return bigrams_; }
  size_t size() const { return vocabulary_.size(); }
  const std::vector<std::string>& vocabulary() const { return vocabulary_; }
  const std::vector<double>& idf() const { return idf_; }
  // Index of a term, or -1.
  int64_t find(const std::string& term) const;

 private:
  void build_index();

  bool bigrams_ = true;
  std::vector<std::string> vocabulary_;
  std::vector<double> idf_;
  std::unordered_map<std::string, uint32_t> index_;
};

}  // namespace loco::router
