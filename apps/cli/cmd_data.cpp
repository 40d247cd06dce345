// `loco data math|code|analysis|general|router`: the generators of loco-nano's data, written
// as JSONL that `loco train` (--format train) or `loco eval` (--format eval) reads.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"
#include "loco/atomic_file.h"
#include "loco/datagen.h"
#include "loco/error.h"
#include "loco/eval/eval_set.h"

namespace loco::cli {
namespace {

using nlohmann::json;
using datagen::Split;

struct DataOptions {
  std::string kind;
  uint64_t seed = 1;
  int64_t count = 100;
  std::string split = "train";
  std::string format;  // default: the split's
  std::string wordnet = "/usr/share/wordnet";
  std::string worked = "plain";  // math: plain equations, or columns (digit by digit)
  std::string wording = "templates";  // math and code training: the fixed wordings, or composed ones
  std::string out = "-";
};

std::string code_block(const std::string& code) { return "```python\n" + code + "```"; }

std::vector<json> math_lines(const DataOptions& o, Split split, bool train) {
  std::vector<json> lines;
  const auto wording = o.wording == "composed" ? datagen::MathWording::Composed
                       : o.wording == "varied" ? datagen::MathWording::Varied
                       : o.wording == "broad"  ? datagen::MathWording::Broad
                                               : datagen::MathWording::Templates;
  for (const auto& m : datagen::math_problems(o.seed, o.count, split, wording)) {
    const std::string& solution = o.worked == "columns" ? m.column_solution : m.solution;
    if (train) {
      lines.push_back({{"question", m.question}, {"answer", solution}});
    } else {
      lines.push_back({{"id", m.id}, {"question", m.question}, {"answer", solution}, {"eval_type", "numeric"},
                       {"template", m.template_name}, {"steps", m.steps}});
    }
  }
  return lines;
}

std::vector<json> code_lines(const DataOptions& o, Split split, bool train) {
  std::vector<json> lines;
  int64_t i = 0;
  const auto wording = o.wording == "composed" ? datagen::CodeWording::Composed : datagen::CodeWording::Fixed;
  for (const auto& t : datagen::code_tasks(o.seed, o.count, split, wording)) {
    if (train) {
      // Half the tasks are asked as `loco eval` asks HumanEval items, half in one sentence.
      const std::string question = (i++ % 2 == 0) ? eval::code_question(t.prompt) : t.description;
      lines.push_back({{"prompt", question}, {"completion", code_block(t.prompt + t.solution)}});
    } else {
      lines.push_back({{"task_id", t.id}, {"prompt", t.prompt}, {"canonical_solution", t.solution},
                       {"test", t.test}, {"entry_point", t.entry_point}, {"family", t.family}});
    }
  }
  return lines;
}

std::vector<json> analysis_lines(const DataOptions& o, Split split, bool train) {
  std::vector<json> lines;
  for (const auto& q : datagen::passage_questions(o.seed, o.count, split)) {
    if (train) {
      lines.push_back({{"question", datagen::passage_prompt(q)}, {"answer", q.answer}});
    } else {
      lines.push_back({{"id", q.id}, {"question", datagen::passage_prompt(q)}, {"answer", q.answer},
                       {"eval_type", "analysis"}});
    }
  }
  return lines;
}

std::vector<json> general_lines(const DataOptions& o, Split split, bool train) {
  const auto glosses = datagen::read_wordnet(o.wordnet);
  std::vector<json> lines;
  int64_t i = 0;
  for (const auto& q : datagen::general_questions(glosses, o.seed, o.count, split)) {
    if (train) {
      lines.push_back({{"question", q.question}, {"answer", q.answer}});
    } else {
      lines.push_back({{"id", fmt::format("nano-general-eval-{}", i++)}, {"question", q.question},
                       {"answer", q.answer}, {"eval_type", "free_text"}});
    }
  }
  return lines;
}

// Router queries: `count` of each kind, as users would type them (code as one sentence).
std::vector<json> router_lines(const DataOptions& o, Split split) {
  std::vector<json> lines;
  for (const auto& m : datagen::math_problems(o.seed, o.count, split)) lines.push_back({{"query", m.question}, {"label", "math"}});
  for (const auto& t : datagen::code_tasks(o.seed, o.count, split)) lines.push_back({{"query", t.description}, {"label", "code"}});
  for (const auto& q : datagen::passage_questions(o.seed, o.count, split)) {
    lines.push_back({{"query", datagen::passage_prompt(q)}, {"label", "analysis"}});
  }
  const auto glosses = datagen::read_wordnet(o.wordnet);
  for (const auto& q : datagen::general_questions(glosses, o.seed, o.count, split)) {
    lines.push_back({{"query", q.question}, {"label", "none"}});
  }
  return lines;
}

int run_data(const DataOptions& o) {
  const Split split = o.split == "eval" ? Split::Eval : o.split == "dev" ? Split::Dev : Split::Train;
  if (split == Split::Dev && o.kind != "math") throw Error("--split dev exists only for math (the first held-out templates)");
  if ((o.wording == "varied" || o.wording == "broad") && o.kind != "math") {
    throw Error("--wording " + o.wording + " exists only for math");
  }
  const std::string format = !o.format.empty() ? o.format : o.split == "train" ? "train" : "eval";
  const bool train = format == "train";
  std::vector<json> lines;
  if (o.kind == "math") lines = math_lines(o, split, train);
  else if (o.kind == "code") lines = code_lines(o, split, train);
  else if (o.kind == "analysis") lines = analysis_lines(o, split, train);
  else if (o.kind == "general") lines = general_lines(o, split, train);
  else lines = router_lines(o, split);

  std::string text;
  for (const json& j : lines) text += j.dump() + "\n";
  if (o.out == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  write_file_atomically(o.out, text);
  fmt::print(stderr, "wrote {} {} {} lines ({} split, {} format) to {}\n", lines.size(), o.kind,
             o.kind == "router" ? "query" : "item", o.split, format, o.out);
  return 0;
}

}  // namespace

Command register_data(CLI::App& root) {
  auto o = std::make_shared<DataOptions>();
  CLI::App* app = root.add_subcommand("data", "Generate loco-nano's training and evaluation data");
  app->add_option("kind", o->kind, "math, code, analysis, general or router")
      ->required()->check(CLI::IsMember({"math", "code", "analysis", "general", "router"}));
  app->add_option("--seed", o->seed, "Seed: the same seed gives the same items")->capture_default_str();
  app->add_option("--count", o->count, "Items (router: queries of each kind)")
      ->capture_default_str()->check(CLI::Range(int64_t{0}, int64_t{10000000}));
  app->add_option("--split", o->split,
                  "train, eval (held-out templates, wordings and names), or dev (math: the first held-out "
                  "templates, read during development)")
      ->capture_default_str()->check(CLI::IsMember({"train", "eval", "dev"}));
  app->add_option("--format", o->format, "train (loco train's JSONL) or eval (loco eval's); default: the split")
      ->check(CLI::IsMember({"train", "eval"}));
  app->add_option("--wordnet", o->wordnet, "Directory of WordNet's data.* files (general, router)")->capture_default_str();
  app->add_option("--worked", o->worked, "math: plain (one equation a step) or columns (digit by digit)")
      ->capture_default_str()->check(CLI::IsMember({"plain", "columns"}));
  app->add_option("--wording", o->wording,
                  "math and code training items: templates (the fixed wordings) or composed (math: 3 in 4 stories "
                  "built from interchangeable clauses; code: 2 in 3 docstrings from a frame and a phrasing of the "
                  "result); math only: varied (half stories of a setting, a follow-up and a question in many "
                  "wordings, a quarter composed, a quarter templates); math only: broad (half from templates written "
                  "by four independent authors, a quarter varied, an eighth each composed and templates); eval items "
                  "are the same whatever the wording")
      ->capture_default_str()->check(CLI::IsMember({"templates", "composed", "varied", "broad"}));
  app->add_option("-o,--out", o->out, "Output JSONL (- for stdout)")->capture_default_str();
  return {app, [o] { return run_data(*o); }};
}

}  // namespace loco::cli
