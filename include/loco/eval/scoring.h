// Scoring one item's outputs: the same extraction `loco query` uses, compared with the
// reference; several outputs of one item are several samples (majority for answers that
// can be counted, the medoid for free text, pass@k and a syntax-key vote for code).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "loco/eval/eval_set.h"

namespace loco::eval {

struct ScoreOptions {
  double code_seconds = 10;  // wall-time limit of one program
};

struct SampleScore {
  std::optional<std::string> extracted;  // the answer key (code: the program's code)
  bool correct = false;
  // Numeric: the lm-evaluation-harness "strict" reading (the number after "####" only).
  std::optional<std::string> strict_extracted;
  bool strict_correct = false;
  // Free text: against the reference.
  double f1 = 0, rouge_l = 0;
  // Code.
  bool has_code = false, tests_ran = false, timed_out = false;
  std::optional<std::string> syntax_key;
  std::string failure;  // why it failed, one line (code only)
};

struct ItemScore {
  std::vector<SampleScore> samples;
  std::optional<size_t> chosen;       // the sample the vote picked (the only one, with one)
  std::optional<std::string> answer;  // its extracted answer
  bool correct = false;               // the chosen sample is correct (maj@k with k samples)
  bool strict_correct = false;        // numeric: the strict majority equals the reference
  double f1 = 0, rouge_l = 0;         // free text: of the chosen sample
  int passing = 0;                    // code: samples whose tests passed (c of pass@k)
  std::string agreement;              // e.g. "3/5"
};

// Throws Error when `outputs` is empty.
ItemScore score_item(const EvalItem& item, const std::vector<std::string>& outputs, const ScoreOptions& options = {});

// The code of an output as the evaluation runs it: the first fenced code block (after any
// "</think>"), else the whole output.
std::string evaluation_code(const std::string& output);

// The number after the last "####", canonical; nullopt when there is none.
std::optional<std::string> strict_number(const std::string& output);

// Two canonical numbers denote the same value (relative tolerance 1e-9).
bool same_number(const std::string& a, const std::string& b);

}  // namespace loco::eval
