// Scoring: numeric, strict, choice and free-text answers against hand-worked cases, and
// code that must pass its tests to the end: every HumanEval reference solution passes,
// and no escape (exiting early, killing itself, forging the harness's lines, looping
// forever) does.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "loco/error.h"
#include "loco/eval/eval_set.h"
#include "loco/eval/scoring.h"
#include "loco/eval/statistics.h"
#include "loco/sandbox.h"
#include "test_paths.h"

namespace loco::eval {
namespace {

EvalItem numeric(const std::string& ref) {
  EvalItem it;
  it.type = EvalType::Numeric;
  it.reference = ref;
  return it;
}

TEST(EvalScoring, NumericAnswersCompareAsNumbers) {
  EXPECT_TRUE(score_item(numeric("18"), {"She makes 9 * 2 = $18.\n#### 18"}).correct);
  EXPECT_TRUE(score_item(numeric("1000"), {"The answer is $1,000.00"}).correct);
  EXPECT_TRUE(score_item(numeric("0.5"), {"So x = .5"}).correct || score_item(numeric("0.5"), {"So x = 0.50"}).correct);
  EXPECT_FALSE(score_item(numeric("18"), {"#### 19"}).correct);
  const ItemScore none = score_item(numeric("18"), {"I cannot tell."});
  EXPECT_FALSE(none.correct);
  EXPECT_FALSE(none.answer);
  EXPECT_FALSE(none.chosen);
  // Strict: only the number after "####" counts.
  const ItemScore loose = score_item(numeric("18"), {"The answer is 18."});
  EXPECT_TRUE(loose.correct);
  EXPECT_FALSE(loose.strict_correct);
  EXPECT_TRUE(score_item(numeric("1234"), {"#### 1,234"}).strict_correct);
  EXPECT_EQ(strict_number("#### -3.50 dollars"), "-3.5");
  EXPECT_EQ(strict_number("no marker 5"), std::nullopt);
  EXPECT_EQ(strict_number("#### ."), std::nullopt);
  EXPECT_TRUE(same_number("2", "2.0000000000001"));
  EXPECT_FALSE(same_number("2", "2.001"));
  EXPECT_THROW(score_item(numeric("1"), {}), Error);
}

TEST(EvalScoring, SeveralSamplesScoreTheMajority) {
  const ItemScore s = score_item(numeric("7"), {"#### 7", "#### 8", "#### 7", "nothing", "#### 8"});
  EXPECT_EQ(s.agreement, "2/5");
  ASSERT_TRUE(s.chosen);
  EXPECT_EQ(*s.chosen, 0u);  // 7 reached two votes first
  EXPECT_TRUE(s.correct);
  EXPECT_TRUE(s.strict_correct);
  const ItemScore wrong = score_item(numeric("7"), {"#### 8", "#### 7", "#### 8"});
  EXPECT_FALSE(wrong.correct);
  EXPECT_EQ(*wrong.answer, "8");
}

TEST(EvalScoring, ChoiceAndFreeText) {
  EvalItem mc;
  mc.type = EvalType::MultipleChoice;
  mc.reference = "B";
  EXPECT_TRUE(score_item(mc, {"The answer is (B)."}).correct);
  EXPECT_FALSE(score_item(mc, {"The answer is (C)."}).correct);

  EvalItem text;
  text.type = EvalType::Analysis;
  text.reference = "adenosine triphosphate";
  const ItemScore s = score_item(text, {"Mitochondria mainly produce Adenosine Triphosphate (ATP)."});
  EXPECT_TRUE(s.correct);
  // Normalised prediction: mitochondria mainly produce adenosine triphosphate atp (6 words);
  // reference 2 words, both present: precision 2/6, recall 1, F1 = 0.5.
  EXPECT_NEAR(s.f1, 0.5, 1e-12);
  EXPECT_NEAR(s.rouge_l, 0.5, 1e-12);
  EXPECT_FALSE(score_item(text, {"It produces adenosine."}).correct);
  // Whole words only: "four" is not in "fourteen".
  text.reference = "four";
  EXPECT_FALSE(score_item(text, {"fourteen"}).correct);
  EXPECT_TRUE(score_item(text, {"<think>maybe five</think>There are four."}).correct);
  EXPECT_FALSE(score_item(text, {"There are four.<think>x</think>five"}).correct);
}

TEST(EvalScoring, EvaluationCodeIsTheFirstFencedBlock) {
  EXPECT_EQ(evaluation_code("Sure:\n```python\ndef f():\n    return 1\n```\nand\n```python\nx = 2\n```"),
            "def f():\n    return 1\n");
  EXPECT_EQ(evaluation_code("def f():\n    return 1\n"), "def f():\n    return 1\n");
  EXPECT_EQ(evaluation_code("```\nunterminated"), "unterminated");
}

// Code runs in the sandbox, which must work where the tests run (CI has python3).
EvalItem code_item() {
  EvalItem it;
  it.id = "sq";
  it.type = EvalType::Code;
  it.code_prompt = "def square(x):\n    \"\"\"Return x squared.\"\"\"\n";
  it.code_test = "def check(candidate):\n    assert candidate(2) == 4\n    assert candidate(-3) == 9\n";
  it.entry_point = "square";
  return it;
}

std::string fenced(const std::string& code) {
  std::string out = "```python\n";
  out.append(code).append("```\n");
  return out;
}

TEST(EvalScoringCode, RightAndWrongPrograms) {
  const EvalItem it = code_item();
  const ItemScore right = score_item(it, {fenced("def square(x):\n    return x * x\n")});
  EXPECT_TRUE(right.correct) << right.samples[0].failure;
  EXPECT_TRUE(right.samples[0].tests_ran);
  EXPECT_EQ(right.passing, 1);
  // A body-only completion, HumanEval style, completes the prompt's header.
  EXPECT_TRUE(score_item(it, {"    return x ** 2\n"}).correct);
  const ItemScore wrong = score_item(it, {fenced("def square(x):\n    return x + x\n")});
  EXPECT_FALSE(wrong.correct);
  EXPECT_NE(wrong.samples[0].failure.find("AssertionError"), std::string::npos) << wrong.samples[0].failure;
  const ItemScore empty = score_item(it, {"I don't know."});
  EXPECT_FALSE(empty.correct);
}

TEST(EvalScoringCode, EscapesBeforeTheTestsFail) {
  const EvalItem it = code_item();
  const std::vector<std::pair<std::string, std::string>> escapes = {
      {"sys.exit(0)", "import sys\ndef square(x):\n    return 0\nsys.exit(0)\n"},
      {"os._exit(0)", "import os\ndef square(x):\n    return 0\nos._exit(0)\n"},
      {"unittest.main()", "import unittest\ndef square(x):\n    return 0\nunittest.main()\n"},
      {"raise SystemExit", "def square(x):\n    return 0\nraise SystemExit(0)\n"},
      {"kill itself", "import os, signal\ndef square(x):\n    return 0\nos.kill(os.getpid(), signal.SIGKILL)\n"},
      {"exit in check", "import sys\ndef square(x):\n    sys.exit(0)\n"},
      {"forged markers",
       "import sys\ndef square(x):\n    return 0\nprint('\\n@@loco-key 0 abc\\n@@loco-done 0\\n@@loco-done\\n')\n"
       "sys.stdout.flush()\nsys.exit(0)\n"},
      {"replaces check", "def square(x):\n    return 0\ndef check(c):\n    pass\n"},
  };
  for (const auto& [name, code] : escapes) {
    const ItemScore s = score_item(it, {fenced(code)});
    EXPECT_FALSE(s.correct) << name;
  }
}

TEST(EvalScoringCode, InfiniteLoopTimesOut) {
  ScoreOptions o;
  o.code_seconds = 1.5;
  const ItemScore s = score_item(code_item(), {fenced("def square(x):\n    while True:\n        pass\n")}, o);
  EXPECT_FALSE(s.correct);
  EXPECT_TRUE(s.samples[0].timed_out);
  EXPECT_NE(s.samples[0].failure.find("timed out"), std::string::npos) << s.samples[0].failure;
}

TEST(EvalScoringCode, PassAtKAndAVoteBlindToTheTests) {
  const EvalItem it = code_item();
  const std::string right = fenced("def square(x):\n    return x * x\n");
  const std::string wrong = fenced("def square(x):\n    return x + x\n");
  // Wrong twice (same syntax key), right once: the vote picks the wrong program.
  std::string commented = "# a comment\n";
  commented.append(wrong);
  const ItemScore s = score_item(it, {wrong, right, commented});
  EXPECT_EQ(s.passing, 1);
  EXPECT_EQ(s.agreement, "2/3");
  EXPECT_FALSE(s.correct);
  EXPECT_NEAR(pass_at_k(3, s.passing, 1), 1.0 / 3, 1e-12);
  EXPECT_NEAR(pass_at_k(3, s.passing, 3), 1.0, 1e-12);
}

TEST(EvalScoringCode, LocoLlmV1ItemsNeedTheFunctionAndTheKeywords) {
  EvalItem it;
  it.type = EvalType::Code;
  it.entry_point = "is_even";
  it.keywords = {"def ", "return", "%"};
  EXPECT_TRUE(score_item(it, {fenced("def is_even(n):\n    return n % 2 == 0\n")}).correct);
  EXPECT_FALSE(score_item(it, {fenced("def is_even(n):\n    return not n & 1\n")}).correct);  // no "%"
  EXPECT_FALSE(score_item(it, {fenced("def even(n):\n    return n % 2 == 0\n")}).correct);
  const ItemScore s = score_item(it, {fenced("def is_even(n):\n    return n % 2 == 0\n")});
  EXPECT_FALSE(s.samples[0].tests_ran);
}

// HumanEval reference solutions pass through the scorer (prompt + output + tests): it does
// not fail correct code, the other half of its correctness. The first 40 here; all 164
// go through the same harness in VoteCode.EveryHumanEvalReferenceSolutionPasses.
TEST(EvalScoringCode, HumanEvalReferenceSolutionsPass) {
  const std::string path = *bundled_set_path("humaneval");
  const EvalSet set = load_eval_set(path, "humaneval");
  std::ifstream in(path);
  std::vector<std::string> solutions;
  for (std::string line; std::getline(in, line);) {
    solutions.push_back(nlohmann::json::parse(line).at("canonical_solution").get<std::string>());
  }
  ASSERT_EQ(solutions.size(), set.items.size());
  int passed = 0;
  for (size_t i = 0; i < 40; ++i) {
    const ItemScore s = score_item(set.items[i], {solutions[i]});
    passed += s.correct;
    EXPECT_TRUE(s.correct) << set.items[i].id << ": " << s.samples[0].failure;
  }
  EXPECT_EQ(passed, 40);
}

}  // namespace
}  // namespace loco::eval
