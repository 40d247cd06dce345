// Adapter index files: what a class publishes so that students install adapters by name.
#include <string>

#include "loco/catalogue.h"
#include "loco/error.h"
#include "loco/pull.h"
#include "loco/registry.h"
#include "pull/json_fields.h"

namespace loco {

using pull_json::Json;
using pull_json::Place;

const IndexAdapter* AdapterIndex::find(std::string_view name) const {
  for (const IndexAdapter& a : adapters) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

namespace {

RemoteFile index_file(const Json& f, const std::string& origin, const Place& place) {
  if (!f.is_object()) throw FormatError(place.where() + ": every entry of 'files' must be an object");
  pull_json::only_keys(f, {"name", "url", "sha256", "size"}, place);
  RemoteFile r;
  r.url = pull_json::required_string(f, "url", place);
  r.name = pull_json::optional_string(f, "name", place);
  if (r.name.empty()) r.name = url_file_name(r.url);
  pull_json::safe_file_name(r.name, place);
  r.url = resolve_url(origin, r.url);
  // An index is a promise about exact files: each must say what it is.
  r.sha256 = pull_json::optional_sha256(f, "sha256", place);
  if (r.sha256.empty()) throw FormatError(place.where() + ": file '" + r.name + "' needs its sha256");
  r.size = pull_json::optional_size(f, "size", place);
  return r;
}

}  // namespace

AdapterIndex parse_adapter_index(std::string_view text, const std::string& origin) {
  const Json doc = pull_json::parse_document(text, origin);
  AdapterIndex index;
  index.origin = origin;
  for (const Json& e : pull_json::entries(doc, "adapters", {origin, ""})) {
    Place place{origin, "an adapter"};
    IndexAdapter a;
    a.name = pull_json::required_string(e, "name", place);
    place.entry = "adapter '" + a.name + "'";
    if (!is_valid_adapter_name(a.name)) throw FormatError(place.where() + ": not a valid adapter name");
    pull_json::only_keys(e, {"name", "domain", "version", "description", "license", "type", "eval_type",
                             "router_keywords", "base", "base_sha256", "eval", "files"},
                         place);
    a.domain = pull_json::optional_string(e, "domain", place);
    a.version = pull_json::optional_string(e, "version", place);
    a.description = pull_json::optional_string(e, "description", place);
    a.license = pull_json::optional_string(e, "license", place);
    a.type = pull_json::optional_string(e, "type", place);
    if (a.type.empty()) a.type = "lora-gguf";
    if (a.type != "lora-gguf" && a.type != "lora-peft") {
      throw FormatError(place.where() + ": 'type' must be lora-gguf or lora-peft");
    }
    a.eval_type = pull_json::optional_string(e, "eval_type", place);
    a.router_keywords = pull_json::string_list(e, "router_keywords", place);
    a.base = pull_json::optional_string(e, "base", place);
    a.base_sha256 = pull_json::optional_sha256(e, "base_sha256", place);
    if (a.base_sha256.empty()) throw FormatError(place.where() + ": 'base_sha256' is required");
    if (const auto it = e.find("eval"); it != e.end() && !it->is_null()) {
      if (!it->is_object()) throw FormatError(place.where() + ": 'eval' must map benchmark names to numbers");
      for (const auto& item : it->items()) {
        if (!item.value().is_number()) throw FormatError(place.where() + ": 'eval' must map benchmark names to numbers");
        a.eval.emplace_back(item.key(), item.value().get<double>());
      }
    }
    const auto files = e.find("files");
    if (files == e.end() || !files->is_array() || files->empty()) {
      throw FormatError(place.where() + ": 'files' must be a non-empty list");
    }
    for (const Json& f : *files) a.files.push_back(index_file(f, origin, place));
    if (a.type == "lora-gguf" && a.files.size() != 1) {
      throw FormatError(place.where() + ": a lora-gguf adapter has exactly one file");
    }
    if (a.type == "lora-peft") {
      bool weights = false;
      for (const RemoteFile& f : a.files) weights = weights || f.name == "adapter_model.safetensors";
      if (!weights) throw FormatError(place.where() + ": a lora-peft adapter needs adapter_model.safetensors");
    }
    if (index.find(a.name) != nullptr) throw FormatError(origin + ": adapter '" + a.name + "' is listed twice");
    index.adapters.push_back(std::move(a));
  }
  return index;
}

}  // namespace loco
