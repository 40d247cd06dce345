#include "assistant_setup.h"
#include "builtin_model.h"
#include "router_options.h"
#include "text_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include <map>

#include "loco/error.h"
#include "loco/remote.h"
#include "loco/eval/eval_set.h"
#include "loco/router_learned.h"
#include "loco/user_config.h"

namespace loco::cli {
namespace {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// Code answers get the tests that the answering adapter's evaluation set holds for the
// same question (HumanEval items: the question is the item's prompt, or how loco eval
// asks it). Sets are read once, on first use.
std::function<std::optional<CodeTests>(const std::string&, const std::string&)> code_tests_from_eval_sets(
    const Registry& registry) {
  auto cache = std::make_shared<std::map<std::string, std::vector<eval::EvalItem>>>();
  return [registry, cache](const std::string& adapter, const std::string& question) -> std::optional<CodeTests> {
    const AdapterEntry* e = registry.find(adapter);
    if (e == nullptr || e->eval_type != EvalType::Code || e->eval_dataset.empty()) return std::nullopt;
    auto it = cache->find(adapter);
    if (it == cache->end()) {
      std::vector<eval::EvalItem> items;
      try {
        items = eval::load_eval_set(registry.resolve_eval_dataset(*e), adapter).items;
      } catch (const Error&) {
        // An unreadable set means no tests; `loco eval` reports the set's problem.
      }
      it = cache->emplace(adapter, std::move(items)).first;
    }
    for (const eval::EvalItem& item : it->second) {
      if (item.code_test.empty()) continue;
      if (question == item.code_prompt || question == item.question) {
        return CodeTests{item.code_prompt, item.code_test, item.entry_point,
                         fmt::format("tests of {} in {}'s evaluation set", item.id, adapter)};
      }
    }
    return std::nullopt;
  };
}

void fill_query_options(AssistantSetup& setup, const AssistantFlags& f, const Settings& s) {
  QueryOptions& q = setup.query;
  q.adapter = f.adapter;
  q.ensemble = split_list(f.ensemble);
  q.reread = s.reread;
  q.votes = s.votes;
  q.vote_temperature = s.vote_temperature;
  q.early_stop = !f.no_early_stop;
  q.sampling = sampler_config(f.sampling);
  q.sampling.temperature = f.sampling.greedy ? 0.0f : s.temperature;
  q.max_tokens = f.max_tokens;
  q.think = f.think;
  q.template_name = f.template_name;
  if (!f.eval_type.empty()) {
    auto t = parse_eval_type(f.eval_type);
    if (!t) throw Error("--eval-type '" + f.eval_type + "' is not one of numeric, multiple_choice, code, free_text");
    q.eval_type = *t;
  }
  if (!f.tests_file.empty()) {
    q.code_tests = CodeTests{"", read_text_file(f.tests_file), "", f.tests_file};
  }
  q.find_code_tests = code_tests_from_eval_sets(setup.assistant->registry());
  q.context = load_context_files(f.context_files);
}

}  // namespace

void add_assistant_flags(CLI::App& app, AssistantFlags& f) {
  app.add_option("-m,--model", f.model, "Base model GGUF (default: `model` in the config file)");
  app.add_option("--adapter", f.adapter, "Adapter: auto (the router picks), none (base model) or a name/domain")
      ->capture_default_str();
  app.add_option("--ensemble", f.ensemble, "Several adapters vote together, e.g. math,analysis");
  app.add_option("--votes", f.votes, "Self-consistency: answers sampled and voted on (default: config, 1)")
      ->check(CLI::Range(1, 64));
  app.add_option("--vote-temperature", f.vote_temperature, "Temperature of the votes (default 0.7)")
      ->check(CLI::Range(0.0, 5.0));
  app.add_flag("--no-reread", f.no_reread, "Do not repeat the question (RE2 is on by default, except for loco-nano)");
  app.add_flag("--reread", f.reread, "Repeat the question (RE2) even for loco-nano")->excludes("--no-reread");
  app.add_flag("--no-early-stop", f.no_early_stop, "Sample every vote even when the result cannot change");
  app.add_option("--context", f.context_files,
                 "Structured context: a rubric, specification, template or excerpt file, or a directory of them "
                 "(repeatable; fitted to the prompt's budget, see docs/context.md)");
  app.add_option("-n,--max-tokens", f.max_tokens, "Most tokens per answer")->capture_default_str()->check(CLI::Range(1, 1 << 16));
  app.add_flag("--think", f.think, "Let Qwen3 think before answering");
  app.add_option("--template", f.template_name, "Chat format instead of the model's own");
  app.add_option("--eval-type", f.eval_type, "How answers are judged: numeric, multiple_choice, code, free_text");
  app.add_option("--router", f.router, "keyword, classifier or embedding (default: config, keyword)")
      ->check(CLI::IsMember({"keyword", "classifier", "embedding"}));
  app.add_option("--router-file", f.router_file, "Learned router (default: <data dir>/router.json)");
  app.add_option("--config", f.config_file, "Config file (default: <config dir>/config.yaml)");
  app.add_option("--data-dir", f.data_dir, "Data directory (default: $LOCO_DATA_DIR or ~/.local/share/loco)");
  app.add_option("--registry", f.registry_file, "Adapter registry (default: <data dir>/adapters/registry.yaml)");
  app.add_option("-t,--threads", f.threads, "Worker threads (default: config, physical cores)");
  app.add_option("-c,--ctx", f.ctx, "Context size in tokens (default: config, 4096)")->check(CLI::Range(64, 1 << 20));
  app.add_option("--kv-type", f.kv_type, "KV cache element type: f16, f32 or q8_0")
      ->capture_default_str()->check(CLI::IsMember({"f16", "f32", "q8_0"}));
  add_sampling_flags(app, f.sampling);
  add_backend_flags(app, f.remote);
}

void add_backend_flags(CLI::App& app, BackendFlags& f) {
  app.add_option("--backend", f.backend,
                 "Generate on a remote model: openai:URL (loco serve, Ollama, llama-server, vLLM, any OpenAI-compatible "
                 "API) or anthropic[:URL]; routing, RE2, votes and confidence stay here (docs/remote.md)");
  app.add_option("--remote-model", f.remote_model, "The base model's name at the remote backend");
  app.add_option("--remote-timeout", f.remote_timeout, "Seconds one remote request may take")
      ->capture_default_str()->check(CLI::Range(1.0, 86400.0));
}

std::shared_ptr<RemoteBackend> connect_backend(const BackendFlags& f, const UserPaths& paths) {
  const RemoteSpec spec = parse_backend_spec(f.backend);
  RemoteOptions ro;
  ro.model = f.remote_model;
  ro.timeout_seconds = f.remote_timeout;
  ro.key = find_api_key(spec, paths.config_dir + "/keys.yaml");
  return connect_remote(spec, ro);
}

namespace {

// The router the flags and config choose: --router-file, else loco-nano's own (when it
// answers and no router was asked for), else choose_router's pick.
RouterChoice pick_router(const AssistantFlags& f, const UserPaths& paths, std::optional<RouterKind> configured,
                         const Registry& registry, const BuiltinModel* builtin) {
  if (!f.router_file.empty() && configured != RouterKind::Keyword) {
    if (!std::filesystem::exists(f.router_file)) throw Error(f.router_file + " not found (--router-file)");
    return {configured ? std::string(router_kind_name(*configured)) : router_file_kind(f.router_file), f.router_file,
            "--router-file"};
  }
  if (builtin != nullptr && std::filesystem::exists(builtin->router)) {
    return {"classifier", builtin->router, "loco-nano's router"};
  }
  return choose_router(paths.data_dir, configured, registry);
}

std::shared_ptr<const Router> classifier_router(const RouterChoice& choice, const Settings& s) {
  auto r = std::make_shared<ClassifierRouter>(ClassifierRouter::load(choice.file));
  if (s.router_threshold) r->set_threshold(*s.router_threshold);
  return r;
}

// The Assistant over a remote backend: the user's registry and router (the built-in
// family's belong to loco-nano's weights), no local model.
AssistantSetup make_remote_assistant(const AssistantFlags& f, const UserPaths& paths, const SettingsLayer& config,
                                     const SettingsLayer& flags, const Settings& s) {
  if (!f.model.empty()) throw Error("give -m MODEL or --backend, not both: with a backend the model is remote");
  Registry registry = Registry::load_or_empty(!f.registry_file.empty() ? f.registry_file : paths.registry_file());
  const std::optional<RouterKind> configured = flags.router ? flags.router : config.router;
  const char* no_embedding =
      "the embedding router reads the local base model's hidden states, which a remote backend does not have: use "
      "--router keyword or --router classifier with --backend";
  if (configured == RouterKind::Embedding) throw Error(no_embedding);
  const RouterChoice choice = pick_router(f, paths, configured, registry, nullptr);
  if (choice.kind == "embedding") throw Error(no_embedding);
  std::shared_ptr<const Router> router;
  if (choice.kind == "classifier") router = classifier_router(choice, s);
  std::shared_ptr<RemoteBackend> backend = connect_backend(f.remote, paths);
  Assistant::Options ao;
  ao.n_ctx = s.ctx;
  AssistantSetup setup;
  setup.n_ctx = s.ctx;
  setup.model_path = fmt::format("{} ({})", backend->name(), backend->base_model());
  setup.data_dir = paths.data_dir;
  setup.threads = s.threads;
  setup.assistant = std::make_unique<Assistant>(backend, std::move(registry), router, ao);
  fill_query_options(setup, f, s);
  return setup;
}

}  // namespace

AssistantSetup make_assistant(const AssistantFlags& f) {
  UserPaths paths = resolve_user_paths(f.config_file, f.data_dir);
  SettingsLayer config = load_config(paths.config_file);
  SettingsLayer flags;
  if (!f.model.empty()) flags.model = f.model;
  if (f.votes) flags.votes = *f.votes;
  if (f.vote_temperature) flags.vote_temperature = *f.vote_temperature;
  if (f.no_reread) flags.reread = false;
  if (f.reread) flags.reread = true;
  if (f.threads) flags.threads = *f.threads;
  if (f.ctx) flags.ctx = *f.ctx;
  if (!f.router.empty()) flags.router = parse_router_kind(f.router);
  if (f.sampling.temperature_given()) flags.temperature = f.sampling.config.temperature;
  Settings s = merge_settings(config, flags);
  if (!f.remote.backend.empty()) return make_remote_assistant(f, paths, config, flags, s);
  // No model configured: the built-in demonstration family, with its own registry and
  // router (the user's were made for another base model), unless named explicitly.
  std::optional<BuiltinModel> builtin;
  if (s.model.empty()) {
    builtin = builtin_nano();
    if (!builtin) {
      throw Error("no model given: pass -m MODEL.gguf or set `model:` in " + paths.config_file +
                  " (the built-in loco-nano is not there either: run scripts/train-nano.sh)");
    }
    s.model = builtin->model;
    // RE2 costs loco-nano accuracy on every adapter (docs/nano-results.md): its family never
    // saw a re-read prompt. Off unless the flags or the config ask for it.
    if (!flags.reread && !config.reread) s.reread = false;
  }

  auto model = Model::load(s.model);
  const std::string registry_file = !f.registry_file.empty() ? f.registry_file
                                    : builtin                ? builtin->registry
                                                             : paths.registry_file();
  Registry registry = Registry::load_or_empty(registry_file);

  std::shared_ptr<const Router> router;
  const std::optional<RouterKind> configured = flags.router ? flags.router : config.router;
  const RouterChoice choice = pick_router(f, paths, configured, registry, builtin && !flags.router ? &*builtin : nullptr);
  if (choice.kind == "classifier") {
    router = classifier_router(choice, s);
  } else if (choice.kind == "embedding") {
    auto r = std::make_shared<EmbeddingRouter>(EmbeddingRouter::load(
        choice.file, hidden_state_features(model, router_model_label(s.model, paths.data_dir))));
    if (s.router_threshold) r->set_threshold(*s.router_threshold);
    router = r;
  }

  Assistant::Options ao;
  ao.n_ctx = s.ctx;
  ao.threads = s.threads;
  ao.kv_type = f.kv_type == "f32" ? KvType::F32 : f.kv_type == "q8_0" ? KvType::Q8_0 : KvType::F16;
  AssistantSetup setup;
  setup.n_ctx = s.ctx;
  setup.model = model;
  setup.model_path = s.model;
  setup.builtin = builtin.has_value();
  setup.data_dir = paths.data_dir;
  setup.threads = s.threads;
  setup.kv_type = ao.kv_type;
  setup.assistant = std::make_unique<Assistant>(model, std::move(registry), router, ao);

  fill_query_options(setup, f, s);
  return setup;
}

std::vector<ContextDocument> load_context_files(const std::vector<std::string>& paths) {
  std::vector<ContextDocument> docs;
  for (const std::string& path : paths) {
    LoadedContext loaded = load_context(path);
    for (const std::string& skipped : loaded.skipped) fmt::print(stderr, "note: context: skipped {}\n", skipped);
    for (ContextDocument& d : loaded.documents) docs.push_back(std::move(d));
  }
  return docs;
}

}  // namespace loco::cli
