#include "loco/eval/runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>

#include "loco/error.h"
#include "loco/generate_batch.h"
#include "loco/kv_cache.h"
#include "loco/sha256.h"
#include "tokenizer/utf8.h"

namespace loco::eval {
namespace {

using nlohmann::json;

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

SamplerConfig sampling_for(const RunSettings& s, int votes, uint64_t seed) {
  SamplerConfig c;
  if (votes == 1) {
    c.temperature = s.temperature;
    c.top_p = s.top_p;
    c.top_k = 0;
    c.min_p = 0;
  } else {
    c.temperature = s.vote_temperature;
    c.top_p = s.vote_top_p;
  }
  c.seed = seed;
  return c;
}

std::string cache_key(const std::string& model_sha, const std::string& adapter_sha, float scale,
                      const std::vector<TokenId>& prompt, const SamplerConfig& sc, int32_t max_tokens, int votes) {
  std::string text = fmt::format("loco-eval-cache/1|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|", model_sha, adapter_sha, scale,
                                 sc.temperature, sc.top_k, sc.top_p, sc.min_p, sc.repeat_penalty, sc.seed, max_tokens,
                                 votes);
  for (TokenId t : prompt) text += fmt::format("{},", t);
  return sha256_hex(text);
}

// A remote item's key: the backend and the remote model stand for the model and adapter
// hashes, the conversation for the prompt tokens.
std::string remote_cache_key(const std::string& backend, const std::string& remote_model,
                             const std::vector<ChatMessage>& messages, const SamplerConfig& sc, int32_t max_tokens,
                             int votes) {
  std::string text = fmt::format("loco-eval-cache/remote/1|{}|{}|{}|{}|{}|{}|{}|", backend, remote_model,
                                 sc.temperature, sc.top_p, sc.seed, max_tokens, votes);
  for (const ChatMessage& m : messages) text += fmt::format("{}:{}:{}|", m.role, m.content.size(), m.content);
  return sha256_hex(text);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> settings_record(const RunSettings& s) {
  return {
      {"max_tokens", std::to_string(s.max_tokens)},
      {"temperature", fmt::format("{:g}", s.temperature)},
      {"top_p", fmt::format("{:g}", s.top_p)},
      {"top_k", "0 (off) for single answers; 40 for votes"},
      {"min_p", "0 (off) for single answers; 0.05 for votes"},
      {"vote_temperature", fmt::format("{:g}", s.vote_temperature)},
      {"vote_top_p", fmt::format("{:g}", s.vote_top_p)},
      {"seed", std::to_string(s.seed)},
      {"item_seed", "seed + FNV-1a(item id); sample k adds k"},
      {"early_stop", "off (every vote is sampled)"},
      {"batch_sequences", std::to_string(s.batch_sequences)},
      {"code_seconds", fmt::format("{:g}", s.code_seconds)},
      {"think", s.think ? "on" : "off"},
      {"limit", std::to_string(s.limit)},
  };
}

GenerationCache::GenerationCache(std::string path) : path_(std::move(path)) {
  std::ifstream in(path_);
  for (std::string line; std::getline(in, line);) {
    json j = json::parse(line, nullptr, false);
    // A line cut short by a killed run is not JSON: it is simply generated again.
    if (j.is_discarded() || !j.is_object() || !j.contains("key") || !j.contains("outputs")) continue;
    try {
      Entry e;
      e.outputs = j["outputs"].get<std::vector<std::string>>();
      e.tokens = j.value("tokens", std::vector<int64_t>(e.outputs.size(), 0));
      entries_[j["key"].get<std::string>()] = std::move(e);
    } catch (const json::exception&) {
      continue;
    }
  }
}

const GenerationCache::Entry* GenerationCache::find(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

void GenerationCache::store(const std::string& key, Entry entry) {
  if (!path_.empty()) {
    std::ofstream out(path_, std::ios::app | std::ios::binary);
    if (!out) throw Error("cannot write the generation cache " + path_);
    out << json{{"key", key}, {"outputs", entry.outputs}, {"tokens", entry.tokens}}.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
    out.flush();
    if (!out) throw Error("cannot write the generation cache " + path_);
  }
  entries_[key] = std::move(entry);
}

Evaluator::Evaluator(Assistant& assistant, std::shared_ptr<const Model> model, std::string model_sha256,
                     SessionOptions session_options, RunSettings settings, GenerationCache* cache)
    : assistant_(assistant),
      model_(std::move(model)),
      model_sha256_(std::move(model_sha256)),
      session_options_(session_options),
      settings_(settings),
      cache_(cache) {
  if (settings_.batch_sequences < 1) throw Error("--batch must be at least 1");
  if (settings_.max_tokens < 1) throw Error("--max-tokens must be at least 1");
}

std::string Evaluator::adapter_sha256(const std::string& name) {
  if (name.empty()) return "";
  if (auto it = adapter_sha_.find(name); it != adapter_sha_.end()) return it->second;
  const AdapterEntry* e = assistant_.registry().find(name);
  if (e == nullptr) throw Error("no adapter named '" + name + "' in the registry");
  if (assistant_.is_remote()) {
    // The weights are at the remote: what is recorded is which model served the adapter.
    const RemoteBackend& remote = assistant_.remote();
    const std::optional<std::string> served = remote.model_for_adapter(name, e->remote_model);
    return adapter_sha_[name] = "remote:" + served.value_or(remote.base_model() + " with the adapter's prompt");
  }
  std::string sha = e->sha256;
  if (sha.empty()) {
    std::string path = assistant_.registry().resolve(e->path);
    if (std::filesystem::is_directory(path)) path += "/adapter_model.safetensors";
    sha = sha256_file(path);
  }
  adapter_sha_[name] = sha;
  return sha;
}

Session& Evaluator::session_for(int32_t n_seq, int32_t n_ctx_total) {
  if (session_ == nullptr || session_->kv_cache().n_seq() < n_seq ||
      session_->kv_cache().n_blocks_total() * KvCache::kBlockSize < n_ctx_total) {
    SessionOptions so = session_options_;
    so.n_seq = std::max(n_seq, session_ ? session_->kv_cache().n_seq() : 0);
    so.n_ctx_total = std::max({n_ctx_total, so.n_ctx,
                               session_ ? session_->kv_cache().n_blocks_total() * KvCache::kBlockSize : 0});
    session_.reset();  // free the old cache before allocating the new one
    session_ = std::make_unique<Session>(model_, so);
  }
  return *session_;
}

std::vector<GenerationCache::Entry> Evaluator::generate_remotely(const std::vector<const PreparedQuery*>& queries,
                                                                const std::vector<uint64_t>& seeds, int votes) {
  // The items of a batch are asked at once, each on its own connection: a remote that
  // batches (loco serve, vLLM) decodes them together.
  RemoteBackend& backend = assistant_.remote();
  std::vector<std::future<RemoteReply>> replies;
  for (size_t k = 0; k < queries.size(); ++k) {
    const SamplerConfig sc = sampling_for(settings_, votes, seeds[k]);
    RemoteRequest rq;
    rq.messages = queries[k]->messages;
    rq.model = queries[k]->remote_models[0];
    rq.n = votes;
    rq.max_tokens = settings_.max_tokens;
    rq.temperature = sc.temperature;
    rq.top_p = sc.top_p;
    rq.seed = sc.seed;
    replies.push_back(std::async(std::launch::async, [&backend, rq] { return backend.complete(rq); }));
  }
  std::vector<GenerationCache::Entry> out(queries.size());
  std::exception_ptr failure;
  for (size_t k = 0; k < replies.size(); ++k) {
    try {
      const RemoteReply reply = replies[k].get();
      for (const RemoteSample& s : reply.samples) {
        out[k].outputs.push_back(utf8::repair(s.text));
        out[k].tokens.push_back(s.tokens);
      }
    } catch (...) {
      if (!failure) failure = std::current_exception();  // the others are still waited for
    }
  }
  if (failure) std::rethrow_exception(failure);
  return out;
}

void Evaluator::set_context_pack(std::string label, std::vector<ContextDocument> documents) {
  context_label_ = std::move(label);
  context_pack_ = std::move(documents);
}

ConditionRun Evaluator::run(const EvalSet& set, const Condition& condition, const ProgressFn& progress) {
  using Clock = std::chrono::steady_clock;
  if (condition.votes < 1 || condition.votes > 64) throw Error("--votes must be between 1 and 64");
  if (condition.mode == "adapter" && condition.adapter.empty()) throw Error("the adapter condition needs an adapter name");
  const size_t total = settings_.limit > 0 ? std::min<size_t>(set.items.size(), static_cast<size_t>(settings_.limit))
                                           : set.items.size();
  const int votes = condition.votes;
  const int items_per_batch = std::max(1, settings_.batch_sequences / votes);
  const bool remote = assistant_.is_remote();
  QueryOptions qo;
  qo.adapter = condition.mode == "base" ? "none" : condition.mode == "routed" ? "auto" : condition.adapter;
  qo.reread = condition.reread;
  qo.votes = votes;
  qo.max_tokens = settings_.max_tokens;
  qo.fit_to_context = false;  // every item asked the same way, or a clear error
  qo.think = settings_.think;
  if (!condition.context.empty()) {
    if (condition.context != context_label_) {
      throw Error("the condition asks for the context pack '" + condition.context + "', but " +
                  (context_label_.empty() ? std::string("none was given (--context)") : "'" + context_label_ + "' was given"));
    }
    qo.context = context_pack_;
  }
  ScoreOptions score_options;
  score_options.code_seconds = settings_.code_seconds;

  ConditionRun out;
  Progress p;
  p.total = total;
  double seconds = 0;
  int64_t generated_items = 0, generated_tokens = 0;
  const auto started = Clock::now();
  for (size_t first = 0; first < total; first += static_cast<size_t>(items_per_batch)) {
    const size_t last = std::min(total, first + static_cast<size_t>(items_per_batch));
    struct Pending {
      const EvalItem* item;
      PreparedQuery query;
      std::string answered_by, key;
      const GenerationCache::Entry* cached = nullptr;
    };
    std::vector<Pending> pending;
    std::vector<BatchPrompt> prompts;
    std::vector<size_t> prompt_of_pending;
    int32_t kv_needed = 0;
    for (size_t i = first; i < last; ++i) {
      const EvalItem& item = set.items[i];
      qo.eval_type = item.type;
      Pending pe{&item, assistant_.prepare(item.question, qo), "", "", nullptr};
      pe.answered_by = pe.query.adapters.empty() ? "" : pe.query.adapters[0];
      const uint64_t seed = settings_.seed + fnv1a(item.id);
      const SamplerConfig sc = sampling_for(settings_, votes, seed);
      pe.key = remote ? remote_cache_key(assistant_.remote().name(), pe.query.remote_models[0], pe.query.messages, sc,
                                         settings_.max_tokens, votes)
                      : cache_key(model_sha256_, adapter_sha256(pe.answered_by), pe.query.scales[0], pe.query.prompt,
                                  sc, settings_.max_tokens, votes);
      if (cache_ != nullptr) pe.cached = cache_->find(pe.key);
      if (pe.cached == nullptr && remote) {
        prompt_of_pending.push_back(pending.size());
      } else if (pe.cached == nullptr) {
        prompts.push_back({pe.query.prompt, pe.query.loaded[0], pe.query.scales[0], votes, seed});
        prompt_of_pending.push_back(pending.size());
        kv_needed += static_cast<int32_t>(pe.query.prompt.size()) + 2 * KvCache::kBlockSize +
                     votes * (settings_.max_tokens + KvCache::kBlockSize);
      }
      pending.push_back(std::move(pe));
    }
    std::vector<GenerationCache::Entry> fresh(prompt_of_pending.size());
    if (remote && !prompt_of_pending.empty()) {
      const auto t0 = Clock::now();
      std::vector<const PreparedQuery*> queries;
      std::vector<uint64_t> seeds;
      for (size_t k : prompt_of_pending) {
        queries.push_back(&pending[k].query);
        seeds.push_back(settings_.seed + fnv1a(pending[k].item->id));
      }
      fresh = generate_remotely(queries, seeds, votes);
      seconds += std::chrono::duration<double>(Clock::now() - t0).count();
      for (const GenerationCache::Entry& e : fresh)
        for (int64_t t : e.tokens) generated_tokens += t;
      generated_items += static_cast<int64_t>(fresh.size());
      if (cache_ != nullptr) {
        for (size_t k = 0; k < fresh.size(); ++k) cache_->store(pending[prompt_of_pending[k]].key, fresh[k]);
      }
    }
    if (!prompts.empty()) {
      Session& session = session_for(static_cast<int32_t>(prompts.size()) * votes, kv_needed);
      GenerateOptions go;
      go.max_tokens = settings_.max_tokens;
      go.sampling = sampling_for(settings_, votes, 0);
      const auto t0 = Clock::now();
      SampleManyResult r = generate_batch(session, assistant_.tokenizer(), prompts, go);
      seconds += std::chrono::duration<double>(Clock::now() - t0).count();
      for (const Sample& s : r.samples) {
        GenerationCache::Entry& e = fresh[static_cast<size_t>(s.group)];
        // Generated text can hold invalid UTF-8 (a model may emit any byte token); results
        // are JSON, so it is repaired before it is scored or cached, and a fresh run and a
        // resumed one see the same text.
        e.outputs.push_back(utf8::repair(s.text));
        e.tokens.push_back(static_cast<int64_t>(s.tokens.size()));
        generated_tokens += static_cast<int64_t>(s.tokens.size());
      }
      generated_items += static_cast<int64_t>(prompts.size());
      if (cache_ != nullptr) {
        for (size_t k = 0; k < prompts.size(); ++k) cache_->store(pending[prompt_of_pending[k]].key, fresh[k]);
      }
    }
    for (size_t k = 0, fresh_index = 0; k < pending.size(); ++k) {
      const Pending& pe = pending[k];
      const GenerationCache::Entry& e = pe.cached != nullptr ? *pe.cached : fresh[fresh_index++];
      ItemRecord rec;
      rec.condition = condition.name();
      rec.set = set.name;
      rec.id = set.is_private ? private_id(pe.item->id) : pe.item->id;
      rec.answered_by = pe.answered_by;
      rec.prompt_tokens = static_cast<int32_t>(pe.query.prompt.size());
      if (remote) {
        // Estimated: the remote's tokenizer is not known here (estimate_remote_tokens).
        for (const ChatMessage& m : pe.query.messages) rec.prompt_tokens += static_cast<int32_t>(estimate_remote_tokens(m.content));
      }
      for (int64_t t : e.tokens) rec.generated_tokens += t;
      rec.score = score_item(*pe.item, e.outputs, score_options);
      if (!set.is_private) {
        rec.question = pe.item->question;
        rec.outputs = e.outputs;
      }
      p.correct += rec.score.correct ? 1 : 0;
      p.cached += pe.cached != nullptr ? 1 : 0;
      out.items.push_back(std::move(rec));
    }
    p.done = last;
    p.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    if (progress) progress(p);
  }
  out.summary = summarize(out.items, set.type(), settings_.seed);
  ConditionSummary& s = out.summary;
  s.name = condition.name();
  s.condition = condition;
  s.set = set.name;
  s.set_sha256 = set.sha256;
  if (condition.mode == "adapter") s.adapter_sha256 = adapter_sha256(condition.adapter);
  if (condition.mode == "routed") {
    // Every adapter the router sent an item to, as name:sha256.
    std::map<std::string, std::string> used;
    for (const ItemRecord& it : out.items)
      if (!it.answered_by.empty()) used[it.answered_by] = adapter_sha256(it.answered_by);
    for (const auto& [name, sha] : used) s.adapter_sha256 += (s.adapter_sha256.empty() ? "" : ",") + name + ":" + sha;
  }
  s.seconds = seconds;
  s.generated_items = generated_items;
  s.cached_items = static_cast<int64_t>(p.cached);
  s.generated_tokens = generated_tokens;
  s.items_per_minute = seconds > 0 ? 60.0 * static_cast<double>(generated_items) / seconds : 0;
  s.tokens_per_second = seconds > 0 ? static_cast<double>(generated_tokens) / seconds : 0;
  return out;
}

}  // namespace loco::eval
