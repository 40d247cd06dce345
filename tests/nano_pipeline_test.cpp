// The loco-nano pipeline in miniature (scripts/train-nano.sh --scale mini), as CI runs it so
// the pipeline cannot rot: data, tokenizer, base model, three adapters, two routers and the
// registry; twice, to show the rebuild is deterministic; then the family answers as the
// built-in default (no -m), is evaluated and routes. The shipped family is checked against
// its recorded hashes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_runner.h"
#include "loco/registry.h"
#include "loco/sha256.h"
#include "test_paths.h"

namespace loco {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kWordNet = "/usr/share/wordnet";

test::CliResult train_mini(const std::string& out) {
  return test::run_program({"env", std::string("LOCO=") + LOCO_CLI_PATH, "bash",
                            std::string(LOCO_SOURCE_DIR) + "/scripts/train-nano.sh", "--scale", "mini", "--out", out,
                            "--threads", "2"});
}

// Every line of SHA256SUMS ("<hash>  <file>") matches the file beside it; returns the text.
std::string checked_sums(const std::string& dir) {
  std::ifstream in(dir + "/SHA256SUMS");
  std::stringstream text;
  text << in.rdbuf();
  std::istringstream lines(text.str());
  int n = 0;
  for (std::string hash, file; lines >> hash >> file; ++n) {
    EXPECT_EQ(sha256_file(dir + "/" + file), hash) << file;
  }
  EXPECT_GE(n, 11) << text.str();
  return text.str();
}

// Under the sanitizers (several times slower) the miniature is built once: the release run
// of this test builds it twice and compares, which is what shows the rebuild deterministic.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kBuildTwice = false;
#else
constexpr bool kBuildTwice = true;
#endif

TEST(NanoPipeline, MiniatureRebuildsDeterministicallyAndAnswersAsTheDefault) {
  // setup.sh installs wordnet-base: the general text must be there on every machine that
  // runs the tests, so its absence is a failure, not a skip.
  ASSERT_TRUE(fs::exists(kWordNet + "/data.noun")) << "WordNet missing: run scripts/setup.sh";
  const std::string a = test::temp_dir() + "/nano-a", b = test::temp_dir() + "/nano-b";
  fs::remove_all(a);
  fs::remove_all(b);
  const test::CliResult ra = train_mini(a);
  ASSERT_EQ(ra.exit_code, 0) << ra.out << ra.err;
  if (kBuildTwice) {
    const test::CliResult rb = train_mini(b);
    ASSERT_EQ(rb.exit_code, 0) << rb.out << rb.err;
    EXPECT_EQ(checked_sums(a), checked_sums(b));
  } else {
    checked_sums(a);
  }
  EXPECT_FALSE(fs::exists(a + "/work"));

  // The registry names every adapter with its hash and evaluation set.
  const Registry reg = Registry::load(a + "/registry.yaml");
  ASSERT_TRUE(reg.base_model.has_value());
  EXPECT_EQ(reg.base_model->sha256, sha256_file(a + "/loco-nano.gguf"));
  for (const char* domain : {"math", "code", "analysis"}) {
    const AdapterEntry* e = reg.active_for(domain);
    ASSERT_NE(e, nullptr) << domain;
    EXPECT_EQ(e->sha256, sha256_file(reg.resolve(e->path)));
    EXPECT_TRUE(fs::exists(reg.resolve_eval_dataset(*e))) << domain;
  }

  // No model configured: loco uses the family in $LOCO_NANO_DIR and says what it is.
  const std::string home = test::temp_dir() + "/nano-home";
  const std::vector<std::string> env = {"LOCO_NANO_DIR=" + a, "LOCO_CONFIG_DIR=" + home + "/config",
                                        "LOCO_DATA_DIR=" + home + "/data"};
  const test::CliResult q = test::run_loco(
      {"query", "--json", "-n", "8", "Sam has 12 marbles and gives 5 to Ana. How many marbles does Sam have now?"}, env);
  ASSERT_EQ(q.exit_code, 0) << q.err;
  const json j = json::parse(q.out);
  EXPECT_TRUE(j["model"]["builtin"].get<bool>());
  EXPECT_NE(j["model"]["note"].get<std::string>().find("tiny demonstration model"), std::string::npos);
  EXPECT_EQ(j["model"]["path"], a + "/loco-nano.gguf");
  EXPECT_TRUE(j.contains("confidence")) << q.out;
  // RE2 is off for loco-nano unless asked for (it costs every nano adapter accuracy): the
  // default prompt is the --no-reread one, shorter than the --reread one.
  auto prompt_tokens = [&](const char* flag) {
    std::vector<std::string> args = {"query", "--json", "-n", "1", "How many marbles are left?"};
    if (*flag != '\0') args.insert(args.begin() + 1, flag);
    const test::CliResult r = test::run_loco(args, env);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json::parse(r.out)["prompt_tokens"].get<int>() : -1;
  };
  const int plain = prompt_tokens("");
  EXPECT_EQ(plain, prompt_tokens("--no-reread"));
  EXPECT_GT(prompt_tokens("--reread"), plain);

  const test::CliResult text = test::run_loco({"query", "-n", "4", "Define \"dog\"."}, env);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("-- model: loco-nano, the built-in tiny demonstration model"), std::string::npos) << text.out;

  // Evaluated on its own math set by the adapter, with the numbers written down.
  const std::string results = home + "/eval-math";
  const test::CliResult ev = test::run_loco(
      {"eval", "run", "--set", a + "/eval/math.jsonl", "--adapter", "math", "--limit", "4", "--out", results}, env);
  ASSERT_EQ(ev.exit_code, 0) << ev.out << ev.err;
  std::ifstream rj(results + "/results.json");
  ASSERT_TRUE(rj.good());
  const json res = json::parse(rj);
  EXPECT_NE(res.dump().find("\"n\":4"), std::string::npos) << res.dump().substr(0, 400);

  // A model file that no longer matches the registry's hash is refused by name.
  fs::copy_file(a + "/loco-nano.gguf", a + "/loco-nano.bak");
  {
    std::fstream f(a + "/loco-nano.gguf", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-1, std::ios::end);
    f.put('\x7f');
  }
  const test::CliResult bad = test::run_loco({"query", "2+2?"}, env);
  test::expect_one_line_error(bad, "rebuild it with scripts/train-nano.sh");
}

TEST(NanoFamily, ShippedFilesMatchTheirRecordedHashes) {
  const std::string dir = std::string(LOCO_SOURCE_DIR) + "/models/nano";
  ASSERT_TRUE(fs::exists(dir + "/SHA256SUMS")) << "the built-in family is missing: scripts/train-nano.sh";
  checked_sums(dir);
  uintmax_t total = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) total += entry.file_size();
  }
  EXPECT_LE(total, 40u << 20) << "the built-in family must stay within 40 MB";
}

}  // namespace
}  // namespace loco
