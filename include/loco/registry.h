// The adapter registry: adapters/registry.yaml in the LocoLLM schema (v1 files load
// unchanged). It records the base model every adapter was trained for and, per adapter,
// where its weights are, what domain it serves, how it is evaluated and routed.
//
// Several adapters may serve one domain; exactly one of them is active (used by the
// router). Keys loco does not interpret are kept and written back on save. Paths are
// relative to the registry's directory unless absolute.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loco/eval_type.h"

namespace loco {

// A key whose value loco does not interpret, kept as YAML text (flow style; quoted
// scalars stay quoted) so that saving writes back what loading read.
struct YamlField {
  std::string key;
  std::string yaml;
  bool operator==(const YamlField&) const = default;
};


// Adapter types. merged-gguf is a whole model with the adapter merged in (LocoLLM v1).
inline constexpr const char* kLoraGguf = "lora-gguf";
inline constexpr const char* kLoraPeft = "lora-peft";
inline constexpr const char* kMergedGguf = "merged-gguf";

struct BaseModelInfo {
  std::string name;           // e.g. "Qwen/Qwen3-4B-Instruct"
  std::string quantization;   // e.g. "Q4_K_M"
  std::string format;         // e.g. "gguf"
  std::optional<double> size_gb;
  std::string academic_year;  // e.g. "2026-2027"
  std::string ollama_name;    // e.g. "qwen3:4b"
  std::string path;           // a local GGUF of the base model (optional)
  std::string sha256;         // of that file (optional)
  std::vector<YamlField> extra;
};

struct FewShotExample {
  std::string question;
  std::string answer;
  bool operator==(const FewShotExample&) const = default;
};

struct AdapterEntry {
  std::string name;  // also its folder under the registry directory when copied there
  std::string version;
  std::string type;  // kLoraGguf, kLoraPeft, kMergedGguf, ...
  std::string path;  // GGUF file or PEFT directory
  bool path_key_is_gguf_path = false;  // written back as v1's `gguf_path` key
  std::string description;
  std::vector<std::string> authors;
  std::vector<std::string> tags;
  std::string domain;  // defaults to the name (v1 files have no domains)
  bool active = false;
  std::string eval_dataset;
  EvalType eval_type = EvalType::None;
  std::vector<std::string> router_keywords;
  std::vector<YamlField> training;  // free-form: method, lora_r, dataset, ...
  std::vector<std::pair<std::string, double>> benchmark_scores;
  std::optional<std::string> system_prompt;
  std::vector<FewShotExample> few_shot;
  double scale = 1.0;  // LoRA scale applied on top of the adapter's own alpha / rank
  // With a remote backend (remote_backend.h): the remote's model that serves this adapter
  // (a vLLM LoRA module, an Ollama model, loco serve's "loco/<name>"); "": found by name.
  std::string remote_model;
  // Follow-up suggestions chat shows after an answer (nudges.h); unset: the defaults of the
  // adapter's eval type; empty: none for this adapter.
  std::optional<std::vector<std::string>> nudges;
  // Context files or directories (context.h) every question this adapter answers comes
  // with, e.g. a "show each step" template; relative to the registry's directory.
  std::vector<std::string> context;
  std::string sha256;  // of the GGUF file, or of a PEFT dir's adapter_model.safetensors
  std::string config_sha256;  // of a PEFT dir's adapter_config.json (alpha, targets, rank)
  std::vector<YamlField> extra;
};

class Registry {
 public:
  // Reads `path`. Throws FormatError naming the file, the adapter and the key.
  static Registry load(const std::string& path);
  // As load, but a missing file is an empty registry that will be saved at `path`.
  static Registry load_or_empty(const std::string& path);
  // Parses registry text; `path` names it in errors and anchors relative paths.
  static Registry parse(std::string_view text, const std::string& path);

  // Writes the registry back to its file atomically (temporary file, then rename).
  void save() const;
  std::string to_yaml() const;

  const std::string& file() const { return file_; }
  std::string dir() const;  // the directory relative paths are resolved against
  // `p` relative to dir() unless absolute; empty stays empty.
  std::string resolve(const std::string& p) const;
  // eval_dataset: relative to dir(), else (as in v1) to the adapter's folder dir()/<name>.
  std::string resolve_eval_dataset(const AdapterEntry& entry) const;

  std::optional<BaseModelInfo> base_model;
  const std::vector<AdapterEntry>& adapters() const { return adapters_; }

  const AdapterEntry* find(std::string_view name) const;
  const AdapterEntry* active_for(std::string_view domain) const;
  std::vector<std::string> domains() const;  // in order of first appearance

  // Adds `entry`, or replaces the entry of that name when `replace` (else an existing name
  // is an Error). It becomes active if `entry.active` or if its domain has no adapter yet.
  void add(AdapterEntry entry, bool replace);
  // Removes an entry; if it was active, the next adapter of its domain becomes active.
  // Returns the removed entry. Throws Error when there is no such adapter.
  AdapterEntry remove(std::string_view name);
  // Makes `name` the active adapter of its domain. Returns the one it replaced ("" if none).
  std::string activate(std::string_view name);

 private:
  void settle_active();

  std::string file_;
  std::string header_comment_;  // leading comment lines, written back
  std::vector<AdapterEntry> adapters_;
  std::vector<YamlField> extra_;
};

// Adapter names become folder names: 1 to 64 of [A-Za-z0-9._-], not starting with '.' or '-'.
bool is_valid_adapter_name(std::string_view name);

}  // namespace loco
