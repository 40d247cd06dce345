// --context from the command line, on the built-in loco-nano: several files and a
// directory, what was used and left out in the footer and in --json, one-line errors for
// bad material, and `loco eval` with a context pack as one more condition of the grid.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "test_paths.h"

namespace loco {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

class ContextCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = test::temp_dir() + "/context-cli";
    fs::remove_all(dir);
    fs::create_directories(dir + "/notes");
    env = {"LOCO_CONFIG_DIR=" + dir + "/config", "LOCO_DATA_DIR=" + dir + "/data"};
    write("rubric.md", "---\nkind: rubric\n---\n## Answer\n- full: the right number, stated last\n- none: no number\n");
    write("notes/arith.md",
          "# Sums\nTo add, combine the groups: 12 marbles and 7 marbles make 19 marbles.\n\n"
          "# Differences\nTo find how many are left, subtract what was given away.\n\n"
          "# Products\nEach box holding 4 apples, 3 boxes hold 12 apples.\n");
  }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir + "/" + name, std::ios::binary) << text; }
  std::string dir;
  std::vector<std::string> env;
};

TEST_F(ContextCli, QueryReportsWhatWasUsedAndLeftOut) {
  const std::string q = "Each box holds 4 apples. How many apples are in 3 boxes?";
  const test::CliResult all = test::run_loco({"query", "-n", "4", "--context", dir + "/rubric.md", "--context",
                                              dir + "/notes", q}, env);
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_NE(all.out.find("-- context: 4 of 4 sections"), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("arith.md [Sums; Differences; Products]"), std::string::npos) << all.out;

  // A 180-token window leaves room for the rubric and the most relevant section only.
  // (Relative paths: the sources' names are part of what the budget holds.)
  const test::CliResult tight = test::run_loco(
      {"query", "--json", "-n", "40", "--ctx", "180", "--context", "rubric.md", "--context", "notes", q}, env, dir);
  ASSERT_EQ(tight.exit_code, 0) << tight.err;
  const json c = json::parse(tight.out)["context"];
  EXPECT_LE(c["used_tokens"].get<int>(), c["budget_tokens"].get<int>());
  ASSERT_EQ(c["sections"].size(), 4u);
  EXPECT_EQ(c["sections"][0]["kind"], "rubric");
  EXPECT_TRUE(c["sections"][0]["used"].get<bool>());
  EXPECT_EQ(c["sections"][3]["title"], "Products");
  EXPECT_TRUE(c["sections"][3]["used"].get<bool>());  // the one about boxes and apples
  EXPECT_FALSE(c["sections"][1]["used"].get<bool>());
  EXPECT_GT(c["left_out"].get<int>(), 0);
}

TEST_F(ContextCli, BadMaterialIsAOneLineError) {
  write("bad-rubric.md", "---\nkind: rubric\n---\n## Clarity\n- good\n");
  test::expect_one_line_error(test::run_loco({"query", "--context", dir + "/bad-rubric.md", "2+2?"}, env),
                              "bad-rubric.md:4: rubric criterion 'Clarity' has no levels");
  write("photo.png", std::string("\x89PNG\r\n\x1a\n\0\0", 10));
  test::expect_one_line_error(test::run_loco({"query", "--context", dir + "/photo.png", "2+2?"}, env),
                              "photo.png: not a text file");
  test::expect_one_line_error(test::run_loco({"query", "--context", dir + "/none.md", "2+2?"}, env),
                              "none.md: no such file or directory");
  test::expect_one_line_error(
      test::run_loco({"query", "--ctx", "100", "-n", "60", "--context", dir + "/rubric.md", "2+2?"}, env),
      "the mandatory context (" + dir + "/rubric.md) needs");
}

TEST_F(ContextCli, EvalRunsAndComparesWithAndWithoutAContextPack) {
  const std::string out = dir + "/grid";
  const test::CliResult grid = test::run_loco({"eval", "grid", "--adapter", "math", "--votes", "2", "--limit", "2", "-n",
                                               "8", "--no-ood", "--context", dir + "/notes/", "--out", out}, env);
  ASSERT_EQ(grid.exit_code, 0) << grid.out << grid.err;
  std::ifstream in(out + "/results.json");
  const json r = json::parse(in);
  std::vector<std::string> with_context;
  for (const json& c : r["conditions"]) {
    if (c.contains("context")) with_context.push_back(c["name"].get<std::string>());
  }
  EXPECT_EQ(with_context, (std::vector<std::string>{"base · RE2 off · 1 vote · context notes",
                                                    "adapter math · RE2 off · 1 vote · context notes",
                                                    "routed · RE2 off · 1 vote · context notes"}));
  int compared = 0;
  for (const json& c : r["comparisons"]) {
    if (c["b"].get<std::string>().ends_with("· context notes")) {
      EXPECT_EQ(c["b"].get<std::string>(), c["a"].get<std::string>() + " · context notes");
      ++compared;
    }
  }
  EXPECT_EQ(compared, 3);
  EXPECT_NE(r.dump().find("\"context_pack\""), std::string::npos);
  EXPECT_NE(r.dump().find("\"context_sha256\""), std::string::npos);

  const test::CliResult run = test::run_loco({"eval", "run", "--set", "math", "--adapter", "math", "--limit", "2", "-n",
                                              "8", "--context", dir + "/rubric.md", "--out", dir + "/run"}, env);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("adapter math · RE2 on · 1 vote · context rubric.md"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace loco
