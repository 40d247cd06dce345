// The ablation grid LocoLLM exists to produce: {base, adapter, routed} × RE2 {off, on} ×
// votes {1, N} on the adapter's set, the paired comparisons that say which differences are
// measurable, the out-of-domain check (the adapter on the other domains' sets must not lose
// more than 5 points against the base) and the original verdict bands.
#pragma once

#include <string>
#include <vector>

#include "loco/eval/runner.h"

namespace loco::eval {

struct GridOptions {
  std::string adapter;
  int votes = 5;                  // N of the voting column
  std::vector<EvalSet> other_sets;  // out-of-domain sets
  // A context pack's label (Evaluator::set_context_pack): base, adapter and routed (RE2 off,
  // one answer) are run with it too and compared with their runs without it.
  std::string context;
};

// The grid's conditions in table order.
std::vector<Condition> grid_conditions(const std::string& adapter, int votes);

// ship (>= 15 points), iterate (5 to 15), rethink (< 5), from the base → adapter comparison.
Verdict verdict_for(const Comparison& base_to_adapter);

// Runs every condition (items of all conditions are appended to `items`), fills the
// comparisons, the out-of-domain checks and the verdict of `results`.
void run_grid(Evaluator& evaluator, const EvalSet& set, const GridOptions& options, Results& results,
              std::vector<ItemRecord>& items, const std::function<void(const std::string&, const Progress&)>& progress);

}  // namespace loco::eval
