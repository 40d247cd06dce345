// Answer extraction on realistic model outputs, and on every GSM8K test solution.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "loco/answer.h"
#include "loco/error.h"

namespace loco {
namespace {

std::string datasets_dir() {
  if (const char* env = std::getenv("LOCO_DATASETS")) return env;
  return std::string(LOCO_SOURCE_DIR) + "/../shared/datasets";
}

std::string num(std::string_view text) { return extract_number(text).value_or("<none>"); }
std::string mc(std::string_view text) { return extract_choice(text).value_or("<none>"); }

TEST(EvalType, ParsesRegistryNames) {
  EXPECT_EQ(parse_eval_type("numeric"), EvalType::Numeric);
  EXPECT_EQ(parse_eval_type("multiple_choice"), EvalType::MultipleChoice);
  EXPECT_EQ(parse_eval_type("MC"), EvalType::MultipleChoice);
  EXPECT_EQ(parse_eval_type("code"), EvalType::Code);
  EXPECT_EQ(parse_eval_type("analysis"), EvalType::Analysis);
  EXPECT_EQ(parse_eval_type("free_text"), EvalType::FreeText);
  EXPECT_EQ(parse_eval_type("text"), EvalType::FreeText);
  EXPECT_STREQ(eval_type_name(EvalType::MultipleChoice), "multiple_choice");
  EXPECT_FALSE(parse_eval_type("regex").has_value());
  EXPECT_EQ(parse_eval_type(""), EvalType::None);
}

TEST(CanonicalNumber, IntegersWithoutFractionOthersShortest) {
  EXPECT_EQ(canonical_number(1000.0), "1000");
  EXPECT_EQ(canonical_number(-3.0), "-3");
  EXPECT_EQ(canonical_number(-0.0), "0");
  EXPECT_EQ(canonical_number(0.75), "0.75");
  EXPECT_EQ(canonical_number(0.1), "0.1");
  EXPECT_EQ(canonical_number(18.5), "18.5");
  EXPECT_EQ(canonical_number(1.0 / 3.0), "0.3333333333333333");
  EXPECT_EQ(canonical_number(1450000.0), "1450000");
}

TEST(ExtractNumber, SameNumberWrittenDifferentlyGivesSameKey) {
  for (const char* text : {"1000", "1,000", "1000.0", "$1,000.00", "#### 1,000", "\\boxed{1{,}000}",
                           "The answer is $1000.", "**Answer:** 1 000", "1\\,000"})
    EXPECT_EQ(num(text), "1000") << text;
}

TEST(ExtractNumber, GsmStyleSolutionWithCalculatorAnnotations) {
  const char* text =
      "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\n"
      "Natalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\n"
      "#### 72";
  EXPECT_EQ(num(text), "72");
  // Without the final line the last number decides; the annotation "<<48+24=72>>" and the
  // fraction-looking "48/2" must not produce stray values.
  EXPECT_EQ(num("Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nSo she sold 48+24 = <<48+24=72>>72 clips."),
            "72");
}

TEST(ExtractNumber, QwenStyleMarkdownAnswer) {
  const char* text =
      "To find how much Janet makes, follow these steps:\n\n"
      "1. **Eggs laid per day:** 16\n"
      "2. **Eggs used:** 3 for breakfast + 4 for muffins = 7\n"
      "3. **Eggs sold:** 16 - 7 = 9\n"
      "4. **Money made:** 9 × $2 = $18\n\n"
      "**Answer:** 18";
  EXPECT_EQ(num(text), "18");
  EXPECT_EQ(num("### Final Answer\nJanet makes **$18** every day."), "18");
  EXPECT_EQ(num("**Final Answer**\n\n$18$ dollars per day, since 9 eggs x 2 dollars."), "18");
}

TEST(ExtractNumber, BoxedLatex) {
  const char* text =
      "First, the number of eggs sold is\n\\[\n16 - 3 - 4 = 9\n\\]\n"
      "Each sells for \\$2, so\n\\[\n9 \\times 2 = 18\n\\]\n\n"
      "Therefore Janet makes \\(\\boxed{18}\\) dollars every day at the farmers' market.";
  EXPECT_EQ(num(text), "18");
  EXPECT_EQ(num("The probability is \\boxed{\\frac{3}{4}}."), "0.75");
  EXPECT_EQ(num("So $x = \\dfrac{12}{3} = 4$, i.e. \\boxed{x = 4}"), "4");
  EXPECT_EQ(num("\\boxed{\\$18.50}"), "18.5");
  EXPECT_EQ(num("\\boxed{18 \\text{ dollars}}"), "18");
  EXPECT_EQ(num("We get \\boxed{12} at first, but correcting the error gives \\boxed{14}."), "14");
  EXPECT_EQ(num("\\boxed{-\\frac{1}{2}} hmm"), "-0.5");
}

TEST(ExtractNumber, ChainOfThoughtEndsOnTheAnswer) {
  const char* text =
      "Let's think step by step. The car uses 8 liters per 100 km. For 350 km it needs "
      "350 / 100 = 3.5 times as much fuel. 3.5 * 8 = 28. So the car needs 28 liters.";
  EXPECT_EQ(num(text), "28");
  const char* discount =
      "The discount is 20% of $45, which is 0.2 * 45 = $9. The sale price is 45 - 9 = $36.";
  EXPECT_EQ(num(discount), "36");
}

TEST(ExtractNumber, AnswerStatementBeatsLaterNumbers) {
  EXPECT_EQ(num("The answer is 42.\n\nI hope this helps with your 2 other questions!"), "42");
  EXPECT_EQ(num("Answer: 28 liters (that is 3.5 times 8)"), "28");
  EXPECT_EQ(num("The answer is: **$24**"), "24");
  EXPECT_EQ(num("So the final answer is 5 + 3 = 8."), "8");
  EXPECT_EQ(num("The answer is 4 (since 2x = 8 gives x = 4)."), "4");
  EXPECT_EQ(num("Final Answer: The final answer is $613$. I hope it is correct."), "613");
  EXPECT_EQ(num("**Answer:**\n\n150 miles"), "150");
  // "answer the question" states nothing; the last number decides.
  EXPECT_EQ(num("To answer the question, 2 + 3 = 5."), "5");
}

TEST(ExtractNumber, ThinkBlockIsSkippedWhenTheReplyHasAnAnswer) {
  EXPECT_EQ(num("<think>15 + 27... 41? No: 7 + 5 = 12, carry 1, so 42. Answer: 42 maybe 43</think>\n\n"
                "15 + 27 = **42**"),
            "42");
  EXPECT_EQ(num("<think>The answer is 7.</think>\n\nThe answer is 9."), "9");
  // A reply cut off inside its reasoning still yields the last number reached.
  EXPECT_EQ(num("<think>\n144 / 12 = 12, so the answer is 12"), "12");
  EXPECT_EQ(num("<think>144 / 12 = 12</think>\n\nTwelve."), "12");
}

TEST(ExtractNumber, SignsPercentagesFractionsDecimals) {
  EXPECT_EQ(num("The temperature fell to -3 degrees."), "-3");
  EXPECT_EQ(num("x = \xE2\x88\x92" "4"), "-4");  // Unicode minus sign
  EXPECT_EQ(num("(-7)"), "-7");
  EXPECT_EQ(num("16 - 3 = 13"), "13");
  EXPECT_EQ(num("16-3"), "3");  // a subtraction, not -3
  EXPECT_EQ(num("The answer is 25%."), "25");
  EXPECT_EQ(num("15% of 80 is 0.15 x 80 = 12"), "12");
  EXPECT_EQ(num("3/4 of the class passed"), "0.75");
  EXPECT_EQ(num("5 of 8 slices are left: 5/8 = 0.625"), "0.625");
  EXPECT_EQ(num("It is .5 of the total"), "0.5");
  EXPECT_EQ(num("It takes 2 1/2 hours"), "2.5");
  EXPECT_EQ(num("Add 2\\frac{1}{2} cups of flour"), "2.5");
  EXPECT_EQ(num("3 5/4"), "1.25");  // not a proper fraction: two numbers
  EXPECT_EQ(num("That costs $18.50."), "18.5");
  EXPECT_EQ(num("Loss: -$5"), "-5");
}

TEST(ExtractNumber, ListsDatesAndWordsAreNotMisread) {
  EXPECT_EQ(num("The first three primes are 2,3,5."), "5");
  EXPECT_EQ(num("The values are 1, 000 and 7"), "7");
  EXPECT_EQ(num("On 12/25/2023 he had 7 apples."), "7");
  EXPECT_EQ(num("Posted on 12/25/2023"), "2023");
  EXPECT_EQ(num("CO2 levels rose by 3 units"), "3");
  EXPECT_EQ(num("He bought 3 100-page books"), "100");
  EXPECT_EQ(num("#### Step 1: add\n5 + 5 = 10\n#### Step 2: double\n10 * 2 = 20 apples"), "20");
  EXPECT_EQ(num("#### 1. Setup\nThere are 45 apples in total."), "45");
  EXPECT_FALSE(extract_number("I don't know."));
  EXPECT_FALSE(extract_number(""));
}

// Every GSM8K test solution: the extracted answer equals the number after "####" (read
// independently with std::stod), with the "####" line, as an "answer is" sentence, and
// (for most) from the last number alone.
TEST(ExtractNumber, AllGsm8kReferenceSolutions) {
  std::ifstream in(datasets_dir() + "/gsm8k/test.jsonl");
  if (!in) GTEST_SKIP() << "GSM8K test set not found under " << datasets_dir();
  int n = 0, last_number_agrees = 0;
  for (std::string line; std::getline(in, line);) {
    auto item = nlohmann::json::parse(line);
    std::string solution = item["answer"];
    size_t marker = solution.rfind("####");
    ASSERT_NE(marker, std::string::npos);
    std::string final_text = solution.substr(marker + 4);
    std::string digits;
    for (char c : final_text)
      if (c != ',' && c != ' ') digits += c;
    std::string expected = canonical_number(std::stod(digits));
    std::string body = solution.substr(0, marker);
    EXPECT_EQ(num(solution), expected) << solution;
    EXPECT_EQ(num(body + "The answer is " + final_text + "."), expected) << body;
    last_number_agrees += num(body) == expected ? 1 : 0;
    ++n;
  }
  EXPECT_EQ(n, 1319);
  // The rest end on a different number ("... = 15 liters of water out of the 24 liters").
  EXPECT_GE(last_number_agrees, n * 97 / 100) << last_number_agrees << " of " << n;
}

TEST(ExtractChoice, ExplicitStatements) {
  EXPECT_EQ(mc("The answer is (B)."), "B");
  EXPECT_EQ(mc("Answer: C"), "C");
  EXPECT_EQ(mc("**Answer: D**"), "D");
  EXPECT_EQ(mc("The correct option is (e)"), "E");
  EXPECT_EQ(mc("the answer is b."), "B");
  EXPECT_EQ(mc("Therefore the answer is option D, since it is the only even number."), "D");
  EXPECT_EQ(mc("$\\boxed{B}$"), "B");
  EXPECT_EQ(mc("So (C) is the correct answer."), "C");
  EXPECT_EQ(mc("The answer is A because the other options contradict the passage."), "A");
}

TEST(ExtractChoice, ArticlesAndOptionListsAreNotAnswers) {
  EXPECT_EQ(mc("A train leaves at 9 and a car at 10. The car is faster.\n\nAnswer: C"), "C");
  EXPECT_FALSE(extract_choice("A train leaves at 9 and a car at 10. The train arrives first."));
  EXPECT_FALSE(extract_choice("The answer is a train, not a car."));
  EXPECT_FALSE(extract_choice("A) 12\nB) 14\nC) 16\nD) 18"));
  EXPECT_FALSE(extract_choice("The answer is F"));
}

TEST(ExtractChoice, ReasoningOverOptionsThenAStatement) {
  const char* text =
      "Let's analyze each option:\n"
      "A) 12 - this ignores the 2 extra boxes.\n"
      "B) 14 - 12 + 2 = 14, which matches.\n"
      "C) 16 - too many.\n"
      "D) 18 - too many.\n\n"
      "Therefore, the answer is B.";
  EXPECT_EQ(mc(text), "B");
  EXPECT_EQ(mc("Option A is wrong because of X. Option C is right, as the passage says."), "C");
  EXPECT_EQ(mc("The answer is (A).\n\nWait, let me recheck. 3 * 4 = 12, not 10.\n\nThe answer is (C)."), "C");
  EXPECT_EQ(mc("<think>maybe the answer is A</think>\nAnswer: D"), "D");
}

TEST(ExtractChoice, TerseForms) {
  EXPECT_EQ(mc("B"), "B");
  EXPECT_EQ(mc("(c)"), "C");
  EXPECT_EQ(mc("d)"), "D");
  EXPECT_EQ(mc("**B**"), "B");
  EXPECT_EQ(mc("I'd go with option D."), "D");
  EXPECT_EQ(mc("C) 16, because 4 x 4 = 16."), "C");
  EXPECT_EQ(mc("The best fit is **(E)** given the data."), "E");
}

TEST(ExtractCode, FirstFencedPythonBlockThatDefinesSomething) {
  const char* text =
      "Here's a simple solution:\n\n"
      "```bash\npip install nothing\n```\n\n"
      "```python\ndef reverse_string(s: str) -> str:\n    \"\"\"Return s reversed.\"\"\"\n"
      "    return s[::-1]   \n```\n\n"
      "Example usage:\n\n```python\nprint(reverse_string(\"hello\"))  # olleh\n```\n";
  EXPECT_EQ(extract_code(text).value_or(""),
            "def reverse_string(s: str) -> str:\n    \"\"\"Return s reversed.\"\"\"\n    return s[::-1]\n");
  EXPECT_EQ(extract_answer(EvalType::Code, text), extract_code(text));
}

TEST(ExtractCode, VariantsOfFencesAndUnfencedCode) {
  EXPECT_EQ(extract_code("```py\nx = 1\n```").value_or(""), "x = 1\n");
  EXPECT_EQ(extract_code("```\r\ndef f():\r\n    return 1\r\n```\r\n").value_or(""),
            "def f():\n    return 1\n");
  // Cut off inside the block.
  EXPECT_EQ(extract_code("Sure!\n```python\ndef f(n):\n    if n < 2:\n        return n").value_or(""),
            "def f(n):\n    if n < 2:\n        return n\n");
  // A fence inside a list item.
  EXPECT_EQ(extract_code("1. Define it:\n   ```python\n   def g():\n       return 2\n   ```\n").value_or(""),
            "def g():\n    return 2\n");
  // No fences: from the first top-level def to the first line of prose.
  EXPECT_EQ(extract_code("Here is the function:\n\nimport math\n\ndef area(r):\n    return math.pi * r ** 2\n\n"
                         "print(area(2))\nThis computes the area of a circle.")
                .value_or(""),
            "import math\n\ndef area(r):\n    return math.pi * r ** 2\n\nprint(area(2))\n");
  // A HumanEval-style body completion.
  EXPECT_EQ(extract_code("    return sorted(set(l))\n\nThis removes duplicates.").value_or(""),
            "    return sorted(set(l))\n");
  // Code inside the reasoning only counts when the reply has none.
  EXPECT_EQ(extract_code("<think>```python\ndef bad(): pass\n```</think>\n```python\ndef good():\n    return 1\n```")
                .value_or(""),
            "def good():\n    return 1\n");
  EXPECT_FALSE(extract_code("I cannot write that function."));
  EXPECT_FALSE(extract_code("```python\n\n```"));
}

TEST(ExtractAnswer, FreeTextIsLowercasedWithSpacesCollapsed) {
  EXPECT_EQ(extract_answer(EvalType::FreeText, "  Chlorophyll\n is   the\tPigment. ").value_or(""),
            "chlorophyll is the pigment.");
  EXPECT_EQ(extract_answer(EvalType::FreeText, "<think>hmm</think> ATP").value_or(""), "atp");
  EXPECT_FALSE(extract_answer(EvalType::FreeText, " \n\t "));
  EXPECT_EQ(extract_answer(EvalType::Numeric, "#### 7").value_or(""), "7");
  EXPECT_EQ(extract_answer(EvalType::MultipleChoice, "Answer: (d)").value_or(""), "D");
}

TEST(CodeEntryPoint, FirstBacktickedIdentifier) {
  EXPECT_EQ(code_entry_point("Write a Python function called `is_even` that returns True").value_or(""),
            "is_even");
  EXPECT_EQ(code_entry_point("Write a Python class called `Stack` with push").value_or(""), "Stack");
  EXPECT_EQ(code_entry_point("Use `a + b` in `add`").value_or(""), "add");
  EXPECT_FALSE(code_entry_point("Write a function that adds two numbers."));
}

// Hostile and random input: no crash, no hang, and every numeric key reads back to itself.
TEST(ExtractNumber, RandomInputIsHandled) {
  std::mt19937 rng(7);
  const std::string alphabet = "0123456789,.-/$%#{}\\ abcxAB\n=<>*():frac boxed answer is ";
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    size_t length = rng() % 200;
    for (size_t i = 0; i < length; ++i) text += alphabet[rng() % alphabet.size()];
    if (auto key = extract_number(text)) {
      EXPECT_EQ(canonical_number(std::stod(*key)), *key) << text;
    }
    (void)extract_choice(text);
    (void)extract_code(text);
  }
  std::string nested;
  for (int i = 0; i < 5000; ++i) nested += "\\frac{";
  EXPECT_FALSE(extract_number(nested));
  EXPECT_EQ(num(std::string(100000, '9')), "<none>");  // 1e100000 is not a finite double
  EXPECT_EQ(num(std::string(300, '9') + " apples, 5 left"), "5");
}

}  // namespace
}  // namespace loco
