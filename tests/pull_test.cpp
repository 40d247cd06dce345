// Downloads (include/loco/pull.h) against an in-test HTTP server on 127.0.0.1: resume
// with ranges, servers without ranges, corrupted and truncated bodies, slow servers, 404s;
// and the catalogue, index and `loco pull` name parsers. No test touches the network
// beyond the loopback interface.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>

#include "cli_runner.h"
#include "http_test_server.h"
#include "loco/catalogue.h"
#include "loco/error.h"
#include "loco/model_store.h"
#include "loco/progress_bar.h"
#include "loco/pull.h"
#include "loco/sha256.h"
#include "loco/user_config.h"
#include "test_paths.h"

namespace loco {
namespace {

namespace fs = std::filesystem;
using test::HttpRoute;
using test::HttpTestServer;

std::string random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

void write(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Proxies in the environment must not capture loopback requests.
void no_proxy_for_loopback() { ::setenv("no_proxy", "127.0.0.1,localhost", 1); }

class Download : public ::testing::Test {
 protected:
  void SetUp() override {
    no_proxy_for_loopback();
    dir_ = test::temp_dir();
    dest_ = dir_ + "/sub/model.gguf";
    body_ = random_bytes(200000, 7);
  }

  DownloadRequest request(const std::string& path, bool with_hash = true) const {
    DownloadRequest r;
    r.url = server_.url(path);
    r.dest = dest_;
    if (with_hash) {
      r.expected_size = body_.size();
      r.expected_sha256 = sha256_hex(body_);
    }
    return r;
  }

  static std::string error_of(const DownloadRequest& r) {
    try {
      download_file(r);
    } catch (const Error& e) {
      return e.what();
    }
    return "(no error)";
  }

  HttpTestServer server_;
  std::string dir_, dest_, body_;
};

TEST_F(Download, CompleteVerifiedAndRenamed) {
  server_.serve("/m.gguf", {body_});
  uint64_t last_done = 0, last_total = 0;
  DownloadRequest r = request("/m.gguf");
  r.progress = [&](uint64_t done, uint64_t total) {
    last_done = done;
    last_total = total;
  };
  const DownloadResult res = download_file(r);
  EXPECT_TRUE(res.verified);
  EXPECT_EQ(res.size, body_.size());
  EXPECT_EQ(res.sha256, sha256_hex(body_));
  EXPECT_EQ(res.resumed_from, 0u);
  EXPECT_EQ(test::read_file(dest_), body_);
  EXPECT_FALSE(fs::exists(partial_path(dest_)));
  EXPECT_EQ(last_done, body_.size());
  EXPECT_EQ(last_total, body_.size());
}

TEST_F(Download, ResumesAPartialFileWithARangeRequest) {
  server_.serve("/m.gguf", {body_});
  fs::create_directories(fs::path(dest_).parent_path());
  write(partial_path(dest_), body_.substr(0, 70000));
  const DownloadResult res = download_file(request("/m.gguf"));
  EXPECT_EQ(res.resumed_from, 70000u);
  EXPECT_FALSE(res.restarted);
  EXPECT_TRUE(res.verified);
  EXPECT_EQ(test::read_file(dest_), body_);
  const auto reqs = server_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].range, "bytes=70000-");
}

// Hugging Face answers resolve/ URLs with a redirect to its CDN: the range goes along.
TEST_F(Download, ResumesThroughARedirect) {
  server_.serve("/resolve/m.gguf", {"/cdn/m.gguf", HttpRoute::Mode::Redirect});
  server_.serve("/cdn/m.gguf", {body_});
  fs::create_directories(fs::path(dest_).parent_path());
  write(partial_path(dest_), body_.substr(0, 12345));
  const DownloadResult res = download_file(request("/resolve/m.gguf"));
  EXPECT_EQ(res.resumed_from, 12345u);
  EXPECT_TRUE(res.verified);
  EXPECT_EQ(test::read_file(dest_), body_);
  const auto reqs = server_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[1].path, "/cdn/m.gguf");
  EXPECT_EQ(reqs[1].range, "bytes=12345-");
}

TEST_F(Download, ServerWithoutRangesStartsOver) {
  server_.serve("/m.gguf", {body_, HttpRoute::Mode::NoRanges});
  fs::create_directories(fs::path(dest_).parent_path());
  // Whatever the part holds, a 200 answer replaces it.
  write(partial_path(dest_), std::string(50000, 'x'));
  const DownloadResult res = download_file(request("/m.gguf"));
  EXPECT_TRUE(res.restarted);
  EXPECT_EQ(res.resumed_from, 0u);
  EXPECT_TRUE(res.verified);
  EXPECT_EQ(test::read_file(dest_), body_);
}

TEST_F(Download, PartAsLongAsTheFileIsOnlyVerified) {
  server_.serve("/m.gguf", {body_});
  fs::create_directories(fs::path(dest_).parent_path());
  write(partial_path(dest_), body_);
  const DownloadResult res = download_file(request("/m.gguf"));
  EXPECT_TRUE(res.verified);
  EXPECT_EQ(server_.requests().size(), 0u);
  EXPECT_EQ(test::read_file(dest_), body_);
}

TEST_F(Download, PartPastTheEndWithoutAKnownSizeStartsOver) {
  server_.serve("/m.gguf", {body_});
  fs::create_directories(fs::path(dest_).parent_path());
  write(partial_path(dest_), body_ + "extra");
  const DownloadResult res = download_file(request("/m.gguf", /*with_hash=*/false));
  EXPECT_TRUE(res.restarted);
  EXPECT_EQ(test::read_file(dest_), body_);
}

TEST_F(Download, CorruptedBodyIsDeletedAndNamed) {
  std::string corrupted = body_;
  corrupted[1234] = static_cast<char>(corrupted[1234] ^ 0x55);
  server_.serve("/m.gguf", {corrupted});
  const std::string msg = error_of(request("/m.gguf"));
  EXPECT_NE(msg.find(dest_), std::string::npos) << msg;
  EXPECT_NE(msg.find("sha256 mismatch"), std::string::npos) << msg;
  EXPECT_NE(msg.find("expected " + sha256_hex(body_)), std::string::npos) << msg;
  EXPECT_NE(msg.find("got " + sha256_hex(corrupted)), std::string::npos) << msg;
  EXPECT_NE(msg.find("deleted"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(partial_path(dest_)));
  EXPECT_FALSE(fs::exists(dest_));
}

TEST_F(Download, WrongSizeIsDeletedAndNamed) {
  server_.serve("/m.gguf", {body_.substr(0, 1000)});
  const std::string msg = error_of(request("/m.gguf"));
  EXPECT_NE(msg.find(dest_ + ": size mismatch: expected 200000 bytes, got 1000"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(partial_path(dest_)));
  EXPECT_FALSE(fs::exists(dest_));
}

TEST_F(Download, TruncatedConnectionKeepsThePartAndTheNextRunResumes) {
  HttpRoute cut{body_, HttpRoute::Mode::Truncate, 60000};
  server_.serve("/m.gguf", cut);
  const std::string msg = error_of(request("/m.gguf"));
  EXPECT_NE(msg.find("interrupted after 60000 bytes"), std::string::npos) << msg;
  EXPECT_NE(msg.find("run the same command again to resume"), std::string::npos) << msg;
  EXPECT_EQ(fs::file_size(partial_path(dest_)), 60000u);
  EXPECT_FALSE(fs::exists(dest_));

  server_.serve("/m.gguf", {body_});
  const DownloadResult res = download_file(request("/m.gguf"));
  EXPECT_EQ(res.resumed_from, 60000u);
  EXPECT_TRUE(res.verified);
  EXPECT_EQ(test::read_file(dest_), body_);
  const auto reqs = server_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[1].range, "bytes=60000-");
}

TEST_F(Download, SlowServerGivesTheSameFile) {
  server_.serve("/m.gguf", {body_.substr(0, 64000), HttpRoute::Mode::Slow});
  body_ = body_.substr(0, 64000);
  const DownloadResult res = download_file(request("/m.gguf"));
  EXPECT_TRUE(res.verified);
  EXPECT_EQ(test::read_file(dest_), body_);
}

TEST_F(Download, NotFoundLeavesNothing) {
  const std::string msg = error_of(request("/missing.gguf"));
  EXPECT_NE(msg.find("the server answered HTTP 404"), std::string::npos) << msg;
  EXPECT_NE(msg.find(server_.url("/missing.gguf")), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(partial_path(dest_)));
  EXPECT_FALSE(fs::exists(dest_));
}

TEST_F(Download, RefusedConnectionLeavesNothing) {
  std::string url;
  {
    HttpTestServer gone;
    url = gone.url("/m.gguf");
  }
  DownloadRequest r = request("/m.gguf");
  r.url = url;
  const std::string msg = error_of(r);
  EXPECT_NE(msg.find("cannot download " + url), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(partial_path(dest_)));
}

TEST_F(Download, UnknownHashIsComputedNotVerified) {
  server_.serve("/m.gguf", {body_});
  const DownloadResult res = download_file(request("/m.gguf", /*with_hash=*/false));
  EXPECT_FALSE(res.verified);
  EXPECT_EQ(res.sha256, sha256_hex(body_));
}

// http_proxy from the environment is used: the request for a host that does not exist
// goes to the "proxy" (the test server, which sees the absolute URL) and nowhere else.
TEST_F(Download, ProxyFromTheEnvironment) {
  const std::string url = "http://loco-proxy-test.invalid/files/m.gguf";
  server_.serve(url, {body_});
  ::setenv("http_proxy", server_.url("").c_str(), 1);
  ::unsetenv("no_proxy");
  DownloadRequest r = request("/unused");
  r.url = url;
  DownloadResult res;
  std::string error;
  try {
    res = download_file(r);
  } catch (const Error& e) {
    error = e.what();
  }
  ::unsetenv("http_proxy");
  no_proxy_for_loopback();
  EXPECT_EQ(error, "");
  EXPECT_TRUE(res.verified);
  EXPECT_EQ(server_.count(url), 1u);
}

TEST_F(Download, ASecondDownloadIntoTheSameDirectoryIsRefused) {
  server_.serve("/m.gguf", {body_});
  const std::string dir = fs::path(dest_).parent_path().string();
  fs::create_directories(dir);
  // Another process holding the lock, as a concurrent `loco pull` would (flock locks
  // belong to the open file description, so this one excludes the download's).
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  const std::string msg = error_of(request("/m.gguf"));
  EXPECT_NE(msg.find("another loco pull is downloading into " + dir), std::string::npos) << msg;
  EXPECT_EQ(server_.requests().size(), 0u);
  ::close(fd);
  EXPECT_TRUE(download_file(request("/m.gguf")).verified);
}

TEST_F(Download, OnlyHttpUrls) {
  DownloadRequest r = request("/m.gguf");
  r.url = "file:///etc/passwd";
  EXPECT_NE(error_of(r).find("not an http:// or https:// URL"), std::string::npos);
  r.url = "ftp://127.0.0.1/x";
  EXPECT_NE(error_of(r).find("not an http:// or https:// URL"), std::string::npos);
}

TEST_F(Download, FetchText) {
  server_.serve("/index.json", {"{\"adapters\": []}"});
  EXPECT_EQ(fetch_text(server_.url("/index.json")), "{\"adapters\": []}");
  EXPECT_THROW(fetch_text(server_.url("/nope.json")), Error);
  EXPECT_THROW(fetch_text(server_.url("/index.json"), 4), Error);
  write(dir_ + "/local.json", "{}");
  EXPECT_EQ(fetch_text(dir_ + "/local.json"), "{}");
  EXPECT_EQ(fetch_text("file://" + dir_ + "/local.json"), "{}");
}

TEST(PullUrl, FileNamesAndRelativeUrls) {
  EXPECT_EQ(url_file_name("https://h.co/a/b/M-Q4_K_M.gguf?download=true"), "M-Q4_K_M.gguf");
  EXPECT_EQ(url_file_name("https://h.co"), "");
  EXPECT_EQ(resolve_url("https://h.co/class/index.json", "files/a.gguf"), "https://h.co/class/files/a.gguf");
  EXPECT_EQ(resolve_url("https://h.co/class/index.json", "/a.gguf"), "https://h.co/a.gguf");
  EXPECT_EQ(resolve_url("https://h.co/index.json", "http://x.org/a"), "http://x.org/a");
  EXPECT_EQ(resolve_url("/srv/class/index.json", "a.gguf"), "/srv/class/a.gguf");
  EXPECT_TRUE(is_http_url("https://x"));
  EXPECT_FALSE(is_http_url("https://"));
  EXPECT_FALSE(is_http_url("file:///x"));
}

TEST(PullProgress, LineShowsPercentSizesSpeedAndEta) {
  const std::string line = format_progress_line(1200000000, 2500000000, 12500000.0, 10);
  EXPECT_EQ(line, " 48% [####      ] 1.2 GB / 2.5 GB  12.5 MB/s  ETA 1m44s");
  EXPECT_EQ(format_progress_line(2048, 0, 0.0), "2.0 kB  -- B/s");
  EXPECT_EQ(format_bytes(17), "17 B");
  EXPECT_EQ(format_duration(3725), "1h02m");
}

// ---- catalogue, index, names ----

TEST(PullCatalogue, BundledCatalogueParsesAndNamesTheStandardBase) {
  const Catalogue cat = load_catalogue(std::string(LOCO_SOURCE_DIR) + "/data/models/catalogue.json");
  const CatalogueModel* m = cat.find("qwen3-4b");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->file.name, "Qwen3-4B-Instruct-2507-Q4_K_M.gguf");
  EXPECT_EQ(cat.find("qwen3-4b-q4_k_m"), m);
  ASSERT_NE(cat.find("qwen3-4b-q8_0"), nullptr);
  EXPECT_EQ(cat.find("nope"), nullptr);
}

std::string parse_error(std::string_view json, bool index) {
  try {
    if (index) {
      parse_adapter_index(json, "idx.json");
    } else {
      parse_catalogue(json, "cat.json");
    }
  } catch (const FormatError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(PullCatalogue, MalformedCataloguesAreFormatErrors) {
  const std::string ok_entry = R"({"name": "m", "url": "https://h/m.gguf"})";
  EXPECT_NE(parse_error("", false).find("cat.json: not valid JSON"), std::string::npos);
  EXPECT_NE(parse_error("[1]", false).find("must be a JSON object"), std::string::npos);
  EXPECT_NE(parse_error(R"({"models": 3})", false).find("'models' must be a list"), std::string::npos);
  EXPECT_NE(parse_error(R"({"models": [3]})", false).find("must be an object"), std::string::npos);
  EXPECT_NE(parse_error(R"({"models": [{"url": "https://h/m.gguf"}]})", false).find("'name' is required"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"models": [{"name": "m", "url": "ftp://h/m"}]})", false).find("http(s) URL"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"models": [{"name": "m", "url": "https://h/m.gguf", "sha256": "abc"}]})", false)
                .find("model 'm': 'sha256' must be 64 hex digits"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"models": [{"name": "m", "url": "https://h/m.gguf", "sha265": "x"}]})", false)
                .find("unknown key 'sha265'"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"models": [{"name": "m", "url": "https://h/m.gguf", "file": "../evil"}]})", false)
                .find("not a plain file name"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"models": [{"name": "m", "url": "https://h/m.gguf", "size": -1}]})", false)
                .find("whole number of bytes"),
            std::string::npos);
  EXPECT_NE(parse_error("{\"models\": [" + ok_entry + "," + ok_entry + "]}", false).find("used twice"),
            std::string::npos);
  const Catalogue cat = parse_catalogue("{\"models\": [" + ok_entry + "]}", "cat.json");
  EXPECT_EQ(cat.models.at(0).file.name, "m.gguf");
  EXPECT_EQ(cat.models.at(0).file.sha256, "");
}

const char* kIndex = R"({"adapters": [
  {"name": "math", "domain": "math", "version": "1.0", "license": "cc-by-4.0", "type": "lora-gguf",
   "base": "qwen3-4b", "base_sha256": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
   "eval": {"gsm8k": 0.5}, "router_keywords": ["sum"],
   "files": [{"url": "files/math.gguf", "sha256": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "size": 10}]}
]})";

TEST(PullIndex, ParsesAndResolvesFileUrls) {
  const AdapterIndex index = parse_adapter_index(kIndex, "https://class.example/loco/index.json");
  ASSERT_EQ(index.adapters.size(), 1u);
  const IndexAdapter& a = index.adapters[0];
  EXPECT_EQ(a.base_sha256, std::string(64, 'a'));
  EXPECT_EQ(a.license, "cc-by-4.0");
  ASSERT_EQ(a.eval.size(), 1u);
  EXPECT_EQ(a.eval[0].first, "gsm8k");
  ASSERT_EQ(a.files.size(), 1u);
  EXPECT_EQ(a.files[0].url, "https://class.example/loco/files/math.gguf");
  EXPECT_EQ(a.files[0].name, "math.gguf");
  EXPECT_EQ(a.files[0].size, 10u);
  EXPECT_EQ(index.find("math"), &a);
}

TEST(PullIndex, MalformedIndexesAreFormatErrors) {
  const std::string sha(64, 'c');
  auto entry = [&](const std::string& extra) {
    return "{\"adapters\": [{\"name\": \"a\", \"base_sha256\": \"" + sha + "\"" + extra + "}]}";
  };
  const std::string file = ", \"files\": [{\"url\": \"a.gguf\", \"sha256\": \"" + sha + "\"}]";
  EXPECT_EQ(parse_error(entry(file), true), "(no error)");
  EXPECT_NE(parse_error("{\"adapters\": {}}", true).find("'adapters' must be a list"), std::string::npos);
  EXPECT_NE(parse_error(entry(""), true).find("'files' must be a non-empty list"), std::string::npos);
  EXPECT_NE(parse_error(entry(", \"files\": [{\"url\": \"a.gguf\"}]"), true).find("needs its sha256"),
            std::string::npos);
  EXPECT_NE(parse_error("{\"adapters\": [{\"name\": \"a\"" + file + "}]}", true).find("'base_sha256' is required"),
            std::string::npos);
  EXPECT_NE(parse_error(entry(file + ", \"type\": \"merged\""), true).find("'type' must be"), std::string::npos);
  EXPECT_NE(parse_error(entry(file + ", \"eval\": {\"x\": \"high\"}"), true).find("'eval' must map"),
            std::string::npos);
  EXPECT_NE(parse_error(entry(file + ", \"type\": \"lora-peft\""), true).find("needs adapter_model.safetensors"),
            std::string::npos);
  EXPECT_NE(parse_error("{\"adapters\": [{\"name\": \"../x\", \"base_sha256\": \"" + sha + "\"" + file + "}]}", true)
                .find("not a valid adapter name"),
            std::string::npos);
}

TEST(PullTargetNames, CatalogueHuggingFaceAndUrls) {
  const Catalogue cat =
      parse_catalogue(R"({"models": [{"name": "m", "url": "https://h/M.gguf", "sha256": null}]})", "cat.json");
  PullTarget t = resolve_pull_target("m", cat);
  EXPECT_TRUE(t.from_catalogue);
  EXPECT_EQ(t.files.at(0).url, "https://h/M.gguf");

  ::setenv("HF_ENDPOINT", "http://127.0.0.1:9/", 1);
  t = resolve_pull_target("hf:unsloth/Qwen3-4B-GGUF:Qwen3-4B-Q8_0.gguf", cat);
  EXPECT_EQ(t.kind, PullTarget::Kind::Model);
  EXPECT_EQ(t.name, "Qwen3-4B-Q8_0");
  EXPECT_EQ(t.files.at(0).url, "http://127.0.0.1:9/unsloth/Qwen3-4B-GGUF/resolve/main/Qwen3-4B-Q8_0.gguf");
  t = resolve_pull_target("hf:someone/math-lora", cat);
  EXPECT_EQ(t.kind, PullTarget::Kind::PeftAdapter);
  EXPECT_EQ(t.name, "math-lora");
  ASSERT_EQ(t.files.size(), 2u);
  EXPECT_EQ(t.files[1].url, "http://127.0.0.1:9/someone/math-lora/resolve/main/adapter_model.safetensors");
  ::unsetenv("HF_ENDPOINT");
  t = resolve_pull_target("hf:a/b:c.gguf", cat);
  EXPECT_EQ(t.files.at(0).url, "https://huggingface.co/a/b/resolve/main/c.gguf");

  t = resolve_pull_target("https://example.org/x/Y.gguf", cat);
  EXPECT_EQ(t.name, "Y");
  EXPECT_EQ(t.files.at(0).name, "Y.gguf");

  for (const char* bad : {"nope", "hf:onlyowner", "hf:a/b:../c", "hf:a/../b:c", "https://example.org/"}) {
    EXPECT_THROW(resolve_pull_target(bad, cat), Error) << bad;
  }
  try {
    resolve_pull_target("nope", cat);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cat.json: m"), std::string::npos) << e.what();
  }
}

// ---- installed models and config.yaml ----

TEST(PullDefaultModel, SetsOnlyWhenUnsetAndKeepsOtherLines) {
  const std::string dir = test::temp_dir();
  const std::string config = dir + "/config.yaml";
  EXPECT_TRUE(set_default_model(config, "/m/a.gguf", false));
  EXPECT_EQ(load_config(config).model.value_or(""), "/m/a.gguf");
  write(config, "# mine\nvotes: 3\nmodel: /m/a.gguf\n");
  EXPECT_FALSE(set_default_model(config, "/m/b.gguf", false));
  EXPECT_EQ(load_config(config).model.value_or(""), "/m/a.gguf");
  EXPECT_TRUE(set_default_model(config, "/m/b \"odd\".gguf", true));
  const SettingsLayer layer = load_config(config);
  EXPECT_EQ(layer.model.value_or(""), "/m/b \"odd\".gguf");
  EXPECT_EQ(layer.votes.value_or(0), 3);
  EXPECT_EQ(test::read_file(config).rfind("# mine\n", 0), 0u);
  EXPECT_FALSE(clear_default_model(config, "/m/other.gguf"));
  EXPECT_TRUE(clear_default_model(config, "/m/b \"odd\".gguf"));
  EXPECT_FALSE(load_config(config).model.has_value());
  EXPECT_EQ(load_config(config).votes.value_or(0), 3);
}

TEST(PullModelStore, RoundTripAndMalformedManifest) {
  const std::string data = test::temp_dir();
  ModelStore store = ModelStore::load(data);
  EXPECT_TRUE(store.models().empty());
  store.put({"m", "m.gguf", 10, std::string(64, 'a'), "https://h/m.gguf", true, "2026-01-01T00:00:00Z"});
  store.save();
  const ModelStore back = ModelStore::load(data);
  ASSERT_NE(back.find("m"), nullptr);
  EXPECT_EQ(back.find("m")->size, 10u);
  EXPECT_TRUE(back.find("m")->verified);
  write(back.manifest(), "{\"models\": [{\"name\": \"x\", \"file\": \"../../etc/passwd\"}]}");
  EXPECT_THROW(ModelStore::load(data), FormatError);
  write(back.manifest(), "nonsense");
  EXPECT_THROW(ModelStore::load(data), FormatError);
}

}  // namespace
}  // namespace loco
