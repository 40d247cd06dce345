// Labelled queries for training and judging routers: the dataset built from the shared
// LocoLLM data, its deterministic split, JSONL files, and the evaluation measures.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "loco/router.h"

namespace loco {

struct LabelledQuery {
  std::string text;
  std::string label;   // an adapter name, or "none"
  std::string source;  // where it came from, e.g. "gsm8k/train.jsonl"
  std::string group;   // split key: queries of one group land in the same split ("" = text)
};

struct RouterDataOptions {
  std::string data_dir = "../shared/datasets";             // locollm-v1/, gsm8k/, humaneval/
  std::string none_file = "data/router/none_queries.txt";  // general queries, one a line
  // Naturally phrased labelled queries of every class (JSONL, as read_labelled_jsonl),
  // written for the router; empty: none. data/router/natural_heldout.jsonl, written
  // separately, is never trained on.
  std::string natural_file = "data/router/natural_train.jsonl";
  int max_gsm8k = 400;  // GSM8K questions kept (a deterministic sample of train + test)
  std::vector<std::string> extra_files;  // more labelled queries (JSONL, as read_labelled_jsonl)
};

// math:     locollm-v1/math.jsonl questions + a sample of GSM8K questions
// code:     locollm-v1/code.jsonl questions + HumanEval prompts, verbatim (signature and
//           docstring: what a code-completion query looks like)
// analysis: locollm-v1/analysis.jsonl questions (passage + question)
// none:     the lines of none_file that are neither empty nor '#' comments
// and the queries of natural_file (every class, in the words students use),
// and then the queries of each extra file, split like the others.
// Throws Error naming the file and line for a missing file or a malformed record.
std::vector<LabelledQuery> build_router_dataset(const RouterDataOptions& options);

enum class RouterSplit { Train, Calibration, HeldOut };

// By a 64-bit FNV-1a hash of the group (or the text): 20 % held out, 15 % for calibration,
// the rest for training. Independent of order, platform and the other queries.
RouterSplit router_split_of(const LabelledQuery& query);

struct RouterSplits {
  std::vector<LabelledQuery> train, calibration, held_out;
};
RouterSplits split_router_dataset(const std::vector<LabelledQuery>& queries);

// JSONL with one {"query": ..., "label": ...} object a line ("source" optional).
std::vector<LabelledQuery> read_labelled_jsonl(const std::string& path);
void write_labelled_jsonl(const std::string& path, const std::vector<LabelledQuery>& queries);

struct ClassMetrics {
  std::string label;
  double precision = 0;  // of the queries routed here, the share that belong here (0 if none)
  double recall = 0;     // of the queries that belong here, the share routed here
  int64_t support = 0;   // queries that belong here
};

struct RouterEvaluation {
  int64_t n = 0;
  int64_t correct = 0;
  double accuracy = 0;
  double macro_recall = 0;                      // mean recall over the labels that occur
  std::vector<std::string> labels;              // rows and columns of the confusion matrix
  std::vector<std::vector<int64_t>> confusion;  // [true label][decision]
  std::vector<ClassMetrics> per_class;          // in labels order
  std::vector<std::pair<LabelledQuery, RouteDecision>> mistakes;
};

// Routes every query; "none" labels compare with base-model decisions. Labels are ordered
// as `label_order` first (those that occur), then any others alphabetically, "none" last.
RouterEvaluation evaluate_router(const Router& router, const std::vector<LabelledQuery>& queries,
                                 const std::vector<std::string>& label_order = {});
// The same from decisions made elsewhere (decisions[i] is the decision for queries[i]).
RouterEvaluation evaluate_decisions(const std::vector<LabelledQuery>& queries,
                                    std::vector<RouteDecision> decisions,
                                    const std::vector<std::string>& label_order = {});

}  // namespace loco
