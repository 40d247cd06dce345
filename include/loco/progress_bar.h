// The progress bar of a download on a terminal: percentage, bytes, speed and time left.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace loco {

// "2.5 GB", "812.3 MB", "17 B": decimal units, as download sizes are usually given.
std::string format_bytes(uint64_t bytes);
// "1h02m", "3m07s", "12s"; "?" for a negative or non-finite value.
std::string format_duration(double seconds);
// One line of the bar, without the carriage return: with a known total
// " 42% [########            ] 1.1 GB / 2.5 GB  12.3 MB/s  ETA 1m52s", without one
// "1.1 GB  12.3 MB/s". `bar_width` is the number of cells between the brackets.
std::string format_progress_line(uint64_t done, uint64_t total, double bytes_per_second, int bar_width = 24);

// Draws the line on stderr, redrawn in place at most 10 times a second, only when
// stderr is a terminal (or `force` is set); otherwise it prints nothing.
class ProgressBar {
 public:
  explicit ProgressBar(std::string label, bool force = false);
  void update(uint64_t done, uint64_t total);
  // Ends the line (when anything was drawn).
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  Clock::time_point start_;
  Clock::time_point last_draw_{};
  uint64_t start_bytes_ = 0;
  uint64_t last_done_ = 0;
  bool started_ = false;
};

}  // namespace loco
