// Accuracy, per-class precision and recall, and the confusion matrix of a router.
#include <algorithm>
#include <map>

#include "loco/router_data.h"

namespace loco {

RouterEvaluation evaluate_router(const Router& router, const std::vector<LabelledQuery>& queries,
                                 const std::vector<std::string>& label_order) {
  std::vector<RouteDecision> decisions;
  decisions.reserve(queries.size());
  for (const LabelledQuery& q : queries) decisions.push_back(router.route(q.text));
  return evaluate_decisions(queries, std::move(decisions), label_order);
}

RouterEvaluation evaluate_decisions(const std::vector<LabelledQuery>& queries,
                                    std::vector<RouteDecision> decisions,
                                    const std::vector<std::string>& label_order) {
  RouterEvaluation e;
  std::vector<std::string> decided;
  for (size_t i = 0; i < queries.size(); ++i) {
    decided.push_back(decision_label(decisions[i]));
    if (decided.back() != queries[i].label)
      e.mistakes.push_back({queries[i], std::move(decisions[i])});
  }

  // Labels: the preferred order first, then the rest alphabetically, "none" last.
  std::vector<std::string> seen;
  for (size_t i = 0; i < queries.size(); ++i) {
    seen.push_back(queries[i].label);
    seen.push_back(decided[i]);
  }
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
  for (const std::string& l : label_order) {
    if (l != kBaseModelLabel && std::binary_search(seen.begin(), seen.end(), l))
      e.labels.push_back(l);
  }
  for (const std::string& l : seen) {
    if (l != kBaseModelLabel && std::find(e.labels.begin(), e.labels.end(), l) == e.labels.end()) {
      e.labels.push_back(l);
    }
  }
  if (std::binary_search(seen.begin(), seen.end(), std::string(kBaseModelLabel))) {
    e.labels.emplace_back(kBaseModelLabel);
  }

  std::map<std::string, size_t> at;
  for (size_t i = 0; i < e.labels.size(); ++i) at[e.labels[i]] = i;
  e.confusion.assign(e.labels.size(), std::vector<int64_t>(e.labels.size(), 0));
  for (size_t i = 0; i < queries.size(); ++i) {
    ++e.confusion[at[queries[i].label]][at[decided[i]]];
    e.correct += queries[i].label == decided[i] ? 1 : 0;
  }
  e.n = static_cast<int64_t>(queries.size());
  e.accuracy = e.n ? static_cast<double>(e.correct) / static_cast<double>(e.n) : 0;

  int present = 0;
  for (size_t c = 0; c < e.labels.size(); ++c) {
    int64_t row = 0, column = 0;
    for (size_t k = 0; k < e.labels.size(); ++k) {
      row += e.confusion[c][k];
      column += e.confusion[k][c];
    }
    const auto hit = static_cast<double>(e.confusion[c][c]);
    ClassMetrics m{e.labels[c], column ? hit / static_cast<double>(column) : 0,
                   row ? hit / static_cast<double>(row) : 0, row};
    if (row > 0) {
      e.macro_recall += m.recall;
      ++present;
    }
    e.per_class.push_back(m);
  }
  if (present > 0) e.macro_recall /= present;
  return e;
}

}  // namespace loco
