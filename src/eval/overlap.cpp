#include "loco/eval/overlap.h"

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <unordered_set>

#include "loco/error.h"

namespace loco::eval {
namespace {

// " text ": only whole words then match inside another padded text. (Built by appending:
// GCC 12 misreports " " + s + " " at -O3 as an overlapping memcpy.)
std::string padded(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back(' ');
  out.append(text);
  out.push_back(' ');
  return out;
}

std::vector<std::string_view> split_words(std::string_view normalised) {
  std::vector<std::string_view> words;
  size_t start = 0;
  while (start < normalised.size()) {
    size_t end = normalised.find(' ', start);
    if (end == std::string_view::npos) end = normalised.size();
    words.push_back(normalised.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

// FNV-1a, then the splitmix64 finaliser: FNV alone leaves the low bits of short words
// poorly mixed, and the sequence hash below multiplies by an odd constant modulo 2^64,
// which keeps whatever weakness its inputs have.
uint64_t word_hash(std::string_view word) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : word) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

std::vector<uint64_t> word_hashes(const std::vector<std::string_view>& words) {
  std::vector<uint64_t> out(words.size());
  for (size_t i = 0; i < words.size(); ++i) out[i] = word_hash(words[i]);
  return out;
}

// A run of words hashes to the polynomial Σ w_i·B^(k−1−i) (mod 2^64), so the hash of the
// next window follows from the last in O(1) and a k-gram costs the same for any k. With
// 64 bits, a false match among a few million n-grams has odds near one in a million, and
// it can only add one n-gram to one count; exact matches are confirmed on the text.
constexpr uint64_t kBase = 0x9e3779b97f4a7c15ull;

uint64_t sequence_hash(const uint64_t* words, size_t k) {
  uint64_t h = 0;
  for (size_t i = 0; i < k; ++i) h = h * kBase + words[i];
  return h;
}

std::vector<uint64_t> window_hashes(const std::vector<uint64_t>& words, size_t n) {
  std::vector<uint64_t> out;
  if (words.size() < n) return out;
  out.reserve(words.size() - n + 1);
  uint64_t top = 1;  // B^(n−1): the weight of the word leaving the window
  for (size_t i = 1; i < n; ++i) top *= kBase;
  uint64_t h = sequence_hash(words.data(), n);
  out.push_back(h);
  for (size_t i = n; i < words.size(); ++i) {
    h = (h - words[i - n] * top) * kBase + words[i];
    out.push_back(h);
  }
  return out;
}

struct Question {
  std::string padded;  // " normalised text ", so a search for it matches whole words only
  std::vector<std::string_view> words;
  std::vector<uint64_t> hashes;
  size_t exact_train = SIZE_MAX;  // the first training text holding it whole (short questions)
};

}  // namespace

std::string normalize_for_overlap(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool gap = false;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
    if (!letter) {
      gap = !out.empty();
      continue;
    }
    if (gap) out += ' ';
    gap = false;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : ch;
  }
  return out;
}

std::vector<OverlapMatch> find_overlap(const std::vector<std::string>& eval_questions,
                                       const std::vector<std::string>& training_texts, const OverlapOptions& options) {
  if (options.n < 1) throw Error("overlap: the n-gram length must be at least 1, not " + std::to_string(options.n));
  const size_t n = static_cast<size_t>(options.n);

  std::vector<Question> questions(eval_questions.size());
  // Only n-grams that some question has are indexed: the map stays the size of the eval
  // set, not of the training data, and a training n-gram costs one failed lookup.
  std::unordered_map<uint64_t, std::vector<size_t>> index;  // n-gram → training texts holding it, each once
  // Short questions are found by their whole-question hash, per length; the first-word
  // filter skips most training positions with a single set lookup.
  std::vector<std::unordered_map<uint64_t, std::vector<size_t>>> short_by_length(n);
  std::unordered_set<uint64_t> short_first_words;
  size_t longest_short = 0;
  for (size_t e = 0; e < eval_questions.size(); ++e) {
    Question& q = questions[e];
    q.padded = padded(normalize_for_overlap(eval_questions[e]));
    // The views point into q.padded, which does not move again (the vector is sized).
    q.words = split_words(std::string_view(q.padded).substr(1, q.padded.size() - 2));
    q.hashes = word_hashes(q.words);
    if (q.words.empty()) continue;
    if (q.words.size() < n) {
      short_by_length[q.words.size()][sequence_hash(q.hashes.data(), q.hashes.size())].push_back(e);
      short_first_words.insert(q.hashes[0]);
      longest_short = std::max(longest_short, q.words.size());
    } else {
      for (uint64_t h : window_hashes(q.hashes, n)) index.try_emplace(h);
    }
  }

  std::vector<std::string> train_padded(training_texts.size());
  for (size_t t = 0; t < training_texts.size(); ++t) {
    train_padded[t] = padded(normalize_for_overlap(training_texts[t]));
    const std::string_view text = std::string_view(train_padded[t]).substr(1, train_padded[t].size() - 2);
    const std::vector<std::string_view> words = split_words(text);
    const std::vector<uint64_t> hashes = word_hashes(words);
    if (!index.empty()) {
      for (uint64_t h : window_hashes(hashes, n)) {
        const auto it = index.find(h);
        // Texts are visited in order, so a repeat of this text can only be at the back.
        if (it != index.end() && (it->second.empty() || it->second.back() != t)) it->second.push_back(t);
      }
    }
    if (short_first_words.empty()) continue;
    for (size_t at = 0; at < hashes.size(); ++at) {
      if (!short_first_words.contains(hashes[at])) continue;
      uint64_t h = 0;
      for (size_t k = 1; k <= longest_short && at + k <= hashes.size(); ++k) {
        h = h * kBase + hashes[at + k - 1];
        const auto it = short_by_length[k].find(h);
        if (it == short_by_length[k].end()) continue;
        for (size_t e : it->second) {
          Question& q = questions[e];
          if (q.exact_train == SIZE_MAX && std::equal(q.words.begin(), q.words.end(), words.begin() + at)) {
            q.exact_train = t;
          }
        }
      }
    }
  }

  std::vector<OverlapMatch> matches;
  std::vector<size_t> shared(training_texts.size(), 0);  // per training text, reset after each question
  std::vector<size_t> touched;
  for (size_t e = 0; e < questions.size(); ++e) {
    const Question& q = questions[e];
    if (q.words.empty()) continue;
    if (q.words.size() < n) {
      if (q.exact_train != SIZE_MAX) matches.push_back({e, q.exact_train, true, 1.0});
      continue;
    }
    // Counted per position, so a question of W words has W − n + 1 n-grams even when one repeats.
    const std::vector<uint64_t> grams = window_hashes(q.hashes, n);
    touched.clear();
    for (uint64_t h : grams) {
      for (size_t t : index.at(h)) {
        if (shared[t]++ == 0) touched.push_back(t);
      }
    }
    std::sort(touched.begin(), touched.end());
    size_t best = SIZE_MAX, exact = SIZE_MAX;
    for (size_t t : touched) {
      if (best == SIZE_MAX || shared[t] > shared[best]) best = t;
      // Every n-gram present is necessary for a whole copy, not sufficient: confirm on the text.
      if (exact == SIZE_MAX && shared[t] == grams.size() && train_padded[t].find(q.padded) != std::string::npos) {
        exact = t;
      }
    }
    if (exact != SIZE_MAX) {
      matches.push_back({e, exact, true, 1.0});
    } else if (best != SIZE_MAX) {
      const double fraction = static_cast<double>(shared[best]) / static_cast<double>(grams.size());
      if (fraction >= options.threshold) matches.push_back({e, best, false, fraction});
    }
    for (size_t t : touched) shared[t] = 0;
  }
  return matches;
}

}  // namespace loco::eval
