// `loco route` and `loco router train|eval` end to end.
#include <gtest/gtest.h>

#include <filesystem>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_runner.h"
#include "loco/sha256.h"
#include "test_paths.h"

namespace loco {
namespace {

using test::CliResult;

// Run from the source tree (the router reads data/router/ relative to it), with a data
// and a config directory of its own (empty unless a test fills them).
struct UserDirs {
  std::string data, config;
};
UserDirs fresh_user_dirs() {
  const std::string dir = test::temp_dir();
  return {dir + "/data", dir + "/config"};
}
CliResult run_cli(const std::vector<std::string>& args, const UserDirs& dirs = fresh_user_dirs()) {
  return test::run_loco(args, {"LOCO_DATA_DIR=" + dirs.data, "LOCO_CONFIG_DIR=" + dirs.config}, LOCO_SOURCE_DIR);
}

const std::string kDatasets = std::string(LOCO_SOURCE_DIR) + "/../shared/datasets";

TEST(RouterCli, RouteWithKeywordsAsJson) {
  CliResult r = run_cli({"route", "How many apples are in the basket?", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["router"], "keyword");
  EXPECT_EQ(j["adapter"], "math");
  EXPECT_EQ(j["scores"].size(), 3u);
  EXPECT_EQ(j["scores"][0]["why"], "matched \"how many\"");

  r = run_cli({"route", "Tell me a joke", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(nlohmann::json::parse(r.out)["adapter"].is_null());

  r = run_cli({"route", "Why do we need to know how many planets there are?"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("decision: base model"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("why: tie: math, analysis"), std::string::npos) << r.out;
  // No adapter is installed here: the output says what `loco query` would do.
  EXPECT_NE(r.out.find("note: no adapters are installed"), std::string::npos) << r.out;
}

// With adapters installed and nothing configured, route (like query) uses the bundled
// classifier when it knows every installed adapter, and their keywords when it does not.
TEST(RouterCli, DefaultRouterIsTheBundledClassifierWhenItKnowsTheAdapters) {
  const UserDirs dirs = fresh_user_dirs();
  std::filesystem::create_directories(dirs.data + "/adapters");
  auto registry = [&](bool with_physics) {
    std::ofstream out(dirs.data + "/adapters/registry.yaml");
    out << "adapters:\n"
           "  math:\n    type: lora-gguf\n    path: m.gguf\n    domain: math\n    router_keywords: [\"how many\"]\n";
    if (with_physics) out << "  physics:\n    type: lora-gguf\n    path: p.gguf\n    router_keywords: [force]\n";
  };
  registry(false);
  // No keyword of the math adapter in it: only the classifier sends it to math.
  CliResult r = run_cli({"route", "whats 35% of 180", "--json"}, dirs);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["router"], "classifier");
  EXPECT_EQ(j["adapter"], "math");
  registry(true);
  r = run_cli({"route", "whats 35% of 180", "--json"}, dirs);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["router"], "keyword");
  EXPECT_TRUE(j["adapter"].is_null());
}

TEST(RouterCli, TrainRouteAndEval) {
  if (!std::ifstream(kDatasets + "/locollm-v1/math.jsonl")) GTEST_SKIP() << "no shared datasets";
  const std::string dir = test::temp_dir();
  const std::string model = dir + "/router.json";
  CliResult r = run_cli({"router", "train", "--out", model, "--data-dir", kDatasets, "--max-gsm8k",
                         "100", "--write-splits", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("held-out routing"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("temperature"), std::string::npos) << r.out;

  r = run_cli(
      {"route", "A shop sells 3 pens for $2. How much do 12 pens cost?", "--model-file", model});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("router: classifier"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("decision: math"), std::string::npos) << r.out;

  r = run_cli({"route", "A shop sells 3 pens for $2.", "--model-file", model, "--threshold", "1",
               "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(nlohmann::json::parse(r.out)["adapter"].is_null()) << r.out;

  // Without flags `loco route` uses the router `loco query` would: config.yaml's kind and
  // <data dir>/router.json.
  const UserDirs dirs = fresh_user_dirs();
  std::filesystem::create_directories(dirs.data);
  std::filesystem::create_directories(dirs.config);
  std::ofstream(dirs.config + "/config.yaml") << "router: classifier\n";
  r = run_cli({"route", "A shop sells 3 pens for $2. How much do 12 pens cost?"}, dirs);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("router.json is missing"), std::string::npos) << r.err;
  std::filesystem::copy_file(model, dirs.data + "/router.json");
  r = run_cli({"route", "A shop sells 3 pens for $2. How much do 12 pens cost?"}, dirs);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("router: classifier"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("decision: math"), std::string::npos) << r.out;

  r = run_cli({"router", "eval", dir + "/heldout.jsonl", "--model-file", model, "--mistakes", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("accuracy: "), std::string::npos);
  EXPECT_NE(r.out.find("confusion matrix"), std::string::npos);
  r = run_cli({"router", "eval", dir + "/heldout.jsonl", "--router", "keyword"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("router: keyword"), std::string::npos);
}

// A v3 router is tied to the base model's content (its sha256), not its file name: a
// renamed copy loads it, another model of the same shape under the trained name does not.
TEST(RouterCli, EmbeddingRouterIsTiedToTheModelsHash) {
  const std::string dir = test::temp_dir();
  const std::vector<std::string> env = {"LOCO_DATA_DIR=" + dir + "/data", "LOCO_CONFIG_DIR=" + dir + "/config"};
  std::filesystem::copy_file(test::model_path("tiny-qwen3-f32.gguf"), dir + "/base.gguf");
  std::filesystem::copy_file(test::model_path("tiny-qwen3-f32.gguf"), dir + "/renamed.gguf");
  std::filesystem::copy_file(test::model_path("tiny-qwen3-q8_0.gguf"), dir + "/other.gguf");
  // A small copy of the datasets: every query costs a forward pass.
  for (const char* f : {"locollm-v1/math.jsonl", "locollm-v1/code.jsonl", "locollm-v1/analysis.jsonl",
                        "gsm8k/train.jsonl", "gsm8k/test.jsonl", "humaneval/HumanEval.jsonl"}) {
    std::filesystem::create_directories(std::filesystem::path(dir + "/ds/" + f).parent_path());
    std::ifstream in(kDatasets + "/" + f);
    std::ofstream out(dir + "/ds/" + f);
    std::string line;
    for (int i = 0; i < 20 && std::getline(in, line); ++i) out << line << "\n";
  }
  // And of the bundled general and natural queries (1,000 forward passes otherwise).
  for (const char* f : {"none_queries.txt", "natural_train.jsonl"}) {
    std::ifstream in(std::string(LOCO_SOURCE_DIR) + "/data/router/" + f);
    std::ofstream out(dir + "/ds/" + f);
    std::string line;
    for (int i = 0; i < 20 && std::getline(in, line); ++i) out << line << "\n";
  }
  const std::string router = dir + "/router.json";
  CliResult r = test::run_loco({"router", "train", "--router", "embedding", "-m", dir + "/base.gguf", "--out", router,
                                "--data-dir", dir + "/ds", "--none-file", dir + "/ds/none_queries.txt",
                                "--natural-file", dir + "/ds/natural_train.jsonl"},
                               env, LOCO_SOURCE_DIR);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string sha = sha256_file(dir + "/base.gguf");
  EXPECT_NE(test::read_file(router).find("model sha256 " + sha), std::string::npos);
  // Remembered for the next start (the hash of a 2.5 GB model takes seconds).
  EXPECT_NE(test::read_file(dir + "/data/file-hashes.json").find(sha), std::string::npos);
  r = test::run_loco({"route", "How many pens?", "--router", "embedding", "--model-file", router, "-m",
                      dir + "/renamed.gguf"},
                     env, LOCO_SOURCE_DIR);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = test::run_loco({"route", "How many pens?", "--router", "embedding", "--model-file", router, "-m",
                      dir + "/other.gguf"},
                     env, LOCO_SOURCE_DIR);
  test::expect_one_line_error(r, "router was trained on features");
}

TEST(RouterCli, BadInputsGiveOneLineErrors) {
  const std::string dir = test::temp_dir();
  std::ofstream(dir + "/bad.json")
      << "{\"format\": \"loco-router\", \"version\": 1, \"kind\": \"classifier\"}";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"route", "hi", "--model-file", dir + "/bad.json"},
        std::vector<std::string>{"route", "hi", "--model-file", dir + "/missing.json"},
        std::vector<std::string>{"route", "hi", "--router", "classifier"},
        std::vector<std::string>{"router", "eval", dir + "/missing.jsonl"},
        std::vector<std::string>{"router", "train", "--out", dir + "/r.json", "--data-dir", dir}}) {
    CliResult r = run_cli(args);
    EXPECT_EQ(r.exit_code, 1) << args[0] << " " << args.back() << ": " << r.err;
    EXPECT_EQ(r.err.rfind("loco: error: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

}  // namespace
}  // namespace loco
