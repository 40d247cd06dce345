// The LocoLLM pipeline for one question: pick the specialist adapter (router), build the
// prompt (system prompt, few-shot, context, RE2), sample one answer or N votes in one
// batch, extract and count the answers, and say how sure the result is.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loco/chat_template.h"
#include "loco/context.h"
#include "loco/eval_type.h"
#include "loco/generate.h"
#include "loco/lora.h"
#include "loco/prompt_builder.h"
#include "loco/model.h"
#include "loco/registry.h"
#include "loco/remote_backend.h"
#include "loco/router.h"
#include "loco/sample_many.h"
#include "loco/session.h"
#include "loco/tokenizer.h"

namespace loco {

// Tests for a code answer: Python run after the answer, either a HumanEval-style `test`
// that defines check(candidate), or plain statements (asserts) that call the function.
struct CodeTests {
  std::string prelude;     // run before the answer (HumanEval: the task's prompt)
  std::string test_code;
  std::string entry_point; // the function the tests are about ("": from the question)
  std::string source;      // where they came from, for the answer's footer
};

struct QueryOptions {
  std::string adapter = "auto";       // "auto" (router), "none" (base model) or a registry name
  std::vector<std::string> ensemble;  // several adapters voting together (overrides `adapter`)
  bool reread = true;                 // RE2
  int votes = 1;                      // self-consistency samples
  float vote_temperature = 0.7f;
  bool early_stop = true;             // stop sampling once the leading answer cannot change
  SamplerConfig sampling;             // a single answer (votes == 1)
  int32_t max_tokens = 512;
  // Structured context (--context FILE|DIR, context.h), after the answering adapter's own
  // (its registry `context`); fitted to the budget the prompt leaves.
  std::vector<ContextDocument> context;
  // The answering adapter's registry system prompt, few-shot examples and context enter
  // the prompt; false when the caller built the whole conversation (loco serve's
  // `loco.as_is`, used when another loco drives it as a remote backend).
  bool adapter_prompt = true;
  bool think = false;                 // Qwen3: allow thinking
  std::string template_name;          // chat format override
  std::optional<EvalType> eval_type;  // overrides the adapter's
  // Messages before this question (chat history), oldest first.
  std::vector<ChatMessage> history;
  // Fit the prompt to the context by leaving out the oldest history turns, few-shot
  // examples and answer room (fit_prompt) rather than failing; `loco eval` turns it off
  // so that every item is asked the same way or fails.
  bool fit_to_context = true;
  // Code answers: tests given with the question (--tests), else those the answering
  // adapter's evaluation set holds for this exact question (looked up by the caller).
  std::optional<CodeTests> code_tests;
  std::function<std::optional<CodeTests>(const std::string& adapter, const std::string& question)> find_code_tests;
};

struct Candidate {
  std::string adapter;  // "" = base model
  std::string text;
  std::optional<std::string> answer;  // extracted answer key
  double mean_log_prob = 0.0;
  StopReason stop = StopReason::MaxTokens;
  bool passed = false;  // code: its program ran and passed
};

// What was done with a code answer's program, said in the answer.
// SandboxUnavailable: the machine lacks a required sandbox layer, so no code was run.
enum class CodeCheck { NotCode, NotRun, TestsPassed, TestsFailed, RanWithoutTests, FailedToRun, SandboxUnavailable };
const char* code_check_name(CodeCheck check);  // "tests passed", "ran without tests", ...

enum class ConfidenceLevel { High, Medium, Low };
const char* confidence_name(ConfidenceLevel level);  // "high", "medium", "low"

struct QueryResult {
  std::string question;
  std::string adapter;          // who answered: "" = the base model, or "a+b" for an ensemble
  std::string adapter_reason;   // why
  std::optional<RouteDecision> route;  // when the router decided
  EvalType eval_type = EvalType::None;
  std::string text;             // the answer shown: the chosen candidate's full text
  std::optional<std::string> answer;  // its extracted answer, when the eval type has one
  int votes_requested = 1;
  int votes_sampled = 1;        // fewer when voting stopped early
  bool stopped_early = false;
  std::string agreement;        // e.g. "4/5"; "1/1" for a single answer
  double agreement_ratio = 1.0;
  double mean_log_prob = 0.0;   // of the chosen candidate's tokens
  // False when the answer came from a remote backend that returned no token
  // log-probabilities: a single answer's confidence is then unknown, and said so.
  bool token_probabilities = true;
  std::string remote_model;     // the remote model that answered ("" : the local model)
  ConfidenceLevel confidence = ConfidenceLevel::Medium;
  std::string confidence_note;  // in words a student understands
  std::vector<Candidate> candidates;
  CodeCheck code_check = CodeCheck::NotCode;
  std::string code_check_detail;  // where the tests came from, or why the program failed
  int32_t prompt_tokens = 0;
  int history_turns_dropped = 0;         // the oldest turns of `history` left out of the prompt
  std::vector<std::string> prompt_notes; // what was left out to fit the context, in words
  ContextSelection context;              // which context sections entered the prompt
  uint64_t prompt_tokens_evaluated = 0;  // through the model: once per adapter group
  uint64_t generated_tokens = 0;         // by every sample, voted or not
  double prompt_seconds = 0.0, generate_seconds = 0.0;
};

// A question made ready to answer: who answers it, how it is judged, and its prompt
// tokens. `loco eval` prepares many and decodes them together (generate_batch.h).
struct PreparedQuery {
  std::vector<std::string> adapters;  // one per group ("" = the base model)
  std::vector<std::shared_ptr<const LoraAdapter>> loaded;  // null for the base model
  std::vector<float> scales;
  std::string reason;
  std::optional<RouteDecision> route;
  EvalType eval_type = EvalType::None;
  std::vector<TokenId> prompt;
  int32_t answer_tokens = 0;            // max tokens of the answer: QueryOptions::max_tokens or less
  int history_turns_dropped = 0;        // see fit_prompt (prompt_builder.h)
  std::vector<std::string> prompt_notes;
  ContextSelection context;
  // A remote backend's request instead of `prompt`: the conversation, and the remote
  // model of each group (its adapter's, or the base model's when the remote has none).
  std::vector<ChatMessage> messages;
  std::vector<std::string> remote_models;
};

// Receives the answer's text as it streams (single answers only); return false to stop.
using AnswerStream = std::function<bool(std::string_view)>;

class Assistant {
 public:
  struct Options {
    int32_t n_ctx = 4096;
    int threads = 0;
    KvType kv_type = KvType::F16;
  };
  // `registry` may be empty (no adapters); `router` may be null (then "auto" uses the
  // keyword router built from the registry).
  Assistant(std::shared_ptr<const Model> model, Registry registry, std::shared_ptr<const Router> router,
            const Options& options);
  // Generation on a remote model (remote_backend.h); everything else happens here. The
  // context budget is options.n_ctx, with tokens estimated from bytes (the remote's
  // tokenizer is not known here).
  Assistant(std::shared_ptr<RemoteBackend> remote, Registry registry, std::shared_ptr<const Router> router,
            const Options& options);

  QueryResult ask(const std::string& question, const QueryOptions& options, const AnswerStream& stream = {});
  // Routes, loads the adapters and builds the prompt exactly as ask() does, without
  // generating. Throws when the prompt leaves no room for options.max_tokens.
  PreparedQuery prepare(const std::string& question, const QueryOptions& options);

  bool is_remote() const { return remote_ != nullptr; }
  // Throw Error with a remote backend, which has neither.
  const Model& model() const;
  const Tokenizer& tokenizer() const;
  RemoteBackend& remote() const;
  const Registry& registry() const { return registry_; }
  // Loads (once) and returns the adapter of a registry entry; merged-gguf entries cannot
  // run on this base and are refused.
  std::shared_ptr<const LoraAdapter> adapter(const std::string& name);
  // Tokens of a conversation in this model's format (for chat history budgeting); with a
  // remote backend, an estimate from its bytes.
  size_t count_tokens(const std::vector<ChatMessage>& messages, const QueryOptions& options) const;
  // Tokens evaluated by the engine so far (tests observe prompt reuse with this).
  uint64_t tokens_evaluated() const;

 private:
  struct Choice {
    std::vector<std::string> adapters;  // one entry per group ("" = base)
    std::string reason;
    std::optional<RouteDecision> route;
  };
  Choice choose_adapters(const std::string& question, const QueryOptions& options) const;
  Session& session_for(int32_t n_seq, int32_t n_ctx_total);
  // The documents of an adapter's registry `context` (loaded once).
  const std::vector<ContextDocument>& adapter_context(const AdapterEntry& entry);
  void prepare_remote(PreparedQuery& q, const PromptSpec& spec, const QueryOptions& options) const;
  void answer_remotely(QueryResult& r, const PreparedQuery& q, const QueryOptions& options,
                       const AnswerStream& stream);

  std::shared_ptr<const Model> model_;        // null with a remote backend
  std::shared_ptr<RemoteBackend> remote_;     // null with a local model
  std::optional<Tokenizer> tokenizer_;
  Registry registry_;
  std::shared_ptr<const Router> router_;
  Options options_;
  ChatFormat format_;
  std::map<std::string, std::shared_ptr<const LoraAdapter>> adapters_;
  std::map<std::string, std::vector<ContextDocument>> adapter_context_;
  std::unique_ptr<Session> session_;
  uint64_t retired_tokens_ = 0;  // evaluated by sessions replaced since
};

// Runs a single code answer in the sandbox: with the tests of `options` (code_tests, else
// find_code_tests for this adapter and question), else only checking that it runs and
// defines the function the question names.
struct CodeAnswerCheck {
  CodeCheck check = CodeCheck::NotRun;
  std::string detail;               // where the tests came from, or why it failed
  std::optional<std::string> code;  // the extracted program
  bool passed = false;
};
CodeAnswerCheck check_code_answer(const std::string& question, const std::string& answer_text,
                                  const std::string& adapter, const QueryOptions& options);

// Finishes a single answer: extracts its answer (or runs its program in the sandbox) and
// judges its confidence. r.question, r.eval_type and r.adapter must be set.
void settle_single(QueryResult& r, Candidate c, const QueryOptions& options);

// Decides a vote of r.candidates of any eval type: settle_vote, or for code, the programs
// run in the sandbox and the passing ones grouped (code_vote).
void settle_votes(QueryResult& r, const QueryOptions& options);

// Tokens of text for a remote model whose tokenizer is not known here: an overestimate
// (3 bytes per token), so budgets made with it leave room rather than overflow.
int64_t estimate_remote_tokens(std::string_view text);

// Decides a vote of non-code answers from r.candidates (their extracted answers set),
// r.eval_type and r.votes_requested: numeric and multiple choice take the most common
// extracted answer (ties: the first to reach the count), other text the medoid; fills
// votes_sampled, agreement, agreement_ratio, answer, text, mean_log_prob and confidence.
void settle_vote(QueryResult& r);

// The confidence rules (docs/voting.md): agreement of the votes when there are several,
// the geometric-mean token probability for a single answer, and "low" when no answer
// could be extracted or no program passed.
ConfidenceLevel judge_confidence(const QueryResult& r, std::string& note);

}  // namespace loco
