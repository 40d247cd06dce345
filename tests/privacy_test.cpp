// Nothing but `loco pull`, `loco adapters search|pull` and a configured remote backend
// (--backend) opens a network connection.
// Each command runs with an LD_PRELOAD shim (tests/privacy/no_network.c) that logs and
// refuses every internet socket; the commands that answer questions must work and log
// nothing, and the shim must catch a download and a remote backend (so the test would
// notice a leak).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_runner.h"
#include "test_paths.h"

namespace loco {
namespace {

namespace fs = std::filesystem;

class Privacy : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = test::temp_dir();
    log_ = home_ + "/net.log";
  }

  test::CliResult loco(const std::vector<std::string>& args) const {
    // A shim without ASan ahead of an ASan binary: allowed for this test only.
    std::string asan = "verify_asan_link_order=0";
    if (const char* prior = std::getenv("ASAN_OPTIONS"); prior != nullptr && *prior != '\0') {
      asan = std::string(prior) + ":" + asan;
    }
    return test::run_loco(args, {"LD_PRELOAD=" + std::string(LOCO_NO_NETWORK_SHIM), "LOCO_NET_LOG=" + log_,
                                 "ASAN_OPTIONS=" + asan, "LOCO_DATA_DIR=" + home_ + "/data",
                                 "LOCO_CONFIG_DIR=" + home_ + "/config", "no_proxy=*"});
  }

  std::string net_log() const { return fs::exists(log_) ? test::read_file(log_) : ""; }

  std::string home_, log_;
};

TEST_F(Privacy, TheShimCatchesADownload) {
  const test::CliResult r = loco({"pull", "http://127.0.0.1:9/x.gguf"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(net_log().find("socket domain="), std::string::npos) << net_log();
}

TEST_F(Privacy, TheShimCatchesARemoteBackend) {
  const test::CliResult r = loco({"query", "Hi", "--backend", "openai:http://127.0.0.1:9"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(net_log().find("socket domain="), std::string::npos) << net_log();
}

TEST_F(Privacy, QueryChatAndEvalOnTheBuiltInModelOpenNoSocket) {
  const std::string nano = std::string(LOCO_SOURCE_DIR) + "/models/nano";
  test::CliResult r = loco({"query", "-n", "8", "Sam has 12 marbles and gives 5 to Ana. How many does Sam have?"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = loco({"eval", "run", "--set", nano + "/eval/math.jsonl", "--adapter", "math", "--limit", "2", "--out",
            home_ + "/eval"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // chat, with a question typed on its standard input.
  const std::string shell = "printf 'What is 2 plus 3?\\n/quit\\n' | env LD_PRELOAD='" + std::string(LOCO_NO_NETWORK_SHIM) +
                            "' LOCO_NET_LOG='" + log_ + "' ASAN_OPTIONS=verify_asan_link_order=0 LOCO_DATA_DIR='" +
                            home_ + "/data' LOCO_CONFIG_DIR='" + home_ + "/config' '" + test::cli_path() +
                            "' chat -n 8 --no-nudges";
  const test::CliResult chat = test::run_program({"sh", "-c", shell});
  ASSERT_EQ(chat.exit_code, 0) << chat.out << chat.err;
  EXPECT_NE(chat.out.find("-- confidence:"), std::string::npos) << chat.out;  // it answered
  r = loco({"models"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = loco({"adapters", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(net_log(), "");
}

}  // namespace
}  // namespace loco
