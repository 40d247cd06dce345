// Routers pick which LoRA adapter answers a query, or leave it to the base model.
//
// Three routers share one interface: KeywordRouter (v1: the registry's keyword lists),
// ClassifierRouter (v2: TF-IDF + logistic regression, router_learned.h) and
// EmbeddingRouter (v3: logistic regression on the base model's own features,
// router_learned.h). Every decision carries a score per candidate and a sentence saying
// why, so `loco route` can show its work.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loco {

// The class name that means "no adapter: the base model answers" in labelled data and
// in the learned routers' class lists.
inline constexpr std::string_view kBaseModelLabel = "none";

struct RouteScore {
  std::string adapter;  // an adapter name, or "none" for a learned router's base-model class
  double score = 0;     // keyword: matched keywords; learned: calibrated probability
  std::string why;      // the evidence behind the score
};

struct RouteDecision {
  std::string adapter;             // "" = the base model answers
  double confidence = 0;           // see each router; in [0, 1]
  std::vector<RouteScore> scores;  // every candidate, in the router's fixed order
  std::string explanation;         // one sentence: why this decision
};

// The label a decision stands for in evaluations: the adapter, or "none".
inline std::string decision_label(const RouteDecision& d) {
  return d.adapter.empty() ? std::string(kBaseModelLabel) : d.adapter;
}

class Router {
 public:
  virtual ~Router();
  virtual RouteDecision route(std::string_view query) const = 0;
  virtual std::string_view kind() const = 0;  // "keyword", "classifier" or "embedding"
};

// Adapter names with their router keywords, in registry order.
using AdapterKeywords = std::vector<std::pair<std::string, std::vector<std::string>>>;

// v1: counts, per adapter, the distinct keywords that occur in the query.
//
// Matching is case-insensitive (ASCII) on whole words: a keyword matches where it is not
// preceded or followed by a letter, digit, '_' or non-ASCII byte, so "sum" does not match
// "summary" and "equation" does not match "equations" (inflections must be listed). A
// keyword of several words matches the phrase, with any run of whitespace in the query
// standing for one space. Each keyword counts 1 however often it occurs; there is no other
// weighting, but a phrase keyword that contains another keyword ("write a function",
// "function") counts both, so phrases weigh more in effect.
//
// Decision: the adapter with the most matches. No match, or a tie for the most matches,
// sends the query to the base model: a tie means the keywords cannot tell the adapters
// apart, and guessing by list order would hide that. Confidence is the winner's share of
// all matched keywords (0 when the base model answers).
class KeywordRouter : public Router {
 public:
  // Throws Error for an empty or repeated adapter name, the name "none", or an empty keyword.
  explicit KeywordRouter(AdapterKeywords adapters);

  RouteDecision route(std::string_view query) const override;
  std::string_view kind() const override { return "keyword"; }
  const AdapterKeywords& adapters() const { return adapters_; }

 private:
  AdapterKeywords adapters_;  // keywords normalised: lowercase, single spaces
};

// Whether the keyword occurs in the text under KeywordRouter's rules.
bool keyword_occurs(std::string_view text, std::string_view keyword);

// The router keywords of the LocoLLM v1 registry (math, code, analysis), as listed in
// shared/datasets/locollm-v1/registry.yaml; used until the registry module supplies them.
AdapterKeywords locollm_v1_keywords();

}  // namespace loco
