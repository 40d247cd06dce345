// Byte-level BPE training (`loco train tokenizer`): merges by hand on a classic example,
// the written vocabulary loaded by loco's own tokenizer (round trips, compression), and
// determinism and errors.
#include <gtest/gtest.h>

#include <fstream>

#include "cli_runner.h"
#include "loco/error.h"
#include "loco/gguf.h"
#include "loco/tokenizer.h"
#include "test_paths.h"
#include "train/bpe_trainer.h"

namespace loco::train {
namespace {

Tokenizer load(const BpeVocabulary& v, const std::string& name) {
  GgufWriter w;
  set_bpe_vocabulary(w, v);
  const std::string path = test::temp_dir() + "/" + name;
  w.write(path);
  return Tokenizer::from_gguf(GgufFile::open(path));
}

// "aaabdaaabac" (one piece): aa occurs 4 times; then "aa a" and "a b" tie at 2 and "aaa"
// sorts before "ab"; then "aaa b" (2); every other pair occurs once, below min_frequency.
TEST(BpeTraining, MergesTheMostFrequentPairFirst) {
  BpeTrainOptions o;
  o.vocab_size = 1000;
  o.pre = "gpt-2";
  const BpeVocabulary v = train_bpe({"aaabdaaabac"}, o);
  EXPECT_EQ(v.merges, (std::vector<std::string>{"a a", "aa a", "aaa b"}));
  ASSERT_EQ(v.tokens.size(), 256u + 3u + 3u);
  EXPECT_EQ(v.tokens[256], "aa");
  EXPECT_EQ(v.tokens[258], "aaab");
  EXPECT_EQ(v.tokens[259], "<|endoftext|>");
  EXPECT_EQ(v.types[259], 3);
  EXPECT_EQ(v.types[258], 1);
  const Tokenizer tok = load(v, "abc.gguf");
  EXPECT_EQ(tok.encode("aaabdaaabac", false, false), (std::vector<TokenId>{258, 'd', 258, 'a', 'c'}));
  // A cap on the size stops the merges early.
  o.vocab_size = 256 + 3 + 1;
  EXPECT_EQ(train_bpe({"aaabdaaabac"}, o).merges, (std::vector<std::string>{"a a"}));
}

TEST(BpeTraining, VocabularyRoundTripsAndCompresses) {
  std::vector<std::string> texts;
  std::ifstream in(test::testdata_dir() + "/../datasets/gsm8k/train.jsonl");
  std::string line;
  int64_t bytes = 0;
  while (texts.size() < 400 && std::getline(in, line)) {
    texts.push_back(line);
    bytes += static_cast<int64_t>(line.size());
  }
  ASSERT_EQ(texts.size(), 400u);
  BpeTrainOptions o;
  o.vocab_size = 1024;
  const BpeVocabulary v = train_bpe(texts, o);
  EXPECT_EQ(v.tokens.size(), 1024u);
  EXPECT_EQ(v, train_bpe(texts, o)) << "not deterministic";
  const Tokenizer tok = load(v, "gsm.gguf");
  EXPECT_EQ(tok.n_vocab(), 1024);
  int64_t n_tokens = 0;
  for (const std::string& t : texts) {
    const std::vector<TokenId> ids = tok.encode(t, false, false);
    n_tokens += static_cast<int64_t>(ids.size());
    ASSERT_EQ(tok.decode(ids), t);
  }
  EXPECT_GT(static_cast<double>(bytes) / static_cast<double>(n_tokens), 2.0);  // bytes alone: 1
  // Text it never saw, in other scripts and with odd bytes, still round-trips (byte tokens).
  for (const std::string& t : std::vector<std::string>{"Grüße, 世界! 🙂", std::string("\x01\xff tab\there", 12), "  spaces   "}) {
    EXPECT_EQ(tok.decode(tok.encode(t, false, false)), t);
  }
  // Special tokens are whole tokens, and the chat template is ChatML.
  const std::vector<TokenId> im = tok.encode("<|im_start|>user", false, true);
  ASSERT_FALSE(im.empty());
  EXPECT_EQ(im[0], 1022);
}

TEST(BpeTraining, BadSettingsAreErrors) {
  BpeTrainOptions o;
  o.vocab_size = 200;
  EXPECT_THROW(train_bpe({"text"}, o), Error);
  o.vocab_size = 300;
  o.pre = "no-such";
  EXPECT_THROW(train_bpe({"text"}, o), Error);
  o.pre = "qwen2";
  EXPECT_THROW(train_bpe({}, o), Error);
  EXPECT_THROW(train_bpe({""}, o), Error);
}

TEST(BpeTrainingCli, WritesAVocabularyTheTokenizerLoads) {
  const std::string dir = test::temp_dir();
  const std::string data = test::testdata_dir() + "/../datasets/gsm8k/test.jsonl";
  const test::CliResult r =
      test::run_loco({"train", "tokenizer", "--data", data, "--vocab-size", "600", "-o", dir + "/v.gguf"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("600 tokens"), std::string::npos) << r.out;
  const test::CliResult t = test::run_loco({"tokenize", "-m", dir + "/v.gguf", "How many apples?"});
  EXPECT_EQ(t.exit_code, 0) << t.err;
  std::ofstream(dir + "/bad.jsonl") << "{\"a\": \"fine\"}\n{oops\n";
  test::expect_one_line_error(
      test::run_loco({"train", "tokenizer", "--data", dir + "/bad.jsonl", "-o", dir + "/w.gguf"}), "bad.jsonl:2");
}

}  // namespace
}  // namespace loco::train
