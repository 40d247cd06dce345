// Evaluation sets: the bundled sets load with the documented ids and references, and every
// malformed input is refused with its file and line.
#include <gtest/gtest.h>

#include <fstream>

#include "loco/error.h"
#include "loco/eval/eval_set.h"
#include "test_paths.h"

namespace loco::eval {
namespace {

std::string write_set(const std::string& text) {
  static int n = 0;
  const std::string path = test::temp_dir() + "/set" + std::to_string(n++) + ".jsonl";
  std::ofstream(path) << text;
  return path;
}

void expect_error(const std::string& text, const std::string& needle) {
  const std::string path = write_set(text);
  try {
    load_eval_set(path, "t");
    FAIL() << "no error for " << text;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(EvalSet, BundledSetsLoadWithTheirIdsAndReferences) {
  const EvalSet gsm = load_eval_set(*bundled_set_path("gsm8k"), "gsm8k");
  ASSERT_EQ(gsm.items.size(), 1319u);
  EXPECT_EQ(gsm.type(), EvalType::Numeric);
  EXPECT_EQ(gsm.items[0].id, "1");  // the line number
  EXPECT_EQ(gsm.items[0].reference, "18");  // Janet's ducks: "#### 18"
  EXPECT_EQ(gsm.sha256.size(), 64u);

  const EvalSet he = load_eval_set(*bundled_set_path("humaneval"), "humaneval");
  ASSERT_EQ(he.items.size(), 164u);
  EXPECT_EQ(he.type(), EvalType::Code);
  EXPECT_EQ(he.items[0].id, "HumanEval/0");
  EXPECT_EQ(he.items[0].entry_point, "has_close_elements");
  EXPECT_NE(he.items[0].question.find("def has_close_elements"), std::string::npos);

  const EvalSet math = load_eval_set(*bundled_set_path("locollm-v1/math"), "locollm-v1/math");
  ASSERT_EQ(math.items.size(), 20u);
  EXPECT_EQ(math.items[0].reference, "42");
  EXPECT_EQ(math.items[10].reference, "0.625");
  const EvalSet code = load_eval_set(*bundled_set_path("locollm-v1/code"), "locollm-v1/code");
  EXPECT_EQ(code.type(), EvalType::Code);
  EXPECT_EQ(code.items[0].entry_point, "reverse_string");
  EXPECT_EQ(code.items[0].keywords, (std::vector<std::string>{"def ", "return"}));
  const EvalSet analysis = load_eval_set(*bundled_set_path("locollm-v1/analysis"), "locollm-v1/analysis");
  EXPECT_EQ(analysis.type(), EvalType::Analysis);
  EXPECT_EQ(analysis.items[0].reference, "chlorophyll");
  EXPECT_EQ(bundled_set_names().size(), 5u);
  EXPECT_FALSE(bundled_set_path("gsm8k-train"));
}

TEST(EvalSet, ReferencesAndIds) {
  const EvalSet s = load_eval_set(write_set("{\"id\": \"a\", \"question\": \"q1\", \"answer\": \"#### 1,234\"}\n"
                                            "\n"
                                            "{\"id\": 7, \"question\": \"q2\", \"answer\": 2.50}\n"
                                            "{\"question\": \"q3\", \"answer\": \"$15\"}\n"),
                                  "t");
  ASSERT_EQ(s.items.size(), 3u);
  EXPECT_EQ(s.items[0].reference, "1234");
  EXPECT_EQ(s.items[1].id, "7");
  EXPECT_EQ(s.items[1].reference, "2.5");
  EXPECT_EQ(s.items[2].id, "4");  // its line number
  EXPECT_EQ(s.items[2].reference, "15");
  EXPECT_EQ(reference_number("The answer is 3"), std::nullopt);
  const EvalSet mc = load_eval_set(
      write_set("{\"question\": \"Pick\", \"answer\": \"c\", \"eval_type\": \"multiple_choice\"}\n"), "t");
  EXPECT_EQ(mc.items[0].reference, "C");
}

TEST(EvalSet, MalformedInputNamesFileAndLine) {
  expect_error("{\"question\": \"q\", \"answer\": 1}\n{not json}\n", ":2: not a JSON object");
  expect_error("{\"question\": \"q\", \"answer\": 1, \"eval_type\": \"poetry\"}\n", ":1: unknown eval_type 'poetry'");
  expect_error("", "has no items");
  expect_error("\n\n", "has no items");
  expect_error("{\"question\": \"q\", \"answer\": \"many\"}\n", ":1: \"answer\" must be a number");
  expect_error("{\"question\": \"q\"}\n", ":1: \"answer\" must be a number");
  expect_error("{\"answer\": 1}\n", ":1: missing \"question\"");
  expect_error("{\"id\": \"x\", \"question\": \"q\", \"answer\": 1}\n{\"id\": \"x\", \"question\": \"r\", \"answer\": 2}\n",
               ":2: the id 'x' is used twice");
  expect_error("{\"question\": \"q\", \"answer\": 1}\n{\"question\": \"Write `f`\", \"eval_type\": \"code\"}\n",
               ":2: a code item in a set of numeric items");
  expect_error("{\"question\": \"Write a function\", \"eval_type\": \"code\"}\n", "must name its function");
  expect_error("{\"task_id\": \"H/0\", \"prompt\": \"def f():\\n\", \"entry_point\": \"f\"}\n", ":1: missing \"test\"");
  expect_error("{\"question\": \"q\", \"answer\": \"x\", \"eval_type\": \"multiple_choice\"}\n", "choice letter");
  expect_error("[1, 2]\n", ":1: not a JSON object");
  EXPECT_THROW(load_eval_set("/nonexistent/set.jsonl", "t"), Error);
}

}  // namespace
}  // namespace loco::eval
