#include "loco/thread_pool.h"

#include <chrono>
#include <fstream>
#include <set>
#include <string>
#include <utility>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace loco {
namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// A thread that waits spins on `pause` for up to kSpinTime, then gives the core away: a
// worker by sleeping on a futex until the next job, the caller by yielding until its
// workers finish. A decode step issues hundreds of parallel regions per token, each a
// few tens of microseconds, so waits are short when the cores are ours; a system call
// per wait (sched_yield) costs more than the wait itself, above all in a virtual machine,
// where every entry to the kernel is a trip through the hypervisor. Spinning is bounded
// by time, not by iterations, because `pause` takes from ~10 to ~140 cycles depending
// on the microarchitecture. 100 µs rather than 500: decode within noise of it (3% lower
// median over 8 interleaved rounds on Zen 5, spread 11-13 tok/s), and when other programs
// want the cores (ctest -j2) the suite ran in 62 s instead of 75 s.
constexpr auto kSpinTime = std::chrono::microseconds(100);

class SpinWait {
 public:
  // True while the wait should keep spinning; the clock is read every 64 pauses.
  bool spin() {
    cpu_relax();
    if ((++iterations_ & 63) != 0) return true;
    const auto now = std::chrono::steady_clock::now();
    if (iterations_ == 64) start_ = now;
    return now - start_ < kSpinTime;
  }

 private:
  uint64_t iterations_ = 0;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

ThreadPool::ThreadPool(int n_threads) : n_threads_(n_threads < 1 ? 1 : n_threads) {
  workers_.reserve(static_cast<size_t>(n_threads_ - 1));
  for (int t = 1; t < n_threads_; ++t) {
    workers_.emplace_back([this, t] { worker_loop(t); });
  }
}

ThreadPool::~ThreadPool() {
  stopping_.store(true);
  generation_.fetch_add(1);
  generation_.notify_all();
  for (std::thread& w : workers_) w.join();
}

void ThreadPool::run_tasks(int thread) {
  for (;;) {
    const int64_t task = next_task_.fetch_add(1, std::memory_order_relaxed);
    if (task >= n_tasks_) break;
    (*job_)(task, thread);
  }
}

void ThreadPool::worker_loop(int thread) {
  uint32_t seen = 0;
  for (;;) {
    SpinWait spin;
    while (generation_.load() == seen && spin.spin()) {
    }
    if (generation_.load() == seen) {
      sleepers_.fetch_add(1);
      generation_.wait(seen);  // a futex: returns once generation_ != seen
      sleepers_.fetch_sub(1);
    }
    seen = generation_.load();
    if (stopping_.load()) return;
    run_tasks(thread);
    pending_workers_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

void ThreadPool::parallel_for(int64_t n_tasks,
                              const std::function<void(int64_t task, int thread)>& fn) {
  if (n_tasks <= 0) return;
  if (n_threads_ == 1 || n_tasks == 1) {
    for (int64_t i = 0; i < n_tasks; ++i) fn(i, 0);
    return;
  }
  job_ = &fn;
  n_tasks_ = n_tasks;
  next_task_.store(0, std::memory_order_relaxed);
  pending_workers_.store(n_threads_ - 1);
  generation_.fetch_add(1);  // publishes the job (sequentially consistent)
  if (sleepers_.load() > 0) generation_.notify_all();
  run_tasks(0);
  SpinWait spin;
  while (pending_workers_.load(std::memory_order_acquire) > 0) {
    if (!spin.spin()) std::this_thread::yield();
  }
  job_ = nullptr;
}

int ThreadPool::default_threads() {
  // Count distinct (physical id, core id) pairs; fall back to the logical count.
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::set<std::pair<std::string, std::string>> cores;
  std::string line, physical = "0";
  while (std::getline(cpuinfo, line)) {
    auto value = [&] { return line.substr(line.find(':') + 1); };
    if (line.rfind("physical id", 0) == 0) physical = value();
    if (line.rfind("core id", 0) == 0) cores.emplace(physical, value());
  }
  unsigned logical = std::thread::hardware_concurrency();
  if (!cores.empty()) return static_cast<int>(cores.size());
  return logical > 0 ? static_cast<int>(logical) : 1;
}

}  // namespace loco
