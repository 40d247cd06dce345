#include "server/scheduler.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "loco/error.h"

namespace loco::server {

using Clock = std::chrono::steady_clock;

namespace {

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

int32_t blocks_for(int64_t tokens) {
  return static_cast<int32_t>((tokens + KvCache::kBlockSize - 1) / KvCache::kBlockSize);
}

}  // namespace

Scheduler::Scheduler(std::shared_ptr<const Model> model, const Tokenizer& tokenizer, const SchedulerOptions& options,
                     Metrics& metrics)
    : model_(std::move(model)), tokenizer_(tokenizer), options_(options), metrics_(metrics) {
  if (options_.parallel < 1 || options_.parallel > 256) throw Error("--parallel must be between 1 and 256");
  SessionOptions so;
  so.n_ctx = options_.n_ctx;
  so.n_seq = options_.parallel;
  so.n_ctx_total = options_.kv_tokens > 0 ? options_.kv_tokens : options_.parallel * options_.n_ctx;
  so.n_threads = options_.threads;
  so.kv_type = options_.kv_type;
  session_ = std::make_unique<Session>(model_, so);
  slots_.resize(static_cast<size_t>(options_.parallel));
  thread_ = std::thread([this] { loop(); });
}

Scheduler::~Scheduler() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int32_t Scheduler::blocks_needed(const Job& job) const {
  // The first sample holds the prompt and its answer; each other sample shares the
  // prompt's full blocks and needs a copy of the last one plus its own answer.
  const int64_t first = static_cast<int64_t>(job.prompt.size()) + job.max_tokens + 1;
  const int32_t others = (job.n - 1) * (blocks_for(job.max_tokens + 1) + 1);
  return blocks_for(first) + others;
}

std::string Scheduler::submit(std::shared_ptr<Job> job, bool* busy) {
  if (busy != nullptr) *busy = false;
  if (job->n < 1 || job->n > options_.parallel) {
    return fmt::format("{} samples is more than the {} sequences this server decodes together (--parallel)", job->n,
                       options_.parallel);
  }
  if (job->prompt.empty()) return "the prompt is empty";
  if (static_cast<int64_t>(job->prompt.size()) + job->max_tokens > options_.n_ctx) {
    return fmt::format("the prompt ({} tokens) and max_tokens ({}) need more than the {}-token context of this server "
                       "(--ctx)", job->prompt.size(), job->max_tokens, options_.n_ctx);
  }
  if (blocks_needed(*job) > session_->kv_cache().n_blocks_total()) {
    return fmt::format("the request needs more KV cache than this server has ({} tokens, --kv-tokens)",
                       session_->kv_cache().n_blocks_total() * KvCache::kBlockSize);
  }
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return "the server is shutting down";
    // The queue holds requests that wait for room; one that can start at once passes
    // through it too, so a queue limit of 0 still serves while there are free sequences.
    if (static_cast<int32_t>(queue_.size()) >= std::max(options_.queue_limit, 1) ||
        (options_.queue_limit == 0 && running_count_ >= static_cast<size_t>(options_.parallel))) {
      if (busy != nullptr) *busy = true;
      return fmt::format("the server is busy: {} requests are already waiting (--queue); retry shortly", queue_.size());
    }
    queue_.emplace_back(std::move(job), Clock::now());
  }
  wake_.notify_all();
  return {};
}

size_t Scheduler::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

size_t Scheduler::running() const { return running_count_; }

void Scheduler::loop() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty() || !running_.empty(); });
      if (stopping_) break;
    }
    admit();
    step();
    running_count_ = running_.size();
  }
  // Shutting down: whatever is still queued or running fails with a reason.
  std::deque<std::pair<std::shared_ptr<Job>, Clock::time_point>> left;
  {
    std::lock_guard lock(mutex_);
    left.swap(queue_);
  }
  for (auto& [job, t] : left) {
    if (job->on_done) job->on_done({}, "the server is shutting down");
  }
  while (!running_.empty()) fail(running_.front(), "the server is shutting down");
}

bool Scheduler::admit() {
  bool any = false;
  for (;;) {
    std::shared_ptr<Job> job;
    Clock::time_point queued_at;
    {
      std::lock_guard lock(mutex_);
      if (queue_.empty()) break;
      job = queue_.front().first;
      queued_at = queue_.front().second;
      if (!job->cancelled && Clock::now() < job->deadline) {
        const int32_t free_slots = static_cast<int32_t>(
            std::count_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.stage == Slot::Stage::Free; }));
        const int32_t need = blocks_needed(*job);
        // First come, first served: a large request at the head waits for room rather
        // than being overtaken for ever by small ones.
        if (free_slots < job->n || blocks_reserved_ + need > session_->kv_cache().n_blocks_total()) break;
      }
      queue_.pop_front();
    }
    if (job->cancelled || Clock::now() >= job->deadline) {
      metrics_.count_cancelled();
      if (job->on_done) job->on_done({}, job->cancelled ? "cancelled" : "the request's time limit passed while it waited");
      continue;
    }
    Running r;
    r.job = job;
    r.started = Clock::now();
    r.blocks = blocks_needed(*job);
    r.outputs.resize(static_cast<size_t>(job->n));
    r.remaining = job->n;
    job->queued_seconds = seconds_between(queued_at, r.started);
    blocks_reserved_ += r.blocks;
    for (int k = 0; k < job->n; ++k) {
      const auto it = std::find_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.stage == Slot::Stage::Free; });
      const auto seq = static_cast<int32_t>(it - slots_.begin());
      Slot& s = *it;
      s = Slot{};
      s.job = job;
      s.sample = k;
      s.stage = k == 0 ? Slot::Stage::Prefill : Slot::Stage::AwaitFork;
      SamplerConfig sc = job->sampling;
      sc.seed = job->sampling.seed + static_cast<uint64_t>(k);
      s.sampler = std::make_unique<Sampler>(sc, model_->config().n_vocab);
      for (TokenId t : job->prompt) s.sampler->accept(t);
      s.stream = std::make_unique<StreamDecoder>(tokenizer_, /*skip_special=*/true);
      session_->clear(seq);
      if (k == 0) session_->set_adapter(seq, job->adapter, job->scale);
      r.slots.push_back(seq);
    }
    running_.push_back(std::move(r));
    running_count_ = running_.size();
    any = true;
  }
  return any;
}

Scheduler::Running& Scheduler::running_of(const Job* job) {
  for (Running& r : running_) {
    if (r.job.get() == job) return r;
  }
  throw std::logic_error("scheduler: a slot's job is not running");
}

void Scheduler::fail(Running& r, const std::string& error) {
  std::shared_ptr<Job> job = r.job;
  for (int32_t seq : r.slots) {
    Slot& s = slots_[static_cast<size_t>(seq)];
    if (s.job == job) {
      session_->clear(seq);
      s = Slot{};
    }
  }
  blocks_reserved_ -= r.blocks;
  running_.erase(running_.begin() + (&r - running_.data()));
  running_count_ = running_.size();  // before on_done: its waiter may read running()
  metrics_.count_cancelled();
  if (job->on_done) job->on_done({}, error);
}

void Scheduler::step() {
  // Requests that were cancelled or ran out of time leave first.
  const Clock::time_point now = Clock::now();
  for (size_t i = 0; i < running_.size();) {
    Running& r = running_[i];
    if (r.job->cancelled) {
      fail(r, "cancelled");
    } else if (now >= r.job->deadline) {
      fail(r, "the request's time limit passed");
    } else {
      ++i;
    }
  }

  std::vector<BatchToken> batch;
  std::vector<int32_t> want;  // slots whose logits come back, in batch order
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].stage == Slot::Stage::Decode) {
      batch.push_back({slots_[i].next, static_cast<int32_t>(i), true});
      want.push_back(static_cast<int32_t>(i));
    }
  }
  int32_t budget = options_.prefill_chunk;
  for (size_t i = 0; i < slots_.size() && budget > 0; ++i) {
    Slot& s = slots_[i];
    if (s.stage != Slot::Stage::Prefill) continue;
    const size_t left = s.job->prompt.size() - s.prompt_pos;
    const size_t take = std::min(left, static_cast<size_t>(budget));
    for (size_t k = 0; k < take; ++k) {
      const bool last = s.prompt_pos + k + 1 == s.job->prompt.size();
      batch.push_back({s.job->prompt[s.prompt_pos + k], static_cast<int32_t>(i), last});
      if (last) want.push_back(static_cast<int32_t>(i));
    }
    s.prompt_pos += take;
    budget -= static_cast<int32_t>(take);
  }
  if (batch.empty()) return;

  try {
    session_->decode(batch);
  } catch (const Error& e) {
    while (!running_.empty()) fail(running_.front(), std::string("the model failed: ") + e.what());
    return;
  }
  std::vector<int32_t> seqs;
  for (const BatchToken& t : batch) seqs.push_back(t.seq);
  std::sort(seqs.begin(), seqs.end());
  metrics_.record_step(static_cast<int>(std::unique(seqs.begin(), seqs.end()) - seqs.begin()),
                       static_cast<int>(batch.size()));

  for (size_t k = 0; k < want.size(); ++k) {
    const int32_t i = want[k];
    Slot& s = slots_[static_cast<size_t>(i)];
    if (s.stage == Slot::Stage::Free) continue;
    const std::span<const float> logits = session_->logits(static_cast<int32_t>(k));
    if (s.stage == Slot::Stage::Prefill) {
      // The prompt is in: every other sample starts from a copy of it.
      Running& r = running_of(s.job.get());
      r.prefilled = Clock::now();
      s.job->prompt_seconds = seconds_between(r.started, r.prefilled);
      metrics_.add_prompt_tokens(s.job->prompt.size());
      s.stage = Slot::Stage::Decode;
      for (int32_t other : r.slots) {
        if (other == i) continue;
        session_->fork(i, other);
        slots_[static_cast<size_t>(other)].stage = Slot::Stage::Decode;
      }
      const std::vector<int32_t> siblings = r.slots;
      for (int32_t other : siblings) {
        if (other != i && slots_[static_cast<size_t>(other)].stage == Slot::Stage::Decode) sample_into(other, logits);
      }
      if (slots_[static_cast<size_t>(i)].stage == Slot::Stage::Decode) sample_into(i, logits);
    } else {
      sample_into(i, logits);
    }
  }
}

void Scheduler::emit(Slot& s, bool final) {
  const std::string& text = s.out.text;
  size_t safe = text.size();
  if (!final) {
    // Hold back a tail that could be the start of a stop string.
    for (const std::string& stop : s.job->stop) {
      for (size_t l = std::min(stop.size() - 1, text.size()); l > 0; --l) {
        if (text.compare(text.size() - l, l, stop, 0, l) == 0) {
          safe = std::min(safe, text.size() - l);
          break;
        }
      }
    }
  }
  if (safe <= s.sent) return;
  const std::string_view piece(text.data() + s.sent, safe - s.sent);
  s.sent = safe;
  if (s.job->on_text && !s.job->on_text(s.sample, piece)) s.job->cancelled = true;
}

void Scheduler::sample_into(int32_t i, std::span<const float> logits) {
  Slot& s = slots_[static_cast<size_t>(i)];
  const TokenId token = s.sampler->sample(logits);
  if (tokenizer_.is_end_of_generation(token)) {
    finish(i, StopReason::EndOfTurn);
    return;
  }
  s.sampler->accept(token);
  const float log_prob = Sampler::log_prob(logits, token);
  s.log_prob_sum += log_prob;
  s.out.log_probs.push_back(log_prob);
  s.out.tokens.push_back(token);
  s.out.text += s.stream->push(token);
  size_t cut = std::string::npos;
  for (const std::string& stop : s.job->stop) {
    if (stop.empty()) continue;
    const size_t from = s.sent > stop.size() ? s.sent - stop.size() : 0;
    cut = std::min(cut, s.out.text.find(stop, from));
  }
  if (cut != std::string::npos) {
    s.out.text.resize(cut);
    finish(i, StopReason::StopString);
    return;
  }
  emit(s, false);
  if (static_cast<int32_t>(s.out.tokens.size()) >= s.job->max_tokens) {
    finish(i, StopReason::MaxTokens);
  } else if (session_->length(i) >= options_.n_ctx) {
    finish(i, StopReason::ContextFull);
  } else {
    s.next = token;
  }
}

void Scheduler::finish(int32_t i, StopReason reason) {
  Slot& s = slots_[static_cast<size_t>(i)];
  if (reason != StopReason::StopString) s.out.text += s.stream->flush();
  s.out.stop = reason;
  if (!s.out.tokens.empty()) s.out.mean_log_prob = s.log_prob_sum / static_cast<double>(s.out.tokens.size());
  emit(s, true);
  metrics_.add_generated_tokens(s.out.tokens.size());
  std::shared_ptr<Job> job = s.job;
  Running& r = running_of(job.get());
  r.outputs[static_cast<size_t>(s.sample)] = std::move(s.out);
  --r.remaining;
  session_->clear(i);
  s = Slot{};
  if (r.remaining > 0) return;
  job->generate_seconds = seconds_between(r.prefilled, Clock::now());
  std::vector<SampleOutput> outputs = std::move(r.outputs);
  blocks_reserved_ -= r.blocks;
  running_.erase(running_.begin() + (&r - running_.data()));
  running_count_ = running_.size();  // before on_done: its waiter may read running()
  if (job->on_done) job->on_done(std::move(outputs), "");
}

}  // namespace loco::server
