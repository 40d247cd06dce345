#include "loco/eval/bar_chart.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <string_view>

#include "tokenizer/utf8.h"

namespace loco::eval {
namespace {

// Okabe–Ito, ordered so the first few series are the most distinct. Its black is replaced
// by grey: the whiskers are near-black and must stay visible on every bar.
constexpr const char* kPalette[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                    "#56B4E9", "#D55E00", "#F0E442", "#999999"};
constexpr size_t kPaletteSize = sizeof kPalette / sizeof kPalette[0];

// DejaVu Sans first: it is what rsvg and most Linux browsers fall back to anyway, and the
// width estimates below are taken from it (the widest of the listed fonts, so text laid
// out for it fits in the others).
constexpr const char* kFont = "DejaVu Sans, Verdana, Helvetica, Arial, sans-serif";
constexpr const char* kHalo = " stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\"";

// Layout, in px.
constexpr double kPad = 16;
constexpr double kTitleSize = 17, kSubtitleSize = 12, kLegendSize = 12, kTickSize = 11, kGroupSize = 13;
constexpr double kValueSize = 11, kNoteSize = 10;
constexpr double kPlotH = 300, kPlotLeft = 80, kMinPlotW = 260;
constexpr double kHeadroom = 36;  // above 100 %: room for the value and note of a full bar
constexpr double kBarGap = 4, kGroupGap = 28, kInnerPad = 10, kMinBarW = 30, kMaxBarW = 76;
constexpr double kLegendRow = 20, kSwatch = 13, kLegendSpacing = 20;
constexpr double kMaxTitleW = 960, kMaxLegendTextW = 300, kMaxGroupPitch = 220, kMaxRefLabelW = 150;
constexpr double kMaxTooltipW = 1200;

// One code point of `s` at `i`; malformed UTF-8 decodes as U+FFFD one byte at a time, so
// whatever the caller passes, the document stays valid UTF-8.
std::pair<char32_t, size_t> decode(std::string_view s, size_t i) {
  char32_t cp = 0;
  size_t len = 1;
  if (!utf8::decode(s, i, cp, len)) return {0xFFFD, 1};
  return {cp, len};
}

// Valid UTF-8 holding only characters XML 1.0 allows (control characters become spaces:
// a label is one line).
std::string clean(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    auto [cp, len] = decode(s, i);
    i += len;
    if (cp < 0x20 || cp == 0x7F) cp = ' ';
    if (cp == 0xFFFE || cp == 0xFFFF) cp = 0xFFFD;
    utf8::append(out, cp);
  }
  return out;
}

bool is_wide(char32_t c) {
  return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) || (c >= 0xAC00 && c <= 0xD7A3) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
         (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1FAFF) || (c >= 0x20000 && c <= 0x3FFFD);
}

// Advance width in em, rounded up from DejaVu Sans. SVG cannot measure text, so layout
// works from these estimates; erring wide costs a little space, erring narrow overlaps.
double char_em(char32_t c) {
  if (std::u32string_view(U" .,:;'|!()[]ijlftrI/-").find(c) != std::u32string_view::npos) return 0.42;
  if (std::u32string_view(U"mwMW%@").find(c) != std::u32string_view::npos) return 1.0;
  if (c >= 'A' && c <= 'Z') return 0.78;
  if (c < 0x80) return 0.65;
  if (c == 0x2026) return 1.0;  // the ellipsis
  return is_wide(c) ? 1.0 : 0.72;
}

double text_width(std::string_view s, double size, bool bold = false) {
  double em = 0;
  for (size_t i = 0; i < s.size();) {
    const auto [cp, len] = decode(s, i);
    em += char_em(cp);
    i += len;
  }
  return em * size * (bold ? 1.1 : 1.0);
}

// `s` (already clean) cut at a code point so that it plus "…" fits in `max_width`.
std::string truncate(const std::string& s, double max_width, double size, bool bold = false) {
  if (text_width(s, size, bold) <= max_width) return s;
  const double scale = size * (bold ? 1.1 : 1.0);
  double w = char_em(0x2026) * scale;
  size_t end = 0;
  while (end < s.size()) {
    const auto [cp, len] = decode(s, end);
    if (w + char_em(cp) * scale > max_width) break;
    w += char_em(cp) * scale;
    end += len;
  }
  // A cut after a space would leave "word …".
  while (end > 0 && s[end - 1] == ' ') --end;
  return s.substr(0, end) + "…";
}

std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

// One decimal, no trailing ".0", never "nan"/"inf"/"-0" (std::to_chars: no locale).
std::string num(double v) {
  if (!std::isfinite(v)) v = 0;
  v = std::round(v * 10) / 10;
  if (v == 0) v = 0;  // turns -0 into 0
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 1);
  std::string s(buf, r.ptr);
  if (s.size() > 2 && s.ends_with(".0")) s.resize(s.size() - 2);
  return s;
}

std::string percent(double proportion) { return num(proportion * 100) + "%"; }

double clamp01(double v) { return std::isfinite(v) ? std::clamp(v, 0.0, 1.0) : 0.0; }

void text(std::string& out, double x, double y, double size, std::string_view anchor, std::string_view extra,
          std::string_view content) {
  out += "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" font-size=\"" + num(size) + "\"";
  if (!anchor.empty()) out += " text-anchor=\"" + std::string(anchor) + "\"";
  out += extra;
  out += ">" + escape(content) + "</text>\n";
}

void line(std::string& out, double x1, double y1, double x2, double y2, std::string_view extra) {
  out += "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) + "\"";
  out += extra;
  out += "/>\n";
}

// A bar as drawn: sanitised numbers and the texts already cut to fit.
struct Bar {
  bool present = false;
  double value = 0, low = 0, high = 0;
  bool whisker = false;
  std::string value_text, note, tooltip;
};

}  // namespace

std::string bar_chart_svg(const BarChart& chart) {
  size_t slots = chart.series.size();
  for (const BarGroup& g : chart.groups) slots = std::max(slots, g.bars.size());
  std::vector<std::string> names;
  for (size_t s = 0; s < slots; ++s)
    names.push_back(s < chart.series.size() ? clean(chart.series[s]) : "series " + std::to_string(s + 1));

  // Bars, and from their labels the bar width: the widest label sets it, so neighbours'
  // labels cannot touch.
  std::vector<std::vector<Bar>> bars(chart.groups.size(), std::vector<Bar>(slots));
  double widest_label = 0;
  bool any_whisker = false;
  for (size_t g = 0; g < chart.groups.size(); ++g) {
    for (size_t s = 0; s < chart.groups[g].bars.size(); ++s) {
      const std::optional<BarValue>& in = chart.groups[g].bars[s];
      if (!in) continue;
      Bar& b = bars[g][s];
      b.present = true;
      b.value = clamp01(in->value);
      b.note = clean(in->note);
      if (std::isfinite(in->value)) {
        b.value_text = percent(b.value);
        b.low = clamp01(in->low);
        b.high = clamp01(in->high);
        b.whisker = std::isfinite(in->low) && std::isfinite(in->high) && b.high > b.low;
      } else {
        b.note = "n/a";
      }
      // The tooltip is where a cut label can be read whole, within reason.
      b.tooltip = truncate(clean(chart.groups[g].label), kMaxTooltipW, kTickSize) + " · " +
                  truncate(names[s], kMaxTooltipW, kTickSize) + ": ";
      b.tooltip += b.value_text.empty() ? "n/a" : b.value_text;
      if (b.whisker) b.tooltip += " (95 % interval " + percent(b.low) + "–" + percent(b.high) + ")";
      any_whisker = any_whisker || b.whisker;
      if (!b.note.empty() && b.note != "n/a") b.tooltip += " · " + b.note;
      widest_label = std::max({widest_label, text_width(b.value_text, kValueSize), text_width(b.note, kNoteSize)});
    }
  }
  const double bar_w = std::clamp(widest_label + 6, kMinBarW, kMaxBarW);
  const double slot = bar_w + kBarGap;
  const double cluster_w = slots == 0 ? 0 : static_cast<double>(slots) * slot - kBarGap;
  double widest_group = 0;
  for (const BarGroup& g : chart.groups) widest_group = std::max(widest_group, text_width(clean(g.label), kGroupSize));
  const double pitch = std::max(cluster_w + kGroupGap, std::min(widest_group + 14, kMaxGroupPitch));
  const double groups_w = static_cast<double>(chart.groups.size()) * pitch;
  double plot_w = std::max(kMinPlotW, groups_w + 2 * kInnerPad);

  // The reference line is labelled in the right margin, clear of the bars.
  const bool has_ref = chart.reference_line && std::isfinite(*chart.reference_line);
  const double ref = has_ref ? clamp01(*chart.reference_line) : 0;
  const std::string ref_label = truncate(clean(chart.reference_label), kMaxRefLabelW, kTickSize);
  const double right =
      kPad + (has_ref ? 8 + std::max(text_width(ref_label, kTickSize), text_width(percent(ref), kTickSize)) : 0);

  // Legend entries: a swatch per series, then a whisker glyph saying what the whiskers are.
  std::vector<std::string> legend;
  for (const std::string& n : names) legend.push_back(truncate(n, kMaxLegendTextW, kLegendSize));
  if (any_whisker) legend.push_back("95 % interval");
  double widest_entry = 0;
  for (const std::string& e : legend)
    widest_entry = std::max(widest_entry, kSwatch + 6 + text_width(e, kLegendSize));

  // The title may widen the chart (up to a point) rather than be cut.
  const std::string title_full = clean(chart.title), subtitle_full = clean(chart.subtitle);
  double width = kPlotLeft + plot_w + right;
  const double header_w = std::max(std::min(text_width(title_full, kTitleSize, true), kMaxTitleW),
                                   std::min(text_width(subtitle_full, kSubtitleSize), kMaxTitleW));
  const double needed = std::max(header_w + 2 * kPad, widest_entry + 2 * kPad);
  if (width < needed) {
    plot_w += needed - width;
    width = needed;
  }
  const std::string title = truncate(title_full, width - 2 * kPad, kTitleSize, true);
  const std::string subtitle = truncate(subtitle_full, width - 2 * kPad, kSubtitleSize);

  // Vertical layout: title, subtitle, legend rows, headroom, plot, group labels.
  double y = kPad;
  double title_y = 0, subtitle_y = 0;
  if (!title.empty()) title_y = (y += kTitleSize);
  if (!subtitle.empty()) subtitle_y = (y += kSubtitleSize + 7);
  y += 12;
  struct Placed {
    double x, y;
  };
  // One row when it fits; otherwise columns as wide as the widest entry, which read
  // better than a ragged flow.
  std::vector<Placed> legend_at;
  double row_w = 0;
  for (const std::string& e : legend) row_w += kSwatch + 6 + text_width(e, kLegendSize) + kLegendSpacing;
  const bool one_row = row_w - kLegendSpacing <= width - 2 * kPad;
  const double column_w = widest_entry + kLegendSpacing;
  double lx = kPad;
  for (const std::string& e : legend) {
    const double w = one_row ? kSwatch + 6 + text_width(e, kLegendSize) : widest_entry;
    if (lx > kPad && lx + w > width - kPad) lx = kPad, y += kLegendRow;
    legend_at.push_back({lx, y});
    lx += one_row ? w + kLegendSpacing : column_w;
  }
  const double plot_top = y + (legend.empty() ? 0 : kLegendRow) + kHeadroom;
  const double plot_bottom = plot_top + kPlotH;
  const double height = plot_bottom + 8 + kGroupSize + kPad;
  const double plot_right = kPlotLeft + plot_w;
  auto y_of = [&](double v) { return plot_bottom - kPlotH * v; };

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width) + "\" height=\"" + num(height) +
         "\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\" font-family=\"" + kFont + "\" role=\"img\">\n";
  out += "<title>" + escape(title_full) + "</title>\n";
  out += "<rect x=\"0\" y=\"0\" width=\"" + num(width) + "\" height=\"" + num(height) + "\" fill=\"#ffffff\"/>\n";
  if (!title.empty()) text(out, kPad, title_y, kTitleSize, "", " font-weight=\"bold\" fill=\"#111111\"", title);
  if (!subtitle.empty()) text(out, kPad, subtitle_y, kSubtitleSize, "", " fill=\"#555555\"", subtitle);

  for (size_t i = 0; i < legend.size(); ++i) {
    const Placed p = legend_at[i];
    if (i < names.size()) {
      out += "<rect x=\"" + num(p.x) + "\" y=\"" + num(p.y) + "\" width=\"" + num(kSwatch) + "\" height=\"" +
             num(kSwatch) + "\" fill=\"" + kPalette[i % kPaletteSize] + "\"/>\n";
    } else {
      const double cx = p.x + kSwatch / 2;
      out += "<path d=\"M" + num(cx - 4) + " " + num(p.y) + "H" + num(cx + 4) + "M" + num(cx) + " " + num(p.y) + "V" +
             num(p.y + kSwatch) + "M" + num(cx - 4) + " " + num(p.y + kSwatch) + "H" + num(cx + 4) +
             "\" stroke=\"#222222\" stroke-width=\"1.5\" fill=\"none\"/>\n";
    }
    text(out, p.x + kSwatch + 6, p.y + kSwatch - 2, kLegendSize, "", " fill=\"#222222\"", legend[i]);
  }

  // Axis: gridlines every 10 %, the 0 line darker.
  for (int pct = 0; pct <= 100; pct += 10) {
    const double gy = y_of(pct / 100.0);
    line(out, kPlotLeft, gy, plot_right, gy, pct == 0 ? " stroke=\"#444444\"" : " stroke=\"#e3e3e3\"");
    text(out, kPlotLeft - 6, gy + 4, kTickSize, "end", " fill=\"#444444\"", std::to_string(pct) + "%");
  }
  const double label_x = kPad + 10, label_y = plot_top + kPlotH / 2;
  out += "<text transform=\"translate(" + num(label_x) + " " + num(label_y) + ") rotate(-90)\" font-size=\"12\"" +
         " text-anchor=\"middle\" fill=\"#222222\">" + escape(truncate(clean(chart.y_label), kPlotH, 12)) + "</text>\n";
  if (chart.groups.empty())
    text(out, kPlotLeft + plot_w / 2, plot_top + kPlotH / 2, 13, "middle", std::string(" fill=\"#888888\"") + kHalo,
         "no data");

  const double x0 = kPlotLeft + (plot_w - groups_w) / 2;
  auto bar_x = [&](size_t g, size_t s) {
    return x0 + pitch * (static_cast<double>(g) + 0.5) - cluster_w / 2 + static_cast<double>(s) * slot;
  };
  // Drawn in layers (bars, reference line, whiskers, labels) so that no later bar hides
  // an earlier bar's whisker or label.
  for (size_t g = 0; g < bars.size(); ++g) {
    for (size_t s = 0; s < slots; ++s) {
      const Bar& b = bars[g][s];
      if (!b.present) continue;
      out += "<rect class=\"bar\" x=\"" + num(bar_x(g, s)) + "\" y=\"" + num(y_of(b.value)) + "\" width=\"" +
             num(bar_w) + "\" height=\"" + num(kPlotH * b.value) + "\" fill=\"" + kPalette[s % kPaletteSize] +
             "\"><title>" + escape(b.tooltip) + "</title></rect>\n";
    }
    text(out, x0 + pitch * (static_cast<double>(g) + 0.5), plot_bottom + 8 + kGroupSize, kGroupSize, "middle",
         " fill=\"#111111\"", truncate(clean(chart.groups[g].label), pitch - 14, kGroupSize));
  }
  if (has_ref) {
    const double ry = y_of(ref);
    line(out, kPlotLeft, ry, plot_right, ry,
         " class=\"reference\" stroke=\"#333333\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"");
    if (!ref_label.empty()) text(out, plot_right + 8, ry - 4, kTickSize, "", " fill=\"#333333\"", ref_label);
    text(out, plot_right + 8, ry + kTickSize + 2, kTickSize, "", " fill=\"#333333\"", percent(ref));
  }
  for (size_t g = 0; g < bars.size(); ++g) {
    for (size_t s = 0; s < slots; ++s) {
      const Bar& b = bars[g][s];
      if (!b.present || !b.whisker) continue;
      const double cx = bar_x(g, s) + bar_w / 2, cap = std::min(6.0, bar_w / 4);
      const double ylo = y_of(b.low), yhi = y_of(b.high);
      out += "<path class=\"whisker\" d=\"M" + num(cx) + " " + num(ylo) + "V" + num(yhi) + "M" + num(cx - cap) + " " +
             num(ylo) + "H" + num(cx + cap) + "M" + num(cx - cap) + " " + num(yhi) + "H" + num(cx + cap) +
             "\" stroke=\"#1a1a1a\" stroke-width=\"1.5\" fill=\"none\"/>\n";
    }
  }
  // Labels sit above the whisker, so they never cross it, and get a white halo so a
  // gridline or the reference line behind them does not cut through the digits.
  const double label_w = bar_w + kBarGap - 2;
  for (size_t g = 0; g < bars.size(); ++g) {
    for (size_t s = 0; s < slots; ++s) {
      const Bar& b = bars[g][s];
      if (!b.present) continue;
      const double cx = bar_x(g, s) + bar_w / 2;
      double top = std::min(y_of(b.value), b.whisker ? y_of(b.high) : y_of(b.value)) - 5;
      if (!b.value_text.empty()) {
        text(out, cx, top, kValueSize, "middle", std::string(" fill=\"#111111\"") + kHalo,
             truncate(b.value_text, label_w, kValueSize));
        top -= kValueSize + 2;
      }
      if (!b.note.empty())
        text(out, cx, top, kNoteSize, "middle", std::string(" fill=\"#555555\"") + kHalo,
             truncate(b.note, label_w, kNoteSize));
    }
  }
  out += "</svg>\n";
  return out;
}

}  // namespace loco::eval
