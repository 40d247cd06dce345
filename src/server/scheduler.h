// Continuous batching for the server: one thread owns the session and, at every step,
// decodes the next token of every running sequence of every request together (each with
// its own adapter), while new requests' prompts are evaluated in bounded chunks in the
// same batches. A request joins at the next step and leaves when its last sample ends, so
// short requests never wait for long ones.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "loco/generate.h"
#include "loco/lora.h"
#include "loco/model.h"
#include "loco/sampler.h"
#include "loco/session.h"
#include "loco/tokenizer.h"
#include "server/metrics.h"

namespace loco::server {

struct SampleOutput {
  std::string text;  // without a stop string that ended it
  std::vector<TokenId> tokens;
  StopReason stop = StopReason::MaxTokens;
  double mean_log_prob = 0.0;
  std::vector<float> log_probs;  // of each token, under the model (not the sampler's truncation)
};

// One request's generation: a prompt, its adapter, and n samples of it.
struct Job {
  std::vector<TokenId> prompt;
  std::shared_ptr<const LoraAdapter> adapter;  // null: the base model
  float scale = 1.0f;
  int n = 1;                   // samples; sample k draws with sampling.seed + k
  SamplerConfig sampling;
  int32_t max_tokens = 256;
  std::vector<std::string> stop;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // On the scheduler thread: new text of sample k (held back while it could be the start
  // of a stop string). Return false to cancel the job.
  std::function<bool(int sample, std::string_view text)> on_text;
  // On the scheduler thread, once: every sample's output, or `error` when the job failed
  // or was cancelled.
  std::function<void(std::vector<SampleOutput> outputs, const std::string& error)> on_done;
  std::atomic<bool> cancelled{false};  // set by the request's thread (client gone)

  // Filled by the scheduler.
  double queued_seconds = 0, prompt_seconds = 0, generate_seconds = 0;
};

struct SchedulerOptions {
  int32_t parallel = 4;       // sequences decoded together
  int32_t n_ctx = 4096;       // per sequence
  int32_t kv_tokens = 0;      // KV positions across sequences (0: parallel × n_ctx)
  int32_t queue_limit = 64;   // jobs waiting for room; more are refused
  int32_t prefill_chunk = 256;  // prompt tokens evaluated per step, across new requests
  int threads = 0;
  KvType kv_type = KvType::F16;
};

class Scheduler {
 public:
  Scheduler(std::shared_ptr<const Model> model, const Tokenizer& tokenizer, const SchedulerOptions& options,
            Metrics& metrics);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Queues a job. Returns "" or why it was refused: the queue is full (`*busy` set), or
  // the job could never fit (more samples than sequences, more context than there is).
  std::string submit(std::shared_ptr<Job> job, bool* busy);
  size_t queued() const;
  size_t running() const;  // jobs with sequences in the batch
  const SchedulerOptions& options() const { return options_; }

 private:
  struct Slot {
    std::shared_ptr<Job> job;
    int sample = 0;
    enum class Stage { Free, Prefill, AwaitFork, Decode } stage = Stage::Free;
    size_t prompt_pos = 0;
    std::unique_ptr<Sampler> sampler;
    std::unique_ptr<StreamDecoder> stream;
    SampleOutput out;
    size_t sent = 0;          // bytes of out.text given to on_text
    double log_prob_sum = 0;
    TokenId next = 0;         // the token to evaluate next
  };
  struct Running {
    std::shared_ptr<Job> job;
    std::vector<int32_t> slots;  // one per sample
    std::vector<SampleOutput> outputs;
    int remaining = 0;
    int32_t blocks = 0;          // KV blocks reserved
    std::chrono::steady_clock::time_point started, prefilled;
  };

  void loop();
  bool admit();
  void step();
  void sample_into(int32_t slot, std::span<const float> logits);
  void finish(int32_t slot, StopReason reason);
  void fail(Running& r, const std::string& error);
  void emit(Slot& s, bool final);
  Running& running_of(const Job* job);
  int32_t blocks_needed(const Job& job) const;

  std::shared_ptr<const Model> model_;
  const Tokenizer& tokenizer_;
  SchedulerOptions options_;
  Metrics& metrics_;
  std::unique_ptr<Session> session_;
  std::vector<Slot> slots_;
  std::vector<Running> running_;
  int32_t blocks_reserved_ = 0;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<std::shared_ptr<Job>, std::chrono::steady_clock::time_point>> queue_;
  std::atomic<size_t> running_count_{0};
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace loco::server
