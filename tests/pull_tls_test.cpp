// TLS is verified: an https server on 127.0.0.1 with a self-signed certificate (made by
// the openssl command for this test) is refused by download_file and fetch_text, with a
// one-line error that says it is the certificate and no file left behind, while the same
// server's plain-http twin serves the same bytes. A downloader that skipped verification
// would fail this test.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <thread>

#include "cli_runner.h"
#include "loco/error.h"
#include "loco/pull.h"
#include "test_paths.h"

namespace loco {
namespace {

namespace fs = std::filesystem;

TEST(PullTls, SelfSignedCertificatesAreRefused) {
  const std::string dir = test::temp_dir() + "/tls";
  fs::create_directories(dir);
  const std::string key = dir + "/key.pem", cert = dir + "/cert.pem";
  const test::CliResult made = test::run_program({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                                                  key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1"});
  ASSERT_EQ(made.exit_code, 0) << made.err;

  httplib::SSLServer tls(cert.c_str(), key.c_str());
  ASSERT_TRUE(tls.is_valid());
  httplib::Server plain;
  for (httplib::Server* s : {static_cast<httplib::Server*>(&tls), &plain}) {
    s->Get("/model.gguf", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(1000, 'w'), "application/octet-stream");
    });
  }
  const int tls_port = tls.bind_to_any_port("127.0.0.1");
  const int plain_port = plain.bind_to_any_port("127.0.0.1");
  ASSERT_GT(tls_port, 0);
  ASSERT_GT(plain_port, 0);
  std::thread t1([&] { tls.listen_after_bind(); });
  std::thread t2([&] { plain.listen_after_bind(); });

  // Plain http from the same handler works: what fails below is the certificate.
  DownloadRequest ok;
  ok.url = "http://127.0.0.1:" + std::to_string(plain_port) + "/model.gguf";
  ok.dest = dir + "/plain.gguf";
  EXPECT_EQ(download_file(ok).size, 1000u);

  DownloadRequest bad;
  bad.url = "https://127.0.0.1:" + std::to_string(tls_port) + "/model.gguf";
  bad.dest = dir + "/tls.gguf";
  std::string error;
  try {
    download_file(bad);
  } catch (const Error& e) {
    error = e.what();
  }
  EXPECT_NE(error.find("certificate"), std::string::npos) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  EXPECT_FALSE(fs::exists(bad.dest));
  EXPECT_FALSE(fs::exists(partial_path(bad.dest)) && fs::file_size(partial_path(bad.dest)) > 0);
  EXPECT_THROW(fetch_text("https://127.0.0.1:" + std::to_string(tls_port) + "/model.gguf"), Error);

  tls.stop();
  plain.stop();
  t1.join();
  t2.join();
}

}  // namespace
}  // namespace loco
