// Contamination check: which evaluation questions also appear in training data, so that a
// score is not a memory test. Exact (normalised) copies, and near copies: most of the
// question's word 13-grams shared with one training text, the test the GPT-3 and Llama 2
// contamination studies used. Fast enough to run on every adapter's training set before
// its evaluation is trusted.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace loco::eval {

// ASCII lower case; every run of characters that are not ASCII letters or digits
// (non-ASCII bytes count as letters) becomes one space; trimmed.
std::string normalize_for_overlap(std::string_view text);

struct OverlapMatch {
  size_t eval_index = 0;     // which eval question
  size_t train_index = 0;    // the training text with the largest overlap (the lowest index on a tie)
  bool exact = false;        // normalised texts equal, or the normalised question occurs whole in the training text
  double ngram_overlap = 0;  // fraction of the question's word n-grams found in that training text (1 when exact)
};

struct OverlapOptions {
  int n = 13;
  double threshold = 0.8;
};

// Every contaminated question, in eval order: exact (as above; whole words only, so "cat"
// is not in "concatenate") or ngram_overlap >= threshold. A question of fewer than n
// words is only matched exactly; one that normalises to nothing is never matched. Throws
// loco::Error when n < 1.
std::vector<OverlapMatch> find_overlap(const std::vector<std::string>& eval_questions,
                                       const std::vector<std::string>& training_texts,
                                       const OverlapOptions& options = {});

}  // namespace loco::eval
