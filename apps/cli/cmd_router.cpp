// `loco router train`: builds the labelled queries from the shared datasets, trains a
// learned router and reports it against the keyword router on held-out queries.
// `loco router eval FILE.jsonl`: accuracy, per-class precision/recall, confusion matrix.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>

#include "commands.h"
#include "loco/error.h"
#include "loco/router.h"
#include "loco/router_data.h"
#include "loco/router_learned.h"
#include "router_options.h"

namespace loco::cli {
namespace {

struct TrainOptions {
  std::string out;
  std::string kind = "classifier";
  std::string base_model;
  RouterDataOptions data;
  RouterTrainOptions train;
  bool no_bigrams = false;
  bool no_balance = false;
  std::string write_splits;
  int folds = 0;
};

struct EvalOptions {
  std::string file;
  RouterFlags router;
  int show_mistakes = 0;
};

const std::vector<std::string> kLabelOrder = {"math", "code", "analysis"};

void print_evaluation(const RouterEvaluation& e) {
  fmt::print("accuracy: {:.3f} ({}/{}), macro-averaged recall {:.3f}\n", e.accuracy, e.correct, e.n,
             e.macro_recall);
  fmt::print("  {:<10} {:>9} {:>7} {:>8}\n", "label", "precision", "recall", "queries");
  for (const ClassMetrics& m : e.per_class) {
    fmt::print("  {:<10} {:>9.3f} {:>7.3f} {:>8}\n", m.label, m.precision, m.recall, m.support);
  }
  fmt::print("confusion matrix (rows: label, columns: decision; none = base model)\n");
  fmt::print("  {:<10}", "");
  for (const std::string& l : e.labels) fmt::print(" {:>9}", l);
  fmt::print("\n");
  for (size_t r = 0; r < e.labels.size(); ++r) {
    fmt::print("  {:<10}", e.labels[r]);
    for (int64_t v : e.confusion[r]) fmt::print(" {:>9}", v);
    fmt::print("\n");
  }
}

std::string one_line(std::string s, size_t max) {
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (s.size() > max) s = s.substr(0, max - 3) + "...";
  return s;
}

int run_train(TrainOptions opt) {
  opt.train.bigrams = !opt.no_bigrams;
  opt.train.balance_classes = !opt.no_balance;
  const std::vector<LabelledQuery> all = build_router_dataset(opt.data);
  const RouterSplits splits = split_router_dataset(all);

  fmt::print("dataset: {} queries from {}, {}{}\n", all.size(), opt.data.data_dir, opt.data.none_file,
             opt.data.natural_file.empty() ? std::string() : " and " + opt.data.natural_file);
  std::map<std::string, std::map<std::string, int>> sources;  // label -> source -> count
  std::map<std::string, std::array<int, 3>> per_split;
  for (const LabelledQuery& q : all) {
    ++sources[q.label][q.source];
    ++per_split[q.label][static_cast<size_t>(router_split_of(q))];
  }
  fmt::print("  {:<10} {:>6} {:>12} {:>9}  sources\n", "label", "train", "calibration", "held-out");
  std::vector<std::string> labels;  // the v1 adapters first, then any others, none last
  for (const std::string& l : kLabelOrder) {
    if (sources.count(l)) labels.push_back(l);
  }
  for (const auto& [l, unused] : sources) {
    if (l != kBaseModelLabel && std::find(labels.begin(), labels.end(), l) == labels.end())
      labels.push_back(l);
  }
  if (sources.count(std::string(kBaseModelLabel))) labels.emplace_back(kBaseModelLabel);
  for (const std::string& l : labels) {
    std::string src;
    for (const auto& [s, n] : sources[l])
      src += fmt::format("{}{} {}", src.empty() ? "" : ", ", s, n);
    const auto& c = per_split[l];
    fmt::print("  {:<10} {:>6} {:>12} {:>9}  {}\n", l, c[0], c[1], c[2], src);
  }
  fmt::print("  {:<10} {:>6} {:>12} {:>9}\n", "all", splits.train.size(), splits.calibration.size(),
             splits.held_out.size());

  if (!opt.write_splits.empty()) {
    std::filesystem::create_directories(opt.write_splits);
    write_labelled_jsonl(opt.write_splits + "/train.jsonl", splits.train);
    write_labelled_jsonl(opt.write_splits + "/calibration.jsonl", splits.calibration);
    write_labelled_jsonl(opt.write_splits + "/heldout.jsonl", splits.held_out);
    fmt::print("wrote the splits to {}/{{train,calibration,heldout}}.jsonl\n", opt.write_splits);
  }

  RouterTrainReport report;
  std::unique_ptr<Router> router;
  std::vector<std::string> classes;
  std::function<std::vector<double>(std::string_view, bool)> probabilities;
  if (opt.kind == "classifier") {
    auto r = std::make_shared<ClassifierRouter>(
        ClassifierRouter::train(splits.train, splits.calibration, opt.train, &report));
    r->save(opt.out);
    classes = r->classes();
    probabilities = [r](std::string_view q, bool calibrated) {
      return r->probabilities(q, calibrated);
    };
    router = std::make_unique<ClassifierRouter>(*r);
  } else {
    if (opt.base_model.empty()) throw Error("the embedding router needs the base model (-m)");
    auto r = std::make_shared<EmbeddingRouter>(EmbeddingRouter::train(
        base_model_features(opt.base_model), splits.train, splits.calibration, opt.train, &report));
    r->save(opt.out);
    classes = r->classes();
    probabilities = [r](std::string_view q, bool calibrated) {
      return r->probabilities(q, calibrated);
    };
    router = std::make_unique<EmbeddingRouter>(*r);
  }

  fmt::print(
      "trained {} router: {} features, {} L-BFGS iterations ({}), training accuracy {:.3f}\n",
      opt.kind, report.n_features, report.iterations,
      report.converged ? "converged" : "iteration limit", report.train_accuracy);
  const CalibrationReport& c = report.calibration;
  fmt::print(
      "calibration on {} queries: temperature {:.3f}; NLL {:.4f} -> {:.4f}; ECE {:.4f} -> {:.4f}\n",
      c.n, c.temperature, c.nll_before, c.nll_after, c.ece_before, c.ece_after);
  const ProbabilityQuality before = probability_quality(
      classes, [&](std::string_view q) { return probabilities(q, false); }, splits.held_out);
  const ProbabilityQuality after = probability_quality(
      classes, [&](std::string_view q) { return probabilities(q, true); }, splits.held_out);
  fmt::print("held-out probabilities ({} queries): NLL {:.4f} -> {:.4f}; ECE {:.4f} -> {:.4f}\n",
             after.n, before.nll, after.nll, before.ece, after.ece);

  const KeywordRouter keyword(locollm_v1_keywords());
  const RouterEvaluation ek = evaluate_router(keyword, splits.held_out, kLabelOrder);
  const RouterEvaluation el = evaluate_router(*router, splits.held_out, kLabelOrder);
  fmt::print("held-out routing ({} queries, threshold {:.2f}):\n", ek.n, opt.train.threshold);
  fmt::print("  {:<12} {:>9} {:>13}\n", "router", "accuracy", "macro recall");
  fmt::print("  {:<12} {:>9.3f} {:>13.3f}\n", "keyword", ek.accuracy, ek.macro_recall);
  fmt::print("  {:<12} {:>9.3f} {:>13.3f}\n", opt.kind, el.accuracy, el.macro_recall);
  fmt::print("wrote {}\n", opt.out);

  if (opt.folds > 0) {
    if (opt.kind != "classifier") throw Error("--cross-validate works with the classifier router");
    fmt::print("\n{}-fold cross-validation over all {} queries, keyword router:\n", opt.folds,
               all.size());
    print_evaluation(evaluate_router(keyword, all, kLabelOrder));
    fmt::print(
        "\n{}-fold cross-validation, classifier router (each query routed by a model "
        "trained without it):\n",
        opt.folds);
    print_evaluation(cross_validate_classifier(all, opt.folds, opt.train, kLabelOrder));
  }
  return 0;
}

int run_eval(const EvalOptions& opt) {
  const std::vector<LabelledQuery> queries = read_labelled_jsonl(opt.file);
  std::unique_ptr<Router> router = make_router(opt.router);
  const RouterEvaluation e = evaluate_router(*router, queries, kLabelOrder);
  fmt::print("router: {}{}, {} queries from {}\n", router->kind(),
             opt.router.model_file.empty() ? "" : " (" + opt.router.model_file + ")", e.n,
             opt.file);
  print_evaluation(e);
  const size_t shown =
      std::min(e.mistakes.size(), static_cast<size_t>(std::max(0, opt.show_mistakes)));
  if (shown > 0) fmt::print("mistakes ({} of {}):\n", shown, e.mistakes.size());
  for (size_t i = 0; i < shown; ++i) {
    const auto& [q, d] = e.mistakes[i];
    fmt::print("  [{} -> {}] {}\n      {}\n", q.label, decision_label(d), one_line(q.text, 100),
               d.explanation);
  }
  return 0;
}

}  // namespace

Command register_router(CLI::App& root) {
  CLI::App* app = root.add_subcommand("router", "Train and evaluate the query router");
  app->require_subcommand(1);

  auto train = std::make_shared<TrainOptions>();
  CLI::App* t = app->add_subcommand("train", "Train a learned router on the shared datasets");
  t->add_option("--out", train->out, "Where to save the router (JSON)")->required();
  t->add_option("--router", train->kind, "classifier (TF-IDF) or embedding (base model features)")
      ->check(CLI::IsMember({"classifier", "embedding"}))
      ->capture_default_str();
  t->add_option("-m,--model", train->base_model, "Base model GGUF (embedding router)");
  t->add_option("--data-dir", train->data.data_dir, "Holds locollm-v1/, gsm8k/, humaneval/")
      ->capture_default_str();
  t->add_option("--none-file", train->data.none_file, "General queries (label none), one a line")
      ->capture_default_str();
  t->add_option("--natural-file", train->data.natural_file,
                 "Naturally phrased labelled queries, JSONL (\"\": none)")
      ->capture_default_str();
  t->add_option("--max-gsm8k", train->data.max_gsm8k, "GSM8K questions to use")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  t->add_option("--threshold", train->train.threshold,
                "Probability below which the base model answers")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  t->add_option("--l2", train->train.l2, "L2 penalty on the weights")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  t->add_option("--extra", train->data.extra_files,
                "More labelled queries (JSONL {\"query\", \"label\"}), split like the rest");
  t->add_option("--cross-validate", train->folds,
                "Also route every query by K-fold cross-validation and report it")
      ->check(CLI::Range(2, 100));
  t->add_flag("--no-bigrams", train->no_bigrams, "Classifier: words only");
  t->add_flag("--no-balance", train->no_balance, "Do not weight classes to count equally");
  t->add_option("--write-splits", train->write_splits,
                "Also write train/calibration/heldout.jsonl into this directory");

  auto eval = std::make_shared<EvalOptions>();
  CLI::App* e = app->add_subcommand("eval", "Accuracy and confusion matrix on labelled queries");
  e->add_option("file", eval->file, "JSONL, one {\"query\": ..., \"label\": ...} a line")
      ->required();
  add_router_flags(*e, eval->router);
  e->add_option("--mistakes", eval->show_mistakes, "List up to this many misrouted queries");

  return {app, [t, train, eval] { return t->parsed() ? run_train(*train) : run_eval(*eval); }};
}

}  // namespace loco::cli
