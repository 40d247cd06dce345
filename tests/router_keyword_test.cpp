// KeywordRouter: whole-word and phrase matching, scoring, ties, no match, and the v1 lists
// against the registry file they were copied from.
#include <gtest/gtest.h>

#include <fstream>

#include "loco/error.h"
#include "loco/router.h"
#include "test_paths.h"

namespace loco {
namespace {

TEST(RouterKeyword, WholeWordsOnly) {
  EXPECT_TRUE(keyword_occurs("What is the sum of 3 and 4?", "sum"));
  EXPECT_TRUE(keyword_occurs("SUM these numbers", "sum"));
  EXPECT_TRUE(keyword_occurs("sum", "sum"));
  EXPECT_TRUE(keyword_occurs("(sum)", "sum"));
  EXPECT_TRUE(keyword_occurs("the sum's parts", "sum"));
  EXPECT_FALSE(keyword_occurs("Give me a summary", "sum"));
  EXPECT_FALSE(keyword_occurs("a checksum", "sum"));
  EXPECT_FALSE(keyword_occurs("sum_total", "sum"));
  EXPECT_FALSE(keyword_occurs("sum2", "sum"));
  EXPECT_FALSE(keyword_occurs("solve these equations", "equation"));
  // The first occurrence is inside a word, a later one is whole.
  EXPECT_TRUE(keyword_occurs("summary of the sum", "sum"));
  // Non-ASCII letters are word characters: no match inside "sumé".
  EXPECT_FALSE(keyword_occurs("r\xc3\xa9sum\xc3\xa9", "sum"));
}

TEST(RouterKeyword, Phrases) {
  EXPECT_TRUE(keyword_occurs("How many apples?", "how many"));
  EXPECT_TRUE(keyword_occurs("how\n   many\tapples", "how many"));
  EXPECT_TRUE(keyword_occurs("Please write a function that adds", "write a function"));
  EXPECT_TRUE(keyword_occurs("Write A Function.", "Write  a function"));
  EXPECT_FALSE(keyword_occurs("how manyfold", "how many"));
  EXPECT_FALSE(keyword_occurs("somehow many", "how many"));
  EXPECT_FALSE(keyword_occurs("write a functional spec", "write a function"));
  EXPECT_FALSE(keyword_occurs("how much, many", "how many"));
  // A keyword ending in punctuation needs no boundary after it.
  EXPECT_TRUE(keyword_occurs("I write c++code", "c++"));
  EXPECT_FALSE(keyword_occurs("abc++", "c++"));
}

TEST(RouterKeyword, ScoresCountDistinctKeywords) {
  KeywordRouter r(AdapterKeywords{{"math", {"sum", "total", "how many", "sum"}},
                                  {"code", {"function", "write a function"}}});
  RouteDecision d = r.route("How many is the total sum? sum! total!");
  ASSERT_EQ(d.scores.size(), 2u);
  EXPECT_EQ(d.scores[0].adapter, "math");
  EXPECT_EQ(d.scores[0].score, 3);  // sum (listed twice, seen twice), total, how many
  EXPECT_EQ(d.scores[0].why, "matched \"sum\", \"total\", \"how many\"");
  EXPECT_EQ(d.scores[1].score, 0);
  EXPECT_EQ(d.scores[1].why, "no keyword matched");
  EXPECT_EQ(d.adapter, "math");
  EXPECT_DOUBLE_EQ(d.confidence, 1.0);

  // A phrase counts together with the keyword inside it.
  d = r.route("Write a function to sum a list");
  EXPECT_EQ(d.scores[1].score, 2);
  EXPECT_EQ(d.scores[0].score, 1);
  EXPECT_EQ(d.adapter, "code");
  EXPECT_DOUBLE_EQ(d.confidence, 2.0 / 3.0);
  EXPECT_NE(d.explanation.find("code matched 2 keywords"), std::string::npos) << d.explanation;
}

TEST(RouterKeyword, TieGoesToTheBaseModel) {
  KeywordRouter r(locollm_v1_keywords());
  // "how many" (math) and "why" (analysis): one each.
  RouteDecision d = r.route("Why do we need to know how many planets there are?");
  EXPECT_EQ(d.adapter, "");
  EXPECT_EQ(decision_label(d), "none");
  EXPECT_EQ(d.confidence, 0);
  EXPECT_NE(d.explanation.find("tie: math, analysis each matched 1 keyword"), std::string::npos)
      << d.explanation;
}

TEST(RouterKeyword, NoMatchGoesToTheBaseModel) {
  KeywordRouter r(locollm_v1_keywords());
  RouteDecision d = r.route("Write a haiku about the summary of summer");
  EXPECT_EQ(d.adapter, "");
  EXPECT_EQ(d.scores.size(), 3u);
  for (const RouteScore& s : d.scores) EXPECT_EQ(s.score, 0);
  EXPECT_NE(d.explanation.find("no adapter keyword"), std::string::npos);
  EXPECT_EQ(r.route("").adapter, "");
}

TEST(RouterKeyword, RefusesBadLists) {
  EXPECT_THROW(KeywordRouter(AdapterKeywords{{"", {"x"}}}), Error);
  EXPECT_THROW(KeywordRouter(AdapterKeywords{{"none", {"x"}}}), Error);
  EXPECT_THROW(KeywordRouter(AdapterKeywords{{"a", {"x"}}, {"a", {"y"}}}), Error);
  EXPECT_THROW(KeywordRouter(AdapterKeywords{{"a", {"  \t"}}}), Error);
}

// The built-in lists must be the ones in shared/datasets/locollm-v1/registry.yaml: under
// "adapters:", each "  <name>:" line starts an adapter whose "router_keywords: [...]"
// line lists its quoted keywords.
TEST(RouterKeyword, V1ListsMatchTheRegistryFile) {
  const std::string path = test::testdata_dir() + "/../datasets/locollm-v1/registry.yaml";
  std::ifstream in(path);
  if (!in) GTEST_SKIP() << "no " << path;
  AdapterKeywords from_file;
  bool in_adapters = false;
  std::string line;
  while (std::getline(in, line)) {
    if (line == "adapters:") {
      in_adapters = true;
    } else if (in_adapters && line.size() > 3 && line.compare(0, 2, "  ") == 0 && line[2] != ' ' &&
               line.back() == ':') {
      from_file.emplace_back(line.substr(2, line.size() - 3), std::vector<std::string>{});
    } else if (in_adapters && line.find("router_keywords:") != std::string::npos) {
      ASSERT_FALSE(from_file.empty());
      const std::string list = line.substr(line.find('['));
      for (size_t a = list.find('"'); a != std::string::npos; a = list.find('"', a + 1)) {
        const size_t b = list.find('"', a + 1);
        ASSERT_NE(b, std::string::npos) << line;
        from_file.back().second.push_back(list.substr(a + 1, b - a - 1));
        a = b;
      }
    }
  }
  ASSERT_EQ(from_file.size(), 3u);
  EXPECT_EQ(from_file, locollm_v1_keywords());
}

}  // namespace
}  // namespace loco
