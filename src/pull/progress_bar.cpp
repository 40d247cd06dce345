// The download progress bar.
#include "loco/progress_bar.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <string>

namespace loco {

std::string format_bytes(uint64_t bytes) {
  static const char* const kUnits[] = {"kB", "MB", "GB", "TB"};
  if (bytes < 1000) return fmt::format("{} B", bytes);
  double v = static_cast<double>(bytes) / 1000.0;
  int unit = 0;
  while (v >= 1000.0 && unit < 3) {
    v /= 1000.0;
    ++unit;
  }
  return fmt::format("{:.1f} {}", v, kUnits[unit]);
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<int64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s / 60) % 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

std::string format_progress_line(uint64_t done, uint64_t total, double bytes_per_second, int bar_width) {
  const bool have_speed = std::isfinite(bytes_per_second) && bytes_per_second > 0;
  const std::string speed = have_speed ? format_bytes(static_cast<uint64_t>(bytes_per_second)) + "/s" : "-- B/s";
  if (total == 0) return fmt::format("{}  {}", format_bytes(done), speed);
  if (done > total) done = total;
  const double fraction = static_cast<double>(done) / static_cast<double>(total);
  const int cells = bar_width > 0 ? bar_width : 1;
  const auto filled = static_cast<int>(fraction * cells);
  const std::string bar = std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(cells - filled), ' ');
  const std::string eta =
      have_speed ? format_duration(static_cast<double>(total - done) / bytes_per_second) : std::string("?");
  return fmt::format("{:3}% [{}] {} / {}  {}  ETA {}", static_cast<int>(fraction * 100.0), bar, format_bytes(done),
                     format_bytes(total), speed, eta);
}

ProgressBar::ProgressBar(std::string label, bool force)
    : label_(std::move(label)), enabled_(force || ::isatty(STDERR_FILENO) == 1), start_(Clock::now()) {}

void ProgressBar::update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  const auto now = Clock::now();
  if (!started_ || done < start_bytes_) {
    // Speed counts this session's bytes only, not a resumed part's (and restarts with a
    // transfer that started over).
    started_ = true;
    start_bytes_ = done;
    start_ = now;
  }
  // At most 10 redraws a second, but always the last state (and never the same one twice:
  // libcurl keeps reporting a finished transfer).
  if (drawn_ && done == last_done_) return;
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100) && done < total) return;
  last_draw_ = now;
  last_done_ = done;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double speed = seconds > 0.2 ? static_cast<double>(done - start_bytes_) / seconds : 0.0;
  std::fprintf(stderr, "\r%s %s\x1b[K", label_.c_str(), format_progress_line(done, total, speed).c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (drawn_) std::fputc('\n', stderr);
  drawn_ = false;
}

}  // namespace loco
