// `loco eval score | compare | overlap`: the parts of the evaluation that need no model.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.h"
#include "eval_setup.h"
#include "loco/error.h"
#include "loco/eval/overlap.h"
#include "loco/eval/report.h"
#include "text_file.h"

namespace loco::cli {
namespace {

using nlohmann::json;

struct ToolFlags {
  std::string set, predictions, out, registry_file, config_file, data_dir;
  bool json_output = false;
  double code_seconds = 10;
  uint64_t seed = 0;
  std::string a, b, a_condition, b_condition;
  std::string train;
  int n = 13;
  double threshold = 0.8;
};

std::string id_text(const json& id, const std::string& where) {
  if (id.is_string() && !id.get<std::string>().empty()) return id.get<std::string>();
  if (id.is_number_integer()) return std::to_string(id.get<long long>());
  throw FormatError(where + ": \"id\" must be a non-empty string or an integer");
}

// id → outputs, in file order.
std::map<std::string, std::vector<std::string>> read_predictions(const std::string& path, const eval::EvalSet& set) {
  std::map<std::string, size_t> known;
  for (size_t i = 0; i < set.items.size(); ++i) known[set.items[i].id] = i;
  std::map<std::string, std::vector<std::string>> out;
  std::istringstream in(read_text_file(path));
  size_t line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = fmt::format("{}:{}", path, line_no);
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw FormatError(where + ": not a JSON object");
    if (!j.contains("id")) throw FormatError(where + ": missing \"id\"");
    if (!j.contains("output") || !j["output"].is_string()) throw FormatError(where + ": \"output\" must be a string");
    const std::string id = id_text(j["id"], where);
    if (known.find(id) == known.end()) throw FormatError(fmt::format("{}: no item '{}' in the set {}", where, id, set.name));
    out[id].push_back(j["output"].get<std::string>());
  }
  if (out.empty()) throw FormatError(path + " has no predictions");
  return out;
}

int run_score(const ToolFlags& f) {
  Registry registry = load_registry_for_eval(f.registry_file, f.config_file, f.data_dir);
  const eval::EvalSet set = resolve_eval_set(f.set, &registry);
  const auto predictions = read_predictions(f.predictions, set);
  eval::ScoreOptions so;
  so.code_seconds = f.code_seconds;
  std::vector<eval::ItemRecord> items;
  for (const eval::EvalItem& item : set.items) {
    auto it = predictions.find(item.id);
    if (it == predictions.end()) continue;
    eval::ItemRecord rec;
    rec.condition = "predictions";
    rec.set = set.name;
    rec.id = set.is_private ? eval::private_id(item.id) : item.id;
    if (!set.is_private) {
      rec.question = item.question;
      rec.outputs = it->second;
    }
    rec.score = eval::score_item(item, it->second, so);
    items.push_back(std::move(rec));
  }
  const size_t missing = set.items.size() - items.size();
  if (missing > 0) std::fprintf(stderr, "loco: %zu of the set's %zu items have no prediction and are not scored\n", missing, set.items.size());
  eval::ConditionSummary s = eval::summarize(items, set.type(), f.seed);
  s.name = "predictions";
  s.condition.mode = "predictions";
  s.set = set.name;
  s.set_sha256 = set.sha256;

  fmt::print("{}: {}/{} correct, accuracy {:.1f}% ± {:.1f} (s.e.), 95% CI {:.1f}–{:.1f}\n", set.name, s.correct, s.n,
             100 * s.accuracy, 100 * s.std_error, 100 * s.ci95.low, 100 * s.ci95.high);
  if (s.samples_per_item > 1 && set.type() != EvalType::Code) {
    fmt::print("  majority of {} samples per item (maj@{})\n", s.samples_per_item, s.samples_per_item);
  }
  if (s.strict_accuracy) fmt::print("  strict (#### only): {:.1f}%\n", 100 * *s.strict_accuracy);
  if (s.f1) fmt::print("  token F1 {:.3f}, ROUGE-L {:.3f}\n", *s.f1, s.rouge_l.value_or(0));
  for (const auto& [k, v] : s.pass_at_k) fmt::print("  pass@{}: {:.1f}%\n", k, 100 * v);

  if (!f.out.empty()) {
    eval::Results r;
    r.kind = "score";
    r.loco_version = LOCO_VERSION;
    r.created_utc = eval::utc_now();
    r.cpu = cpu_model_name();
    r.model_path = f.predictions;
    r.set_name = set.name;
    r.set_path = set.path;
    r.set_sha256 = set.sha256;
    r.set_type = eval_type_name(set.type());
    r.set_private = set.is_private;
    r.set_items = static_cast<int64_t>(items.size());
    r.settings = {{"predictions", f.predictions}, {"code_seconds", fmt::format("{:g}", f.code_seconds)}};
    r.conditions.push_back(s);
    eval::write_results(f.out, r, &items);
    fmt::print("results in {}/\n", f.out);
  }
  if (f.json_output) {
    json j = {{"set", set.name},
              {"set_sha256", set.sha256},
              {"n", s.n},
              {"correct", s.correct},
              {"accuracy", s.accuracy},
              {"stderr", s.std_error},
              {"ci95", {s.ci95.low, s.ci95.high}},
              {"samples_per_item", s.samples_per_item},
              {"unscored_items", missing}};
    if (s.samples_per_item > 1 && set.type() != EvalType::Code) j[fmt::format("maj@{}", s.samples_per_item)] = s.accuracy;
    if (s.strict_accuracy) j["strict_accuracy"] = *s.strict_accuracy;
    if (s.f1) j["f1"] = *s.f1;
    if (s.rouge_l) j["rouge_l"] = *s.rouge_l;
    for (const auto& [k, v] : s.pass_at_k) j[fmt::format("pass@{}", k)] = v;
    fmt::print("{}\n", j.dump());
  }
  return 0;
}

// The items of one condition of a results directory.
std::vector<eval::ItemRecord> condition_items(const std::string& dir, const eval::Results& r, std::string& condition) {
  if (condition.empty()) {
    if (r.conditions.size() != 1) {
      std::string names;
      for (const auto& c : r.conditions) names += "\n  " + c.name + (c.set != r.set_name ? " (on " + c.set + ")" : "");
      throw Error(fmt::format("{} holds {} conditions; choose one with --a-condition / --b-condition:{}", dir,
                              r.conditions.size(), names));
    }
    condition = r.conditions.front().name;
  }
  std::vector<eval::ItemRecord> out;
  for (eval::ItemRecord& it : eval::load_items(dir)) {
    if (it.condition == condition && it.set == r.set_name) out.push_back(std::move(it));
  }
  if (out.empty()) throw Error(fmt::format("{} has no items of the condition '{}' on {}", dir, condition, r.set_name));
  return out;
}

int run_compare(ToolFlags f) {
  const eval::Results a = eval::load_results(f.a);
  const eval::Results b = eval::load_results(f.b);
  if (a.set_sha256 != b.set_sha256) {
    throw Error(fmt::format("the runs are on different sets ({} sha256 {}… and {} sha256 {}…): a paired comparison "
                            "needs the same items",
                            a.set_name, a.set_sha256.substr(0, 12), b.set_name, b.set_sha256.substr(0, 12)));
  }
  const auto ia = condition_items(f.a, a, f.a_condition);
  const auto ib = condition_items(f.b, b, f.b_condition);
  const eval::Comparison c = eval::compare_conditions("A: " + f.a_condition, ia, "B: " + f.b_condition, ib);
  const eval::PairedDifference& p = c.paired;
  fmt::print("A  {} ({})\nB  {} ({})\n", f.a, f.a_condition, f.b, f.b_condition);
  fmt::print("paired items {}: both right {}, only A {}, only B {}, both wrong {}\n", p.n, p.both, p.only_a, p.only_b,
             p.neither);
  fmt::print("accuracy A {:.1f}%, B {:.1f}%: difference B − A {:+.1f} points (95% CI {:+.1f} to {:+.1f}), McNemar exact p "
             "= {:.4g}\n",
             100 * p.accuracy_a, 100 * p.accuracy_b, 100 * p.difference, 100 * p.ci95.low, 100 * p.ci95.high,
             p.p_value);
  fmt::print("{}\n", c.verdict == "no measurable difference"
                         ? "no measurable difference (the interval contains zero)"
                         : c.verdict == "B better" ? "B is better, measurably" : "B is worse, measurably");
  if (f.json_output) fmt::print("{}\n", eval::comparison_to_json(c));
  return 0;
}

// The text of a training line: its question / prompt / instruction and message contents.
std::string training_text(const json& j) {
  std::string text;
  for (const char* key : {"question", "prompt", "instruction", "input", "text", "completion", "answer"}) {
    if (auto it = j.find(key); it != j.end() && it->is_string()) text += it->get<std::string>() + "\n";
  }
  if (auto m = j.find("messages"); m != j.end() && m->is_array()) {
    for (const json& msg : *m) {
      if (msg.is_object() && msg.contains("content") && msg["content"].is_string()) {
        text += msg["content"].get<std::string>() + "\n";
      }
    }
  }
  return text;
}

int run_overlap(const ToolFlags& f) {
  Registry registry = load_registry_for_eval(f.registry_file, f.config_file, f.data_dir);
  const eval::EvalSet set = resolve_eval_set(f.set, &registry);
  std::vector<std::string> train;
  std::istringstream in(read_text_file(f.train));
  size_t line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      train.emplace_back();
      continue;
    }
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw FormatError(fmt::format("{}:{}: not a JSON object", f.train, line_no));
    train.push_back(training_text(j));
  }
  std::vector<std::string> questions;
  for (const eval::EvalItem& it : set.items) questions.push_back(it.type == EvalType::Code ? it.code_prompt : it.question);
  eval::OverlapOptions oo;
  oo.n = f.n;
  oo.threshold = f.threshold;
  const auto matches = eval::find_overlap(questions, train, oo);
  for (const eval::OverlapMatch& m : matches) {
    const eval::EvalItem& it = set.items[m.eval_index];
    fmt::print("{}  {}  training line {}  {}\n", set.is_private ? eval::private_id(it.id) : it.id,
               m.exact ? "exact" : fmt::format("{:.0f}% of {}-grams", 100 * m.ngram_overlap, f.n), m.train_index + 1,
               m.exact ? "(the question appears in the training text)" : "");
  }
  fmt::print("{} of {} items of {} overlap with {} ({} training lines; exact match or ≥ {:.0f}% shared {}-grams)\n",
             matches.size(), set.items.size(), set.name, f.train, train.size(), 100 * f.threshold, f.n);
  if (f.json_output) {
    json list = json::array();
    for (const eval::OverlapMatch& m : matches) {
      const eval::EvalItem& it = set.items[m.eval_index];
      list.push_back({{"id", set.is_private ? eval::private_id(it.id) : it.id},
                      {"training_line", m.train_index + 1},
                      {"exact", m.exact},
                      {"ngram_overlap", m.ngram_overlap}});
    }
    fmt::print("{}\n", json{{"items", set.items.size()}, {"overlapping", matches.size()}, {"matches", list}}.dump());
  }
  return 0;
}

}  // namespace

Command register_eval_tools(CLI::App& app) {
  auto f = std::make_shared<ToolFlags>();
  auto add_registry = [&](CLI::App* sub) {
    sub->add_option("--registry", f->registry_file, "Adapter registry (for sets named by adapter)");
    sub->add_option("--config", f->config_file, "Config file");
    sub->add_option("--data-dir", f->data_dir, "Data directory");
  };
  auto* score = app.add_subcommand("score", "Score outputs produced elsewhere, with the same extraction and statistics");
  score->add_option("--set", f->set, "The set the outputs answer")->required();
  score->add_option("--predictions", f->predictions, "JSONL: {\"id\": ITEM_ID, \"output\": TEXT} per line")->required();
  score->add_flag("--json", f->json_output, "End with one JSON line of the figures");
  score->add_option("-o,--out", f->out, "Also write results files into this directory");
  score->add_option("--code-timeout", f->code_seconds, "Seconds each program may run")->capture_default_str()
      ->check(CLI::Range(0.1, 600.0));
  score->add_option("--seed", f->seed, "Seed of the bootstrap intervals")->capture_default_str();
  add_registry(score);

  auto* compare = app.add_subcommand("compare", "Paired comparison of two runs on the same items (McNemar exact)");
  compare->add_option("a", f->a, "A: a results directory or its results.json")->required();
  compare->add_option("b", f->b, "B: a results directory or its results.json")->required();
  compare->add_option("--a-condition", f->a_condition, "A's condition (when A holds several)");
  compare->add_option("--b-condition", f->b_condition, "B's condition (when B holds several)");
  compare->add_flag("--json", f->json_output, "End with one JSON line of the figures");

  auto* overlap = app.add_subcommand("overlap", "Items of a set that also appear in training data");
  overlap->add_option("set", f->set, "The evaluation set")->required();
  overlap->add_option("train", f->train, "Training data (JSONL)")->required();
  overlap->add_option("--ngram", f->n, "n of the n-grams")->capture_default_str()->check(CLI::Range(1, 100));
  overlap->add_option("--threshold", f->threshold, "Shared n-gram fraction that counts as overlap")->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  overlap->add_flag("--json", f->json_output, "End with one JSON line of the matches");
  add_registry(overlap);

  return {&app, [=]() -> int {
            if (score->parsed()) return run_score(*f);
            if (compare->parsed()) return run_compare(*f);
            if (overlap->parsed()) return run_overlap(*f);
            return 0;
          }};
}

}  // namespace loco::cli
