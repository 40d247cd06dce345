// The human-facing forms of results.json: the markdown table, the CSV, and the SVG chart
// (bars with 95 % intervals, one group per answering mode).
#pragma once

#include <string>
#include <vector>

#include "loco/eval/bar_chart.h"
#include "loco/eval/results.h"

namespace loco::eval {

std::string results_markdown(const Results& results);
std::string results_csv(const Results& results);
BarChart results_chart(const Results& results);

// Writes results.json, results.md, results.csv and results.svg into `dir` (created), and
// items.jsonl when `items` is given. Each file is written to a temporary name and renamed.
void write_results(const std::string& dir, const Results& results, const std::vector<ItemRecord>* items);
// Rewrites results.md, results.csv and results.svg from dir/results.json.
void write_reports(const std::string& dir, const Results& results);

// "2026-12-04T12:00:00Z"
std::string utc_now();

}  // namespace loco::eval
