#include "http_test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>

namespace loco::test {

namespace {

void send_all(int fd, const char* data, size_t n) {
  while (n > 0) {
    const ssize_t sent = ::send(fd, data, n, MSG_NOSIGNAL);
    if (sent <= 0) return;  // the client went away: nothing to do
    data += sent;
    n -= static_cast<size_t>(sent);
  }
}

void send_all(int fd, const std::string& s) { send_all(fd, s.data(), s.size()); }

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

}  // namespace

HttpTestServer::HttpTestServer() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket failed");
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 16) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("bind/listen on 127.0.0.1 failed");
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { loop(); });
}

HttpTestServer::~HttpTestServer() {
  stop_ = true;
  thread_.join();
  ::close(listen_fd_);
}

std::string HttpTestServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void HttpTestServer::serve(const std::string& path, HttpRoute route) {
  std::lock_guard lock(mutex_);
  routes_[path] = std::move(route);
}

std::vector<HttpTestServer::Request> HttpTestServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

size_t HttpTestServer::count(const std::string& path) const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const Request& r : requests_) n += r.path == path ? 1 : 0;
  return n;
}

void HttpTestServer::loop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    handle(fd);
    ::close(fd);
  }
}

void HttpTestServer::handle(int fd) {
  std::string head;
  char buf[4096];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return;
    head.append(buf, static_cast<size_t>(n));
  }
  const size_t sp1 = head.find(' ');
  const size_t sp2 = head.find(' ', sp1 + 1);
  if (sp1 == std::string::npos || sp2 == std::string::npos) return;
  Request req;
  req.path = head.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string lowered = lower(head);
  if (const size_t r = lowered.find("\r\nrange:"); r != std::string::npos) {
    const size_t start = r + 8;
    const size_t end = head.find("\r\n", start);
    req.range = head.substr(start, end - start);
    while (!req.range.empty() && req.range.front() == ' ') req.range.erase(0, 1);
  }
  HttpRoute route;
  bool found = false;
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(req);
    if (const auto it = routes_.find(req.path); it != routes_.end()) {
      route = it->second;
      found = true;
    }
  }
  if (!found) {
    send_all(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found");
    return;
  }
  if (route.mode == HttpRoute::Mode::Redirect) {
    send_all(fd, "HTTP/1.1 302 Found\r\nLocation: " + route.body + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    return;
  }
  const std::string& body = route.body;
  size_t from = 0;
  const bool ranges = route.mode != HttpRoute::Mode::NoRanges;
  if (ranges && req.range.rfind("bytes=", 0) == 0 && req.range.back() == '-') {
    from = std::stoull(req.range.substr(6, req.range.size() - 7));
    if (from >= body.size()) {
      send_all(fd, "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" + std::to_string(body.size()) +
                       "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
  }
  std::string header;
  if (from > 0) {
    header = "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " + std::to_string(from) + "-" +
             std::to_string(body.size() - 1) + "/" + std::to_string(body.size()) + "\r\n";
  } else {
    header = "HTTP/1.1 200 OK\r\n";
  }
  if (ranges) header += "Accept-Ranges: bytes\r\n";
  header += "Content-Length: " + std::to_string(body.size() - from) + "\r\nConnection: close\r\n\r\n";
  send_all(fd, header);
  const char* data = body.data() + from;
  const size_t n = body.size() - from;
  switch (route.mode) {
    case HttpRoute::Mode::Truncate:
      send_all(fd, data, std::min(route.cut_after, n));
      break;
    case HttpRoute::Mode::Slow:
      for (size_t i = 0; i < n; i += 1024) {
        send_all(fd, data + i, std::min<size_t>(1024, n - i));
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      break;
    default:
      send_all(fd, data, n);
  }
}

}  // namespace loco::test
