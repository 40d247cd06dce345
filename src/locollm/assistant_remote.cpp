// The Assistant on a remote backend: the same routing, prompt, RE2, context, votes and
// confidence as with a local model; only the sampling happens at the other end.
#include <fmt/format.h>

#include <algorithm>

#include "loco/answer.h"
#include "loco/assistant.h"
#include "loco/error.h"
#include "loco/prompt_builder.h"
#include "loco/vote.h"

namespace loco {
namespace {

int64_t estimated_tokens(const std::vector<ChatMessage>& messages) {
  int64_t n = 0;
  for (const ChatMessage& m : messages) n += estimate_remote_tokens(m.content) + 4;  // role and separators
  return n;
}

}  // namespace

void Assistant::prepare_remote(PreparedQuery& q, const PromptSpec& spec, const QueryOptions& o) const {
  q.answer_tokens = o.max_tokens;
  const int64_t without_context = estimated_tokens(build_messages(spec));
  if (!spec.context.empty()) {
    const int64_t budget = std::max<int64_t>(0, options_.n_ctx - o.max_tokens - without_context);
    q.context = select_context(spec.context, spec.question, budget, estimate_remote_tokens);
  }
  q.messages = build_messages(spec, q.context.text);
  const int64_t total = estimated_tokens(q.messages);
  if (total + o.max_tokens > options_.n_ctx) {
    q.prompt_notes.push_back(fmt::format(
        "the prompt is about {} tokens (estimated from its length) and the answer may take {}, more than the "
        "context of {} (--ctx); the remote may refuse it",
        total, o.max_tokens, options_.n_ctx));
  }
  for (const std::string& name : q.adapters) {
    q.loaded.push_back(nullptr);
    q.scales.push_back(1.0f);
    if (name.empty()) {
      q.remote_models.push_back(remote_->base_model());
      continue;
    }
    const AdapterEntry* e = registry_.find(name);
    std::optional<std::string> model = remote_->model_for_adapter(name, e != nullptr ? e->remote_model : "");
    if (!model) {
      q.prompt_notes.push_back(fmt::format(
          "{} serves no weights for the adapter '{}' (set remote_model for it in the registry): the base model "
          "{} answered with the adapter's system prompt and examples",
          remote_->name(), name, remote_->base_model()));
      model = remote_->base_model();
    }
    q.remote_models.push_back(*model);
  }
}

void Assistant::answer_remotely(QueryResult& r, const PreparedQuery& q, const QueryOptions& o,
                                const AnswerStream& stream) {
  r.remote_model = q.remote_models.empty() ? remote_->base_model() : q.remote_models[0];
  for (size_t i = 1; i < q.remote_models.size(); ++i) r.remote_model += "+" + q.remote_models[i];
  bool all_have_probabilities = true;
  auto add_reply = [&](const RemoteReply& reply, const std::string& adapter) {
    r.prompt_tokens_evaluated += static_cast<uint64_t>(reply.prompt_tokens);
    r.generate_seconds += reply.seconds;
    for (const RemoteSample& s : reply.samples) {
      r.generated_tokens += static_cast<uint64_t>(s.tokens);
      all_have_probabilities = all_have_probabilities && s.mean_log_prob.has_value();
      Candidate c{adapter, s.text, std::nullopt, s.mean_log_prob.value_or(0.0), s.stop, false};
      r.candidates.push_back(std::move(c));
    }
  };
  RemoteRequest request;
  request.messages = q.messages;
  request.max_tokens = q.answer_tokens;
  request.top_p = o.sampling.top_p;
  request.seed = o.sampling.seed;
  // The prompt's length as the remote counts it is only known after the reply; until
  // then it is the estimate the budget was made with.
  r.prompt_tokens = static_cast<int32_t>(estimated_tokens(q.messages));

  const bool voting = o.votes > 1 || q.adapters.size() > 1;
  if (!voting) {
    request.model = q.remote_models[0];
    request.temperature = o.sampling.temperature;
    RemoteReply reply = remote_->complete(request, stream ? RemoteStream(stream) : RemoteStream());
    add_reply(reply, q.adapters[0]);
    if (reply.prompt_tokens > 0) r.prompt_tokens = static_cast<int32_t>(reply.prompt_tokens);
    Candidate c = std::move(r.candidates.front());
    r.candidates.clear();
    r.token_probabilities = all_have_probabilities;
    settle_single(r, std::move(c), o);
    return;
  }

  // Votes, split over the adapters of an ensemble. A remote that returns n samples per
  // request gets one request per adapter; one that does not is asked a sample at a time,
  // so that voting can stop once the leading answer cannot change (each call may cost).
  const int n_groups = static_cast<int>(q.adapters.size());
  const int votes = std::max(o.votes, n_groups);
  request.temperature = o.vote_temperature;
  const bool keyed = r.eval_type == EvalType::Numeric || r.eval_type == EvalType::MultipleChoice;
  VoteTally tally;
  for (int g = 0; g < n_groups && !r.stopped_early; ++g) {
    const int count = votes / n_groups + (g < votes % n_groups ? 1 : 0);
    request.model = q.remote_models[static_cast<size_t>(g)];
    const std::string& adapter = q.adapters[static_cast<size_t>(g)];
    if (remote_->samples_per_request()) {
      request.n = count;
      add_reply(remote_->complete(request), adapter);
      continue;
    }
    request.n = 1;
    const uint64_t first_seed = o.sampling.seed + static_cast<uint64_t>(g) * 1000;
    for (int k = 0; k < count; ++k) {
      request.seed = first_seed + static_cast<uint64_t>(k);
      add_reply(remote_->complete(request), adapter);
      if (!keyed || !o.early_stop) continue;
      tally.add(extract_answer(r.eval_type, r.candidates.back().text));
      const int drawn = static_cast<int>(r.candidates.size());
      if (drawn < votes && tally.leader().has_value() && tally.decided(votes - drawn)) {
        r.stopped_early = true;
        break;
      }
    }
  }
  for (Candidate& c : r.candidates) {
    if (r.eval_type != EvalType::Code) c.answer = extract_answer(r.eval_type, c.text);
  }
  r.token_probabilities = all_have_probabilities;
  settle_votes(r, o);
}

}  // namespace loco
