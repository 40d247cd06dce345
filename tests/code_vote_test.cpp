// Code voting: candidates run against HumanEval tests in the sandbox, grouped and voted;
// single code answers run with the tests they have.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "loco/answer.h"
#include "loco/assistant.h"
#include "loco/error.h"
#include "loco/vote.h"

namespace loco {
namespace {

std::string datasets_dir() {
  if (const char* env = std::getenv("LOCO_DATASETS")) return env;
  return std::string(LOCO_SOURCE_DIR) + "/../shared/datasets";
}

std::vector<nlohmann::json> humaneval() {
  std::vector<nlohmann::json> tasks;
  std::ifstream in(datasets_dir() + "/humaneval/HumanEval.jsonl");
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) tasks.push_back(nlohmann::json::parse(line));
  return tasks;
}

// Code is run in the sandbox, which needs a python3; without one these tests skip.
class VoteCode : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      find_python3();
    } catch (const Error& e) {
      GTEST_SKIP() << e.what();
    }
  }
};

CodeTask task_of(const nlohmann::json& item) {
  CodeTask task;
  task.prelude = item["prompt"];
  task.test_code = item["test"];
  task.entry_point = item["entry_point"];
  return task;
}

std::optional<std::string> code(const char* reply) { return extract_code(reply); }

TEST_F(VoteCode, HumanEvalCandidatesAreTestedAndGrouped) {
  auto tasks = humaneval();
  if (tasks.empty()) GTEST_SKIP() << "HumanEval not found under " << datasets_dir();
  const CodeTask task = task_of(tasks[0]);  // has_close_elements(numbers, threshold)
  const std::string body = tasks[0]["canonical_solution"];
  std::vector<std::optional<std::string>> candidates = {
      // 0: wrong: never finds a pair
      code("```python\ndef has_close_elements(numbers, threshold):\n    return False\n```"),
      // 1: correct, whole function (the prompt's typing import comes from the prelude)
      code("Here is the solution:\n```python\n"
           "def has_close_elements(numbers: List[float], threshold: float) -> bool:\n"
           "    for i, a in enumerate(numbers):\n"
           "        for j, b in enumerate(numbers):\n"
           "            if i != j and abs(a - b) < threshold:\n"
           "                return True\n"
           "    return False\n```\nThis compares every pair."),
      // 2: no code at all
      code("I am not sure how to solve this."),
      // 3: the same code as 1, with a docstring, comments and other spacing
      code("```python\n"
           "def has_close_elements(numbers: List[float], threshold: float) -> bool:\n"
           "    \"\"\"Pairwise check.\"\"\"\n"
           "    for i, a in enumerate(numbers):   # every element\n"
           "        for j, b in enumerate(numbers):\n\n"
           "            if i != j and abs(a - b) < threshold:\n"
           "                return True\n"
           "    return False\n```"),
      // 4: the reference body, completed HumanEval-style
      std::optional<std::string>(body),
      // 5: a syntax error
      code("```python\ndef has_close_elements(numbers, threshold)\n    return True\n```"),
      // 6: identical text to 1: run once, counted twice
      code("```python\n"
           "def has_close_elements(numbers: List[float], threshold: float) -> bool:\n"
           "    for i, a in enumerate(numbers):\n"
           "        for j, b in enumerate(numbers):\n"
           "            if i != j and abs(a - b) < threshold:\n"
           "                return True\n"
           "    return False\n```"),
  };
  ASSERT_FALSE(candidates[2]);
  CodeVote vote = vote_code(candidates, task);
  ASSERT_EQ(vote.results.size(), 7u);
  EXPECT_FALSE(vote.results[0].passed);
  EXPECT_NE(vote.results[0].run.stderr_text.find("AssertionError"), std::string::npos);
  EXPECT_TRUE(vote.results[1].passed) << vote.results[1].run.stderr_text;
  EXPECT_FALSE(vote.results[2].has_code);
  EXPECT_TRUE(vote.results[3].passed) << vote.results[3].run.stderr_text;
  EXPECT_TRUE(vote.results[4].passed) << vote.results[4].run.stderr_text;
  EXPECT_FALSE(vote.results[5].passed);
  EXPECT_NE(vote.results[5].run.stderr_text.find("SyntaxError"), std::string::npos);
  EXPECT_TRUE(vote.results[6].passed);
  EXPECT_EQ(vote.results[1].syntax_key, vote.results[3].syntax_key);
  EXPECT_NE(vote.results[1].syntax_key, vote.results[4].syntax_key);
  EXPECT_EQ(vote.passing, 4);
  ASSERT_TRUE(vote.chosen);
  EXPECT_EQ(*vote.chosen, 1u);
  EXPECT_EQ(vote.agreement, "3/7");
}

TEST_F(VoteCode, NothingPasses) {
  CodeTask task;
  task.test_code = "def check(f):\n    assert f(2) == 4\n";
  task.entry_point = "square";
  CodeVote vote = vote_code({code("```python\ndef square(x):\n    return x + x + 1\n```"), std::nullopt}, task);
  EXPECT_EQ(vote.passing, 0);
  EXPECT_FALSE(vote.chosen);
  EXPECT_EQ(vote.agreement, "0/2");
}

// The locollm-v1 code set has no tests: a candidate passes when it runs and defines the
// function the question names.
TEST_F(VoteCode, WithoutTestsTheEntryPointMustBeDefined) {
  CodeTask task;
  task.entry_point = *code_entry_point("Write a Python function called `is_even` that returns True if even.");
  CodeVote vote = vote_code(
      {
          code("```python\ndef iseven(n):\n    return n % 2 == 0\n```"),              // wrong name
          code("```python\ndef is_even(n):\n    return n % 2 == 0\n\nn = int(input())\n```"),  // reads stdin
          code("```python\ndef is_even(n):\n    return n % 2 == 0\n\nprint(is_even(4))\n```"),
          code("def is_even(n):\n    return not n & 1\n"),
      },
      task);
  EXPECT_FALSE(vote.results[0].passed);
  EXPECT_NE(vote.results[0].run.stderr_text.find("is_even is not defined"), std::string::npos)
      << vote.results[0].run.stderr_text;
  EXPECT_FALSE(vote.results[1].passed);
  EXPECT_TRUE(vote.results[2].passed) << vote.results[2].run.stderr_text;
  EXPECT_TRUE(vote.results[3].passed) << vote.results[3].run.stderr_text;
  EXPECT_EQ(vote.passing, 2);
  ASSERT_TRUE(vote.chosen);
  EXPECT_EQ(*vote.chosen, 2u);  // two groups of one: the first to get its vote wins
  EXPECT_EQ(vote.agreement, "1/4");
}

// The harness itself: every HumanEval reference solution passes its own tests, and the
// same solution with its last return value changed fails them.
TEST_F(VoteCode, EveryHumanEvalReferenceSolutionPasses) {
  auto tasks = humaneval();
  if (tasks.empty()) GTEST_SKIP() << "HumanEval not found under " << datasets_dir();
  EXPECT_EQ(tasks.size(), 164u);
  int passed = 0;
  for (const auto& item : tasks) {
    CodeCandidateResult r = evaluate_code(std::string(item["canonical_solution"]), task_of(item));
    EXPECT_TRUE(r.passed) << item["task_id"] << "\n" << r.run.stderr_text;
    passed += r.passed ? 1 : 0;
  }
  EXPECT_EQ(passed, 164);
  CodeCandidateResult broken = evaluate_code(std::string("    return None\n"), task_of(tasks[2]));
  EXPECT_FALSE(broken.passed);
}

}  // namespace
}  // namespace loco

namespace loco {
namespace {

// Passing means the tests ran to the end: a candidate that ends the program first, or
// prints the harness's marker lines, neither passes nor joins a vote group.
TEST_F(VoteCode, EarlyExitsAndForgedMarkersNeitherPassNorVote) {
  CodeTask task;
  task.test_code = "def check(f):\n    assert f(3) == 9\n";
  task.entry_point = "square";
  CodeVote vote = vote_code(
      {
          code("```python\ndef square(x):\n    return x * x\n```"),
          code("```python\nimport sys\ndef square(x):\n    return 0\nsys.exit(0)\n```"),
          code("```python\nimport os\ndef square(x):\n    return 0\nos._exit(0)\n```"),
          code("```python\nimport unittest\ndef square(x):\n    return 0\nunittest.main()\n```"),
          code("```python\nimport sys\ndef square(x):\n    return 0\n"
               "print('\\n@@loco-key 00 ' + 'f' * 16 + '\\n@@loco-done 00\\n')\nsys.exit(0)\n```"),
      },
      task);
  ASSERT_EQ(vote.results.size(), 5u);
  EXPECT_TRUE(vote.results[0].passed) << vote.results[0].run.stderr_text;
  EXPECT_TRUE(vote.results[0].tests_ran);
  for (size_t i = 1; i < 5; ++i) {
    EXPECT_FALSE(vote.results[i].passed) << i;
    EXPECT_FALSE(vote.results[i].completed) << i;
    EXPECT_TRUE(vote.results[i].run.passed) << i << ": the process itself exited 0";
  }
  EXPECT_EQ(vote.passing, 1);
  EXPECT_EQ(vote.agreement, "1/5");
  ASSERT_TRUE(vote.chosen);
  EXPECT_EQ(*vote.chosen, 0u);
}

}  // namespace
}  // namespace loco

namespace loco {
namespace {

// A single code answer is run and the answer says which check it got: the question's
// tests (--tests), tests found for it in the adapter's set, or only that it runs.
TEST_F(VoteCode, SingleCodeAnswersSayWhichCheckTheyGot) {
  const std::string question = "Write a Python function called `square` that squares a number.";
  const std::string right = "```python\ndef square(x):\n    return x * x\n```";
  const std::string wrong = "```python\ndef square(x):\n    return x + x\n```";
  QueryOptions none;
  CodeAnswerCheck c = check_code_answer(question, right, "", none);
  EXPECT_EQ(c.check, CodeCheck::RanWithoutTests);
  EXPECT_TRUE(c.passed);
  c = check_code_answer(question, wrong, "", none);
  EXPECT_EQ(c.check, CodeCheck::RanWithoutTests);  // no tests: a wrong function still runs
  c = check_code_answer(question, "```python\ndef sqr(x):\n    return x * x\n```", "", none);
  EXPECT_EQ(c.check, CodeCheck::FailedToRun);
  EXPECT_NE(c.detail.find("square is not defined"), std::string::npos) << c.detail;
  c = check_code_answer(question, "I would multiply it by itself.", "", none);
  EXPECT_EQ(c.check, CodeCheck::NotRun);
  EXPECT_FALSE(c.passed);

  QueryOptions asserts;  // plain asserts, as a user writes them in a tests file
  asserts.code_tests = CodeTests{"", "assert square(3) == 9\nassert square(-2) == 4\n", "", "tests.py"};
  c = check_code_answer(question, right, "", asserts);
  EXPECT_EQ(c.check, CodeCheck::TestsPassed);
  EXPECT_EQ(c.detail, "tests.py");
  c = check_code_answer(question, wrong, "", asserts);
  EXPECT_EQ(c.check, CodeCheck::TestsFailed);
  EXPECT_NE(c.detail.find("AssertionError"), std::string::npos) << c.detail;
  c = check_code_answer(question, "```python\nimport sys\ndef square(x):\n    return 0\nsys.exit(0)\n```", "", asserts);
  EXPECT_EQ(c.check, CodeCheck::TestsFailed);

  QueryOptions found;  // the adapter's set knows this question
  std::string asked_adapter;
  found.find_code_tests = [&](const std::string& adapter, const std::string&) -> std::optional<CodeTests> {
    asked_adapter = adapter;
    return CodeTests{"", "def check(f):\n    assert f(4) == 16\n", "square", "tests of X/1 in code's set"};
  };
  c = check_code_answer(question, wrong, "code", found);
  EXPECT_EQ(asked_adapter, "code");
  EXPECT_EQ(c.check, CodeCheck::TestsFailed);
  c = check_code_answer(question, right, "code", found);
  EXPECT_EQ(c.check, CodeCheck::TestsPassed);
  EXPECT_EQ(c.detail, "tests of X/1 in code's set");
}

}  // namespace
}  // namespace loco
