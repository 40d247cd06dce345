// The shared tokenizer vectors: vocabulary-only GGUF files with .inp/.out pairs whose
// expected ids come from the Hugging Face tokenizers of those models.
#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>

#include "loco/gguf.h"
#include "loco/tokenizer.h"
#include "test_paths.h"

namespace loco {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct VectorCase {
  std::string text;
  std::vector<TokenId> ids;
};

// .inp: tests separated by "\n__ggml_vocab_test__\n" (the file ends with one);
// .out: one line of space-separated ids per test.
std::vector<VectorCase> load_cases(const std::string& vocab_path) {
  const std::string inp = read_file(vocab_path + ".inp");
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> texts;
  size_t pos = 0;
  while (pos < inp.size()) {
    size_t end = inp.find(sep, pos);
    if (end == std::string::npos) end = inp.size();
    texts.push_back(inp.substr(pos, end - pos));
    pos = end + sep.size();
  }
  std::istringstream out(read_file(vocab_path + ".out"));
  std::vector<VectorCase> cases;
  std::string line;
  for (const std::string& text : texts) {
    if (!std::getline(out, line)) break;
    VectorCase c{text, {}};
    std::istringstream ids(line);
    TokenId id;
    while (ids >> id) c.ids.push_back(id);
    cases.push_back(std::move(c));
  }
  EXPECT_EQ(cases.size(), texts.size()) << vocab_path;
  return cases;
}

std::string ids_string(const std::vector<TokenId>& ids) {
  std::string s;
  for (TokenId id : ids) {
    s += ' ';
    s += std::to_string(id);
  }
  return s;
}

class TokenizerVectors : public ::testing::TestWithParam<const char*> {};

TEST_P(TokenizerVectors, MatchReferenceIds) {
  const std::string path = test::testdata_dir() + "/tokenizer/" + GetParam();
  const Tokenizer tok = Tokenizer::from_gguf(GgufFile::open(path));
  const std::vector<VectorCase> cases = load_cases(path);
  ASSERT_GT(cases.size(), 40u);
  for (const VectorCase& c : cases) {
    const std::vector<TokenId> ids = tok.encode(c.text, /*add_bos=*/false, /*parse_special=*/false);
    EXPECT_EQ(ids, c.ids) << "text: [" << c.text << "]\n got:" << ids_string(ids)
                          << "\nwant:" << ids_string(c.ids);
  }
}

TEST_P(TokenizerVectors, DecodeOfReferenceIdsGivesText) {
  const std::string path = test::testdata_dir() + "/tokenizer/" + GetParam();
  const Tokenizer tok = Tokenizer::from_gguf(GgufFile::open(path));
  for (const VectorCase& c : load_cases(path)) {
    // Decoding the reference ids, not ours, so this checks decode on its own. For
    // SentencePiece the space that encoding prefixed is dropped again, so every text
    // comes back exactly too.
    EXPECT_EQ(tok.decode(c.ids), c.text) << "ids:" << ids_string(c.ids);
  }
}

// "ggml-vocab-llama-spm.gguf" -> "llama_spm"
std::string case_name(const ::testing::TestParamInfo<const char*>& param) {
  std::string name;
  for (const char* c = param.param + std::strlen("ggml-vocab-"); *c != '.'; ++c) {
    name += std::isalnum(static_cast<unsigned char>(*c)) ? *c : '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Shared, TokenizerVectors,
                         ::testing::Values("ggml-vocab-qwen3.gguf", "ggml-vocab-llama3.gguf",
                                           "ggml-vocab-gpt-2.gguf", "ggml-vocab-llama-spm.gguf",
                                           "ggml-vocab-phi-3.gguf"),
                         case_name);

}  // namespace
}  // namespace loco
