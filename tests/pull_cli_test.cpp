// `loco pull`, `loco models`, `loco rm` and `loco adapters search|pull` end to end: the
// data and config directories in a temp dir, the catalogue and the files served by an
// in-test HTTP server on 127.0.0.1.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "http_test_server.h"
#include "loco/registry.h"
#include "loco/sha256.h"
#include "loco/user_config.h"
#include "test_paths.h"

namespace loco {
namespace {

namespace fs = std::filesystem;
using test::CliResult;
using test::HttpRoute;

void write(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

bool contains(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

class PullCli : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = test::temp_dir();
    data_ = home_ + "/data";
    config_ = home_ + "/config";
    base_ = test::read_file(test::model_path("tiny-qwen3-q4_k_m.gguf"));
    lora_ = test::read_file(test::model_path("tiny-qwen3-lora-attn.gguf"));
    server_.serve("/models/tiny.gguf", {base_});
    server_.serve("/models/other.gguf", {test::read_file(test::model_path("tiny-qwen3-q8_0.gguf"))});
    std::string corrupted = base_;
    corrupted[corrupted.size() / 2] = static_cast<char>(corrupted[corrupted.size() / 2] ^ 1);
    server_.serve("/models/corrupt.gguf", {corrupted});
    write_catalogue();
  }

  void write_catalogue() {
    nlohmann::json models = nlohmann::json::array();
    models.push_back({{"name", "tiny"},
                      {"url", server_.url("/models/tiny.gguf")},
                      {"sha256", sha256_hex(base_)},
                      {"size", base_.size()}});
    models.push_back({{"name", "other"}, {"url", server_.url("/models/other.gguf")}, {"sha256", "unknown"}});
    models.push_back({{"name", "corrupt"},
                      {"file", "corrupt.gguf"},
                      {"url", server_.url("/models/corrupt.gguf")},
                      {"sha256", sha256_hex(base_)},
                      {"size", base_.size()}});
    models.push_back({{"name", "gone"}, {"url", server_.url("/models/gone.gguf")}});
    catalogue_ = home_ + "/catalogue.json";
    write(catalogue_, nlohmann::json{{"models", models}}.dump());
  }

  CliResult loco(const std::vector<std::string>& args) const {
    return test::run_loco(args, {"LOCO_DATA_DIR=" + data_, "LOCO_CONFIG_DIR=" + config_, "LOCO_CATALOGUE=" + catalogue_,
                                 "HF_ENDPOINT=" + server_.url(""), "no_proxy=127.0.0.1,localhost",
                                 "NO_PROXY=127.0.0.1,localhost"});
  }

  std::string configured_model() const { return load_config(config_ + "/config.yaml").model.value_or(""); }
  std::string models_dir() const { return data_ + "/models"; }

  // Files in the models directory other than the manifest.
  std::vector<std::string> model_files() const {
    std::vector<std::string> names;
    if (!fs::exists(models_dir())) return names;
    for (const auto& e : fs::directory_iterator(models_dir())) {
      if (e.path().filename() != "models.json") names.push_back(e.path().filename().string());
    }
    return names;
  }

  test::HttpTestServer server_;
  std::string home_, data_, config_, catalogue_, base_, lora_;
};

TEST_F(PullCli, FirstPullInstallsVerifiesAndBecomesTheDefault) {
  CliResult r = loco({"pull", "tiny"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string path = models_dir() + "/tiny.gguf";
  EXPECT_EQ(test::read_file(path), base_);
  EXPECT_FALSE(fs::exists(path + ".part"));
  EXPECT_TRUE(contains(r.out, "sha256 " + sha256_hex(base_))) << r.out;
  EXPECT_TRUE(contains(r.out, "verified: size and sha256 match the catalogue")) << r.out;
  EXPECT_TRUE(contains(r.out, "default model: " + path)) << r.out;
  EXPECT_EQ(configured_model(), path);

  // No -m: the pulled base answers.
  CliResult q = loco({"query", "--json", "-n", "4", "--seed", "1", "What is 2+2?"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  const auto j = nlohmann::json::parse(q.out);
  EXPECT_EQ(j["model"]["path"], path);
  EXPECT_EQ(j["model"]["builtin"], false);

  // Pulling again downloads nothing.
  const size_t before = server_.count("/models/tiny.gguf");
  r = loco({"pull", "tiny"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "already installed")) << r.out;
  EXPECT_EQ(server_.count("/models/tiny.gguf"), before);
}

TEST_F(PullCli, SecondModelKeepsTheDefaultUnlessAsked) {
  ASSERT_EQ(loco({"pull", "tiny"}).exit_code, 0);
  CliResult r = loco({"pull", "other"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // No catalogue hash: trust on first use, said plainly.
  EXPECT_TRUE(contains(r.out, "not verified: the catalogue records no sha256")) << r.out;
  EXPECT_TRUE(contains(r.out, "the default model stays " + models_dir() + "/tiny.gguf")) << r.out;
  EXPECT_EQ(configured_model(), models_dir() + "/tiny.gguf");
  r = loco({"pull", "other", "--default"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(configured_model(), models_dir() + "/other.gguf");
}

TEST_F(PullCli, ModelsListsSizesAndHashesAndRmRemoves) {
  CliResult r = loco({"models"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "no models installed")) << r.out;
  ASSERT_EQ(loco({"pull", "tiny"}).exit_code, 0);
  ASSERT_EQ(loco({"pull", "other"}).exit_code, 0);
  r = loco({"models"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "tiny")) << r.out;
  EXPECT_TRUE(contains(r.out, sha256_hex(base_).substr(0, 16))) << r.out;
  EXPECT_TRUE(contains(r.out, "2.9 MB")) << r.out;
  EXPECT_TRUE(contains(r.out, "tiny.gguf (default)")) << r.out;
  EXPECT_TRUE(contains(r.out, "no (first use)")) << r.out;
  r = loco({"models", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["models"].size(), 2u);
  EXPECT_EQ(j["models"][0]["sha256"], sha256_hex(base_));
  EXPECT_EQ(j["models"][0]["size"], base_.size());
  EXPECT_EQ(j["models"][0]["verified"], true);
  EXPECT_EQ(j["models"][0]["default"], true);

  r = loco({"models", "--available"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "tiny  (installed)\n    tiny.gguf  size 2.9 MB  sha256 " + sha256_hex(base_))) << r.out;
  EXPECT_TRUE(contains(r.out, "sha256 unknown (trust on first use)")) << r.out;
  EXPECT_TRUE(contains(r.out, "corrupt\n")) << r.out;

  r = loco({"rm", "tiny"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "it was the default model")) << r.out;
  EXPECT_FALSE(fs::exists(models_dir() + "/tiny.gguf"));
  EXPECT_EQ(configured_model(), "");
  r = loco({"models", "--json"});
  EXPECT_EQ(nlohmann::json::parse(r.out)["models"].size(), 1u);
  test::expect_one_line_error(loco({"rm", "tiny"}), "no model or adapter named 'tiny'");
}

TEST_F(PullCli, CorruptedDownloadIsDeletedWithOneLine) {
  CliResult r = loco({"pull", "corrupt"});
  test::expect_one_line_error(r, models_dir() + "/corrupt.gguf: sha256 mismatch: expected " + sha256_hex(base_));
  EXPECT_TRUE(contains(r.err, "deleted")) << r.err;
  EXPECT_TRUE(model_files().empty());
  EXPECT_EQ(configured_model(), "");
}

TEST_F(PullCli, NotFoundAndUnknownNames) {
  CliResult r = loco({"pull", "gone"});
  test::expect_one_line_error(r, "HTTP 404");
  EXPECT_TRUE(model_files().empty());
  r = loco({"pull", "qwen9-1t"});
  test::expect_one_line_error(r, "'qwen9-1t' is not in the model catalogue");
  EXPECT_TRUE(contains(r.err, "tiny, other, corrupt, gone")) << r.err;
  // A server's error page is not a model.
  server_.serve("/page.gguf", {"<html>sorry</html>"});
  r = loco({"pull", server_.url("/page.gguf")});
  test::expect_one_line_error(r, "not a GGUF file");
  EXPECT_TRUE(model_files().empty());
}

TEST_F(PullCli, UnreadableConfigFailsBeforeTheDownload) {
  write(config_ + "/config.yaml", "votes: lots\n");
  test::expect_one_line_error(loco({"pull", "tiny"}), "config.yaml");
  EXPECT_EQ(server_.count("/models/tiny.gguf"), 0u);
  EXPECT_TRUE(model_files().empty());
}

TEST_F(PullCli, InterruptedPullResumesOnTheNextRun) {
  server_.serve("/models/tiny.gguf", {base_, HttpRoute::Mode::Truncate, 1000000});
  CliResult r = loco({"pull", "tiny"});
  test::expect_one_line_error(r, "interrupted after 1000000 bytes");
  EXPECT_EQ(fs::file_size(models_dir() + "/tiny.gguf.part"), 1000000u);
  server_.serve("/models/tiny.gguf", {base_});
  r = loco({"pull", "tiny"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "resumed after 1.0 MB")) << r.out;
  EXPECT_EQ(test::read_file(models_dir() + "/tiny.gguf"), base_);
  EXPECT_EQ(server_.requests().back().range, "bytes=1000000-");
}

TEST_F(PullCli, HuggingFaceFileAndUrl) {
  server_.serve("/someone/tiny-GGUF/resolve/main/tiny-q8.gguf", {base_});
  catalogue_ = home_ + "/no-catalogue.json";  // not needed for these

  CliResult r = loco({"pull", "hf:someone/tiny-GGUF:tiny-q8.gguf"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(models_dir() + "/tiny-q8.gguf"));
  EXPECT_TRUE(contains(r.out, "pulled tiny-q8")) << r.out;
  EXPECT_TRUE(contains(r.out, "not verified")) << r.out;
  r = loco({"pull", server_.url("/models/other.gguf")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(models_dir() + "/other.gguf"));
}

// ---- adapters ----

class AdapterIndexCli : public PullCli {
 protected:
  void SetUp() override {
    PullCli::SetUp();
    server_.serve("/class/files/attn.gguf", {lora_});
    ASSERT_EQ(loco({"pull", "tiny"}).exit_code, 0);
  }

  nlohmann::json entry(const std::string& name, const std::string& base_sha) const {
    return {{"name", name},
            {"domain", "math"},
            {"version", "1.0"},
            {"description", "tiny attention adapter"},
            {"license", "cc-by-4.0"},
            {"base", "tiny"},
            {"base_sha256", base_sha},
            {"eval", {{"gsm8k", 0.25}}},
            {"router_keywords", {"how many"}},
            {"files", {{{"url", "files/attn.gguf"}, {"sha256", sha256_hex(lora_)}, {"size", lora_.size()}}}}};
  }

  void publish(const std::vector<nlohmann::json>& adapters) {
    server_.serve("/class/index.json", {nlohmann::json{{"adapters", adapters}}.dump()});
  }
  std::string index() const { return server_.url("/class/index.json"); }
  Registry registry() const { return Registry::load(data_ + "/adapters/registry.yaml"); }

  static std::string extra(const AdapterEntry& e, const std::string& key) {
    for (const YamlField& f : e.extra) {
      if (f.key == key) return f.yaml;
    }
    return "";
  }
};

TEST_F(AdapterIndexCli, SearchAndPullByName) {
  publish({entry("attn", sha256_hex(base_))});
  CliResult r = loco({"adapters", "search", "--index", index()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "attn")) << r.out;
  EXPECT_TRUE(contains(r.out, "license cc-by-4.0")) << r.out;
  EXPECT_TRUE(contains(r.out, "gsm8k 0.25")) << r.out;
  r = loco({"adapters", "search", "nothing-like-this", "--index", index()});
  EXPECT_TRUE(contains(r.out, "no adapters")) << r.out;

  r = loco({"adapters", "pull", "attn", "--index", index()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "base sha256 matches the installed base")) << r.out;
  const Registry reg = registry();
  const AdapterEntry* e = reg.find("attn");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->domain, "math");
  EXPECT_EQ(e->sha256, sha256_hex(lora_));
  EXPECT_EQ(test::read_file(reg.resolve(e->path)), lora_);
  EXPECT_EQ(extra(*e, "base_check"), "\"matched\"");
  EXPECT_EQ(extra(*e, "base_sha256"), nlohmann::json(sha256_hex(base_)).dump());
  ASSERT_EQ(e->benchmark_scores.size(), 1u);

  // loco rm removes adapters too (and their downloaded files).
  r = loco({"rm", "attn"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(registry().find("attn"), nullptr);
  EXPECT_FALSE(fs::exists(data_ + "/adapters/attn"));
}

TEST_F(AdapterIndexCli, AnotherBaseIsRefusedBeforeDownloadingUnlessForced) {
  const std::string other(64, 'e');
  publish({entry("attn", other)});
  CliResult r = loco({"adapters", "pull", "attn", "--index", index()});
  test::expect_one_line_error(r, "adapter 'attn' was trained on the base model with sha256 " + other);
  EXPECT_TRUE(contains(r.err, "use --force")) << r.err;
  EXPECT_EQ(server_.count("/class/files/attn.gguf"), 0u);

  r = loco({"adapters", "pull", "attn", "--index", index(), "--force"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "forced")) << r.out;
  const Registry reg = registry();
  const AdapterEntry* e = reg.find("attn");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(extra(*e, "base_check"), nlohmann::json("forced: installed over base " + sha256_hex(base_)).dump());
}

TEST_F(AdapterIndexCli, CorruptedAdapterFileIsRefusedAndNotRegistered) {
  std::string bad = lora_;
  bad[100] = static_cast<char>(bad[100] ^ 1);
  server_.serve("/class/files/attn.gguf", {bad});
  publish({entry("attn", sha256_hex(base_))});
  CliResult r = loco({"adapters", "pull", "attn", "--index", index()});
  test::expect_one_line_error(r, "attn.gguf: sha256 mismatch");
  EXPECT_FALSE(fs::exists(data_ + "/adapters/registry.yaml") && registry().find("attn") != nullptr);
  EXPECT_FALSE(fs::exists(data_ + "/adapters/attn"));
}

TEST_F(AdapterIndexCli, MalformedIndexAndUnknownName) {
  server_.serve("/class/index.json", {"{\"adapters\": [ {\"name\": 5} ]"});
  test::expect_one_line_error(loco({"adapters", "search", "--index", index()}), "not valid JSON");
  publish({entry("attn", sha256_hex(base_))});
  test::expect_one_line_error(loco({"adapters", "pull", "nope", "--index", index()}), "no adapter named 'nope'");
  test::expect_one_line_error(loco({"adapters", "search"}), "give --index URL");
  // A name that is the registry's own file name is refused (it would replace the registry).
  publish({entry("attn", sha256_hex(base_)), entry("registry.yaml", sha256_hex(base_))});
  ASSERT_EQ(loco({"adapters", "pull", "attn", "--index", index()}).exit_code, 0);
  test::expect_one_line_error(loco({"adapters", "pull", "registry.yaml", "--index", index()}),
                              "cannot be installed beside");
  EXPECT_NE(registry().find("attn"), nullptr);
}

TEST_F(AdapterIndexCli, AddRefusesAnAdapterThatRecordsAnotherBase) {
  // A PEFT directory whose adapter_config.json records the base it was trained on.
  const std::string peft = home_ + "/peft";
  fs::copy(test::model_path("tiny-qwen3-lora-attn-peft"), peft, fs::copy_options::recursive);
  fs::permissions(peft, fs::perms::owner_all, fs::perm_options::add);
  fs::permissions(peft + "/adapter_config.json", fs::perms::owner_write, fs::perm_options::add);
  auto config = nlohmann::json::parse(test::read_file(peft + "/adapter_config.json"));
  config["loco_train"] = {{"base_sha256", std::string(64, 'd')}};
  write(peft + "/adapter_config.json", config.dump(2));

  CliResult r = loco({"adapters", "add", "p", peft});
  test::expect_one_line_error(r, "adapter 'p' was trained on the base model with sha256 " + std::string(64, 'd'));
  r = loco({"adapters", "add", "p", peft, "--force"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Registry forced = registry();
  const AdapterEntry* e = forced.find("p");
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(contains(extra(*e, "base_check"), "forced")) << extra(*e, "base_check");

  // Recording the right base passes without --force.
  config["loco_train"] = {{"base_sha256", sha256_hex(base_)}};
  write(peft + "/adapter_config.json", config.dump(2));
  r = loco({"adapters", "add", "q", peft});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Registry matched = registry();
  ASSERT_NE(matched.find("q"), nullptr);
  EXPECT_EQ(extra(*matched.find("q"), "base_check"), "\"matched\"");
}

TEST_F(AdapterIndexCli, HuggingFaceGgufAdapterGoesToTheRegistry) {
  server_.serve("/someone/attn-GGUF/resolve/main/attn-lora.gguf", {lora_});
  CliResult r = loco({"pull", "hf:someone/attn-GGUF:attn-lora.gguf"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "is a LoRA adapter")) << r.out;
  EXPECT_EQ(server_.count("/someone/attn-GGUF/resolve/main/attn-lora.gguf"), 1u);
  const Registry reg = registry();
  const AdapterEntry* e = reg.find("attn-lora");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(test::read_file(reg.resolve(e->path)), lora_);
  EXPECT_FALSE(fs::exists(models_dir() + "/attn-lora.gguf"));
  EXPECT_FALSE(fs::exists(data_ + "/adapters/.attn-lora.pull"));
  EXPECT_EQ(configured_model(), models_dir() + "/tiny.gguf");
  // A file that is not a valid GGUF is deleted.
  server_.serve("/bad.gguf", {"GGUF and then nonsense"});
  test::expect_one_line_error(loco({"pull", server_.url("/bad.gguf")}), "the download was deleted");
  EXPECT_FALSE(fs::exists(models_dir() + "/bad.gguf"));
}

TEST_F(AdapterIndexCli, HuggingFacePeftRepository) {
  const std::string dir = test::model_path("tiny-qwen3-lora-attn-peft");
  server_.serve("/someone/attn-lora/resolve/main/adapter_config.json", {test::read_file(dir + "/adapter_config.json")});
  server_.serve("/someone/attn-lora/resolve/main/adapter_model.safetensors",
                {test::read_file(dir + "/adapter_model.safetensors")});
  CliResult r = loco({"pull", "hf:someone/attn-lora"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "records no base sha256")) << r.out;
  const Registry reg = registry();
  const AdapterEntry* e = reg.find("attn-lora");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->type, kLoraPeft);
  EXPECT_EQ(e->sha256, sha256_file(dir + "/adapter_model.safetensors"));
}

}  // namespace
}  // namespace loco
