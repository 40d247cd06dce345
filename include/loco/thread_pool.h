// A persistent pool of worker threads. parallel_for splits work into tasks that the
// calling thread and the workers take in turn; threads are created once, never per call.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace loco {

class ThreadPool {
 public:
  // n_threads counts the calling thread: 1 means run everything inline.
  explicit ThreadPool(int n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }

  // Runs fn(task, thread) for task in [0, n_tasks); returns when all are done. `thread` is
  // in [0, size()) and is stable within a call, so it can index per-thread scratch.
  void parallel_for(int64_t n_tasks, const std::function<void(int64_t task, int thread)>& fn);

  // The number of physical cores, the default thread count.
  static int default_threads();

 private:
  void worker_loop(int thread);
  void run_tasks(int thread);

  // Workers spin briefly on `generation_` (a decode step issues hundreds of parallel
  // regions per token, and a futex wake-up costs tens of microseconds), then sleep on it
  // (std::atomic::wait) until the next job.
  int n_threads_;
  std::vector<std::thread> workers_;
  std::atomic<uint32_t> generation_{0};  // 32 bits: a futex word; only compared for equality
  std::atomic<int> sleepers_{0};
  std::atomic<int> pending_workers_{0};
  std::atomic<bool> stopping_{false};

  const std::function<void(int64_t, int)>* job_ = nullptr;
  int64_t n_tasks_ = 0;
  std::atomic<int64_t> next_task_{0};
};

}  // namespace loco
