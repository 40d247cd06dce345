// Running a condition over a set: every item's prompt is built exactly as `loco query`
// builds it (Assistant::prepare), items are decoded several at a time in one batch
// (generate_batch.h), outputs are cached so a killed run redoes only what is missing, and
// each item is scored as it finishes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loco/assistant.h"
#include "loco/eval/eval_set.h"
#include "loco/eval/results.h"
#include "loco/session.h"

namespace loco::eval {

struct RunSettings {
  int32_t max_tokens = 512;
  float temperature = 0.0f;  // single answers: greedy, as in the original evaluation
  float top_p = 1.0f;
  float vote_temperature = 0.7f;
  float vote_top_p = 0.95f;
  uint64_t seed = 0;         // item i's samples draw from seed + FNV-1a(id) + k
  int batch_sequences = 8;   // sequences decoded together (items × votes)
  double code_seconds = 10;
  bool think = false;
  int limit = 0;             // first N items only (0: all)
};

// The settings as recorded in results.json.
std::vector<std::pair<std::string, std::string>> settings_record(const RunSettings& s);

// Generations on disk, one JSON line each, keyed by a hash of everything that decides
// them (model and adapter hashes, prompt tokens, sampling settings, seed). Lines are
// appended and flushed after each batch; a torn last line (a killed run) is ignored.
class GenerationCache {
 public:
  struct Entry {
    std::vector<std::string> outputs;
    std::vector<int64_t> tokens;  // generated tokens per output
  };
  GenerationCache() = default;                 // in memory only
  explicit GenerationCache(std::string path);  // loads what is there
  const Entry* find(const std::string& key) const;
  void store(const std::string& key, Entry entry);
  size_t size() const { return entries_.size(); }

 private:
  std::string path_;
  std::map<std::string, Entry> entries_;
};

struct Progress {
  size_t done = 0, total = 0, correct = 0, cached = 0;
  double seconds = 0;
};
using ProgressFn = std::function<void(const Progress&)>;

struct ConditionRun {
  std::vector<ItemRecord> items;
  ConditionSummary summary;
};

class Evaluator {
 public:
  Evaluator(Assistant& assistant, std::shared_ptr<const Model> model, std::string model_sha256,
            SessionOptions session_options, RunSettings settings, GenerationCache* cache);
  ConditionRun run(const EvalSet& set, const Condition& condition, const ProgressFn& progress = {});
  const RunSettings& settings() const { return settings_; }
  // The context pack conditions with `context == label` ask every item with.
  void set_context_pack(std::string label, std::vector<ContextDocument> documents);
  // The sha256 recorded for an adapter: the registry's, else computed from its file.
  std::string adapter_sha256(const std::string& name);

 private:
  Session& session_for(int32_t n_seq, int32_t n_ctx_total);
  // An assistant on a remote backend: the batch's items requested concurrently.
  std::vector<GenerationCache::Entry> generate_remotely(const std::vector<const PreparedQuery*>& queries,
                                                        const std::vector<uint64_t>& seeds, int votes);

  Assistant& assistant_;
  std::shared_ptr<const Model> model_;
  std::string model_sha256_;
  SessionOptions session_options_;
  RunSettings settings_;
  GenerationCache* cache_;
  std::unique_ptr<Session> session_;
  std::map<std::string, std::string> adapter_sha_;
  std::string context_label_;
  std::vector<ContextDocument> context_pack_;
};

}  // namespace loco::eval
