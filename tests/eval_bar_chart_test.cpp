// The evaluation chart: a well-formed standalone SVG whatever the input (hostile labels,
// NaN, values outside [0, 1], no groups at all), one bar per measured value, and a width
// that grows with the bars so their labels have room.
#include "loco/eval/bar_chart.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace loco::eval {
namespace {

// The checks a strict XML parser would make on this subset (no comments, CDATA or
// DOCTYPE): tags nest, attributes are quoted, '<' never appears in text or attribute
// values, and every '&' starts a known entity. Returns "" or what is wrong.
std::string xml_problem(const std::string& doc) {
  auto entity_ok = [&](size_t at) {
    for (const char* e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"})
      if (doc.compare(at, std::string(e).size(), e) == 0) return true;
    return false;
  };
  size_t i = 0;
  if (doc.starts_with("<?xml")) {
    i = doc.find("?>");
    if (i == std::string::npos) return "unterminated declaration";
    i += 2;
  }
  std::vector<std::string> open;
  int roots = 0;
  while (i < doc.size()) {
    if (doc[i] != '<') {
      if (doc[i] == '&' && !entity_ok(i)) return "bad entity at " + std::to_string(i);
      if (open.empty() && !std::isspace(static_cast<unsigned char>(doc[i]))) return "text outside the root";
      ++i;
      continue;
    }
    const bool closing = doc.compare(i, 2, "</") == 0;
    size_t j = i + (closing ? 2 : 1);
    const size_t name_start = j;
    while (j < doc.size() && (std::isalnum(static_cast<unsigned char>(doc[j])) || doc[j] == '-' || doc[j] == ':')) ++j;
    const std::string name = doc.substr(name_start, j - name_start);
    if (name.empty()) return "empty tag name at " + std::to_string(i);
    if (closing) {
      if (j >= doc.size() || doc[j] != '>') return "bad closing tag " + name;
      if (open.empty() || open.back() != name) return "mismatched </" + name + ">";
      open.pop_back();
      i = j + 1;
      continue;
    }
    // Attributes: name="value" separated by spaces.
    while (true) {
      while (j < doc.size() && doc[j] == ' ') ++j;
      if (j >= doc.size()) return "unterminated tag " + name;
      if (doc[j] == '>' || doc.compare(j, 2, "/>") == 0) break;
      const size_t eq = doc.find('=', j);
      if (eq == std::string::npos || eq + 1 >= doc.size() || doc[eq + 1] != '"') return "unquoted attribute in " + name;
      const size_t end = doc.find('"', eq + 2);
      if (end == std::string::npos) return "unterminated attribute in " + name;
      for (size_t k = eq + 2; k < end; ++k) {
        if (doc[k] == '<') return "'<' in an attribute of " + name;
        if (doc[k] == '&' && !entity_ok(k)) return "bad entity in an attribute of " + name;
      }
      j = end + 1;
    }
    if (open.empty() && ++roots > 1) return "more than one root element";
    if (doc[j] == '>') {
      open.push_back(name);
      i = j + 1;
    } else {
      i = j + 2;
    }
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  return roots == 1 ? "" : "no root element";
}

bool valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

size_t count(const std::string& s, const std::string& needle) {
  size_t n = 0;
  for (size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at + needle.size())) ++n;
  return n;
}

double svg_width(const std::string& svg) {
  const size_t at = svg.find("<svg");
  const size_t w = svg.find(" width=\"", at);
  return std::stod(svg.substr(w + 8));
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void expect_well_formed(const std::string& svg) {
  const size_t start = svg.starts_with("<?xml") ? svg.find("?>") + 2 : 0;
  EXPECT_EQ(svg.find_first_not_of(" \n", start), svg.find("<svg")) << "<svg must open the document";
  EXPECT_TRUE(svg.ends_with("</svg>\n") || svg.ends_with("</svg>"));
  EXPECT_NE(svg.find("viewBox=\"0 0 "), std::string::npos);
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_TRUE(valid_utf8(svg));
  const std::string l = lower(svg);
  EXPECT_EQ(l.find("nan"), std::string::npos);
  EXPECT_EQ(l.find("inf"), std::string::npos);
}

// groups × series, every value present, realistic numbers.
BarChart grid_chart(size_t groups, size_t series) {
  BarChart c;
  c.title = "math adapter on locollm-v1/math (n = 20)";
  c.subtitle = "model.gguf · 2026-12-04";
  for (size_t s = 0; s < series; ++s) c.series.push_back("series " + std::to_string(s));
  for (size_t g = 0; g < groups; ++g) {
    BarGroup group{"group " + std::to_string(g), {}};
    for (size_t s = 0; s < series; ++s) {
      const double v = 0.35 + 0.05 * static_cast<double>((g + s) % 9);
      group.bars.push_back(BarValue{v, v - 0.1, v + 0.1, "12/20"});
    }
    c.groups.push_back(group);
  }
  c.reference_line = 0.4;
  c.reference_label = "base";
  return c;
}

TEST(EvalBarChart, WellFormedWithOneBarPerMeasuredValue) {
  BarChart c = grid_chart(3, 4);
  c.groups[1].bars[2] = std::nullopt;  // not measured: a gap, no bar
  c.groups[2].bars[0] = std::nullopt;
  const std::string svg = bar_chart_svg(c);
  expect_well_formed(svg);
  EXPECT_EQ(count(svg, "class=\"bar\""), 10u);
  EXPECT_EQ(count(svg, "class=\"whisker\""), 10u);
  EXPECT_EQ(count(svg, "class=\"reference\""), 1u);
  EXPECT_NE(svg.find(">math adapter on locollm-v1/math (n = 20)</text>"), std::string::npos);
  EXPECT_NE(svg.find(">12/20</text>"), std::string::npos);
  EXPECT_NE(svg.find(">35%</text>"), std::string::npos);
  for (const char* label : {">group 0<", ">group 1<", ">group 2<", ">series 3<", ">accuracy<", ">base<", ">40%<"})
    EXPECT_NE(svg.find(label), std::string::npos) << label;
  // Gridlines every 10 %.
  for (int pct = 0; pct <= 100; pct += 10)
    EXPECT_NE(svg.find(">" + std::to_string(pct) + "%</text>"), std::string::npos) << pct;
}

TEST(EvalBarChart, EscapesEveryText) {
  BarChart c = grid_chart(1, 1);
  c.title = "a \"quoted\" <title> & 'apostrophes'";
  c.groups[0].label = "<script>&";
  c.series[0] = "x<y";
  c.groups[0].bars[0]->note = "1 < 2";
  c.reference_label = "base & co";
  const std::string svg = bar_chart_svg(c);
  expect_well_formed(svg);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_NE(svg.find("&lt;script&gt;&amp;"), std::string::npos);
  EXPECT_NE(svg.find("a &quot;quoted&quot; &lt;title&gt; &amp; &apos;apostrophes&apos;"), std::string::npos);
  EXPECT_NE(svg.find("x&lt;y"), std::string::npos);
  EXPECT_NE(svg.find("1 &lt; 2"), std::string::npos);
  EXPECT_NE(svg.find("base &amp; co"), std::string::npos);
}

TEST(EvalBarChart, BadNumbersNeverReachTheDocument) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  BarChart c = grid_chart(2, 3);
  c.groups[0].bars[0] = BarValue{nan, nan, nan, ""};
  c.groups[0].bars[1] = BarValue{inf, -inf, inf, ""};
  c.groups[0].bars[2] = BarValue{0.5, nan, 0.7, ""};
  c.groups[1].bars[0] = BarValue{1.7, 1.2, 2.0, ""};   // clamped to 100 %
  c.groups[1].bars[1] = BarValue{-0.3, -1, 0.1, ""};   // clamped to 0 %
  c.groups[1].bars[2] = BarValue{1e308, -1e308, 1e308, ""};
  c.reference_line = nan;
  const std::string svg = bar_chart_svg(c);
  expect_well_formed(svg);
  EXPECT_EQ(count(svg, "class=\"bar\""), 6u);
  EXPECT_EQ(count(svg, ">n/a</text>"), 2u);
  EXPECT_EQ(count(svg, "class=\"reference\""), 0u);
  EXPECT_NE(svg.find(">100%</text>", svg.find("class=\"bar\"")), std::string::npos);
  EXPECT_NE(svg.find(">0%</text>", svg.find("class=\"bar\"")), std::string::npos);
  // A reference line outside [0, 1] is clamped like a bar.
  c.reference_line = 3;
  const std::string clamped = bar_chart_svg(c);
  expect_well_formed(clamped);
  EXPECT_EQ(count(clamped, "class=\"reference\""), 1u);
}

TEST(EvalBarChart, AnEmptyChartIsStillAnSvg) {
  const std::string empty = bar_chart_svg(BarChart{});
  expect_well_formed(empty);
  EXPECT_EQ(count(empty, "class=\"bar\""), 0u);
  EXPECT_GT(svg_width(empty), 0);

  BarChart no_groups;
  no_groups.title = "nothing measured yet";
  no_groups.series = {"a", "b"};
  no_groups.reference_line = 0.5;
  const std::string svg = bar_chart_svg(no_groups);
  expect_well_formed(svg);
  EXPECT_EQ(count(svg, "class=\"bar\""), 0u);
}

TEST(EvalBarChart, WidthGrowsWithTheBars) {
  const double two_by_two = svg_width(bar_chart_svg(grid_chart(2, 2)));
  const double six_by_two = svg_width(bar_chart_svg(grid_chart(6, 2)));
  const double two_by_six = svg_width(bar_chart_svg(grid_chart(2, 6)));
  const double twelve_by_six = svg_width(bar_chart_svg(grid_chart(12, 6)));
  EXPECT_LT(two_by_two, six_by_two);
  EXPECT_LT(two_by_two, two_by_six);
  EXPECT_LT(six_by_two, twelve_by_six);
  // Room for every bar: at least the minimum bar width each.
  EXPECT_GT(twelve_by_six, 72 * 30.0);
}

TEST(EvalBarChart, LongTextIsCutWithAnEllipsis) {
  BarChart c = grid_chart(2, 2);
  const std::string long_label(300, 'x');
  c.groups[0].label = long_label;
  c.series[0] = std::string(200, 'y');
  c.title = std::string(500, 'z');
  c.groups[1].bars[0]->note = "123456789/987654321";
  const std::string svg = bar_chart_svg(c);
  expect_well_formed(svg);
  std::string drawn;  // the text that is drawn, not the tooltips
  for (size_t at = svg.find("<text"); at != std::string::npos; at = svg.find("<text", at + 1)) {
    const size_t open_end = svg.find('>', at) + 1;
    drawn += svg.substr(open_end, svg.find("</text>", open_end) - open_end) + "\n";
  }
  EXPECT_EQ(drawn.find(std::string(30, 'x')), std::string::npos);
  EXPECT_EQ(drawn.find(std::string(50, 'y')), std::string::npos);
  EXPECT_EQ(drawn.find(std::string(100, 'z')), std::string::npos);
  EXPECT_EQ(drawn.find("123456789/987654321"), std::string::npos);
  EXPECT_GE(count(drawn, "…\n"), 4u);
  // Tooltips say more, but not without bound.
  EXPECT_EQ(svg.find(long_label), std::string::npos);
  // The title is kept whole in the document's <title>, for screen readers and tooltips.
  EXPECT_NE(svg.find("<title>" + std::string(500, 'z') + "</title>"), std::string::npos);
  EXPECT_LT(svg_width(svg), 1200);
}

TEST(EvalBarChart, MalformedUtf8AndControlCharactersAreRepaired) {
  BarChart c = grid_chart(1, 2);
  c.groups[0].label = std::string("bad \xff\xfe byte, cut \xe2\x80");
  c.series[0] = std::string("tab\there\x01");
  c.series[1] = "RE2 on · 5 votes";  // valid multi-byte text passes through
  const std::string svg = bar_chart_svg(c);
  expect_well_formed(svg);
  EXPECT_NE(svg.find("RE2 on · 5 votes"), std::string::npos);
  EXPECT_NE(svg.find("tab here "), std::string::npos);
  EXPECT_NE(svg.find("bad \xef\xbf\xbd\xef\xbf\xbd byte"), std::string::npos);  // U+FFFD
}

TEST(EvalBarChart, MoreBarsThanSeriesNamesStillGetALegend) {
  BarChart c = grid_chart(1, 1);
  c.groups[0].bars.push_back(BarValue{0.5, 0.4, 0.6, ""});
  const std::string svg = bar_chart_svg(c);
  expect_well_formed(svg);
  EXPECT_EQ(count(svg, "class=\"bar\""), 2u);
  EXPECT_NE(svg.find(">series 2</text>"), std::string::npos);
}

}  // namespace
}  // namespace loco::eval
