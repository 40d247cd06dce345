// Self-consistency voting: count the answer keys of N samples (answer.h), pick the most
// common one, and know when to stop sampling early. Free text and code, where equal
// answers are rarely equal strings, get their own choosers. docs/voting.md has the rules.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "loco/sandbox.h"

namespace loco {

// Votes per answer key. A sample without an answer (nullopt) counts as a sample but votes
// for nothing.
//
// Leader: the key with the most weight; among equal weights, the key that reached that
// weight first (so the order of samples, not the spelling of keys, breaks ties, and a
// tally never changes its leader without a new vote for another key).
class VoteTally {
 public:
  void add(const std::optional<std::string>& key, double weight = 1.0);

  int samples() const { return samples_; }
  double total_weight() const { return total_weight_; }
  double count(const std::string& key) const;
  std::optional<std::string> leader() const;
  double leader_count() const;
  // The largest count of any key other than the leader (0 when there is none).
  double runner_up_count() const;
  // Leader weight over total weight: "4/5" (weights are printed with up to 3 decimals
  // when they are not whole). "0/3" when no sample had an answer.
  std::string agreement() const;
  double agreement_ratio() const;
  // All keys, most votes first, ties in the order they reached their count.
  std::vector<std::pair<std::string, double>> ranking() const;

  // True when `remaining` more samples, each of weight at most `max_weight`, cannot
  // overtake or tie the leader, so sampling can stop: leader > runner-up + remaining *
  // max_weight. With no samples remaining the vote is over and this is always true.
  bool decided(int remaining, double max_weight = 1.0) const;

 private:
  struct Entry {
    std::string key;
    double count = 0;
    long reached_at = 0;  // sample index at which `count` was reached
  };
  const Entry* leading_entry() const;
  std::vector<Entry> entries_;  // in order of first appearance
  int samples_ = 0;
  double total_weight_ = 0;
};

// Free text: similarity of two answers, the Jaccard index of their word sets (words are
// maximal runs of ASCII letters, digits and non-ASCII bytes, lower-cased; punctuation
// and spacing do not count). Two texts without words are identical (1.0).
double text_similarity(const std::string& a, const std::string& b);

struct FreeTextChoice {
  std::optional<size_t> index;  // the chosen candidate, nullopt when none had an answer
  double mean_similarity = 0;   // its mean similarity to the other answers (1 if alone)
  int support = 0;              // answers (itself included) at least `threshold` similar
  int samples = 0;              // all candidates, answered or not
  std::string agreement;        // "support/samples", e.g. "3/5"
};

// The candidate with the highest mean similarity to the others (the medoid); ties go to
// the earliest. nullopt entries are samples without an answer.
FreeTextChoice choose_free_text(const std::vector<std::optional<std::string>>& candidates,
                                double threshold = 0.5);

// Code: how candidates are run and judged.
struct CodeTask {
  // Python run before the candidate: for HumanEval the task's prompt, so a candidate that
  // repeats the whole function and one that completes only the body both work, and the
  // prompt's imports are there.
  std::string prelude;
  // Test code run after the candidate, e.g. HumanEval's `test` (it defines check()).
  std::string test_code;
  // The function or class the candidate must define. With test_code, the program ends
  // with check(entry_point); without, with a check that entry_point exists and is callable
  // (the locollm-v1 code set has no tests, only the function name in the question).
  std::string entry_point;
  SandboxLimits limits;
};

struct CodeCandidateResult {
  bool has_code = false;
  // The harness reached its end: the candidate, the tests and the check all ran, and the
  // program printed this run's secret token afterwards. A candidate that ends the program
  // early (sys.exit(0), os._exit(0), unittest.main(), killing itself) never completes.
  bool completed = false;
  bool passed = false;     // completed and exited with status 0 in time
  bool tests_ran = false;  // passed, and the task had tests (else only the entry point was checked)
  // Candidates with the same syntax key vote together: a hash of the candidate's syntax
  // tree with docstrings removed (so formatting and comments do not split votes). Taken
  // before the candidate runs; nullopt when it does not parse. It says nothing about what
  // the code does: two different programs that pass the same tests get different keys.
  std::optional<std::string> syntax_key;
  SandboxResult run;
};

// Runs one candidate (nullopt: no code was extracted, nothing is run).
CodeCandidateResult evaluate_code(const std::optional<std::string>& code, const CodeTask& task);

struct CodeVote {
  std::optional<size_t> chosen;  // first candidate of the winning group; nullopt if none passed
  int passing = 0;               // candidates that passed (see CodeCandidateResult)
  int samples = 0;
  std::string agreement;         // winning group size / samples, e.g. "3/5"; "0/5" if none
  std::vector<CodeCandidateResult> results;  // per candidate, in order
};

// Evaluates every candidate (identical code is run once) and votes among those that pass.
CodeVote vote_code(const std::vector<std::optional<std::string>>& candidates, const CodeTask& task);

}  // namespace loco
