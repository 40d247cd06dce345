// The contamination check against cases worked out by hand: which questions are exact
// copies, the n-gram fraction of near copies counted window by window, the threshold on
// both sides, whole-word matching, and a realistic size that must stay fast.
#include "loco/eval/overlap.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "loco/error.h"

namespace loco::eval {
namespace {

// "q0 q1 … q{count−1}" from `first`: distinct words, so every 13-gram is distinct too.
std::string words(int first, int count, const std::string& stem = "q") {
  std::string out;
  for (int i = first; i < first + count; ++i) out += (out.empty() ? "" : " ") + stem + std::to_string(i);
  return out;
}

TEST(EvalOverlap, Normalisation) {
  EXPECT_EQ(normalize_for_overlap("Hello, World!"), "hello world");
  EXPECT_EQ(normalize_for_overlap("  --a--B--  "), "a b");
  EXPECT_EQ(normalize_for_overlap("What is 2+2?\n\tIt's 4."), "what is 2 2 it s 4");
  EXPECT_EQ(normalize_for_overlap(""), "");
  EXPECT_EQ(normalize_for_overlap("?!. ,"), "");
  // Non-ASCII bytes are letters and keep their case: no locale-dependent folding.
  EXPECT_EQ(normalize_for_overlap("Café AU Lait — Ünïcode"), "café au lait — Ünïcode");
  EXPECT_EQ(normalize_for_overlap("ÀB"), "Àb");
}

TEST(EvalOverlap, SameQuestionDespiteCaseAndPunctuation) {
  const auto m = find_overlap({"What is the capital of France?"},
                              {"unrelated text", "what   is THE capital, of france"});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].eval_index, 0u);
  EXPECT_EQ(m[0].train_index, 1u);
  EXPECT_TRUE(m[0].exact);
  EXPECT_DOUBLE_EQ(m[0].ngram_overlap, 1.0);
}

TEST(EvalOverlap, QuestionEmbeddedInALongerTrainingText) {
  const std::string question = words(0, 20);  // long: the n-gram index finds it, the text confirms it
  const std::string short_question = "Natalia sold clips to 48 of her friends.";
  const std::vector<std::string> train = {
      "nothing here",
      "### Instruction: " + question + ". ### Response: 42",
      "Problem: natalia SOLD clips to 48 of her friends in April; how many?",
  };
  const auto m = find_overlap({question, short_question}, train);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].eval_index, 0u);
  EXPECT_EQ(m[0].train_index, 1u);
  EXPECT_TRUE(m[0].exact);
  EXPECT_DOUBLE_EQ(m[0].ngram_overlap, 1.0);
  EXPECT_EQ(m[1].eval_index, 1u);
  EXPECT_EQ(m[1].train_index, 2u);
  EXPECT_TRUE(m[1].exact);
}

TEST(EvalOverlap, FractionOfSharedThirteenGramsCountedByHand) {
  // 20 words have 20 − 12 = 8 13-grams; q0..q16 holds those starting at q0..q4: 5 of 8.
  const std::string question = words(0, 20);
  const std::vector<std::string> train = {words(0, 17)};
  EXPECT_TRUE(find_overlap({question}, train).empty());  // 0.625 < 0.8
  const auto m = find_overlap({question}, train, {.n = 13, .threshold = 0.6});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_FALSE(m[0].exact);
  EXPECT_DOUBLE_EQ(m[0].ngram_overlap, 5.0 / 8.0);
  // The shared n-grams need not be contiguous: q0..q12 and q7..q19 hold grams 0 and 7.
  const auto two = find_overlap({question}, {words(0, 13) + " filler " + words(7, 13)}, {.n = 13, .threshold = 0});
  ASSERT_EQ(two.size(), 1u);
  EXPECT_DOUBLE_EQ(two[0].ngram_overlap, 2.0 / 8.0);
}

TEST(EvalOverlap, ThresholdIsInclusive) {
  // 32 words: 20 13-grams. q0..q26 holds grams 0..14 (15 of 20 = 0.75); q0..q27 holds 16 (0.8).
  const std::string question = words(0, 32);
  EXPECT_TRUE(find_overlap({question}, {words(0, 27)}).empty());
  const auto m = find_overlap({question}, {words(0, 27), words(0, 28)});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].train_index, 1u);
  EXPECT_FALSE(m[0].exact);
  EXPECT_DOUBLE_EQ(m[0].ngram_overlap, 0.8);
  // The same 16 grams from the other end (q4..q31) count the same.
  const auto tail = find_overlap({question}, {"prefix " + words(4, 28)});
  ASSERT_EQ(tail.size(), 1u);
  EXPECT_DOUBLE_EQ(tail[0].ngram_overlap, 0.8);
}

TEST(EvalOverlap, OverlapIsPerTrainingTextNotPooled) {
  // Each text holds half the grams; together they hold all, but no one text is a near copy.
  const std::string question = words(0, 32);  // 20 grams
  const std::vector<std::string> train = {words(0, 22), words(10, 22)};  // grams 0..9 and 10..19
  EXPECT_TRUE(find_overlap({question}, train).empty());
  const auto m = find_overlap({question}, train, {.n = 13, .threshold = 0.5});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].train_index, 0u);  // a tie goes to the first text
  EXPECT_DOUBLE_EQ(m[0].ngram_overlap, 0.5);
}

TEST(EvalOverlap, AllGramsPresentButNotContiguousIsNotExact) {
  // 14 words: grams q0..q12 and q1..q13, both present, but the question never occurs whole.
  const std::string question = words(0, 14);
  const auto m = find_overlap({question}, {words(1, 13) + " and " + words(0, 13)});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_FALSE(m[0].exact);
  EXPECT_DOUBLE_EQ(m[0].ngram_overlap, 1.0);
}

TEST(EvalOverlap, AnExactCopyWinsOverAnEarlierNearCopy) {
  const std::string question = words(0, 32);
  const auto m = find_overlap({question}, {words(0, 31), "x " + question + " y"});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].train_index, 1u);
  EXPECT_TRUE(m[0].exact);
}

TEST(EvalOverlap, ShortQuestionsOnlyMatchExactly) {
  const std::string question = words(0, 12);  // 12 < 13 words: no 13-gram at all
  // Every word present, in order, but interrupted: not a copy.
  EXPECT_TRUE(find_overlap({question}, {words(0, 6) + " gap " + words(6, 6)}).empty());
  EXPECT_TRUE(find_overlap({question}, {words(0, 11)}).empty());
  const auto m = find_overlap({question}, {"before " + words(0, 12) + " after"});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_TRUE(m[0].exact);
  EXPECT_DOUBLE_EQ(m[0].ngram_overlap, 1.0);
  // A smaller n makes the same question long enough for the n-gram test.
  const auto small_n = find_overlap({question}, {words(0, 6) + " gap " + words(6, 6)}, {.n = 3, .threshold = 0.7});
  ASSERT_EQ(small_n.size(), 1u);
  EXPECT_FALSE(small_n[0].exact);
  EXPECT_DOUBLE_EQ(small_n[0].ngram_overlap, 8.0 / 10.0);  // 10 trigrams; the 2 spanning the gap are missing
}

TEST(EvalOverlap, WholeWordsOnly) {
  EXPECT_TRUE(find_overlap({"cat"}, {"concatenate", "cats", "bobcat", "scat!"}).empty());
  const auto m = find_overlap({"cat", "Cat?"}, {"concatenate", "the cat sat"});
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].train_index, 1u);
  EXPECT_EQ(m[1].train_index, 1u);
  // A long question must also start and end on word boundaries.
  const std::string question = words(0, 20);
  EXPECT_FALSE(find_overlap({question}, {"x" + question + " y"}).empty());  // shares 7 of 8 grams: near copy
  EXPECT_FALSE(find_overlap({question}, {"x" + question + " y"})[0].exact);
}

TEST(EvalOverlap, EmptyInputs) {
  EXPECT_TRUE(find_overlap({}, {}).empty());
  EXPECT_TRUE(find_overlap({}, {"some training text"}).empty());
  EXPECT_TRUE(find_overlap({"a question"}, {}).empty());
  // A question with no words is never a match, not even for an empty training text.
  EXPECT_TRUE(find_overlap({"", "?!", "  "}, {"", "anything", "?"}).empty());
  const auto m = find_overlap({"", "real question"}, {"", "a real question here"});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].eval_index, 1u);
  EXPECT_THROW(find_overlap({"x"}, {"x"}, {.n = 0, .threshold = 0.8}), loco::Error);
}

TEST(EvalOverlap, ResultsComeInEvalOrder) {
  const std::vector<std::string> eval = {"alpha beta", "not present", "gamma", "beta alpha"};
  const auto m = find_overlap(eval, {"gamma rays", "alpha beta gamma", "beta alpha"});
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].eval_index, 0u);
  EXPECT_EQ(m[0].train_index, 1u);
  EXPECT_EQ(m[1].eval_index, 2u);
  EXPECT_EQ(m[1].train_index, 0u);  // the first text that holds it
  EXPECT_EQ(m[2].eval_index, 3u);
  EXPECT_EQ(m[2].train_index, 2u);
}

// A realistic size, with copies planted among random texts (speed is measured, not tested).
TEST(EvalOverlap, PlantedCopiesAmongTenThousandTexts) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> word(0, 4999);
  auto random_text = [&](int n_words) {
    std::string s;
    for (int i = 0; i < n_words; ++i) s += (i ? " w" : "w") + std::to_string(word(rng));
    return s;
  };
  std::vector<std::string> train(10000), eval(1000);
  for (std::string& t : train) t = random_text(150);
  for (size_t i = 0; i < eval.size(); ++i) eval[i] = random_text(i % 2 ? 10 : 40);  // short and long questions
  // Planted: two long exact copies, a short exact copy and a long near copy.
  train[1234] = "Question: " + eval[10] + " Answer: 7";
  train[4321] = eval[20] + " and more";
  train[5000] = "blah " + eval[31] + " blah";
  // eval[40] (40 words, 28 grams) with its last 3 words changed: grams 0..24 remain, 25 of 28.
  std::string near = eval[40].substr(0, eval[40].rfind(' '));
  near = near.substr(0, near.rfind(' '));
  near = near.substr(0, near.rfind(' ')) + " zz1 zz2 zz3";
  train[777] = near;

  const auto m = find_overlap(eval, train);
  // Random 150-word texts over 5000 words share no 13-gram by chance; only the plants match.
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].eval_index, 10u);
  EXPECT_EQ(m[0].train_index, 1234u);
  EXPECT_TRUE(m[0].exact);
  EXPECT_EQ(m[1].eval_index, 20u);
  EXPECT_EQ(m[1].train_index, 4321u);
  EXPECT_TRUE(m[1].exact);
  EXPECT_EQ(m[2].eval_index, 31u);
  EXPECT_EQ(m[2].train_index, 5000u);
  EXPECT_TRUE(m[2].exact);
  EXPECT_EQ(m[3].eval_index, 40u);
  EXPECT_EQ(m[3].train_index, 777u);
  EXPECT_FALSE(m[3].exact);
  EXPECT_DOUBLE_EQ(m[3].ngram_overlap, 25.0 / 28.0);
}

}  // namespace
}  // namespace loco::eval
