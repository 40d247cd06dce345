// `loco route` and `loco router train|eval` end to end.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "test_paths.h"

namespace loco {
namespace {

struct CliResult {
  int exit_code = -1;
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q.append("'\\''");
    } else {
      q.push_back(c);
    }
  }
  q.push_back('\'');
  return q;
}

CliResult run_cli(const std::vector<std::string>& args) {
  const std::string dir = test::temp_dir();
  std::string cmd = "cd ";
  cmd.append(quote(LOCO_SOURCE_DIR)).append(" && ").append(quote(test::cli_path()));
  for (const std::string& a : args) {
    cmd.push_back(' ');
    cmd.append(quote(a));
  }
  cmd.append(" >").append(dir).append("/out 2>").append(dir).append("/err");
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(dir + "/out");
  r.err = slurp(dir + "/err");
  return r;
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

  r = run_cli({"router", "eval", dir + "/heldout.jsonl", "--model-file", model, "--mistakes", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("accuracy: "), std::string::npos);
  EXPECT_NE(r.out.find("confusion matrix"), std::string::npos);
  r = run_cli({"router", "eval", dir + "/heldout.jsonl", "--router", "keyword"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("router: keyword"), std::string::npos);
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
