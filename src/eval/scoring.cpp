#include "loco/eval/scoring.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "loco/answer.h"
#include "loco/error.h"
#include "loco/eval/statistics.h"
#include "loco/vote.h"

namespace loco::eval {
namespace {

// Text after the last "</think>" when there is any (a thinking model's final answer).
std::string final_part(const std::string& output) {
  const size_t at = output.rfind("</think>");
  return at == std::string::npos ? output : output.substr(at + 8);
}

bool contains_words(const std::string& haystack, const std::string& needle) {
  // Padded with spaces so that only whole words match ("four" is not in "fourteen").
  std::string h(1, ' '), n(1, ' ');
  h.append(normalize_answer_text(haystack)).push_back(' ');
  n.append(normalize_answer_text(needle)).push_back(' ');
  if (n.size() <= 2) return false;
  return h.find(n) != std::string::npos;
}

std::string first_line(const std::string& text) {
  std::string t = text;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  const size_t nl = t.rfind('\n');
  std::string line = nl == std::string::npos ? t : t.substr(nl + 1);
  if (line.size() > 200) line = line.substr(0, 200) + "...";
  return line;
}

SampleScore score_code(const EvalItem& item, const std::string& output, const ScoreOptions& options) {
  SampleScore s;
  const std::string code = evaluation_code(output);
  s.extracted = code;
  s.has_code = code.find_first_not_of(" \t\r\n") != std::string::npos;
  if (!s.has_code) {
    s.failure = "no code in the output";
    return s;
  }
  CodeTask task;
  task.prelude = item.code_prompt;
  task.test_code = item.code_test;
  task.entry_point = item.entry_point;
  task.limits.wall_seconds = options.code_seconds;
  task.limits.cpu_seconds = std::max(1, static_cast<int>(std::ceil(options.code_seconds)));
  const CodeCandidateResult r = evaluate_code(code, task);
  s.syntax_key = r.syntax_key;
  s.timed_out = r.run.timed_out;
  s.tests_ran = r.tests_ran;
  bool ok = r.passed;
  for (const std::string& kw : item.keywords) {
    if (ok && code.find(kw) == std::string::npos) {
      ok = false;
      s.failure = fmt::format("the code does not contain \"{}\"", kw);
    }
  }
  s.correct = ok;
  if (!r.passed) {
    if (r.run.timed_out) {
      s.failure = fmt::format("timed out after {:g} s", options.code_seconds);
    } else if (r.run.passed && !r.completed) {
      s.failure = "the program ended before its tests finished";
    } else if (!r.run.stderr_text.empty()) {
      s.failure = first_line(r.run.stderr_text);
    } else {
      s.failure = r.run.killed_by_signal ? fmt::format("killed by signal {}", r.run.killed_by_signal)
                                         : fmt::format("exit status {}", r.run.exit_code);
    }
  }
  return s;
}

SampleScore score_sample(const EvalItem& item, const std::string& output, const ScoreOptions& options) {
  SampleScore s;
  switch (item.type) {
    case EvalType::Numeric:
      s.extracted = extract_answer(EvalType::Numeric, output);
      s.correct = s.extracted && same_number(*s.extracted, item.reference);
      s.strict_extracted = strict_number(output);
      s.strict_correct = s.strict_extracted && same_number(*s.strict_extracted, item.reference);
      break;
    case EvalType::MultipleChoice:
      s.extracted = extract_answer(EvalType::MultipleChoice, output);
      s.correct = s.extracted && *s.extracted == item.reference;
      break;
    case EvalType::Code:
      s = score_code(item, output, options);
      break;
    default: {
      const std::string answer = final_part(output);
      if (answer.find_first_not_of(" \t\r\n") != std::string::npos) s.extracted = answer;
      s.correct = contains_words(answer, item.reference);
      s.f1 = token_f1(answer, item.reference);
      s.rouge_l = rouge_l(answer, item.reference);
      break;
    }
  }
  return s;
}

}  // namespace

std::string evaluation_code(const std::string& output) {
  const std::string text = final_part(output);
  const size_t open = text.find("```");
  if (open != std::string::npos) {
    const size_t body = text.find('\n', open);
    if (body != std::string::npos) {
      const size_t close = text.find("```", body + 1);
      return text.substr(body + 1, close == std::string::npos ? std::string::npos : close - body - 1);
    }
  }
  return text;
}

std::optional<std::string> strict_number(const std::string& output) {
  const size_t at = output.rfind("####");
  if (at == std::string::npos) return std::nullopt;
  size_t i = at + 4;
  while (i < output.size() && output[i] == ' ') ++i;
  std::string digits;
  if (i < output.size() && output[i] == '-') digits += output[i++];
  for (; i < output.size(); ++i) {
    const char c = output[i];
    if (c == ',') continue;
    if ((c >= '0' && c <= '9') || c == '.') {
      digits += c;
    } else {
      break;
    }
  }
  while (!digits.empty() && digits.back() == '.') digits.pop_back();
  if (digits.empty() || digits == "-") return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(digits.c_str(), &end);
  if (end != digits.c_str() + digits.size()) return std::nullopt;
  return canonical_number(v);
}

bool same_number(const std::string& a, const std::string& b) {
  char* ea = nullptr;
  char* eb = nullptr;
  const double x = std::strtod(a.c_str(), &ea);
  const double y = std::strtod(b.c_str(), &eb);
  if (ea == a.c_str() || eb == b.c_str() || !std::isfinite(x) || !std::isfinite(y)) return a == b;
  return std::fabs(x - y) <= 1e-9 * std::max(1.0, std::fabs(y));
}

ItemScore score_item(const EvalItem& item, const std::vector<std::string>& outputs, const ScoreOptions& options) {
  if (outputs.empty()) throw Error("item " + item.id + " has no outputs to score");
  ItemScore score;
  for (const std::string& out : outputs) score.samples.push_back(score_sample(item, out, options));
  const size_t n = score.samples.size();
  if (item.type == EvalType::Numeric || item.type == EvalType::MultipleChoice) {
    VoteTally tally, strict;
    for (const SampleScore& s : score.samples) {
      tally.add(s.extracted);
      strict.add(s.strict_extracted);
    }
    score.agreement = tally.agreement();
    if (auto leader = tally.leader()) {
      for (size_t i = 0; i < n && !score.chosen; ++i)
        if (score.samples[i].extracted == leader) score.chosen = i;
    }
    if (auto leader = strict.leader()) score.strict_correct = same_number(*leader, item.reference);
  } else if (item.type == EvalType::Code) {
    // The vote must not see the evaluation's tests (that would make maj@k a pass@k): the
    // largest group of programs with the same syntax key wins, whether or not they pass.
    VoteTally tally;
    for (const SampleScore& s : score.samples) {
      tally.add(s.syntax_key);
      score.passing += s.correct ? 1 : 0;
    }
    score.agreement = tally.agreement();
    if (auto leader = tally.leader()) {
      for (size_t i = 0; i < n && !score.chosen; ++i)
        if (score.samples[i].syntax_key == leader) score.chosen = i;
    }
  } else {
    std::vector<std::optional<std::string>> texts;
    for (const SampleScore& s : score.samples) texts.push_back(s.extracted);
    const FreeTextChoice choice = choose_free_text(texts);
    score.agreement = choice.agreement;
    score.chosen = choice.index;
  }
  if (score.chosen) {
    const SampleScore& c = score.samples[*score.chosen];
    score.answer = c.extracted;
    score.correct = c.correct;
    score.f1 = c.f1;
    score.rouge_l = c.rouge_l;
  } else if (n == 1) {
    score.f1 = score.samples[0].f1;
    score.rouge_l = score.samples[0].rouge_l;
  }
  return score;
}

}  // namespace loco::eval
