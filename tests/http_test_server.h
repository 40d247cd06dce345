// A tiny HTTP/1.1 server on 127.0.0.1 (an ephemeral port, its own thread) for the
// download tests: it serves registered bodies with or without range support, cut off
// mid-body, or slowly, and answers 404 for anything else. One connection at a time,
// "Connection: close" on every response. Never listens beyond the loopback interface.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace loco::test {

struct HttpRoute {
  enum class Mode {
    Ranges,    // honours "Range: bytes=N-" with 206 (416 past the end)
    NoRanges,  // ignores Range: always 200 with the whole body
    Truncate,  // announces the full length, sends `cut_after` bytes, closes
    Slow,      // honours ranges, sends the body in small pieces with pauses
    Redirect,  // 302 to `body` (a path or URL), as Hugging Face's resolve/ URLs do
  };
  std::string body;
  Mode mode = Mode::Ranges;
  size_t cut_after = 0;
};

class HttpTestServer {
 public:
  HttpTestServer();
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:PORT" + path (path starts with '/').
  std::string url(const std::string& path) const;
  // Registers (or replaces) what `path` serves.
  void serve(const std::string& path, HttpRoute route);

  struct Request {
    std::string path;
    std::string range;  // the Range header's value, "" when none
  };
  std::vector<Request> requests() const;
  // Requests for `path` so far.
  size_t count(const std::string& path) const;

 private:
  void loop();
  void handle(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::map<std::string, HttpRoute> routes_;
  std::vector<Request> requests_;
  std::thread thread_;
};

}  // namespace loco::test
