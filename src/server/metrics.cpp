#include "server/metrics.h"

#include <fmt/format.h>

namespace loco::server {

void Metrics::count_request(const std::string& endpoint, int status) {
  std::lock_guard lock(mutex_);
  ++requests_[{endpoint, status}];
}

void Metrics::record_step(int sequences, int tokens) {
  steps_ += 1;
  step_tokens_ += static_cast<uint64_t>(tokens);
  batch_sum_ += static_cast<uint64_t>(sequences);
  size_t b = 0;
  while (b < kBuckets.size() && sequences > kBuckets[b]) ++b;
  batch_buckets_[b] += 1;
}

std::string Metrics::prometheus_text(size_t queued, size_t running, int parallel) const {
  std::string out;
  out += "# HELP loco_requests_total HTTP requests answered, by endpoint and status.\n";
  out += "# TYPE loco_requests_total counter\n";
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, n] : requests_) {
      out += fmt::format("loco_requests_total{{endpoint=\"{}\",status=\"{}\"}} {}\n", key.first, key.second, n);
    }
  }
  auto counter = [&](const char* name, const char* help, uint64_t v) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} counter\n{0} {2}\n", name, help, v);
  };
  auto gauge = [&](const char* name, const char* help, uint64_t v) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} gauge\n{0} {2}\n", name, help, v);
  };
  counter("loco_prompt_tokens_total", "Prompt tokens evaluated.", prompt_tokens_);
  counter("loco_generated_tokens_total", "Tokens generated, every sample counted.", generated_tokens_);
  counter("loco_rejected_total", "Requests refused because the queue was full (429).", rejected_);
  counter("loco_cancelled_total", "Requests cancelled: the client went away or the time limit passed.", cancelled_);
  counter("loco_decode_steps_total", "Forward passes of the batch.", steps_);
  counter("loco_decode_step_tokens_total", "Tokens evaluated by those passes (prompt chunks included).", step_tokens_);
  gauge("loco_queue_length", "Requests waiting for room in the batch.", queued);
  gauge("loco_running_requests", "Requests with sequences in the batch.", running);
  gauge("loco_parallel_sequences", "Sequences the batch can hold.", static_cast<uint64_t>(parallel));
  out += "# HELP loco_batch_sequences Sequences per decode step.\n# TYPE loco_batch_sequences histogram\n";
  uint64_t cumulative = 0;
  for (size_t b = 0; b < kBuckets.size(); ++b) {
    cumulative += batch_buckets_[b];
    out += fmt::format("loco_batch_sequences_bucket{{le=\"{}\"}} {}\n", kBuckets[b], cumulative);
  }
  cumulative += batch_buckets_[kBuckets.size()];
  out += fmt::format("loco_batch_sequences_bucket{{le=\"+Inf\"}} {}\n", cumulative);
  out += fmt::format("loco_batch_sequences_sum {}\nloco_batch_sequences_count {}\n", batch_sum_.load(), steps_.load());
  return out;
}

}  // namespace loco::server
