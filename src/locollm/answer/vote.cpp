// The vote tally and the free-text chooser.
#include "loco/vote.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

namespace loco {

void VoteTally::add(const std::optional<std::string>& key, double weight) {
  ++samples_;
  total_weight_ += weight;
  if (!key) return;
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.key == *key; });
  if (it == entries_.end()) {
    entries_.push_back(Entry{*key, 0, 0});
    it = entries_.end() - 1;
  }
  it->count += weight;
  it->reached_at = samples_;
}

double VoteTally::count(const std::string& key) const {
  for (const Entry& e : entries_)
    if (e.key == key) return e.count;
  return 0;
}

const VoteTally::Entry* VoteTally::leading_entry() const {
  const Entry* best = nullptr;
  for (const Entry& e : entries_)
    if (!best || e.count > best->count || (e.count == best->count && e.reached_at < best->reached_at))
      best = &e;
  return best;
}

std::optional<std::string> VoteTally::leader() const {
  const Entry* e = leading_entry();
  if (!e) return std::nullopt;
  return e->key;
}

double VoteTally::leader_count() const {
  const Entry* e = leading_entry();
  return e ? e->count : 0;
}

double VoteTally::runner_up_count() const {
  const Entry* lead = leading_entry();
  double best = 0;
  for (const Entry& e : entries_)
    if (&e != lead) best = std::max(best, e.count);
  return best;
}

namespace {
std::string weight_text(double w) {
  if (w == std::floor(w) && std::fabs(w) < 1e15) return std::to_string(static_cast<long long>(w));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", w);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}
}  // namespace

std::string VoteTally::agreement() const {
  return weight_text(leader_count()) + "/" + weight_text(total_weight_);
}

double VoteTally::agreement_ratio() const {
  return total_weight_ > 0 ? leader_count() / total_weight_ : 0;
}

std::vector<std::pair<std::string, double>> VoteTally::ranking() const {
  std::vector<const Entry*> order;
  for (const Entry& e : entries_) order.push_back(&e);
  std::stable_sort(order.begin(), order.end(), [](const Entry* a, const Entry* b) {
    return a->count > b->count || (a->count == b->count && a->reached_at < b->reached_at);
  });
  std::vector<std::pair<std::string, double>> out;
  for (const Entry* e : order) out.emplace_back(e->key, e->count);
  return out;
}

// Why "leader > runner-up + remaining * max_weight" is the exact stopping rule.
//
// Let L be the leader's count, S the largest other count, r the samples still to come,
// each adding at most w to one key.
// Sufficient: counts only grow, so at the end the leader has at least L, while any other
// key that exists has at most S + r*w and a key not yet seen at most r*w <= S + r*w. If
// L > S + r*w, the leader ends strictly ahead of every key: it wins, and no tie-break is
// ever needed.
// Necessary (for samples of weight exactly w): if L <= S + r*w, let all r samples vote
// for the runner-up (or, when there is none, S = 0, for one new key). It ends with
// S + r*w >= L, while the leader stays at L: the leader is tied or overtaken.
// Ties are treated as "not decided" even though the tie-break (first to reach the count)
// would favour the current leader: stopping is then never a bet on the tie-break.
// tests/vote_test.cpp checks both directions over every sample sequence of small N.
bool VoteTally::decided(int remaining, double max_weight) const {
  if (remaining <= 0) return true;
  return leader_count() > runner_up_count() + remaining * max_weight;
}

namespace {

// Words: maximal runs of ASCII letters and digits and non-ASCII bytes (so "café" is one
// word), lower-cased.
std::set<std::string> word_set(const std::string& text) {
  std::set<std::string> words;
  std::string word;
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    bool word_char = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
    if (word_char) {
      word += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : ch;
    } else if (!word.empty()) {
      words.insert(word);
      word.clear();
    }
  }
  if (!word.empty()) words.insert(word);
  return words;
}

double jaccard(const std::set<std::string>& a, const std::set<std::string>& b) {
  if (a.empty() && b.empty()) return 1.0;
  size_t common = 0;
  for (const std::string& w : a) common += b.count(w);
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

}  // namespace

double text_similarity(const std::string& a, const std::string& b) {
  return jaccard(word_set(a), word_set(b));
}

FreeTextChoice choose_free_text(const std::vector<std::optional<std::string>>& candidates,
                                double threshold) {
  FreeTextChoice choice;
  choice.samples = static_cast<int>(candidates.size());
  std::vector<size_t> answered;
  std::vector<std::set<std::string>> words;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (!candidates[i]) continue;
    answered.push_back(i);
    words.push_back(word_set(*candidates[i]));
  }
  const size_t n = answered.size();
  std::vector<std::vector<double>> sim(n, std::vector<double>(n, 1.0));
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j) sim[i][j] = sim[j][i] = jaccard(words[i], words[j]);
  double best_mean = -1;
  size_t best = 0;
  for (size_t i = 0; i < n; ++i) {
    // Summed in sorted order, so candidates with the same similarities have exactly the
    // same mean and the tie goes to the earliest, as documented.
    std::vector<double> row;
    for (size_t j = 0; j < n; ++j)
      if (j != i) row.push_back(sim[i][j]);
    std::sort(row.begin(), row.end());
    double sum = 0;
    for (double v : row) sum += v;
    double mean = n > 1 ? sum / static_cast<double>(n - 1) : 1.0;
    if (mean > best_mean) {
      best_mean = mean;
      best = i;
    }
  }
  if (n > 0) {
    choice.index = answered[best];
    choice.mean_similarity = best_mean;
    for (size_t j = 0; j < n; ++j) choice.support += sim[best][j] >= threshold ? 1 : 0;
  }
  choice.agreement = std::to_string(choice.support) + "/" + std::to_string(choice.samples);
  return choice;
}

}  // namespace loco
