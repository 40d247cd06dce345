// Tokens and TF-IDF of the classifier router, against hand-computed values.
#include <gtest/gtest.h>

#include <cmath>

#include "loco/error.h"
#include "locollm/router/text_features.h"

namespace loco::router {
namespace {

using Strings = std::vector<std::string>;

TEST(RouterFeatures, WordTokens) {
  EXPECT_EQ(word_tokens("What is 15 + 27?"), (Strings{"what", "is", "<num>", "+", "<num>", "?"}));
  EXPECT_EQ(word_tokens("It's x_1, caf\xc3\xa9!"),
            (Strings{"it", "'", "s", "x_1", ",", "caf\xc3\xa9", "!"}));
  EXPECT_EQ(word_tokens("3.5"), (Strings{"<num>", ".", "<num>"}));
  EXPECT_EQ(word_tokens("  \n\t "), Strings{});
  EXPECT_EQ(word_tokens("DEF foo():"), (Strings{"def", "foo", "(", ")", ":"}));
}

TEST(RouterFeatures, Bigrams) {
  EXPECT_EQ(text_terms("A b c", false), (Strings{"a", "b", "c"}));
  EXPECT_EQ(text_terms("A b c", true), (Strings{"a", "b", "c", "a b", "b c"}));
  EXPECT_EQ(text_terms("one", true), (Strings{"one"}));
}

// Three documents; idf = ln((1 + 3) / (1 + df)) + 1 and l2 normalisation, as computed by
// hand (and by scikit-learn's TfidfVectorizer(smooth_idf=True)).
TEST(RouterFeatures, TfidfThreeDocuments) {
  TfidfVectorizer v = TfidfVectorizer::fit({"the cat sat", "the dog sat", "the cat ran"}, false);
  EXPECT_EQ(v.vocabulary(), (Strings{"cat", "dog", "ran", "sat", "the"}));
  const std::vector<double> idf = {1.2876820724517808, 1.6931471805599454, 1.6931471805599454,
                                   1.2876820724517808, 1.0};
  ASSERT_EQ(v.idf().size(), idf.size());
  for (size_t i = 0; i < idf.size(); ++i)
    EXPECT_NEAR(v.idf()[i], idf[i], 1e-15) << v.vocabulary()[i];

  // "the cat cat dog bird": tf the 1, cat 2, dog 1; "bird" was never seen.
  SparseVector x = v.transform("The cat cat dog bird");
  ASSERT_EQ(x.index, (std::vector<uint32_t>{0, 1, 4}));
  EXPECT_NEAR(x.value[0], 0.7948030974218354, 1e-7);   // cat
  EXPECT_NEAR(x.value[1], 0.5225352795887762, 1e-7);   // dog
  EXPECT_NEAR(x.value[2], 0.30861775372414296, 1e-7);  // the

  EXPECT_TRUE(v.transform("bird fish").index.empty());
}

TEST(RouterFeatures, MinDfAndBigramVocabulary) {
  TfidfVectorizer v = TfidfVectorizer::fit({"how many cats", "how many dogs", "a cat"}, true, 2);
  EXPECT_EQ(v.vocabulary(), (Strings{"how", "how many", "many"}));
  EXPECT_EQ(v.find("how many"), 1);
  EXPECT_EQ(v.find("cats"), -1);
}

TEST(RouterFeatures, FromPartsChecks) {
  EXPECT_THROW(TfidfVectorizer::from_parts({"a", "b"}, {1.0}, true), FormatError);
  EXPECT_THROW(TfidfVectorizer::from_parts({"a", "a"}, {1.0, 1.0}, true), FormatError);
  EXPECT_THROW(TfidfVectorizer::from_parts({"a"}, {-1.0}, true), FormatError);
  TfidfVectorizer v = TfidfVectorizer::from_parts({"a", "b"}, {1.0, 2.0}, false);
  SparseVector x = v.transform("b a b");
  ASSERT_EQ(x.index.size(), 2u);
  EXPECT_NEAR(x.value[0], 1.0 / std::sqrt(17.0), 1e-7);
  EXPECT_NEAR(x.value[1], 4.0 / std::sqrt(17.0), 1e-7);
}

}  // namespace
}  // namespace loco::router
