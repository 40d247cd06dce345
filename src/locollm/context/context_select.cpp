// Choosing and rendering the context that fits a token budget.
#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "loco/context.h"
#include "loco/error.h"

namespace loco {

size_t ContextSelection::used_count() const {
  return static_cast<size_t>(std::count_if(sections.begin(), sections.end(), [](const auto& s) { return s.used; }));
}
size_t ContextSelection::left_out_count() const { return sections.size() - used_count(); }

namespace {

// The instructions each kind enters the prompt with.
std::string header(const ContextDocument& d) {
  switch (d.kind) {
    case ContextKind::Rubric:
      return fmt::format("Rubric ({}): the answer will be checked against these criteria.\n", d.source);
    case ContextKind::Template: return fmt::format("Give the answer in this structure ({}):\n", d.source);
    case ContextKind::Specification: return fmt::format("Specification ({}):\n", d.source);
    case ContextKind::Excerpt: return fmt::format("Excerpt from {}:\n", d.source);
  }
  return {};
}

// Specifications and quoted material first, then what shapes and judges the answer, so
// that the instructions sit next to the question.
int kind_order(ContextKind k) {
  switch (k) {
    case ContextKind::Specification: return 0;
    case ContextKind::Excerpt: return 1;
    case ContextKind::Template: return 2;
    case ContextKind::Rubric: return 3;
  }
  return 1;
}

constexpr const char* kGap = "[...]";

// `used[d][s]`: section s of document d enters. Blocks end with a blank line.
std::string render(const std::vector<ContextDocument>& docs, const std::vector<std::vector<bool>>& used) {
  std::vector<size_t> order(docs.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return kind_order(docs[a].kind) < kind_order(docs[b].kind); });
  std::string out;
  for (size_t d : order) {
    const ContextDocument& doc = docs[d];
    bool any = false, gap = false;
    for (size_t s = 0; s < doc.sections.size(); ++s) {
      if (!used[d][s]) {
        gap = any;  // a gap only between two sections that enter
        continue;
      }
      if (!any) {
        out += header(doc);
        any = true;
      } else {
        out += gap ? fmt::format("\n\n{}\n\n", kGap) : "\n\n";
      }
      gap = false;
      out += doc.sections[s].text;
    }
    if (any) out += "\n\n";
  }
  return out;
}

std::string list_sources(const std::vector<ContextDocument>& docs) {
  std::string out;
  for (const ContextDocument& d : docs) {
    if (!d.mandatory) continue;
    if (!out.empty()) out += ", ";
    out += d.source;
  }
  return out;
}

}  // namespace

std::string render_mandatory_context(const std::vector<ContextDocument>& documents) {
  std::vector<std::vector<bool>> used;
  for (const ContextDocument& d : documents) used.emplace_back(d.sections.size(), d.mandatory);
  return render(documents, used);
}

ContextSelection select_context(const std::vector<ContextDocument>& docs, const std::string& question,
                                int64_t budget_tokens, const TokenCounter& count_tokens) {
  ContextSelection sel;
  sel.budget_tokens = budget_tokens;
  std::vector<std::vector<bool>> used;
  for (const ContextDocument& d : docs) used.emplace_back(d.sections.size(), d.mandatory);

  const std::string mandatory_text = render(docs, used);
  const int64_t mandatory_tokens = mandatory_text.empty() ? 0 : count_tokens(mandatory_text);
  if (mandatory_tokens > budget_tokens) {
    throw Error(fmt::format("the mandatory context ({}) needs {} tokens, {} more than the {} this prompt leaves for "
                            "context; shorten it, mark a file 'mandatory: false', raise --ctx or lower --max-tokens",
                            list_sources(docs), mandatory_tokens, mandatory_tokens - std::max<int64_t>(budget_tokens, 0),
                            std::max<int64_t>(budget_tokens, 0)));
  }

  // Every section, with its cost and (for optional ones) its score.
  std::vector<std::string> texts;
  std::vector<size_t> optional;  // indices into sel.sections
  for (size_t d = 0; d < docs.size(); ++d) {
    for (size_t s = 0; s < docs[d].sections.size(); ++s) {
      const ContextSection& sec = docs[d].sections[s];
      ContextSectionChoice c;
      c.document = d;
      c.section = s;
      c.source = docs[d].source;
      c.title = sec.title;
      c.kind = docs[d].kind;
      c.mandatory = docs[d].mandatory;
      c.used = docs[d].mandatory;
      c.tokens = count_tokens(sec.text + "\n\n");
      if (!c.mandatory) {
        optional.push_back(sel.sections.size());
        texts.push_back(sec.title + "\n" + sec.text);
      }
      sel.sections.push_back(std::move(c));
    }
  }
  const std::vector<double> scores = bm25_scores(question, texts);
  for (size_t i = 0; i < optional.size(); ++i) sel.sections[optional[i]].score = scores[i];
  std::vector<size_t> ranked = optional;
  std::stable_sort(ranked.begin(), ranked.end(),
                   [&](size_t a, size_t b) { return sel.sections[a].score > sel.sections[b].score; });

  // A section's cost: its text, its document's header if it is the first of it to enter,
  // and the change in gap markers ("[...]" between sections that enter but are not
  // neighbours): one more for a section with no neighbour that entered, one fewer for a
  // section that joins two runs.
  const int64_t gap_cost = count_tokens(std::string("\n\n") + kGap + "\n\n") - count_tokens("\n\n");
  std::vector<size_t> entered(docs.size(), 0);
  for (size_t d = 0; d < docs.size(); ++d) entered[d] = docs[d].mandatory ? docs[d].sections.size() : 0;
  int64_t remaining = budget_tokens - mandatory_tokens;
  for (size_t i : ranked) {
    ContextSectionChoice& c = sel.sections[i];
    const std::vector<bool>& u = used[c.document];
    int64_t cost = c.tokens;
    if (entered[c.document] == 0) {
      cost += count_tokens(header(docs[c.document]));
    } else {
      const bool left = c.section > 0 && u[c.section - 1];
      const bool right = c.section + 1 < u.size() && u[c.section + 1];
      cost += left && right ? -gap_cost : left || right ? 0 : gap_cost;
    }
    if (cost > remaining) continue;
    remaining -= cost;
    c.used = true;
    ++entered[c.document];
    used[c.document][c.section] = true;
  }

  // Sections were costed one at a time; the text as a whole can tokenize differently
  // (merges across joins). Drop the lowest-ranked until it fits.
  auto measure = [&] {
    sel.text = render(docs, used);
    sel.used_tokens = sel.text.empty() ? 0 : count_tokens(sel.text);
  };
  measure();
  for (auto it = ranked.rbegin(); sel.used_tokens > budget_tokens && it != ranked.rend(); ++it) {
    ContextSectionChoice& c = sel.sections[*it];
    if (!c.used) continue;
    c.used = false;
    used[c.document][c.section] = false;
    measure();
  }
  // The estimates were generous: try what was left out again, best first, measuring the
  // whole text each time (a bounded number of times: each try tokenizes it all).
  int tries = 16;
  for (size_t i : ranked) {
    ContextSectionChoice& c = sel.sections[i];
    if (c.used || c.tokens > budget_tokens - sel.used_tokens) continue;
    if (tries-- == 0) break;
    used[c.document][c.section] = true;
    const std::string before = sel.text;
    const int64_t before_tokens = sel.used_tokens;
    measure();
    if (sel.used_tokens <= budget_tokens) {
      c.used = true;
    } else {
      used[c.document][c.section] = false;
      sel.text = before;
      sel.used_tokens = before_tokens;
    }
  }
  return sel;
}

}  // namespace loco
