// Training data: the three line formats, the loss marks on the assistant's tokens only
// (decoded back to the assistant's text and end-of-turn marker), and errors naming the
// file and line.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "loco/error.h"
#include "loco/gguf.h"
#include "test_paths.h"
#include "train/train_data.h"

namespace loco::train {
namespace {

Tokenizer vocab(const char* file) {
  GgufFile f = GgufFile::open(test::testdata_dir() + "/tokenizer/" + file);
  return Tokenizer::from_gguf(f);
}

// The text of the marked tokens, each marked run ending with "|".
std::string marked_text(const TrainExample& ex, const Tokenizer& tok) {
  std::string out;
  std::vector<TokenId> run;
  for (size_t i = 0; i <= ex.tokens.size(); ++i) {
    if (i < ex.tokens.size() && ex.target[i]) {
      run.push_back(ex.tokens[i]);
    } else if (!run.empty()) {
      out += tok.decode(run) + "|";
      run.clear();
    }
  }
  return out;
}

TEST(TrainData, AssistantTokensAloneAreMarked) {
  const Tokenizer qwen = vocab("ggml-vocab-qwen3.gguf");
  const Tokenizer llama = vocab("ggml-vocab-llama3.gguf");
  const std::vector<ChatMessage> chat = {{"system", "Be brief."},
                                         {"user", "What is 2 + 3?"},
                                         {"assistant", "2 + 3 = 5.\n#### 5"},
                                         {"user", "And times 4?"},
                                         {"assistant", "5 x 4 = 20."}};
  const TrainExample q = make_example(chat, qwen, ChatFormat::Qwen3, 4096, "t:1");
  EXPECT_EQ(marked_text(q, qwen), "2 + 3 = 5.\n#### 5<|im_end|>|5 x 4 = 20.<|im_end|>|");
  const TrainExample l = make_example(chat, llama, ChatFormat::Llama3, 4096, "t:1");
  EXPECT_EQ(marked_text(l, llama), "2 + 3 = 5.\n#### 5<|eot_id|>|5 x 4 = 20.<|eot_id|>|");
  ASSERT_EQ(q.tokens.size(), q.target.size());
  EXPECT_EQ(q.target[0], 0);
}

std::vector<std::string> flat(const std::vector<ChatMessage>& m) {
  std::vector<std::string> out;
  for (const ChatMessage& x : m) out.push_back(x.role + ": " + x.content);
  return out;
}

TEST(TrainData, TheThreeLineFormats) {
  const std::vector<std::string> expected = {"user: How many legs do 2 cats have?", "assistant: 8"};
  EXPECT_EQ(flat(train_messages(R"({"question": "How many legs do 2 cats have?", "answer": 8})", "f:1")), expected);
  EXPECT_EQ(flat(train_messages(R"({"prompt": "How many legs do 2 cats have?", "completion": "8"})", "f:2")),
            expected);
  EXPECT_EQ(flat(train_messages(
                R"({"messages": [{"role": "user", "content": "How many legs do 2 cats have?"}, {"role": "assistant", "content": "8"}]})",
                "f:3")),
            expected);
}

// Plain text: every token predicted (none at position 0), ending with <|endoftext|>.
TEST(TrainData, PlainTextPredictsEveryToken) {
  const Tokenizer qwen = vocab("ggml-vocab-qwen3.gguf");
  const std::string path = test::temp_dir() + "/text.jsonl";
  std::ofstream(path) << R"({"text": "Once upon a time"})" << "\n";
  const std::vector<TrainExample> ex = load_train_jsonl(path, qwen, ChatFormat::Qwen3, 64);
  ASSERT_EQ(ex.size(), 1u);
  EXPECT_EQ(qwen.decode(ex[0].tokens), "Once upon a time<|endoftext|>");
  EXPECT_EQ(ex[0].target.front(), 0);
  EXPECT_EQ(std::count(ex[0].target.begin(), ex[0].target.end(), 1), static_cast<long>(ex[0].tokens.size()) - 1);
}

TEST(TrainData, BadLinesNameFileAndLine) {
  const std::string dir = test::temp_dir();
  const Tokenizer qwen = vocab("ggml-vocab-qwen3.gguf");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{not json", "not valid JSON"},
      {"[1, 2]", "must be a JSON object"},
      {R"({"body": "hello"})", "expected {\"messages\""},
      {R"({"text": ["hello"]})", "\"text\" must be a string"},
      {R"({"text": "  "})", "\"text\" is empty"},
      {R"({"prompt": "hi"})", "\"completion\" is missing"},
      {R"({"question": "hi", "answer": ""})", "\"answer\" is empty"},
      {R"({"question": "hi", "answer": [1]})", "\"answer\" must be a string"},
      {R"({"messages": [{"role": "user", "content": "hi"}]})", "no assistant turn"},
      {R"({"messages": [{"role": "tool", "content": "x"}, {"role": "assistant", "content": "y"}]})",
       "role \"tool\" is not"},
      {R"({"messages": "hello"})", "must be a list"},
  };
  for (const auto& [line, needle] : cases) {
    const std::string path = dir + "/bad.jsonl";
    std::ofstream(path) << R"({"question": "ok", "answer": "fine"})" << "\n\n" << line << "\n";
    try {
      load_train_jsonl(path, qwen, ChatFormat::Qwen3, 4096);
      FAIL() << line;
    } catch (const Error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(path + ":3"), std::string::npos) << what;
      EXPECT_NE(what.find(needle), std::string::npos) << what;
    }
  }
  const std::string long_path = dir + "/long.jsonl";
  std::ofstream(long_path) << R"({"question": "hi", "answer": ")" << std::string(2000, 'a') << "\"}\n";
  EXPECT_THROW(load_train_jsonl(long_path, qwen, ChatFormat::Qwen3, 64), Error);
  std::ofstream(dir + "/empty.jsonl") << "\n";
  EXPECT_THROW(load_train_jsonl(dir + "/empty.jsonl", qwen, ChatFormat::Qwen3, 64), Error);
  EXPECT_THROW(load_train_jsonl(dir + "/missing.jsonl", qwen, ChatFormat::Qwen3, 64), Error);
}

}  // namespace
}  // namespace loco::train
