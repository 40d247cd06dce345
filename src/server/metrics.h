// Counters for GET /metrics, written in the Prometheus text format. Updated from request
// threads and the scheduler thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace loco::server {

class Metrics {
 public:
  void count_request(const std::string& endpoint, int status);
  void add_prompt_tokens(uint64_t n) { prompt_tokens_ += n; }
  void add_generated_tokens(uint64_t n) { generated_tokens_ += n; }
  // One decode step: how many sequences and tokens it held.
  void record_step(int sequences, int tokens);
  void count_rejected() { rejected_ += 1; }
  void count_cancelled() { cancelled_ += 1; }

  // `queued` and `running` are read at the time of the scrape.
  std::string prometheus_text(size_t queued, size_t running, int parallel) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::atomic<uint64_t> prompt_tokens_{0}, generated_tokens_{0}, steps_{0}, step_tokens_{0};
  std::atomic<uint64_t> rejected_{0}, cancelled_{0};
  static constexpr std::array<int, 7> kBuckets = {1, 2, 4, 8, 16, 32, 64};
  std::array<std::atomic<uint64_t>, 8> batch_buckets_{};  // the last is +Inf
  std::atomic<uint64_t> batch_sum_{0};
};

}  // namespace loco::server
