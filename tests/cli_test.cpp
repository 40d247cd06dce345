// The `loco` executable end to end: output formats, exit codes and one-line errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli_runner.h"
#include "logits_reference.h"
#include "test_paths.h"

namespace loco {
namespace {

using test::CliResult;
using test::expect_one_line_error;

CliResult run_cli(const std::vector<std::string>& args) { return test::run_loco(args); }
std::string slurp(const std::string& path) { return test::read_file(path); }

std::vector<std::string> vector_inputs(const std::string& vocab) {
  std::string all = slurp(test::testdata_dir() + "/tokenizer/" + vocab + ".inp");
  std::vector<std::string> out;
  const std::string sep = "\n__ggml_vocab_test__\n";
  size_t start = 0;
  for (size_t pos; (pos = all.find(sep, start)) != std::string::npos; start = pos + sep.size()) {
    out.push_back(all.substr(start, pos - start));
  }
  return out;
}

std::vector<std::string> vector_outputs(const std::string& vocab) {
  std::istringstream in(slurp(test::testdata_dir() + "/tokenizer/" + vocab + ".out"));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(Cli, TokenizeMatchesTheSharedVectors) {
  const std::string vocab = "ggml-vocab-qwen3.gguf";
  auto inputs = vector_inputs(vocab);
  auto outputs = vector_outputs(vocab);
  ASSERT_GE(outputs.size(), 10u);
  for (size_t i : {size_t{1}, size_t{5}, size_t{9}}) {
    const std::string file = test::temp_dir() + "/text";
    std::ofstream(file, std::ios::binary) << inputs[i];
    CliResult r = run_cli({"tokenize", "-m", test::testdata_dir() + "/tokenizer/" + vocab, "--file", file});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // The .out files separate ids by spaces and start each line with one.
    std::string expected = outputs[i];
    expected.erase(0, expected.find_first_not_of(' '));
    EXPECT_EQ(r.out, expected + "\n") << "vector " << i;
  }
}

TEST(Cli, TokenizeParsesSpecialTokensOnlyWhenAsked) {
  const std::string model = test::model_path("tiny-qwen3-f32.gguf");
  CliResult plain = run_cli({"tokenize", "-m", model, "<|im_start|>user"});
  CliResult special = run_cli({"tokenize", "-m", model, "--special", "<|im_start|>user"});
  ASSERT_EQ(special.exit_code, 0) << special.err;
  EXPECT_EQ(special.out.rfind("4097 ", 0), 0u) << special.out;
  EXPECT_EQ(plain.out.find("4097"), std::string::npos) << plain.out;
}

// Added tokens that are not control tokens (Qwen3's <think>, </think>: type user-defined in
// the file) are matched in plain text, as the reference tokenizers do; control tokens only
// with --special.
TEST(Cli, TokenizeMatchesAddedTokensWithoutSpecial) {
  const std::string model = test::model_path("tiny-qwen3-f32.gguf");
  CliResult plain = run_cli({"tokenize", "-m", model, "<think>x</think><|im_end|>"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out.rfind("4099 ", 0), 0u) << plain.out;
  EXPECT_NE(plain.out.find(" 4100 "), std::string::npos) << plain.out;
  EXPECT_EQ(plain.out.find("4098"), std::string::npos) << plain.out;
}

// --stats goes to stderr on a line of its own; the generated text on stdout ends its line.
TEST(Cli, GenerateStatsAreALineOfTheirOwnOnStderr) {
  CliResult r = run_cli({"generate", "-m", test::model_path("tiny-qwen3-q8_0.gguf"), "-p", "Hello", "-n", "6",
                         "--seed", "1", "--stats"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_FALSE(r.out.empty());
  EXPECT_EQ(r.out.back(), '\n');
  EXPECT_EQ(r.out.find("tokens/s"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.rfind("prompt: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("tokens/s"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(Cli, TokenizeEmptyTextPrintsAnEmptyLine) {
  const std::string model = test::model_path("tiny-qwen3-f32.gguf");
  CliResult r = run_cli({"tokenize", "-m", model, ""});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "\n");
  CliResult none = run_cli({"tokenize", "-m", model});
  test::expect_one_line_error(none, "no text given");
}

TEST(Cli, LogitsFileMatchesTheReference) {
  for (const test::LogitsCase& c : test::logits_cases(false)) {
    if (c.name != "np-tiny-qwen3-q4_k_m-medium" && c.name != "np-tiny-llama-f16-chat") continue;
    std::string ids;
    for (TokenId t : c.tokens) {
      if (!ids.empty()) ids += ',';
      ids += std::to_string(t);
    }
    const std::string out = test::temp_dir() + "/logits.f32";
    CliResult r = run_cli({"logits", "-m", test::model_path(c.model), "--tokens", ids, "-o", out});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string bytes = slurp(out);
    std::vector<float> got(bytes.size() / 4);
    std::memcpy(got.data(), bytes.data(), bytes.size());
    std::vector<float> ref = test::read_reference_logits(c);
    ASSERT_EQ(got.size(), ref.size());
    const size_t n_vocab = ref.size() / c.tokens.size();
    for (size_t p = 0; p < c.tokens.size(); ++p) {
      EXPECT_LE(test::relative_rms(&got[p * n_vocab], &ref[p * n_vocab], n_vocab), c.tolerance);
    }
  }
}

TEST(Cli, SeededGenerationIsReproducible) {
  const std::string model = test::model_path("tiny-qwen3-q4_k_m.gguf");
  std::vector<std::string> args = {"generate", "-m", model, "-p", "Hello", "-n", "16", "--seed", "5"};
  CliResult a = run_cli(args);
  CliResult b = run_cli(args);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.out.rfind("Hello", 0), 0u);
  EXPECT_GT(a.out.size(), std::string("Hello\n").size());
}

TEST(Cli, BadInputsGiveOneLineErrors) {
  expect_one_line_error(run_cli({"info", "/nonexistent/model.gguf"}), "/nonexistent/model.gguf");

  // A model cut in half: the reader names the truncated tensor.
  const std::string cut = test::temp_dir() + "/cut.gguf";
  std::string bytes = slurp(test::model_path("tiny-qwen3-q8_0.gguf"));
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  expect_one_line_error(run_cli({"generate", "-m", cut, "-p", "x"}), "extends past the end");

  // Not a GGUF file at all.
  const std::string text = test::temp_dir() + "/text.gguf";
  std::ofstream(text) << "this is not a model, just some text that is long enough";
  expect_one_line_error(run_cli({"info", text}), "not a GGUF file");

  // A LoRA adapter given as the model.
  expect_one_line_error(run_cli({"generate", "-m", test::model_path("tiny-qwen3-lora-attn.gguf"), "-p", "x"}),
                        "adapter");

  expect_one_line_error(run_cli({"logits", "-m", test::model_path("tiny-qwen3-f32.gguf"), "--tokens",
                                 "1,99999", "-o", test::temp_dir() + "/x"}),
                        "outside the vocabulary");
  expect_one_line_error(run_cli({"generate", "-m", test::model_path("tiny-qwen3-f32.gguf"), "-p", "x",
                                 "--chat", "--template", "klingon"}),
                        "--template");
}

TEST(Cli, HelpAndUsage) {
  CliResult help = run_cli({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("generate"), std::string::npos);
  CliResult bad = run_cli({"generate", "--no-such-flag"});
  EXPECT_NE(bad.exit_code, 0);
}

}  // namespace
}  // namespace loco

#include <nlohmann/json.hpp>

namespace loco {
namespace {

TEST(CliQuery, JsonCarriesRouterVotesAndConfidence) {
  const std::string dir = test::temp_dir();
  setenv("LOCO_DATA_DIR", (dir + "/data").c_str(), 1);
  setenv("LOCO_CONFIG_DIR", (dir + "/config").c_str(), 1);
  const std::string model = test::model_path("tiny-qwen3-q8_0.gguf");
  CliResult add = run_cli({"adapters", "add", "math", test::model_path("tiny-qwen3-lora-attn.gguf"), "-m", model,
                           "--eval-type", "numeric", "--keywords", "how many,total"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  CliResult q = run_cli({"query", "-m", model, "How many pens in total?", "--votes", "3", "-n", "8", "--seed", "2",
                         "--json"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  nlohmann::json j = nlohmann::json::parse(q.out);
  EXPECT_EQ(j["adapter"], "math");
  EXPECT_EQ(j["eval_type"], "numeric");
  EXPECT_EQ(j["votes"]["requested"], 3);
  EXPECT_TRUE(j["confidence"]["level"].is_string());
  EXPECT_TRUE(j["router"]["scores"].is_array());
  EXPECT_EQ(j["prompt_tokens_evaluated"], j["prompt_tokens"]);

  CliResult plain = run_cli({"query", "-m", model, "Hello", "-n", "4", "--seed", "2", "--adapter", "none"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_NE(plain.out.find("-- answered by the base model"), std::string::npos) << plain.out;
  EXPECT_NE(plain.out.find("-- confidence:"), std::string::npos) << plain.out;

  expect_one_line_error(run_cli({"query", "-m", model, "x", "--adapter", "physics"}), "physics");
  unsetenv("LOCO_DATA_DIR");
  unsetenv("LOCO_CONFIG_DIR");
}

}  // namespace
}  // namespace loco
