// Getting files from the network, only when the user asks (`loco pull`, `loco adapters
// pull|search`): apart from the remote backends (remote.h, only with --backend) nothing
// else in loco opens a socket, and this part lives in its own library (loco_pull,
// src/pull/) so that the engine does not even link libcurl.
//
// A download goes to DEST.part and is renamed to DEST only once it is complete and its
// size and sha256 match what was expected. An interrupted transfer leaves DEST.part
// behind; the next download of the same file asks the server for the rest (an HTTP range
// request) and starts from zero when the server ignores ranges. Proxies come from the
// usual environment variables (https_proxy, http_proxy, no_proxy: libcurl reads them);
// TLS certificates are always verified.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace loco {

// Called during a transfer: bytes of the file present so far (a resumed part included)
// and the file's full size (0 while unknown).
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

struct DownloadRequest {
  std::string url;                       // http:// or https://
  std::string dest;                      // the final path; the transfer writes dest + ".part"
  std::optional<uint64_t> expected_size;  // unset: unknown
  std::string expected_sha256;           // "": unknown (the hash is computed and reported)
  ProgressFn progress;                   // may be empty
  std::function<void()> verifying;       // called before the file is hashed (may be empty)
};

struct DownloadResult {
  uint64_t size = 0;
  std::string sha256;          // of the file now at dest
  uint64_t resumed_from = 0;   // bytes of an earlier DEST.part kept (0: none)
  bool restarted = false;      // an earlier part was discarded: the server ignored the range
  bool verified = false;       // sha256 matched expected_sha256
};

// Downloads `request.url` to `request.dest` as described above. Throws Error with one line
// naming the URL or the file: HTTP errors (404 ...), connection failures and interrupted
// transfers (DEST.part is kept for a resume), and a size or sha256 mismatch (DEST.part is
// deleted, the message names the file, the expected and the actual value). Creates missing
// parent directories.
DownloadResult download_file(const DownloadRequest& request);

// DEST.part: where download_file writes before the rename.
std::string partial_path(const std::string& dest);

// Fetches a small text resource (an adapter index) into memory; `max_bytes` bounds it.
// A plain path or a file:// URL is read from disk without any network access.
std::string fetch_text(const std::string& url, uint64_t max_bytes = 16u << 20);

// True for http:// and https:// URLs (what download_file accepts).
bool is_http_url(const std::string& text);

// `relative` against the URL `base` (for the files of an index): an absolute URL stays as
// it is, "/x" replaces the path, anything else replaces the last path segment.
std::string resolve_url(const std::string& base, const std::string& relative);

// The last path segment of a URL, without query or fragment ("" if none).
std::string url_file_name(const std::string& url);

}  // namespace loco
