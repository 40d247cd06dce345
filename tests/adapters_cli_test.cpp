// `loco adapters ...` end to end, with the data and config directories in a temp dir.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "loco/registry.h"
#include "loco/sha256.h"
#include "cli_runner.h"
#include "test_paths.h"

namespace loco {
namespace {

namespace fs = std::filesystem;

using CliRun = test::CliResult;
std::string slurp(const std::string& path) { return test::read_file(path); }

// One user's loco: its own data and config directories.
class AdaptersCli : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = test::temp_dir();
    data_ = home_ + "/data";
    config_ = home_ + "/config";
  }

  CliRun loco(const std::vector<std::string>& args) const {
    std::vector<std::string> all{std::string("adapters")};
    for (const std::string& a : args) all.push_back(a);
    return test::run_loco(all, {"LOCO_DATA_DIR=" + data_, "LOCO_CONFIG_DIR=" + config_});
  }

  Registry registry() const { return Registry::load(data_ + "/adapters/registry.yaml"); }

  static void expect_one_line_error(const CliRun& r, const std::string& needle) {
    test::expect_one_line_error(r, needle);
  }

  std::string home_, data_, config_;
  const std::string qwen_ = test::model_path("tiny-qwen3-f32.gguf");
  const std::string llama_ = test::model_path("tiny-llama-f16.gguf");
  const std::string lora_gguf_ = test::model_path("tiny-qwen3-lora-attn.gguf");
  const std::string lora_peft_ = test::model_path("tiny-qwen3-lora-attn-peft");
};

TEST_F(AdaptersCli, AddListShowGgufInPlace) {
  CliRun empty = loco({"list"});
  EXPECT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_NE(empty.out.find("no adapters"), std::string::npos) << empty.out;

  CliRun add = loco({"add", "attn", lora_gguf_, "--model", qwen_, "--domain", "math", "--eval-type",
                  "numeric", "--keywords", "solve,how many", "--description", "tiny test adapter"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  const Registry reg = registry();
  ASSERT_EQ(reg.adapters().size(), 1u);
  const AdapterEntry& e = reg.adapters()[0];
  EXPECT_EQ(e.name, "attn");
  EXPECT_EQ(e.type, kLoraGguf);
  EXPECT_EQ(e.domain, "math");
  EXPECT_TRUE(e.active);
  EXPECT_EQ(e.eval_type, EvalType::Numeric);
  EXPECT_EQ(e.router_keywords, (std::vector<std::string>{"solve", "how many"}));
  EXPECT_EQ(e.description, "tiny test adapter");
  EXPECT_EQ(e.sha256, sha256_file(lora_gguf_));
  // Referenced in place: nothing copied into the data directory.
  EXPECT_EQ(fs::weakly_canonical(e.path), fs::weakly_canonical(lora_gguf_));
  EXPECT_FALSE(fs::exists(data_ + "/adapters/attn"));

  CliRun list = loco({"list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("NAME"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("attn"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("lora-gguf"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("numeric"), std::string::npos) << list.out;

  CliRun json = loco({"list", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto j = nlohmann::json::parse(json.out);
  ASSERT_EQ(j["adapters"].size(), 1u);
  EXPECT_EQ(j["adapters"][0]["name"], "attn");
  EXPECT_EQ(j["adapters"][0]["active"], true);
  EXPECT_EQ(j["adapters"][0]["sha256"], e.sha256);

  CliRun show = loco({"show", "attn"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("domain:          math (active)"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("router_keywords: solve, how many"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find(e.sha256), std::string::npos) << show.out;
  expect_one_line_error(loco({"show", "nope"}), "no adapter named 'nope'");

  // The same name again needs --force.
  expect_one_line_error(loco({"add", "attn", lora_gguf_, "--model", qwen_}), "already exists");
  CliRun force = loco({"add", "attn", lora_gguf_, "--model", qwen_, "--force", "--domain", "math"});
  EXPECT_EQ(force.exit_code, 0) << force.err;
  EXPECT_EQ(registry().adapters().size(), 1u);
}

TEST_F(AdaptersCli, AddPeftDirectoryWithCopyThenRemoveDeletesTheCopy) {
  CliRun add = loco({"add", "attn-peft", lora_peft_, "--model", qwen_, "--copy"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  const Registry reg = registry();
  const AdapterEntry& e = reg.adapters().at(0);
  EXPECT_EQ(e.type, kLoraPeft);
  EXPECT_EQ(e.path, "attn-peft");  // relative to the registry
  EXPECT_EQ(e.domain, "attn-peft");
  EXPECT_EQ(e.sha256, sha256_file(lora_peft_ + "/adapter_model.safetensors"));
  EXPECT_EQ(e.config_sha256, sha256_file(lora_peft_ + "/adapter_config.json"));
  const std::string copy = data_ + "/adapters/attn-peft";
  EXPECT_EQ(sha256_file(copy + "/adapter_model.safetensors"), e.sha256);
  EXPECT_TRUE(fs::exists(copy + "/adapter_config.json"));
  // No temporary folders left behind.
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(data_ + "/adapters")) ++entries;
  EXPECT_EQ(entries, 2);  // registry.yaml and attn-peft/

  CliRun remove = loco({"remove", "attn-peft"});
  ASSERT_EQ(remove.exit_code, 0) << remove.err;
  EXPECT_FALSE(fs::exists(copy));
  EXPECT_TRUE(registry().adapters().empty());
  EXPECT_TRUE(fs::exists(lora_peft_ + "/adapter_model.safetensors"));
  expect_one_line_error(loco({"remove", "attn-peft"}), "no adapter named 'attn-peft'");
}

TEST_F(AdaptersCli, RemoveNeverDeletesFilesOutsideTheDataDirectory) {
  const std::string outside = home_ + "/elsewhere/mine.gguf";
  fs::create_directories(home_ + "/elsewhere");
  fs::copy_file(lora_gguf_, outside);
  ASSERT_EQ(loco({"add", "mine", outside, "--model", qwen_}).exit_code, 0);
  CliRun remove = loco({"remove", "mine"});
  ASSERT_EQ(remove.exit_code, 0) << remove.err;
  EXPECT_NE(remove.out.find("left in place"), std::string::npos) << remove.out;
  EXPECT_TRUE(fs::exists(outside));

  // A hand-edited entry pointing outside its own folder through ".." is not deleted either.
  fs::create_directories(data_ + "/adapters");
  std::ofstream(data_ + "/adapters/registry.yaml")
      << "adapters:\n  sneaky:\n    path: sneaky/../../../elsewhere/mine.gguf\n";
  ASSERT_EQ(loco({"remove", "sneaky"}).exit_code, 0);
  EXPECT_TRUE(fs::exists(outside));
}

TEST_F(AdaptersCli, AdapterForAnotherArchitectureIsRefused) {
  CliRun gguf = loco({"add", "attn", lora_gguf_, "--model", llama_});
  expect_one_line_error(gguf, "does not fit the base model");
  EXPECT_NE(gguf.err.find("tiny-llama-f16.gguf"), std::string::npos) << gguf.err;
  CliRun peft = loco({"add", "attn", lora_peft_, "--model", llama_});
  expect_one_line_error(peft, "does not fit the base model");
  EXPECT_FALSE(fs::exists(data_ + "/adapters/registry.yaml"));
}

TEST_F(AdaptersCli, BaseModelFromConfigOrRegistry) {
  expect_one_line_error(loco({"add", "attn", lora_gguf_}), "no base model");
  fs::create_directories(config_);
  std::ofstream(config_ + "/config.yaml") << "model: " << qwen_ << "\n";
  CliRun from_config = loco({"add", "attn", lora_gguf_});
  EXPECT_EQ(from_config.exit_code, 0) << from_config.err;
  // The registry's base model wins over the config: here a mismatching one.
  std::string text = slurp(data_ + "/adapters/registry.yaml");
  std::ofstream(data_ + "/adapters/registry.yaml") << "base_model:\n  path: " << llama_ << "\n" << text;
  expect_one_line_error(loco({"add", "other", lora_gguf_}), "tiny-llama-f16.gguf");
  // --config points elsewhere.
  std::ofstream(home_ + "/bad.yaml") << "votes: lots\n";
  expect_one_line_error(loco({"add", "x", lora_gguf_, "--registry", home_ + "/r.yaml", "--config", home_ + "/bad.yaml"}),
                        "votes must be");
}

TEST_F(AdaptersCli, ActivateSwitchesWithinTheDomainAndKeepsUnknownKeys) {
  fs::create_directories(data_ + "/adapters");
  std::ofstream(data_ + "/adapters/registry.yaml") << "# my notes\n"
                                                      "adapters:\n"
                                                      "  math-a: {domain: math, semester: \"2026-fall\"}\n"
                                                      "  math-b: {domain: math}\n"
                                                      "  code: {eval_type: code}\n";
  CliRun act = loco({"activate", "math-b"});
  ASSERT_EQ(act.exit_code, 0) << act.err;
  EXPECT_NE(act.out.find("was 'math-a'"), std::string::npos) << act.out;
  const Registry reg = registry();
  EXPECT_FALSE(reg.find("math-a")->active);
  EXPECT_TRUE(reg.find("math-b")->active);
  EXPECT_TRUE(reg.find("code")->active);
  ASSERT_EQ(reg.find("math-a")->extra.size(), 1u);
  EXPECT_EQ(reg.find("math-a")->extra[0].yaml, "\"2026-fall\"");
  EXPECT_EQ(slurp(data_ + "/adapters/registry.yaml").rfind("# my notes\n", 0), 0u);
  expect_one_line_error(loco({"activate", "nope"}), "no adapter named 'nope'");
}

TEST_F(AdaptersCli, ListsTheV1RegistryAndReportsBadRegistries) {
  CliRun v1 = loco({"list", "--registry", test::testdata_dir() + "/../datasets/locollm-v1/registry.yaml"});
  ASSERT_EQ(v1.exit_code, 0) << v1.err;
  for (const char* name : {"math", "code", "analysis", "merged-gguf"}) {
    EXPECT_NE(v1.out.find(name), std::string::npos) << v1.out;
  }
  fs::create_directories(data_ + "/adapters");
  std::ofstream(data_ + "/adapters/registry.yaml") << "adapters:\n  math:\n    router_keywords: solve\n";
  expect_one_line_error(loco({"list"}), "adapter 'math': router_keywords must be a list of strings");
}

TEST_F(AdaptersCli, UsageErrorsExitTwo) {
  EXPECT_EQ(loco({}).exit_code, 2);
  EXPECT_EQ(loco({"add"}).exit_code, 2);
  EXPECT_EQ(loco({"add", "bad/name", lora_gguf_}).exit_code, 2);
  EXPECT_EQ(loco({"add", "x", lora_gguf_, "--eval-type", "essay"}).exit_code, 2);
  EXPECT_EQ(loco({"show"}).exit_code, 2);
  EXPECT_EQ(loco({"list", "--no-such-flag"}).exit_code, 2);
  EXPECT_EQ(loco({"list", "--help"}).exit_code, 0);
  expect_one_line_error(loco({"add", "x", home_ + "/missing.gguf", "--model", qwen_}), "no such file");
  expect_one_line_error(loco({"add", "x", home_, "--model", qwen_}), "not a PEFT adapter directory");
  // A copy must not land on the registry file itself.
  expect_one_line_error(loco({"add", "registry.yaml", lora_gguf_, "--model", qwen_, "--copy", "--force"}),
                        "cannot be copied beside");
}

}  // namespace
}  // namespace loco
