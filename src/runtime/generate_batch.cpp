#include "loco/generate_batch.h"

#include <chrono>
#include <string>

#include "loco/error.h"

namespace loco {

SampleManyResult generate_batch(Session& session, const Tokenizer& tokenizer, std::span<const BatchPrompt> prompts,
                                const GenerateOptions& options, const SampleFinished& on_finished) {
  using Clock = std::chrono::steady_clock;
  int32_t n = 0;
  for (const BatchPrompt& p : prompts) {
    if (p.count < 1) throw Error("every prompt needs at least one sample");
    if (p.tokens.empty()) throw Error("a prompt is empty");
    if (static_cast<int32_t>(p.tokens.size()) >= session.kv_cache().n_ctx()) {
      throw Error("the prompt (" + std::to_string(p.tokens.size()) + " tokens) does not fit in the context of " +
                  std::to_string(session.kv_cache().n_ctx()) + " tokens");
    }
    n += p.count;
  }
  if (n < 1) throw Error("the number of samples must be at least 1");
  if (n > session.kv_cache().n_seq()) {
    throw Error("the session holds " + std::to_string(session.kv_cache().n_seq()) + " sequences, fewer than " +
                std::to_string(n) + " samples");
  }

  SampleManyResult result;
  result.n_prompt = static_cast<int32_t>(prompts.front().tokens.size());
  const auto t0 = Clock::now();
  // The first sequence of each prompt holds it; all prompts are evaluated in one batch,
  // then each is forked to the rest of its samples.
  std::vector<int32_t> prompt_of(static_cast<size_t>(n));
  std::vector<int32_t> first_of;
  std::vector<BatchToken> prompt_batch;
  for (int32_t g = 0, seq = 0; g < static_cast<int32_t>(prompts.size()); ++g) {
    const BatchPrompt& p = prompts[static_cast<size_t>(g)];
    first_of.push_back(seq);
    session.set_adapter(seq, p.adapter, p.scale);
    session.clear(seq);
    for (size_t i = 0; i < p.tokens.size(); ++i) prompt_batch.push_back({p.tokens[i], seq, i + 1 == p.tokens.size()});
    for (int32_t k = 0; k < p.count; ++k) prompt_of[static_cast<size_t>(seq + k)] = g;
    seq += p.count;
  }
  const uint64_t before = session.tokens_evaluated();
  session.decode(prompt_batch);
  result.prompt_tokens_evaluated = session.tokens_evaluated() - before;
  std::vector<std::vector<float>> first_logits;
  for (size_t g = 0; g < prompts.size(); ++g) {
    const std::span<const float> row = session.logits(static_cast<int32_t>(g));
    first_logits.emplace_back(row.begin(), row.end());
  }
  for (int32_t i = 0; i < n; ++i) {
    const int32_t first = first_of[static_cast<size_t>(prompt_of[static_cast<size_t>(i)])];
    if (i != first) session.fork(first, i);
  }
  const auto t1 = Clock::now();
  result.prompt_seconds = std::chrono::duration<double>(t1 - t0).count();

  struct Active {
    Sampler sampler;
    StreamDecoder stream;
    double log_prob_sum = 0.0;
  };
  std::vector<Active> state;
  state.reserve(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; ++i) {
    const int32_t g = prompt_of[static_cast<size_t>(i)];
    const BatchPrompt& p = prompts[static_cast<size_t>(g)];
    SamplerConfig sc = options.sampling;
    sc.seed = p.seed + static_cast<uint64_t>(i - first_of[static_cast<size_t>(g)]);
    state.push_back({Sampler(sc, session.config().n_vocab), StreamDecoder(tokenizer, true), 0.0});
    for (TokenId t : p.tokens) state.back().sampler.accept(t);
  }
  result.samples.resize(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; ++i) result.samples[static_cast<size_t>(i)].group = prompt_of[static_cast<size_t>(i)];

  // row_of[i]: where sample i's next-token logits are after a step.
  std::vector<int32_t> row_of(static_cast<size_t>(n), -1);
  bool stop_all = false;
  for (int32_t step = 0; !stop_all; ++step) {
    std::vector<BatchToken> batch;
    std::vector<int32_t> batch_seq;
    for (int32_t i = 0; i < n && !stop_all; ++i) {
      Sample& s = result.samples[static_cast<size_t>(i)];
      if (s.finished) continue;
      Active& a = state[static_cast<size_t>(i)];
      std::span<const float> logits =
          step == 0 ? std::span<const float>(first_logits[static_cast<size_t>(prompt_of[static_cast<size_t>(i)])])
                    : session.logits(row_of[static_cast<size_t>(i)]);
      const TokenId token = a.sampler.sample(logits);
      bool done = false;
      if (tokenizer.is_end_of_generation(token)) {
        s.stop = StopReason::EndOfTurn;
        done = true;
      } else {
        a.sampler.accept(token);
        a.log_prob_sum += Sampler::log_prob(logits, token);
        s.tokens.push_back(token);
        s.text += a.stream.push(token);
        for (const std::string& stop : options.stop_strings) {
          if (!stop.empty() && s.text.find(stop) != std::string::npos) {
            s.stop = StopReason::StopString;
            done = true;
          }
        }
        if (!done && static_cast<int32_t>(s.tokens.size()) >= options.max_tokens) {
          s.stop = StopReason::MaxTokens;
          done = true;
        }
        if (!done && session.length(i) >= session.kv_cache().n_ctx()) {
          s.stop = StopReason::ContextFull;
          done = true;
        }
      }
      if (done) {
        s.text += a.stream.flush();
        s.finished = true;
        if (!s.tokens.empty()) s.mean_log_prob = a.log_prob_sum / static_cast<double>(s.tokens.size());
        if (on_finished && on_finished(result.samples, static_cast<size_t>(i))) stop_all = true;
      } else {
        batch.push_back({token, i, true});
        batch_seq.push_back(i);
      }
    }
    if (stop_all || batch.empty()) break;
    session.decode(batch);
    for (size_t b = 0; b < batch_seq.size(); ++b) row_of[static_cast<size_t>(batch_seq[b])] = static_cast<int32_t>(b);
  }
  for (Sample& s : result.samples) {
    if (!s.finished) {
      result.stopped_early = true;
      s.stop = StopReason::Cancelled;
    }
  }
  result.generate_seconds = std::chrono::duration<double>(Clock::now() - t1).count();
  return result;
}

}  // namespace loco
