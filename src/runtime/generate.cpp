#include "loco/generate.h"

#include <chrono>

#include "loco/error.h"

namespace loco {

std::string_view stop_reason_name(StopReason reason) {
  switch (reason) {
    case StopReason::EndOfTurn: return "end_of_turn";
    case StopReason::MaxTokens: return "max_tokens";
    case StopReason::ContextFull: return "context_full";
    case StopReason::StopString: return "stop_string";
    case StopReason::Cancelled: return "cancelled";
  }
  return "unknown";
}

GenerateResult generate(Session& session, const Tokenizer& tokenizer,
                        std::span<const TokenId> prompt, const GenerateOptions& options,
                        const TextCallback& on_text, int32_t seq) {
  using Clock = std::chrono::steady_clock;
  if (prompt.empty()) throw Error("the prompt is empty");
  const int32_t room = session.kv_cache().n_ctx() - session.length(seq);
  if (static_cast<int32_t>(prompt.size()) >= room) {
    throw Error("the prompt (" + std::to_string(prompt.size()) + " tokens) does not fit in the " +
                std::to_string(room) + " tokens of context left; raise --ctx or shorten it");
  }

  GenerateResult result;
  result.n_prompt = static_cast<int32_t>(prompt.size());
  Sampler sampler(options.sampling, session.config().n_vocab);
  for (TokenId t : prompt) sampler.accept(t);

  auto t0 = Clock::now();
  session.decode_sequence(seq, prompt);
  auto t1 = Clock::now();
  result.prompt_seconds = std::chrono::duration<double>(t1 - t0).count();

  StreamDecoder stream(tokenizer, /*skip_special=*/true);
  double log_prob_sum = 0.0;
  result.stop = StopReason::MaxTokens;
  for (int32_t i = 0; i < options.max_tokens; ++i) {
    std::span<const float> logits = session.logits(0);
    const TokenId token = sampler.sample(logits);
    if (tokenizer.is_end_of_generation(token)) {
      result.stop = StopReason::EndOfTurn;
      break;
    }
    sampler.accept(token);
    log_prob_sum += Sampler::log_prob(logits, token);
    result.tokens.push_back(token);

    const std::string piece = stream.push(token);
    result.text += piece;
    bool keep_going = !on_text || piece.empty() || on_text(piece);
    bool hit_stop = false;
    for (const std::string& stop : options.stop_strings) {
      if (!stop.empty() && result.text.find(stop) != std::string::npos) hit_stop = true;
    }
    if (hit_stop) {
      result.stop = StopReason::StopString;
      break;
    }
    if (!keep_going) {
      result.stop = StopReason::Cancelled;
      break;
    }
    if (i + 1 == options.max_tokens) break;
    if (session.length(seq) >= session.kv_cache().n_ctx()) {
      result.stop = StopReason::ContextFull;
      break;
    }
    session.decode_sequence(seq, std::span<const TokenId>(&token, 1));
  }
  const std::string tail = stream.flush();
  result.text += tail;
  if (on_text && !tail.empty()) on_text(tail);
  result.generate_seconds = std::chrono::duration<double>(Clock::now() - t1).count();
  if (!result.tokens.empty()) result.mean_log_prob = log_prob_sum / static_cast<double>(result.tokens.size());
  return result;
}

}  // namespace loco
