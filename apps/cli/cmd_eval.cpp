// `loco eval run | grid | report`: evaluating a model on a set, the ablation grid, and
// redrawing the reports. `score`, `compare` and `overlap` are in cmd_eval_tools.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "assistant_setup.h"
#include "builtin_model.h"
#include "commands.h"
#include "eval_setup.h"
#include "file_hash_cache.h"
#include "loco/error.h"
#include "loco/eval/grid.h"
#include "loco/eval/report.h"
#include "loco/sha256.h"
#include "loco/thread_pool.h"

namespace loco::cli {
namespace {

struct EvalFlags {
  std::string model, config_file, data_dir, registry_file, router, router_file;
  std::string set, out, adapter, re2 = "on";
  bool base = false, routed = false, is_private = false;
  int votes = 1;
  std::optional<int> threads, ctx;
  std::string kv_type = "f16";
  eval::RunSettings settings;
  std::string ood;  // grid: comma-separated other sets
  bool no_ood = false;
  std::vector<std::string> context;  // a context pack: files and directories
  BackendFlags remote;
};

// The context pack's label in condition names ("rubric.md+notes") and its documents, handed
// to the evaluator; the pack's hash goes into the recorded settings.
std::string use_context_pack(const EvalFlags& f, eval::Evaluator& evaluator, eval::Results& r) {
  if (f.context.empty()) return {};
  std::string label;
  for (std::string p : f.context) {
    while (p.size() > 1 && p.ends_with('/')) p.pop_back();
    if (!label.empty()) label += "+";
    const std::string name = std::filesystem::path(p).filename().string();
    label += name.empty() ? p : name;
  }
  std::vector<ContextDocument> docs = load_context_files(f.context);
  std::string all;
  for (const ContextDocument& d : docs) {
    all += d.source + "\n" + context_kind_name(d.kind) + (d.mandatory ? " mandatory\n" : "\n");
    for (const ContextSection& s : d.sections) all += s.text + "\n";
  }
  r.settings.emplace_back("context_pack", label);
  r.settings.emplace_back("context_sha256", sha256_hex(all));
  evaluator.set_context_pack(label, std::move(docs));
  return label;
}

void add_model_flags(CLI::App& app, EvalFlags& f) {
  app.add_option("-m,--model", f.model, "Base model GGUF (default: `model` in the config file)");
  app.add_option("--registry", f.registry_file, "Adapter registry (default: <data dir>/adapters/registry.yaml)");
  app.add_option("--router", f.router, "Router for --routed: keyword, classifier or embedding")
      ->check(CLI::IsMember({"keyword", "classifier", "embedding"}));
  app.add_option("--router-file", f.router_file, "Learned router (default: <data dir>/router.json)");
  app.add_option("--config", f.config_file, "Config file (default: <config dir>/config.yaml)");
  app.add_option("--data-dir", f.data_dir, "Data directory (default: $LOCO_DATA_DIR or ~/.local/share/loco)");
  app.add_option("-t,--threads", f.threads, "Worker threads (default: config, physical cores)");
  app.add_option("-c,--ctx", f.ctx, "Context size per sequence in tokens (default: config, 4096)")
      ->check(CLI::Range(64, 1 << 20));
  app.add_option("--kv-type", f.kv_type, "KV cache element type: f16, f32 or q8_0")
      ->capture_default_str()->check(CLI::IsMember({"f16", "f32", "q8_0"}));
  app.add_option("--limit", f.settings.limit, "Evaluate only the first N items (0: all)")->check(CLI::Range(0, 1 << 30));
  app.add_option("--seed", f.settings.seed, "Seed of the votes' sampling")->capture_default_str();
  app.add_option("-n,--max-tokens", f.settings.max_tokens, "Most tokens per answer")
      ->capture_default_str()->check(CLI::Range(1, 1 << 16));
  app.add_option("--temperature", f.settings.temperature, "Temperature of single answers (0: greedy)")
      ->capture_default_str()->check(CLI::Range(0.0, 5.0));
  app.add_option("--vote-temperature", f.settings.vote_temperature, "Temperature of the votes")
      ->capture_default_str()->check(CLI::Range(0.0, 5.0));
  app.add_option("--batch", f.settings.batch_sequences, "Sequences decoded together (items x votes)")
      ->capture_default_str()->check(CLI::Range(1, 256));
  app.add_option("--code-timeout", f.settings.code_seconds, "Seconds each program may run")
      ->capture_default_str()->check(CLI::Range(0.1, 600.0));
  app.add_flag("--think", f.settings.think, "Let Qwen3 think before answering");
  app.add_option("-o,--out", f.out, "Output directory (default: loco-eval/<set>-<condition>)");
  add_backend_flags(app, f.remote);
}

AssistantSetup setup_for(const EvalFlags& f) {
  AssistantFlags a;
  a.model = f.model;
  a.config_file = f.config_file;
  a.data_dir = f.data_dir;
  a.registry_file = f.registry_file;
  a.router = f.router;
  a.router_file = f.router_file;
  a.threads = f.threads;
  a.ctx = f.ctx;
  a.kv_type = f.kv_type;
  a.max_tokens = f.settings.max_tokens;
  a.remote = f.remote;
  AssistantSetup setup = make_assistant(a);
  if (setup.builtin) fmt::print(stderr, "model: {}\n", kBuiltinNotice);
  return setup;
}

// What the results record as the model's hash: the file's sha256, or for a remote backend
// "remote:" and its name and model (the weights are not here to hash).
std::string model_identity(const AssistantSetup& setup) {
  if (setup.model == nullptr) return "remote:" + setup.model_path;
  return cached_file_sha256(setup.model_path, setup.data_dir);
}

std::string slug(const std::string& s) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') ? c : '_';
  return out;
}

eval::Results results_header(const AssistantSetup& setup, const std::string& model_sha, const eval::EvalSet& set,
                             const eval::RunSettings& settings, const std::string& kind) {
  eval::Results r;
  r.kind = kind;
  r.loco_version = LOCO_VERSION;
  r.created_utc = eval::utc_now();
  r.cpu = cpu_model_name();
  r.threads = setup.threads > 0 ? setup.threads : ThreadPool::default_threads();
  r.model_path = setup.model_path;
  r.model_sha256 = model_sha;
  r.set_name = set.name;
  r.set_path = set.path;
  r.set_sha256 = set.sha256;
  r.set_type = eval_type_name(set.type());
  r.set_private = set.is_private;
  r.set_items = static_cast<int64_t>(settings.limit > 0 ? std::min<size_t>(set.items.size(), static_cast<size_t>(settings.limit))
                                                        : set.items.size());
  r.settings = eval::settings_record(settings);
  if (setup.model == nullptr) {
    r.settings.emplace_back("backend", setup.model_path);
    r.settings.emplace_back("remote_prompt_tokens", "estimated from bytes (3 per token)");
  }
  return r;
}

SessionOptions session_options_for(const AssistantSetup& setup) {
  SessionOptions so;
  so.n_ctx = setup.n_ctx;
  so.n_threads = setup.threads;
  so.kv_type = setup.kv_type;
  return so;
}

void print_summary(const eval::Results& r, const std::string& dir) {
  for (const eval::ConditionSummary& c : r.conditions) {
    fmt::print("{:<44} {:<22} {:>4}/{:<4} {:5.1f}%  (95% CI {:.1f}–{:.1f})\n", c.name, c.set, c.correct, c.n,
               100 * c.accuracy, 100 * c.ci95.low, 100 * c.ci95.high);
  }
  for (const eval::OutOfDomainCheck& o : r.out_of_domain) {
    fmt::print("out of domain {:<22} base {:5.1f}%  adapter {:5.1f}%  {}\n", o.set, 100 * o.base_accuracy,
               100 * o.adapter_accuracy, o.passed ? "pass" : "FAIL (loses more than 5 points)");
  }
  if (r.verdict) fmt::print("verdict: {} — {}\n", r.verdict->band, r.verdict->explanation);
  fmt::print("results in {}/ (results.json, items.jsonl, results.csv, results.md, results.svg)\n", dir);
}

int run_eval_run(EvalFlags& f) {
  const int modes = (f.adapter.empty() ? 0 : 1) + (f.base ? 1 : 0) + (f.routed ? 1 : 0);
  if (modes > 1) throw Error("choose one of --adapter NAME, --base and --routed");
  eval::Condition condition;
  condition.mode = f.routed ? "routed" : !f.adapter.empty() ? "adapter" : "base";
  condition.adapter = f.adapter;
  condition.reread = f.re2 == "on";
  condition.votes = f.votes;

  AssistantSetup setup = setup_for(f);
  eval::EvalSet set = resolve_eval_set(f.set, &setup.assistant->registry());
  set.is_private = set.is_private || f.is_private;
  const std::string dir =
      !f.out.empty() ? f.out : "loco-eval/" + slug(f.set + "-" + condition.mode + (f.adapter.empty() ? "" : "-" + f.adapter) +
                                               (f.context.empty() ? "" : "-context")) +
                                   fmt::format("-re2{}-v{}", f.re2, f.votes);
  std::filesystem::create_directories(dir);
  const std::string model_sha = model_identity(setup);
  // A private set's outputs may quote its items, so they are not kept on disk: such runs
  // cannot resume.
  eval::GenerationCache cache = set.is_private ? eval::GenerationCache() : eval::GenerationCache(dir + "/generations.jsonl");
  eval::Evaluator evaluator(*setup.assistant, setup.model, model_sha, session_options_for(setup), f.settings, &cache);
  eval::Results r = results_header(setup, model_sha, set, f.settings, "run");
  condition.context = use_context_pack(f, evaluator, r);
  EvalProgress progress(condition.name());
  eval::ConditionRun run = evaluator.run(set, condition, [&](const eval::Progress& p) { progress.update(p); });
  progress.finish();
  r.conditions.push_back(run.summary);
  eval::write_results(dir, r, &run.items);
  print_summary(r, dir);
  return 0;
}

int run_eval_grid(EvalFlags& f) {
  if (f.adapter.empty()) throw Error("the grid needs --adapter NAME");
  if (f.votes < 2) f.votes = 5;
  AssistantSetup setup = setup_for(f);
  const Registry& registry = setup.assistant->registry();
  if (registry.find(f.adapter) == nullptr) {
    throw Error("no adapter named '" + f.adapter + "' in " + registry.file() + " (see loco adapters list)");
  }
  eval::EvalSet set = resolve_eval_set(f.set.empty() ? f.adapter : f.set, &registry);
  set.is_private = set.is_private || f.is_private;
  eval::GridOptions go;
  go.adapter = f.adapter;
  go.votes = f.votes;
  if (!f.no_ood) {
    std::vector<std::string> names;
    if (!f.ood.empty()) {
      for (size_t start = 0; start <= f.ood.size();) {
        size_t comma = f.ood.find(',', start);
        if (comma == std::string::npos) comma = f.ood.size();
        if (comma > start) names.push_back(f.ood.substr(start, comma - start));
        start = comma + 1;
      }
    } else {
      // The other domains' registered sets; without any, the bundled LocoLLM v1 sets.
      const std::string own_domain = registry.find(f.adapter)->domain;
      for (const std::string& d : registry.domains()) {
        const AdapterEntry* e = registry.active_for(d);
        if (d != own_domain && e != nullptr && !e->eval_dataset.empty()) names.push_back(e->name);
      }
      if (names.empty()) names = {"locollm-v1/math", "locollm-v1/code", "locollm-v1/analysis"};
    }
    for (const std::string& n : names) {
      eval::EvalSet other = resolve_eval_set(n, &registry);
      if (other.sha256 != set.sha256) go.other_sets.push_back(std::move(other));
    }
  }
  const std::string dir = !f.out.empty() ? f.out : "loco-eval/grid-" + slug(f.adapter);
  std::filesystem::create_directories(dir);
  const std::string model_sha = model_identity(setup);
  eval::GenerationCache cache = set.is_private ? eval::GenerationCache() : eval::GenerationCache(dir + "/generations.jsonl");
  eval::Evaluator evaluator(*setup.assistant, setup.model, model_sha, session_options_for(setup), f.settings, &cache);
  eval::Results r = results_header(setup, model_sha, set, f.settings, "grid");
  r.settings.emplace_back("grid_votes", std::to_string(f.votes));
  go.context = use_context_pack(f, evaluator, r);
  std::vector<eval::ItemRecord> items;
  std::unique_ptr<EvalProgress> progress;
  std::string current;
  eval::run_grid(evaluator, set, go, r, items, [&](const std::string& label, const eval::Progress& p) {
    if (label != current) {
      if (progress) progress->finish();
      progress = std::make_unique<EvalProgress>(label);
      current = label;
    }
    progress->update(p);
  });
  if (progress) progress->finish();
  eval::write_results(dir, r, &items);
  print_summary(r, dir);
  return 0;
}

}  // namespace

Command register_eval_tools(CLI::App& eval_app);

Command register_eval(CLI::App& root) {
  auto* app = root.add_subcommand("eval", "Evaluate: run a set, the ablation grid, score, compare, report");
  app->require_subcommand(1);
  auto flags = std::make_shared<EvalFlags>();

  auto* run = app->add_subcommand("run", "Evaluate one condition on a set");
  run->add_option("--set", flags->set, "gsm8k, humaneval, locollm-v1/{math,code,analysis}, an adapter, or a JSONL file")
      ->required();
  run->add_option("--adapter", flags->adapter, "Answer with this adapter");
  run->add_flag("--base", flags->base, "Answer with the base model (the default)");
  run->add_flag("--routed", flags->routed, "Let the router choose per item");
  run->add_option("--re2", flags->re2, "RE2 re-reading")->capture_default_str()->check(CLI::IsMember({"on", "off"}));
  run->add_option("--votes", flags->votes, "Self-consistency samples per item")->capture_default_str()->check(CLI::Range(1, 64));
  run->add_flag("--private", flags->is_private, "Keep only hashes and scores (a surprise set)");
  run->add_option("--context", flags->context, "A context pack every item comes with (files or directories, repeatable)");
  add_model_flags(*run, *flags);

  auto* grid = app->add_subcommand("grid", "The ablation grid: {base, adapter, routed} x RE2 x votes, + out of domain");
  grid->add_option("--adapter", flags->adapter, "The adapter under test")->required();
  grid->add_option("--set", flags->set, "Its set (default: the adapter's registered eval set)");
  grid->add_option("--votes", flags->votes, "N of the voting column (default 5)")->check(CLI::Range(2, 64));
  grid->add_option("--ood", flags->ood, "Out-of-domain sets, comma-separated (default: the other domains' sets)");
  grid->add_flag("--no-ood", flags->no_ood, "Skip the out-of-domain check");
  grid->add_flag("--private", flags->is_private, "Keep only hashes and scores (a surprise set)");
  grid->add_option("--context", flags->context,
                   "A context pack: base, adapter and routed are also run with it, and compared (repeatable)");
  add_model_flags(*grid, *flags);

  auto report_dir = std::make_shared<std::string>();
  auto* report = app->add_subcommand("report", "Rewrite results.md, results.csv and results.svg from results.json");
  report->add_option("dir", *report_dir, "A results directory")->required();

  Command tools = register_eval_tools(*app);
  return {app, [=]() -> int {
            if (run->parsed()) return run_eval_run(*flags);
            if (grid->parsed()) return run_eval_grid(*flags);
            if (report->parsed()) {
              const eval::Results r = eval::load_results(*report_dir);
              eval::write_reports(*report_dir, r);
              fmt::print("wrote {0}/results.md, {0}/results.csv and {0}/results.svg\n", *report_dir);
              return 0;
            }
            return tools.run();
          }};
}

}  // namespace loco::cli
