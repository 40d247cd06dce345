// The vote tally (with an exhaustive check of the early-stop rule) and free-text choice.
#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "loco/vote.h"

namespace loco {
namespace {

std::optional<std::string> key(const char* k) { return k ? std::optional<std::string>(k) : std::nullopt; }

TEST(VoteTally, CountsLeaderAgreementAndRanking) {
  VoteTally t;
  for (const char* k : std::initializer_list<const char*>{"18", "20", "18", nullptr, "18"}) t.add(key(k));
  EXPECT_EQ(t.samples(), 5);
  EXPECT_EQ(t.leader(), "18");
  EXPECT_EQ(t.leader_count(), 3);
  EXPECT_EQ(t.runner_up_count(), 1);
  EXPECT_EQ(t.count("20"), 1);
  EXPECT_EQ(t.count("7"), 0);
  EXPECT_EQ(t.agreement(), "3/5");
  EXPECT_DOUBLE_EQ(t.agreement_ratio(), 0.6);
  auto ranking = t.ranking();
  ASSERT_EQ(ranking.size(), 2u);
  EXPECT_EQ(ranking[0].first, "18");
  EXPECT_EQ(ranking[1].first, "20");
}

TEST(VoteTally, EmptyAndUnansweredTallies) {
  VoteTally t;
  EXPECT_FALSE(t.leader());
  EXPECT_EQ(t.agreement(), "0/0");
  t.add(std::nullopt);
  t.add(std::nullopt);
  EXPECT_FALSE(t.leader());
  EXPECT_EQ(t.agreement(), "0/2");
  EXPECT_FALSE(t.decided(1));
  EXPECT_TRUE(t.decided(0));
}

TEST(VoteTally, TiesGoToTheKeyThatReachedTheCountFirst) {
  VoteTally t;
  t.add(key("A"));
  t.add(key("B"));
  EXPECT_EQ(t.leader(), "A");  // both at 1, A got there first
  t.add(key("B"));
  t.add(key("A"));
  EXPECT_EQ(t.leader(), "B");  // both at 2, B got there first (sample 3, A at sample 4)
  auto ranking = t.ranking();
  EXPECT_EQ(ranking[0].first, "B");
  // The spelling of keys plays no part.
  VoteTally u;
  for (const char* k : {"zeta", "alpha", "alpha", "zeta"}) u.add(key(k));
  EXPECT_EQ(u.leader(), "alpha");
}

TEST(VoteTally, WeightedVotes) {
  VoteTally t;
  t.add(key("A"), 0.5);
  t.add(key("B"), 1.0);
  t.add(key("A"), 1.0);
  EXPECT_EQ(t.leader(), "A");
  EXPECT_EQ(t.agreement(), "1.5/2.5");
  EXPECT_TRUE(t.decided(1, 0.4));   // 1.5 > 1 + 0.4
  EXPECT_FALSE(t.decided(1, 0.5));  // 1.5 = 1 + 0.5: a tie is possible
}

TEST(VoteTally, EarlyStopInAFiveSampleVote) {
  VoteTally t;
  t.add(key("72"));
  t.add(key("72"));
  EXPECT_FALSE(t.decided(3));
  t.add(key("72"));
  EXPECT_TRUE(t.decided(2));  // 3 > 0 + 2: the last two samples cannot change the winner
  VoteTally u;
  for (const char* k : {"72", "70", "72"}) u.add(key(k));
  EXPECT_FALSE(u.decided(2));  // 2 <= 1 + 2
  u.add(key("72"));
  EXPECT_TRUE(u.decided(1));  // 3 > 1 + 1
}

// Every sequence of N samples over {A, B, C, no answer}, N <= 7, split at every point:
// decided(remaining) must hold exactly when no continuation lets another key reach or
// pass the current leader. The final counts are computed here independently of the tally.
TEST(VoteTally, DecidedIsExactForEverySmallSequence) {
  const std::array<std::optional<std::string>, 4> alphabet = {key("A"), key("B"), key("C"), std::nullopt};
  for (int n = 1; n <= 7; ++n) {
    int total = 1;
    for (int i = 0; i < n; ++i) total *= 4;
    for (int k = 0; k <= n; ++k) {
      int prefixes = 1;
      for (int i = 0; i < k; ++i) prefixes *= 4;
      const int continuations = total / prefixes;
      for (int prefix = 0; prefix < prefixes; ++prefix) {
        VoteTally t;
        std::array<int, 3> counts{};
        for (int i = 0, code = prefix; i < k; ++i, code /= 4) {
          t.add(alphabet[code % 4]);
          if (code % 4 < 3) ++counts[code % 4];
        }
        const auto leader = t.leader();
        const int lead = leader ? (*leader)[0] - 'A' : -1;
        bool always_strictly_ahead = true;
        for (int rest = 0; rest < continuations; ++rest) {
          std::array<int, 3> final_counts = counts;
          for (int i = k, code = rest; i < n; ++i, code /= 4)
            if (code % 4 < 3) ++final_counts[code % 4];
          bool ahead = lead >= 0;
          for (int other = 0; other < 3 && ahead; ++other)
            if (other != lead && final_counts[other] >= final_counts[lead]) ahead = false;
          always_strictly_ahead = always_strictly_ahead && ahead;
        }
        const int remaining = n - k;
        if (remaining == 0) {
          EXPECT_TRUE(t.decided(0));
          continue;
        }
        ASSERT_EQ(t.decided(remaining), always_strictly_ahead)
            << "n=" << n << " k=" << k << " prefix=" << prefix << " leader=" << leader.value_or("-");
      }
    }
  }
}

TEST(TextSimilarity, JaccardOfWordSets) {
  EXPECT_DOUBLE_EQ(text_similarity("a b c", "b c d"), 0.5);            // {b,c} / {a,b,c,d}
  EXPECT_DOUBLE_EQ(text_similarity("The ATP.", "atp, the"), 1.0);       // case and punctuation
  EXPECT_DOUBLE_EQ(text_similarity("red red blue", "red"), 0.5);        // sets, not counts
  EXPECT_DOUBLE_EQ(text_similarity("café au lait", "cafe au lait"), 0.5);  // {au,lait} / 4
  EXPECT_DOUBLE_EQ(text_similarity("", "..."), 1.0);
  EXPECT_DOUBLE_EQ(text_similarity("x", ""), 0.0);
}

TEST(ChooseFreeText, PicksTheAnswerClosestToTheOthers) {
  std::vector<std::optional<std::string>> answers = {
      key("chlorophyll"), key("the pigment is chlorophyll"), key("chlorophyll"), key("carotene"),
      std::nullopt};
  FreeTextChoice c = choose_free_text(answers);
  // Means: #0 and #2 (1/4 + 1 + 0) / 3, #1 (1/4 + 1/4 + 0) / 3, #3 0: #0 wins the tie.
  ASSERT_TRUE(c.index);
  EXPECT_EQ(*c.index, 0u);
  EXPECT_DOUBLE_EQ(c.mean_similarity, 1.25 / 3);
  EXPECT_EQ(c.support, 2);  // itself and #2
  EXPECT_EQ(c.samples, 5);
  EXPECT_EQ(c.agreement, "2/5");
}

TEST(ChooseFreeText, SingleAndNoAnswers) {
  FreeTextChoice one = choose_free_text({std::nullopt, key("atp")});
  ASSERT_TRUE(one.index);
  EXPECT_EQ(*one.index, 1u);
  EXPECT_DOUBLE_EQ(one.mean_similarity, 1.0);
  EXPECT_EQ(one.agreement, "1/2");
  FreeTextChoice none = choose_free_text({std::nullopt, std::nullopt});
  EXPECT_FALSE(none.index);
  EXPECT_EQ(none.agreement, "0/2");
}

}  // namespace
}  // namespace loco
