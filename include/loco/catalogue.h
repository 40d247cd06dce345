// What `loco pull` can fetch by name, and what a class publishes for `loco adapters
// search|pull`: the model catalogue bundled in the repository (data/models/catalogue.json)
// and adapter index files (JSON at a URL). Both are parsed strictly: a malformed file is a
// FormatError naming the file and the entry, never a crash. See docs/models.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loco {

// One file to download: where from, and what it must be.
struct RemoteFile {
  std::string name;                 // file name on disk (no directories)
  std::string url;
  std::string sha256;               // "" : unknown (trust on first use)
  std::optional<uint64_t> size;     // unset: unknown
};

struct CatalogueModel {
  std::string name;                  // the short name: `loco pull NAME`
  std::vector<std::string> aliases;  // other names for the same file
  std::string description;
  std::string license;
  RemoteFile file;
};

struct Catalogue {
  std::string origin;  // the file it came from (named in errors)
  std::vector<CatalogueModel> models;
  const CatalogueModel* find(std::string_view name) const;  // by name or alias
};

Catalogue parse_catalogue(std::string_view json, const std::string& origin);
Catalogue load_catalogue(const std::string& path);
// $LOCO_CATALOGUE when set, else the catalogue of the source tree loco was built from.
std::string default_catalogue_path();

// One adapter of an index.
struct IndexAdapter {
  std::string name;
  std::string domain;       // "" : its name
  std::string version;
  std::string description;
  std::string license;
  std::string type;         // "lora-gguf" or "lora-peft"
  std::string eval_type;    // "" or an eval type name (numeric, code, ...)
  std::vector<std::string> router_keywords;
  std::string base;         // the base model's name, for people (e.g. "qwen3-4b")
  std::string base_sha256;  // the exact base file it was trained on
  std::vector<std::pair<std::string, double>> eval;  // benchmark name -> score
  std::vector<RemoteFile> files;  // URLs resolved against the index's URL
};

struct AdapterIndex {
  std::string origin;
  std::vector<IndexAdapter> adapters;
  const IndexAdapter* find(std::string_view name) const;
};

// `origin` is the index's URL (relative file URLs are resolved against it) or path.
AdapterIndex parse_adapter_index(std::string_view json, const std::string& origin);

// What a `loco pull` argument names.
struct PullTarget {
  enum class Kind { Model, PeftAdapter };
  Kind kind = Kind::Model;
  std::string name;                // installed under this name
  std::vector<RemoteFile> files;   // one GGUF for a model; config + weights for PEFT
  bool from_catalogue = false;
};

// Resolves `spec`: a catalogue name; hf:OWNER/REPO:FILE (a GGUF file of a Hugging Face
// repository, fetched from $HF_ENDPOINT or https://huggingface.co); hf:OWNER/REPO (a PEFT
// adapter repository: adapter_config.json and adapter_model.safetensors); or an http(s)
// URL of a GGUF file. Throws Error for anything else, listing the catalogue's names.
PullTarget resolve_pull_target(const std::string& spec, const Catalogue& catalogue);

}  // namespace loco
