#include "loco/assistant.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "loco/answer.h"
#include "loco/chat_prompt.h"
#include "loco/error.h"
#include "loco/prompt_builder.h"
#include "loco/sha256.h"
#include "loco/vote.h"

namespace loco {
namespace {

AdapterKeywords registry_keywords(const Registry& registry) {
  AdapterKeywords out;
  for (const std::string& domain : registry.domains()) {
    const AdapterEntry* e = registry.active_for(domain);
    if (e != nullptr && !e->router_keywords.empty()) out.emplace_back(e->name, e->router_keywords);
  }
  return out;
}

std::string last_line(const std::string& text) {
  std::string t = text;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  const size_t nl = t.rfind('\n');
  std::string line = nl == std::string::npos ? t : t.substr(nl + 1);
  return line.size() > 160 ? line.substr(0, 160) + "..." : line;
}

// The sandboxed check of a code answer: the tests given with the question or found for it,
// else only that the program runs and defines the function the question names.
CodeTask code_task_for(const std::string& question, const std::string& adapter, const QueryOptions& o,
                       std::string& source) {
  std::optional<CodeTests> tests = o.code_tests;
  if (!tests && o.find_code_tests) tests = o.find_code_tests(adapter, question);
  CodeTask task;
  task.entry_point = code_entry_point(question).value_or("");
  if (tests) {
    task.prelude = tests->prelude;
    task.test_code = tests->test_code;
    if (!tests->entry_point.empty()) task.entry_point = tests->entry_point;
    // Plain asserts run as the tests file executes; the harness still calls check().
    if (!task.entry_point.empty() && task.test_code.find("def check") == std::string::npos) {
      task.test_code += "\n\ndef check(candidate):\n    pass\n";
    }
    source = tests->source;
  }
  return task;
}

// The adapter a code vote's tests belong to: the first of an ensemble.
std::string first_adapter(const QueryResult& r) {
  const size_t plus = r.adapter.find('+');
  return plus == std::string::npos ? r.adapter : r.adapter.substr(0, plus);
}

}  // namespace

int64_t estimate_remote_tokens(std::string_view text) {
  // BPE vocabularies of current models average about 4 bytes per token on English text and
  // fewer on code and other scripts; 3 keeps the budget on the safe side.
  return static_cast<int64_t>((text.size() + 2) / 3);
}

const char* code_check_name(CodeCheck check) {
  switch (check) {
    case CodeCheck::NotCode: return "not code";
    case CodeCheck::NotRun: return "not run";
    case CodeCheck::TestsPassed: return "tests passed";
    case CodeCheck::TestsFailed: return "tests failed";
    case CodeCheck::RanWithoutTests: return "ran without tests";
    case CodeCheck::FailedToRun: return "failed to run";
    case CodeCheck::SandboxUnavailable: return "not run, the sandbox is incomplete here";
  }
  return "not run";
}

const char* confidence_name(ConfidenceLevel level) {
  switch (level) {
    case ConfidenceLevel::High: return "high";
    case ConfidenceLevel::Medium: return "medium";
    case ConfidenceLevel::Low: return "low";
  }
  return "medium";
}

Assistant::Assistant(std::shared_ptr<const Model> model, Registry registry, std::shared_ptr<const Router> router,
                     const Options& options)
    : model_(std::move(model)),
      tokenizer_(Tokenizer::from_gguf(model_->file())),
      registry_(std::move(registry)),
      router_(std::move(router)),
      options_(options),
      format_(ChatFormat::ChatML) {
  if (router_ == nullptr) {
    AdapterKeywords keywords = registry_keywords(registry_);
    if (!keywords.empty()) router_ = std::make_shared<KeywordRouter>(std::move(keywords));
  }
}

Assistant::Assistant(std::shared_ptr<RemoteBackend> remote, Registry registry, std::shared_ptr<const Router> router,
                     const Options& options)
    : remote_(std::move(remote)),
      registry_(std::move(registry)),
      router_(std::move(router)),
      options_(options),
      format_(ChatFormat::ChatML) {
  if (remote_ == nullptr) throw Error("no remote backend given");
  if (router_ == nullptr) {
    AdapterKeywords keywords = registry_keywords(registry_);
    if (!keywords.empty()) router_ = std::make_shared<KeywordRouter>(std::move(keywords));
  }
}

const Model& Assistant::model() const {
  if (model_ == nullptr) throw Error("this assistant answers on a remote backend (" + remote_->name() + "), not a local model");
  return *model_;
}

const Tokenizer& Assistant::tokenizer() const {
  if (!tokenizer_) throw Error("this assistant answers on a remote backend (" + remote_->name() + "), which has no local tokenizer");
  return *tokenizer_;
}

RemoteBackend& Assistant::remote() const {
  if (remote_ == nullptr) throw Error("this assistant answers with a local model, not a remote backend");
  return *remote_;
}

std::shared_ptr<const LoraAdapter> Assistant::adapter(const std::string& name) {
  if (name.empty()) return nullptr;
  if (auto it = adapters_.find(name); it != adapters_.end()) return it->second;
  const AdapterEntry* e = registry_.find(name);
  if (e == nullptr) throw Error("no adapter named '" + name + "' in " + registry_.file() + " (see loco adapters list)");
  if (remote_ != nullptr) return nullptr;  // the remote holds the weights (remote_models)
  if (e->type == kMergedGguf) {
    throw Error(fmt::format("adapter '{}' is a merged model (type {}); it cannot be applied to this base at run "
                            "time: run it as the model (-m {})", name, e->type, registry_.resolve(e->path)));
  }
  const std::string path = registry_.resolve(e->path);
  if (!e->sha256.empty()) {
    // The registry's hash is what the adapter was evaluated as: a file changed since (a
    // retrained adapter copied over, a damaged download) must not answer under its name.
    const bool is_dir = std::filesystem::is_directory(path);
    const std::string weights = is_dir ? path + "/adapter_model.safetensors" : path;
    if (!std::filesystem::exists(weights)) throw Error("adapter '" + name + "': " + weights + " is missing");
    const std::string actual = sha256_file(weights);
    if (actual != e->sha256) {
      throw Error(fmt::format("adapter '{}': {} has sha256 {}, but {} records {}; the file changed since it was "
                              "registered (add it again with `loco adapters add --force` if that was intended)",
                              name, weights, actual.substr(0, 16), registry_.file(), e->sha256.substr(0, 16)));
    }
  }
  if (!e->config_sha256.empty() && std::filesystem::is_directory(path)) {
    // A PEFT adapter's scale, targets and rank live in its config: changing it changes
    // the adapter as much as changing its weights.
    const std::string config = path + "/adapter_config.json";
    if (!std::filesystem::exists(config)) throw Error("adapter '" + name + "': " + config + " is missing");
    const std::string actual = sha256_file(config);
    if (actual != e->config_sha256) {
      throw Error(fmt::format("adapter '{}': {} has sha256 {}, but {} records {}; the file changed since it was "
                              "registered (add it again with `loco adapters add --force` if that was intended)",
                              name, config, actual.substr(0, 16), registry_.file(),
                              e->config_sha256.substr(0, 16)));
    }
  }
  auto a = LoraAdapter::load(path, *model_);
  adapters_[name] = a;
  return a;
}

Assistant::Choice Assistant::choose_adapters(const std::string& question, const QueryOptions& o) const {
  Choice c;
  auto resolve_name = [&](const std::string& name) -> std::string {
    if (registry_.find(name) != nullptr) return name;
    if (const AdapterEntry* e = registry_.active_for(name)) return e->name;  // a domain
    throw Error("no adapter or domain named '" + name + "' (see loco adapters list)");
  };
  if (!o.ensemble.empty()) {
    for (const std::string& name : o.ensemble) {
      c.adapters.push_back(name == "none" ? std::string() : resolve_name(name));
    }
    c.reason = "ensemble chosen on the command line";
    return c;
  }
  if (o.adapter == "none") {
    c.adapters = {""};
    c.reason = "the base model was asked for";
    return c;
  }
  if (o.adapter != "auto") {
    c.adapters = {resolve_name(o.adapter)};
    c.reason = "chosen on the command line";
    return c;
  }
  if (router_ == nullptr) {
    c.adapters = {""};
    c.reason = "no adapters are installed, so the base model answers";
    return c;
  }
  RouteDecision d = router_->route(question);
  c.route = d;
  if (d.adapter.empty()) {
    c.adapters = {""};
    c.reason = d.explanation;
    return c;
  }
  std::string name = d.adapter;
  if (registry_.find(name) == nullptr) {
    const AdapterEntry* e = registry_.active_for(name);
    if (e == nullptr) {
      c.adapters = {""};
      c.reason = fmt::format("the router picked '{}', which is not installed, so the base model answers", name);
      return c;
    }
    name = e->name;
  }
  c.adapters = {name};
  c.reason = d.explanation;
  return c;
}

Session& Assistant::session_for(int32_t n_seq, int32_t n_ctx_total) {
  if (session_ == nullptr || session_->kv_cache().n_seq() < n_seq ||
      session_->kv_cache().n_blocks_total() * KvCache::kBlockSize < n_ctx_total) {
    if (session_) retired_tokens_ += session_->tokens_evaluated();
    session_.reset();  // free the old cache before allocating the new one
    SessionOptions so;
    so.n_ctx = options_.n_ctx;
    so.n_seq = n_seq;
    so.n_ctx_total = std::max(n_ctx_total, options_.n_ctx);
    so.n_threads = options_.threads;
    so.kv_type = options_.kv_type;
    session_ = std::make_unique<Session>(model_, so);
  }
  return *session_;
}

uint64_t Assistant::tokens_evaluated() const {
  return retired_tokens_ + (session_ ? session_->tokens_evaluated() : 0);
}

size_t Assistant::count_tokens(const std::vector<ChatMessage>& messages, const QueryOptions& o) const {
  if (messages.empty()) return 0;
  if (remote_ != nullptr) {
    size_t n = 0;
    for (const ChatMessage& m : messages) n += static_cast<size_t>(estimate_remote_tokens(m.content)) + 4;
    return n;
  }
  ChatFormat format = resolve_chat_format(model_->file(), o.template_name);
  ChatOptions co;
  co.enable_thinking = o.think;
  co.add_generation_prompt = false;
  return tokenize_chat(*tokenizer_, format, messages, co).size();
}

const std::vector<ContextDocument>& Assistant::adapter_context(const AdapterEntry& entry) {
  auto it = adapter_context_.find(entry.name);
  if (it != adapter_context_.end()) return it->second;
  std::vector<ContextDocument> docs;
  const std::string dir = registry_.dir() + "/";
  for (const std::string& path : entry.context) {
    try {
      for (ContextDocument& d : load_context(registry_.resolve(path)).documents) {
        // Named as the registry names them, not by their absolute paths.
        if (d.source.starts_with(dir)) d.source = d.source.substr(dir.size());
        docs.push_back(std::move(d));
      }
    } catch (const Error& e) {
      throw Error(fmt::format("adapter '{}': its context: {}", entry.name, e.what()));
    }
  }
  return adapter_context_.emplace(entry.name, std::move(docs)).first->second;
}

PreparedQuery Assistant::prepare(const std::string& question, const QueryOptions& o) {
  if (question.empty()) throw Error("the question is empty");
  PreparedQuery q;
  Choice choice = choose_adapters(question, o);
  q.adapters = choice.adapters;
  q.reason = choice.reason;
  q.route = choice.route;
  const AdapterEntry* entry = choice.adapters.size() == 1 && !choice.adapters[0].empty()
                                  ? registry_.find(choice.adapters[0])
                                  : nullptr;
  if (!choice.adapters.empty() && !choice.adapters[0].empty() && entry == nullptr) {
    entry = registry_.find(choice.adapters[0]);
  }
  q.eval_type = o.eval_type ? *o.eval_type : entry != nullptr ? entry->eval_type : EvalType::None;
  if (!o.eval_type && choice.adapters.size() > 1) {
    // An ensemble is judged by the first member's eval type.
    if (const AdapterEntry* first = registry_.find(choice.adapters[0])) q.eval_type = first->eval_type;
  }

  PromptSpec spec;
  spec.question = question;
  spec.reread = o.reread;
  spec.history = o.history;
  if (entry != nullptr && o.adapter_prompt) spec.context = adapter_context(*entry);
  spec.context.insert(spec.context.end(), o.context.begin(), o.context.end());
  if (entry != nullptr && o.adapter_prompt) {
    spec.system_prompt = entry->system_prompt.value_or("");
    for (const FewShotExample& ex : entry->few_shot) spec.few_shot.emplace_back(ex.question, ex.answer);
  }
  if (remote_ != nullptr) {
    prepare_remote(q, spec, o);
    return q;
  }
  ChatOptions co;
  co.enable_thinking = o.think;
  format_ = resolve_chat_format(model_->file(), o.template_name);
  if (o.fit_to_context) {
    FittedPrompt fitted = fit_prompt(spec, *tokenizer_, format_, co, options_.n_ctx, o.max_tokens);
    q.prompt = std::move(fitted.tokens);
    q.answer_tokens = fitted.answer_tokens;
    q.history_turns_dropped = fitted.history_turns_dropped;
    q.prompt_notes = std::move(fitted.notes);
    q.context = std::move(fitted.context);
  } else {
    q.prompt = build_prompt_tokens(spec, *tokenizer_, format_, co, options_.n_ctx, o.max_tokens, &q.context);
    q.answer_tokens = o.max_tokens;
  }

  for (const std::string& name : choice.adapters) {
    q.loaded.push_back(adapter(name));
    const AdapterEntry* e = name.empty() ? nullptr : registry_.find(name);
    q.scales.push_back(e != nullptr ? static_cast<float>(e->scale) : 1.0f);
  }
  return q;
}

QueryResult Assistant::ask(const std::string& question, const QueryOptions& o, const AnswerStream& stream) {
  if (question.empty()) throw Error("the question is empty");
  if (o.votes < 1 || o.votes > 64) throw Error("--votes must be between 1 and 64");
  QueryResult r;
  r.question = question;
  r.votes_requested = o.votes;

  PreparedQuery q = prepare(question, o);
  Choice choice{q.adapters, q.reason, q.route};
  r.adapter_reason = choice.reason;
  r.route = choice.route;
  for (size_t i = 0; i < choice.adapters.size(); ++i) {
    r.adapter += (i ? "+" : "") + choice.adapters[i];
  }
  r.eval_type = q.eval_type;
  const std::vector<TokenId>& prompt = q.prompt;
  r.prompt_tokens = static_cast<int32_t>(prompt.size());
  r.history_turns_dropped = q.history_turns_dropped;
  r.prompt_notes = q.prompt_notes;
  r.context = q.context;
  if (remote_ != nullptr) {
    answer_remotely(r, q, o, stream);
    return r;
  }
  const int32_t answer_tokens = q.answer_tokens;
  const std::vector<std::shared_ptr<const LoraAdapter>>& loaded = q.loaded;
  auto scale_of = [&](const std::string& name) {
    for (size_t i = 0; i < q.adapters.size(); ++i)
      if (q.adapters[i] == name) return q.scales[i];
    return 1.0f;
  };

  const bool voting = o.votes > 1 || choice.adapters.size() > 1;
  if (!voting) {
    Session& s = session_for(1, options_.n_ctx);
    s.set_adapter(0, loaded[0], scale_of(choice.adapters[0]));
    s.clear(0);
    GenerateOptions go;
    go.max_tokens = answer_tokens;
    go.sampling = o.sampling;
    const uint64_t before = s.tokens_evaluated();
    GenerateResult g = generate(s, *tokenizer_, prompt, go, stream ? TextCallback(stream) : TextCallback());
    r.prompt_tokens_evaluated = std::min<uint64_t>(s.tokens_evaluated() - before, prompt.size());
    r.prompt_seconds = g.prompt_seconds;
    r.generate_seconds = g.generate_seconds;
    r.generated_tokens = g.tokens.size();
    settle_single(r, Candidate{choice.adapters[0], g.text, std::nullopt, g.mean_log_prob, g.stop, false}, o);
    return r;
  }

  // Votes: the samples are split over the adapters (an ensemble) and decoded together.
  std::vector<SampleGroup> groups;
  const int32_t n_groups = static_cast<int32_t>(choice.adapters.size());
  const int32_t votes = std::max<int32_t>(o.votes, n_groups);
  for (int32_t g = 0; g < n_groups; ++g) {
    const int32_t count = votes / n_groups + (g < votes % n_groups ? 1 : 0);
    groups.push_back({loaded[static_cast<size_t>(g)], scale_of(choice.adapters[static_cast<size_t>(g)]), count});
  }
  const int32_t per_sample = answer_tokens + KvCache::kBlockSize;
  Session& s = session_for(votes, n_groups * (r.prompt_tokens + KvCache::kBlockSize) + votes * per_sample);
  GenerateOptions go;
  go.max_tokens = answer_tokens;
  go.sampling = o.sampling;
  go.sampling.temperature = o.vote_temperature;

  const bool keyed = r.eval_type == EvalType::Numeric || r.eval_type == EvalType::MultipleChoice;
  SampleFinished on_finished;
  if (keyed && o.early_stop) {
    on_finished = [&](const std::vector<Sample>& samples, size_t) {
      VoteTally tally;
      int finished = 0;
      for (const Sample& smp : samples) {
        if (!smp.finished) continue;
        ++finished;
        tally.add(extract_answer(r.eval_type, smp.text));
      }
      return tally.leader().has_value() && tally.decided(votes - finished);
    };
  }
  SampleManyResult m = sample_groups(s, *tokenizer_, prompt, groups, go, on_finished);
  r.prompt_tokens_evaluated = m.prompt_tokens_evaluated;
  r.prompt_seconds = m.prompt_seconds;
  r.generate_seconds = m.generate_seconds;
  r.stopped_early = m.stopped_early;
  for (const Sample& smp : m.samples) r.generated_tokens += smp.tokens.size();
  for (const Sample& smp : m.samples) {
    if (!smp.finished) continue;
    Candidate c{choice.adapters[static_cast<size_t>(smp.group)], smp.text, std::nullopt, smp.mean_log_prob,
                smp.stop, false};
    if (r.eval_type != EvalType::Code) c.answer = extract_answer(r.eval_type, smp.text);
    r.candidates.push_back(std::move(c));
  }
  settle_votes(r, o);
  return r;
}

void settle_single(QueryResult& r, Candidate c, const QueryOptions& o) {
  if (r.eval_type != EvalType::Code) c.answer = extract_answer(r.eval_type, c.text);
  if (r.eval_type == EvalType::Code) {
    const CodeAnswerCheck check = check_code_answer(r.question, c.text, c.adapter, o);
    c.passed = check.passed;
    c.answer = check.code;
    r.code_check = check.check;
    r.code_check_detail = check.detail;
  }
  r.text = c.text;
  r.answer = c.answer;
  r.mean_log_prob = c.mean_log_prob;
  r.candidates.push_back(std::move(c));
  r.votes_sampled = 1;
  r.agreement = "1/1";
  r.confidence = judge_confidence(r, r.confidence_note);
}

void settle_votes(QueryResult& r, const QueryOptions& o) {
  r.votes_sampled = static_cast<int>(r.candidates.size());
  if (r.eval_type != EvalType::Code) {
    settle_vote(r);
    return;
  }
  std::optional<size_t> chosen;
  std::vector<std::optional<std::string>> codes;
  for (const Candidate& c : r.candidates) codes.push_back(extract_code(c.text));
  std::string source;
  const CodeTask task = code_task_for(r.question, first_adapter(r), o, source);
  std::optional<CodeVote> voted;
  try {
    voted = vote_code(codes, task);
  } catch (const SandboxUnavailable& e) {
    // Nothing could be run: the first program is offered as an unchecked draft.
    r.code_check = CodeCheck::SandboxUnavailable;
    r.code_check_detail = e.what();
    r.agreement = fmt::format("0/{} run", codes.size());
    r.agreement_ratio = 0.0;
    for (size_t i = 0; i < codes.size() && !chosen; ++i)
      if (codes[i]) chosen = i;
    if (chosen) r.answer = codes[*chosen];
  }
  if (voted) {
    const CodeVote& cv = *voted;
    const bool has_tests = !task.test_code.empty();
    r.code_check = cv.chosen ? (has_tests ? CodeCheck::TestsPassed : CodeCheck::RanWithoutTests)
                             : (has_tests ? CodeCheck::TestsFailed : CodeCheck::FailedToRun);
    r.code_check_detail = cv.chosen ? source : fmt::format("none of the {} programs passed", cv.samples);
    for (size_t i = 0; i < r.candidates.size(); ++i) r.candidates[i].passed = cv.results[i].passed;
    r.agreement = cv.agreement;
    int winners = 0;
    for (const CodeCandidateResult& x : cv.results) {
      winners += cv.chosen && x.passed && x.syntax_key == cv.results[*cv.chosen].syntax_key;
    }
    r.agreement_ratio = cv.samples > 0 ? static_cast<double>(winners) / cv.samples : 0.0;
    chosen = cv.chosen;
    if (chosen) r.answer = codes[*chosen];
  }
  const size_t pick = chosen.value_or(0);
  if (!r.candidates.empty()) {
    r.text = r.candidates[pick].text;
    r.mean_log_prob = r.candidates[pick].mean_log_prob;
  }
  if (!chosen) r.answer.reset();
  r.confidence = judge_confidence(r, r.confidence_note);
}

void settle_vote(QueryResult& r) {
  r.votes_sampled = static_cast<int>(r.candidates.size());
  std::optional<size_t> chosen;
  if (r.eval_type == EvalType::Numeric || r.eval_type == EvalType::MultipleChoice) {
    VoteTally tally;
    for (const Candidate& c : r.candidates) tally.add(c.answer);
    r.agreement = tally.agreement();
    r.agreement_ratio = tally.agreement_ratio();
    if (auto leader = tally.leader()) {
      for (size_t i = 0; i < r.candidates.size() && !chosen; ++i) {
        if (r.candidates[i].answer == leader) chosen = i;
      }
    }
  } else {
    std::vector<std::optional<std::string>> texts;
    for (const Candidate& c : r.candidates) texts.push_back(c.answer);
    FreeTextChoice fc = choose_free_text(texts);
    r.agreement = fc.agreement;
    r.agreement_ratio = fc.samples > 0 ? static_cast<double>(fc.support) / fc.samples : 0.0;
    chosen = fc.index;
  }
  const size_t pick = chosen.value_or(0);
  if (!r.candidates.empty()) {
    r.text = r.candidates[pick].text;
    r.answer = r.candidates[pick].answer;
    r.mean_log_prob = r.candidates[pick].mean_log_prob;
  }
  if (!chosen) r.answer.reset();
  r.confidence = judge_confidence(r, r.confidence_note);
}

CodeAnswerCheck check_code_answer(const std::string& question, const std::string& answer_text,
                                  const std::string& adapter, const QueryOptions& o) {
  CodeAnswerCheck out;
  std::string source;
  const CodeTask task = code_task_for(question, adapter, o, source);
  out.code = extract_code(answer_text);
  if (!out.code) {
    out.check = CodeCheck::NotRun;
    out.detail = "no code in the answer";
    return out;
  }
  CodeCandidateResult run;
  try {
    run = evaluate_code(out.code, task);
  } catch (const SandboxUnavailable& e) {
    out.check = CodeCheck::SandboxUnavailable;
    out.detail = e.what();
    return out;
  }
  out.passed = run.passed;
  const bool has_tests = !task.test_code.empty();
  out.check = run.passed ? (has_tests ? CodeCheck::TestsPassed : CodeCheck::RanWithoutTests)
                         : (has_tests ? CodeCheck::TestsFailed : CodeCheck::FailedToRun);
  out.detail = run.passed ? source : run.run.timed_out ? std::string("timed out") : last_line(run.run.stderr_text);
  return out;
}

ConfidenceLevel judge_confidence(const QueryResult& r, std::string& note) {
  const bool extracts = r.eval_type == EvalType::Numeric || r.eval_type == EvalType::MultipleChoice;
  if (r.eval_type == EvalType::Code && r.code_check == CodeCheck::SandboxUnavailable) {
    note = "its program was not run (this machine's code sandbox is incomplete); treat this code as a draft";
    return ConfidenceLevel::Low;
  }
  if (r.eval_type == EvalType::Code && r.votes_sampled > 1 && !r.answer) {
    note = fmt::format("none of the {} programs ran and passed its checks; treat this code as a draft", r.votes_sampled);
    return ConfidenceLevel::Low;
  }
  if (r.eval_type == EvalType::Code && r.votes_sampled <= 1 &&
      (r.code_check == CodeCheck::TestsFailed || r.code_check == CodeCheck::FailedToRun)) {
    note = fmt::format("its program {} ({}); treat this code as a draft", code_check_name(r.code_check),
                       r.code_check_detail);
    return ConfidenceLevel::Low;
  }
  if (extracts && !r.answer) {
    note = "no clear final answer could be found in the response; check it yourself";
    return ConfidenceLevel::Low;
  }
  if (r.votes_sampled > 1) {
    // Agreement is measured over the votes that were planned, not those that happened to
    // be drawn before sampling stopped: stopping at 3/3 of 5 planned is the evidence of
    // 3 agreeing votes out of 5, never more confidence than running all 5 could give.
    const int planned = std::max(r.votes_requested, r.votes_sampled);
    const double agreeing = r.agreement_ratio * r.votes_sampled;
    const double ratio = agreeing / planned;
    const std::string what = extracts ? fmt::format(" on {}", *r.answer) : std::string();
    const std::string drawn =
        planned > r.votes_sampled
            ? fmt::format(" (sampling stopped after {} of {} planned attempts: the rest could not change the answer)",
                          r.votes_sampled, planned)
            : std::string();
    // Counted against the plan when sampling stopped early ("3 of 5 planned"), where "3/3"
    // would read as unanimity and contradict the level.
    const bool stopped = planned > r.votes_sampled;
    const std::string agreed = stopped ? fmt::format("{} of {} planned", std::lround(agreeing), planned) : r.agreement;
    if (ratio >= 0.8) {
      note = fmt::format("{} attempts agree{}{}", stopped ? agreed : agreed + " of the", what, drawn);
      return ConfidenceLevel::High;
    }
    if (ratio >= 0.5) {
      note = fmt::format("{} attempts agree{}{}; worth checking", stopped ? agreed : "only " + agreed + " of the",
                         what, drawn);
      return ConfidenceLevel::Medium;
    }
    note = fmt::format("the attempts disagree (only {} agree{}){}; check this answer yourself", agreed, what, drawn);
    return ConfidenceLevel::Low;
  }
  if (!r.token_probabilities) {
    note = "the remote model gave no token probabilities, so how sure it was is unknown; try --votes 5 to measure "
           "agreement";
    return ConfidenceLevel::Medium;
  }
  // One answer: how sure the model was of its own words (geometric mean token probability).
  const double p = std::exp(r.mean_log_prob);
  if (p >= 0.75) {
    note = fmt::format("the model was sure of its wording (average token probability {:.0f}%)", 100 * p);
    return ConfidenceLevel::High;
  }
  if (p >= 0.5) {
    note = fmt::format("the model hesitated somewhat (average token probability {:.0f}%); try --votes 5 to check",
                       100 * p);
    return ConfidenceLevel::Medium;
  }
  note = fmt::format("the model was unsure (average token probability {:.0f}%); try --votes 5 or check it yourself",
                     100 * p);
  return ConfidenceLevel::Low;
}

}  // namespace loco
