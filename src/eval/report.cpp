#include "loco/eval/report.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "loco/atomic_file.h"
#include "loco/error.h"

namespace loco::eval {
namespace {

std::string pct(double x) { return fmt::format("{:.1f}", 100.0 * x); }
std::string ci_text(const Interval& i) { return fmt::format("{:.1f}–{:.1f}", 100.0 * i.low, 100.0 * i.high); }

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string extra_metrics(const ConditionSummary& c) {
  std::string out;
  if (c.strict_accuracy) out += fmt::format("strict {}%", pct(*c.strict_accuracy));
  if (c.f1) out += fmt::format("{}F1 {:.3f}, ROUGE-L {:.3f}", out.empty() ? "" : "; ", *c.f1, c.rouge_l.value_or(0));
  for (const auto& [k, v] : c.pass_at_k) out += fmt::format("{}pass@{} {}%", out.empty() ? "" : "; ", k, pct(v));
  return out;
}

// A chart series: RE2 × votes, and the context pack when there is one.
std::string series_name(const Condition& c) {
  std::string s = fmt::format("RE2 {} · {} vote{}", c.reread ? "on" : "off", c.votes, c.votes == 1 ? "" : "s");
  if (!c.context.empty()) s += " · context";
  return s;
}

}  // namespace

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string results_markdown(const Results& r) {
  std::string md = fmt::format("# loco eval: {}\n\n", r.set_name);
  md += fmt::format("- model: `{}` (sha256 {})\n", r.model_path, r.model_sha256.substr(0, 16));
  md += fmt::format("- set: {} ({} items{}, sha256 {})\n", r.set_name, r.set_items, r.set_private ? ", private" : "",
                    r.set_sha256.substr(0, 16));
  md += fmt::format("- loco {}, {}, {} ({} threads)\n\n", r.loco_version, r.created_utc, r.cpu, r.threads);
  md += "| condition | set | n | correct | accuracy % | 95% CI | ± s.e. | other | items/min |\n";
  md += "|---|---|---:|---:|---:|---|---:|---|---:|\n";
  for (const ConditionSummary& c : r.conditions) {
    md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", c.name, c.set, c.n, c.correct, pct(c.accuracy),
                      ci_text(c.ci95), pct(c.std_error), extra_metrics(c),
                      c.generated_items > 0 ? fmt::format("{:.1f}", c.items_per_minute) : std::string("cached"));
  }
  if (!r.comparisons.empty()) {
    md += "\n## Paired comparisons (B − A, same items)\n\n";
    md += "| A | B | n | only A | only B | difference (points) | 95% CI | McNemar p | reading |\n";
    md += "|---|---|---:|---:|---:|---:|---|---:|---|\n";
    for (const Comparison& c : r.comparisons) {
      md += fmt::format("| {} | {} | {} | {} | {} | {:+.1f} | {:+.1f} to {:+.1f} | {:.3g} | {} |\n", c.a, c.b, c.paired.n,
                        c.paired.only_a, c.paired.only_b, 100 * c.paired.difference, 100 * c.paired.ci95.low,
                        100 * c.paired.ci95.high, c.paired.p_value, c.verdict);
    }
  }
  if (!r.out_of_domain.empty()) {
    md += "\n## Out of domain (the adapter must not lose more than 5 points)\n\n";
    md += "| set | base % | adapter % | difference (points) | 95% CI | check |\n|---|---:|---:|---:|---|---|\n";
    for (const OutOfDomainCheck& o : r.out_of_domain) {
      const PairedDifference& p = o.comparison.paired;
      md += fmt::format("| {} | {} | {} | {:+.1f} | {:+.1f} to {:+.1f} | {} |\n", o.set, pct(o.base_accuracy),
                        pct(o.adapter_accuracy), 100 * p.difference, 100 * p.ci95.low, 100 * p.ci95.high,
                        o.passed ? "pass" : "FAIL");
    }
  }
  if (r.verdict) {
    md += fmt::format("\n## Verdict: **{}**\n\n{}\n\nBands (original LocoLLM): ship ≥ 15 points over the base, iterate "
                      "5–15, rethink < 5.\n",
                      r.verdict->band, r.verdict->explanation);
  }
  return md;
}

std::string results_csv(const Results& r) {
  std::string csv =
      "condition,mode,adapter,reread,votes,set,n,correct,accuracy,stderr,ci95_low,ci95_high,strict_accuracy,f1,"
      "rouge_l,pass_at_1,items_per_minute,tokens_per_second,context\n";
  for (const ConditionSummary& c : r.conditions) {
    const auto p1 = c.pass_at_k.find(1);
    csv += fmt::format("{},{},{},{},{},{},{},{},{:.6f},{:.6f},{:.6f},{:.6f},{},{},{},{},{:.3f},{:.3f},{}\n", csv_field(c.name),
                       c.condition.mode, csv_field(c.condition.adapter), c.condition.reread ? "on" : "off",
                       c.condition.votes, csv_field(c.set), c.n, c.correct, c.accuracy, c.std_error, c.ci95.low,
                       c.ci95.high, c.strict_accuracy ? fmt::format("{:.6f}", *c.strict_accuracy) : "",
                       c.f1 ? fmt::format("{:.6f}", *c.f1) : "", c.rouge_l ? fmt::format("{:.6f}", *c.rouge_l) : "",
                       p1 != c.pass_at_k.end() ? fmt::format("{:.6f}", p1->second) : "", c.items_per_minute,
                       c.tokens_per_second, csv_field(c.condition.context));
  }
  return csv;
}

BarChart results_chart(const Results& r) {
  BarChart chart;
  chart.title = fmt::format("{} ({} items)", r.set_name, r.set_items);
  chart.subtitle = fmt::format("{} · {}", std::filesystem::path(r.model_path).filename().string(), r.created_utc);
  // Groups: the answering mode (with the set, for out-of-domain runs); series: RE2 × votes.
  std::vector<std::string> group_keys;
  for (const ConditionSummary& c : r.conditions) {
    const std::string series = series_name(c.condition);
    if (std::find(chart.series.begin(), chart.series.end(), series) == chart.series.end()) chart.series.push_back(series);
    std::string group = c.condition.mode == "adapter" ? "adapter " + c.condition.adapter : c.condition.mode;
    if (c.set != r.set_name) group += " on " + c.set;
    if (std::find(group_keys.begin(), group_keys.end(), group) == group_keys.end()) group_keys.push_back(group);
  }
  for (const std::string& g : group_keys) chart.groups.push_back({g, std::vector<std::optional<BarValue>>(chart.series.size())});
  for (const ConditionSummary& c : r.conditions) {
    const std::string series = series_name(c.condition);
    std::string group = c.condition.mode == "adapter" ? "adapter " + c.condition.adapter : c.condition.mode;
    if (c.set != r.set_name) group += " on " + c.set;
    const size_t gi = static_cast<size_t>(std::find(group_keys.begin(), group_keys.end(), group) - group_keys.begin());
    const size_t si = static_cast<size_t>(std::find(chart.series.begin(), chart.series.end(), series) - chart.series.begin());
    chart.groups[gi].bars[si] = BarValue{c.accuracy, c.ci95.low, c.ci95.high, fmt::format("{}/{}", c.correct, c.n)};
  }
  for (const ConditionSummary& c : r.conditions) {
    if (c.condition.mode == "base" && !c.condition.reread && c.condition.votes == 1 && c.set == r.set_name) {
      chart.reference_line = c.accuracy;
      chart.reference_label = "base, RE2 off, 1 vote";
    }
  }
  if (r.verdict) chart.subtitle += " · verdict: " + r.verdict->band;
  return chart;
}

void write_reports(const std::string& dir, const Results& results) {
  const std::filesystem::path d(dir);
  write_file_atomically((d / "results.md").string(), results_markdown(results));
  write_file_atomically((d / "results.csv").string(), results_csv(results));
  write_file_atomically((d / "results.svg").string(), bar_chart_svg(results_chart(results)));
}

void write_results(const std::string& dir, const Results& results, const std::vector<ItemRecord>* items) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error("cannot create " + dir + ": " + ec.message());
  const std::filesystem::path d(dir);
  if (items != nullptr) {
    std::string text;
    for (const ItemRecord& it : *items) text += item_to_json(it) + "\n";
    write_file_atomically((d / "items.jsonl").string(), text);
  }
  write_file_atomically((d / "results.json").string(), results_to_json(results));
  write_reports(dir, results);
}

}  // namespace loco::eval
