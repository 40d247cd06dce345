// download_file: one file over HTTP(S) with libcurl, resumable, verified before the rename.
#include <curl/curl.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "loco/error.h"
#include "loco/pull.h"
#include "loco/sha256.h"
#include "pull/curl_session.h"

namespace loco {

namespace {

namespace fs = std::filesystem;

// The state one transfer shares with libcurl's callbacks. Callbacks never throw (that
// would unwind through C); they record what went wrong and return 0 to stop the transfer.
struct Transfer {
  CURL* curl = nullptr;
  std::string part;
  uint64_t offset = 0;           // bytes of the part file kept before this transfer
  uint64_t written = 0;          // bytes written by this transfer
  FILE* out = nullptr;
  bool body_started = false;
  bool restarted = false;        // the server ignored our range: the part was truncated
  bool range_mismatch = false;   // a 206 for some other range than the one asked for
  std::optional<uint64_t> range_start;  // of the current response's Content-Range
  std::optional<uint64_t> range_total;
  std::string write_error;
  const ProgressFn* progress = nullptr;
};

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    const char a = s[i] >= 'A' && s[i] <= 'Z' ? static_cast<char>(s[i] - 'A' + 'a') : s[i];
    if (a != prefix[i]) return false;
  }
  return true;
}

std::optional<uint64_t> parse_u64(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

size_t on_header(char* buffer, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string_view line(buffer, n);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (starts_with_nocase(line, "http/")) {
    // A new response (after a redirect, say): forget the previous one's headers.
    t->range_start.reset();
    t->range_total.reset();
  } else if (starts_with_nocase(line, "content-range:")) {
    // Content-Range: bytes START-END/TOTAL
    std::string_view v = line.substr(14);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    if (starts_with_nocase(v, "bytes ")) {
      v.remove_prefix(6);
      const size_t dash = v.find('-');
      const size_t slash = v.find('/');
      if (dash != std::string_view::npos) t->range_start = parse_u64(v.substr(0, dash));
      if (slash != std::string_view::npos) t->range_total = parse_u64(v.substr(slash + 1));
    }
  }
  return n;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (!t->body_started) {
    t->body_started = true;
    long status = 0;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
    const char* mode = "ab";
    if (status == 206) {
      if (!t->range_start || *t->range_start != t->offset) {
        t->range_mismatch = true;
        return 0;
      }
    } else {
      // 200: the whole file, whatever we asked for.
      if (t->offset > 0) t->restarted = true;
      t->offset = 0;
      mode = "wb";
    }
    t->out = std::fopen(t->part.c_str(), mode);
    if (t->out == nullptr) {
      t->write_error = t->part + ": cannot open for writing: " + std::strerror(errno);
      return 0;
    }
  }
  if (n > 0 && std::fwrite(data, 1, n, t->out) != n) {
    t->write_error = t->part + ": write failed: " + std::strerror(errno);
    return 0;
  }
  t->written += n;
  return n;
}

int on_progress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->progress != nullptr && *t->progress) {
    const uint64_t base = t->body_started ? t->offset : 0;
    const uint64_t full = total > 0 ? base + static_cast<uint64_t>(total) : 0;
    (*t->progress)(base + static_cast<uint64_t>(now > 0 ? now : 0), full);
  }
  return 0;
}

uint64_t file_size_or_zero(const std::string& path) {
  std::error_code ec;
  const auto s = fs::file_size(path, ec);
  return ec ? 0 : static_cast<uint64_t>(s);
}

void remove_quietly(const std::string& path) {
  std::error_code ec;
  fs::remove(path, ec);
}

bool close_synced(FILE*& f) {
  if (f == nullptr) return true;
  bool ok = std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
  ok = std::fclose(f) == 0 && ok;
  f = nullptr;
  return ok;
}

// An exclusive lock on the destination's directory for the whole download: a second
// `loco pull` into the same directory (another terminal) fails at once instead of writing
// into the same .part file. Released when the process ends, however it ends.
class DirectoryLock {
 public:
  explicit DirectoryLock(const std::string& dir) {
    fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_ < 0) throw Error(dir + ": cannot open: " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const bool busy = errno == EWOULDBLOCK;
      const std::string why = std::strerror(errno);
      ::close(fd_);
      throw Error(busy ? "another loco pull is downloading into " + dir + "; wait for it to finish"
                       : dir + ": cannot lock: " + why);
    }
  }
  ~DirectoryLock() { ::close(fd_); }
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

enum class Outcome { Done, RetryFromZero };

// One HTTP request for the rest of the file (or all of it). Throws on failure.
Outcome transfer_once(const DownloadRequest& req, const std::string& part, uint64_t offset, bool& restarted) {
  CurlSession session;
  Transfer t;
  t.curl = session.handle();
  t.part = part;
  t.offset = offset;
  t.progress = &req.progress;
  CURL* c = t.curl;
  session.configure(req.url);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  const std::string range = fmt::format("{}-", offset);
  if (offset > 0) curl_easy_setopt(c, CURLOPT_RANGE, range.c_str());

  const CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  const bool closed = close_synced(t.out);
  restarted = restarted || t.restarted;

  if (t.range_mismatch) return Outcome::RetryFromZero;
  if (rc == CURLE_HTTP_RETURNED_ERROR && status == 416 && offset > 0) return Outcome::RetryFromZero;
  if (!t.write_error.empty()) throw Error(t.write_error);
  if (rc == CURLE_HTTP_RETURNED_ERROR) {
    throw Error(fmt::format("cannot download {}: the server answered HTTP {}", req.url, status));
  }
  if (rc != CURLE_OK) {
    const uint64_t have = file_size_or_zero(part);
    const std::string detail = session.error_text(rc);
    if (have > 0) {
      throw Error(fmt::format("download of {} interrupted after {} bytes ({}); {} is kept: run the same "
                              "command again to resume",
                              req.url, have, detail, part));
    }
    remove_quietly(part);
    throw Error(fmt::format("cannot download {}: {}", req.url, detail));
  }
  if (!closed) throw Error(part + ": write failed: " + std::strerror(errno));
  if (!t.body_started) {
    // An empty body: a zero-byte file (or nothing more to fetch after a 206).
    if (offset == 0) {
      FILE* f = std::fopen(part.c_str(), "wb");
      if (f == nullptr || !close_synced(f)) throw Error(part + ": cannot create: " + std::strerror(errno));
    }
  }
  return Outcome::Done;
}

}  // namespace

std::string partial_path(const std::string& dest) { return dest + ".part"; }

DownloadResult download_file(const DownloadRequest& req) {
  if (!is_http_url(req.url)) throw Error("cannot download '" + req.url + "': not an http:// or https:// URL");
  if (!req.expected_sha256.empty() && !is_sha256_hex(req.expected_sha256)) {
    throw Error("expected sha256 of " + req.dest + " is not 64 hex digits: '" + req.expected_sha256 + "'");
  }
  const std::string part = partial_path(req.dest);
  std::error_code ec;
  const fs::path parent = fs::path(req.dest).parent_path();
  if (!parent.empty()) {
    fs::create_directories(parent, ec);
    if (ec) throw Error(parent.string() + ": cannot create: " + ec.message());
  }
  const DirectoryLock lock(parent.empty() ? std::string(".") : parent.string());

  DownloadResult result;
  uint64_t offset = file_size_or_zero(part);
  if (req.expected_size && offset > *req.expected_size) {
    // Longer than the file can be: not a prefix of it.
    remove_quietly(part);
    offset = 0;
    result.restarted = true;
  }
  result.resumed_from = offset;
  const bool already_complete = req.expected_size && offset == *req.expected_size && offset > 0;
  if (!already_complete) {
    if (transfer_once(req, part, offset, result.restarted) == Outcome::RetryFromZero) {
      remove_quietly(part);
      result.restarted = true;
      transfer_once(req, part, 0, result.restarted);
    }
  }
  if (result.restarted) result.resumed_from = 0;

  result.size = file_size_or_zero(part);
  if (req.expected_size && result.size != *req.expected_size) {
    remove_quietly(part);
    throw Error(fmt::format("{}: size mismatch: expected {} bytes, got {}; the download was deleted", req.dest,
                            *req.expected_size, result.size));
  }
  if (req.verifying) req.verifying();
  result.sha256 = sha256_file(part);
  if (!req.expected_sha256.empty()) {
    std::string expected = req.expected_sha256;
    for (char& ch : expected) ch = static_cast<char>(ch >= 'A' && ch <= 'F' ? ch - 'A' + 'a' : ch);
    if (result.sha256 != expected) {
      remove_quietly(part);
      throw Error(fmt::format("{}: sha256 mismatch: expected {}, got {}; the download was deleted", req.dest,
                              expected, result.sha256));
    }
    result.verified = true;
  }
  fs::rename(part, req.dest, ec);
  if (ec) throw Error("cannot rename " + part + " to " + req.dest + ": " + ec.message());
  return result;
}

}  // namespace loco
