#include "loco/eval/grid.h"

#include <fmt/format.h>

#include <map>

#include "loco/error.h"

namespace loco::eval {

std::vector<Condition> grid_conditions(const std::string& adapter, int votes) {
  std::vector<Condition> out;
  for (const char* mode : {"base", "adapter", "routed"}) {
    for (bool reread : {false, true}) {
      for (int v : {1, votes}) {
        out.push_back({mode, std::string(mode) == "adapter" ? adapter : std::string(), reread, v, ""});
      }
    }
  }
  return out;
}

Verdict verdict_for(const Comparison& c) {
  Verdict v;
  v.points = 100.0 * c.paired.difference;
  v.measurable = c.paired.measurable;
  v.band = v.points >= 15 ? "ship" : v.points >= 5 ? "iterate" : "rethink";
  v.explanation = fmt::format("adapter {:.1f}% vs base {:.1f}% on {} items: {:+.1f} points (95% CI {:+.1f} to {:+.1f}, "
                              "McNemar p = {:.3g}); {}",
                              100 * c.paired.accuracy_b, 100 * c.paired.accuracy_a, c.paired.n, v.points,
                              100 * c.paired.ci95.low, 100 * c.paired.ci95.high, c.paired.p_value,
                              v.measurable ? "the difference is measurable"
                                           : "no measurable difference: the interval contains zero, so the band is "
                                             "provisional until more items are evaluated");
  return v;
}

void run_grid(Evaluator& evaluator, const EvalSet& set, const GridOptions& options, Results& results,
              std::vector<ItemRecord>& items,
              const std::function<void(const std::string&, const Progress&)>& progress) {
  if (options.adapter.empty()) throw Error("the grid needs an adapter (--adapter NAME)");
  if (options.votes < 2) throw Error("the grid's voting column needs --votes of at least 2");
  std::map<std::string, std::vector<ItemRecord>> by_condition;
  auto run_one = [&](const EvalSet& s, const Condition& c) {
    ConditionRun r = evaluator.run(s, c, [&](const Progress& p) {
      if (progress) progress(c.name() + (s.name == set.name ? "" : " on " + s.name), p);
    });
    by_condition[s.name + "\n" + c.name()] = r.items;
    items.insert(items.end(), r.items.begin(), r.items.end());
    results.conditions.push_back(r.summary);
    return r;
  };
  for (const Condition& c : grid_conditions(options.adapter, options.votes)) run_one(set, c);

  auto records = [&](const std::string& set_name, const Condition& c) -> const std::vector<ItemRecord>& {
    return by_condition.at(set_name + "\n" + c.name());
  };
  for (bool reread : {false, true}) {
    for (int v : {1, options.votes}) {
      const Condition base{"base", "", reread, v, ""};
      const Condition adapter{"adapter", options.adapter, reread, v, ""};
      const Condition routed{"routed", "", reread, v, ""};
      results.comparisons.push_back(compare_conditions(base.name(), records(set.name, base), adapter.name(),
                                                       records(set.name, adapter)));
      results.comparisons.push_back(compare_conditions(base.name(), records(set.name, base), routed.name(),
                                                       records(set.name, routed)));
    }
  }
  // What each technique adds to the adapter on its own.
  const Condition plain{"adapter", options.adapter, false, 1, ""};
  const Condition re2{"adapter", options.adapter, true, 1, ""};
  const Condition voted{"adapter", options.adapter, false, options.votes, ""};
  results.comparisons.push_back(compare_conditions(plain.name(), records(set.name, plain), re2.name(),
                                                   records(set.name, re2)));
  results.comparisons.push_back(compare_conditions(plain.name(), records(set.name, plain), voted.name(),
                                                   records(set.name, voted)));
  // The verdict compares the adapter with the base model on their own, as the original
  // LocoLLM evaluation did: no RE2, one answer.
  results.verdict = verdict_for(results.comparisons.front());

  const Condition plain_base{"base", "", false, 1, ""};

  // With the context pack: does structured context help, for each way of answering?
  if (!options.context.empty()) {
    for (const Condition& without : {plain_base, plain, Condition{"routed", "", false, 1, ""}}) {
      Condition with = without;
      with.context = options.context;
      const ConditionRun r = run_one(set, with);
      results.comparisons.push_back(compare_conditions(without.name(), records(set.name, without), with.name(), r.items));
    }
  }

  for (const EvalSet& other : options.other_sets) {
    const ConditionRun b = run_one(other, plain_base);
    const ConditionRun a = run_one(other, plain);
    OutOfDomainCheck check;
    check.set = other.name;
    check.base_accuracy = b.summary.accuracy;
    check.adapter_accuracy = a.summary.accuracy;
    check.comparison = compare_conditions(plain_base.name(), b.items, plain.name(), a.items);
    check.passed = check.comparison.paired.difference >= -0.05;
    results.out_of_domain.push_back(check);
  }
}

}  // namespace loco::eval
