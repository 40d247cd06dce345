// What an evaluation produced, as written to results.json and items.jsonl (the schema is
// in docs/eval.md): the settings and hashes that make it repeatable, one summary per
// condition with its intervals, paired comparisons, and for a grid the out-of-domain
// check and the verdict.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "loco/eval/eval_set.h"
#include "loco/eval/scoring.h"
#include "loco/eval/statistics.h"

namespace loco::eval {

inline constexpr const char* kResultsSchema = "loco-eval/1";

// How one condition answers: who (base, a named adapter, or the router), RE2, votes.
struct Condition {
  std::string mode = "base";  // "base", "adapter" or "routed"
  std::string adapter;        // the adapter (mode "adapter")
  bool reread = true;
  int votes = 1;
  std::string context;        // the label of a context pack every question comes with ("": none)
  std::string name() const;   // e.g. "adapter math · RE2 on · 5 votes · context rubric.md"
};

// One item under one condition (a line of items.jsonl).
struct ItemRecord {
  std::string condition;
  std::string set;
  std::string id;                  // for a private set: the sha256 of the id
  std::string question;            // empty for a private set
  std::string answered_by;         // adapter name, "" for the base model
  std::vector<std::string> outputs;  // empty for a private set
  ItemScore score;
  int32_t prompt_tokens = 0;
  int64_t generated_tokens = 0;
};

struct ConditionSummary {
  std::string name;
  Condition condition;
  std::string set;         // the set's name
  std::string set_sha256;
  std::string adapter_sha256;
  int64_t n = 0, correct = 0;
  double accuracy = 0, std_error = 0;
  Interval ci95;           // Wilson
  int samples_per_item = 1;
  std::optional<int64_t> strict_correct;  // numeric sets
  std::optional<double> strict_accuracy;
  std::optional<Interval> strict_ci95;
  std::optional<double> f1, rouge_l;      // free-text sets: means with bootstrap intervals
  std::optional<Interval> f1_ci95, rouge_l_ci95;
  std::map<int, double> pass_at_k;        // code sets
  int64_t items_without_answer = 0;
  // Throughput of the items generated in this run (cached items excluded).
  double seconds = 0;
  int64_t generated_items = 0, cached_items = 0, generated_tokens = 0;
  double items_per_minute = 0, tokens_per_second = 0;
};

struct Comparison {
  std::string a, b;  // condition names; difference = b - a
  std::string set;
  PairedDifference paired;
  std::string verdict;  // "no measurable difference", "B better", "B worse"
};

struct OutOfDomainCheck {
  std::string set;
  double base_accuracy = 0, adapter_accuracy = 0;
  Comparison comparison;  // base → adapter on that set
  bool passed = true;     // the adapter loses at most 5 points
};

struct Verdict {
  std::string band;       // "ship" (>= 15 points), "iterate" (5-15), "rethink" (< 5)
  double points = 0;      // adapter minus base, in percentage points
  bool measurable = false;
  std::string explanation;
};

struct Results {
  std::string schema = kResultsSchema;
  std::string kind = "run";  // "run", "grid" or "score"
  std::string loco_version, created_utc, cpu;
  int threads = 0;
  std::string model_path, model_sha256;
  std::string set_name, set_path, set_sha256, set_type;
  bool set_private = false;
  int64_t set_items = 0;
  std::vector<std::pair<std::string, std::string>> settings;  // name → value, as given
  std::vector<ConditionSummary> conditions;
  std::vector<Comparison> comparisons;
  std::vector<OutOfDomainCheck> out_of_domain;
  std::optional<Verdict> verdict;
};

// Statistics of one condition's items (their scores), with seeded bootstrap intervals.
ConditionSummary summarize(const std::vector<ItemRecord>& items, EvalType type, uint64_t seed);

// A paired comparison of two conditions over the items both answered (matched by id).
Comparison compare_conditions(const std::string& a_name, const std::vector<ItemRecord>& a,
                              const std::string& b_name, const std::vector<ItemRecord>& b);

std::string results_to_json(const Results& results);
Results results_from_json(const std::string& text, const std::string& path);
std::string item_to_json(const ItemRecord& item);  // one line
std::string comparison_to_json(const Comparison& comparison);  // one line, as in results.json
ItemRecord item_from_json(const std::string& line, const std::string& where);

// Reads DIR/results.json and DIR/items.jsonl (items may be absent for a score run).
Results load_results(const std::string& dir);
std::vector<ItemRecord> load_items(const std::string& dir);

// The id recorded for a private set's item.
std::string private_id(const std::string& id);

}  // namespace loco::eval
