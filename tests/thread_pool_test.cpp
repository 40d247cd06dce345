#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "loco/thread_pool.h"

namespace loco {
namespace {

TEST(ThreadPool, EveryTaskRunsExactlyOnce) {
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    for (int round = 0; round < 300; ++round) {
      const int64_t n = 1 + round % 37;
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
      std::atomic<int> bad_thread{0};
      pool.parallel_for(n, [&](int64_t task, int thread) {
        hits[static_cast<size_t>(task)].fetch_add(1);
        if (thread < 0 || thread >= threads) bad_thread.fetch_add(1);
      });
      for (auto& h : hits) ASSERT_EQ(h.load(), 1) << threads << " threads, round " << round;
      ASSERT_EQ(bad_thread.load(), 0);
    }
  }
}

TEST(ThreadPool, WakesWorkersThatWentToSleep) {
  ThreadPool pool(3);
  for (int round = 0; round < 5; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // workers stop spinning
    std::atomic<int64_t> sum{0};
    std::atomic<int> threads_seen{0};
    std::vector<std::atomic<int>> used(3);
    pool.parallel_for(300, [&](int64_t task, int thread) {
      sum.fetch_add(task);
      if (used[static_cast<size_t>(thread)].fetch_add(1) == 0) threads_seen.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    });
    EXPECT_EQ(sum.load(), 299 * 300 / 2);
    EXPECT_GE(threads_seen.load(), 2);  // the work really was shared
  }
}

TEST(ThreadPool, DefaultThreadsIsPositive) { EXPECT_GE(ThreadPool::default_threads(), 1); }

}  // namespace
}  // namespace loco
