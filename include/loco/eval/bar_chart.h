// The picture of an evaluation: accuracy bars with their 95 % intervals, one cluster per
// answering mode, one colour per series, so a person sees at a glance which differences
// are larger than the noise. A standalone SVG that loco writes itself, so reports need no
// plotting dependency and open in any browser.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace loco::eval {

struct BarValue {
  double value = 0;          // a proportion in [0, 1], drawn as a percentage
  double low = 0, high = 0;  // its 95 % interval, drawn as a whisker (none when high <= low)
  std::string note;          // optional text drawn above the bar, e.g. "12/20"
};

struct BarGroup {
  std::string label;                          // e.g. "base", "adapter", "routed"
  std::vector<std::optional<BarValue>> bars;  // one per series; nullopt = not measured (leaves a gap)
};

struct BarChart {
  std::string title;     // e.g. "math adapter on locollm-v1/math (n = 20)"
  std::string subtitle;  // e.g. model file and date
  std::string y_label = "accuracy";
  std::vector<std::string> series;  // legend entries, e.g. "RE2 off · 1 vote", "RE2 on · 5 votes"
  std::vector<BarGroup> groups;
  std::optional<double> reference_line;  // e.g. the base model's accuracy, drawn as a dashed line
  std::string reference_label;
};

// A complete standalone SVG document (UTF-8, with width/height/viewBox): a 0–100 % axis
// with gridlines every 10 %, one cluster of bars per group (each bar has class="bar"), one
// Okabe–Ito colour per series (they repeat after 8), whiskers for the intervals, the
// percentage (and note) above each bar, a legend above the plot, the title and subtitle.
// The width grows with the number of bars so labels never overlap; long labels are cut
// with an ellipsis; all text is XML-escaped. Values outside [0, 1] are clamped; a NaN or
// infinite value is drawn as 0 with "n/a". The output never contains NaN or infinity.
std::string bar_chart_svg(const BarChart& chart);

}  // namespace loco::eval
