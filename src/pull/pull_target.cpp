// What a `loco pull` argument names: a catalogue entry, a Hugging Face file or adapter
// repository, or a URL.
#include <cstdlib>
#include <string>

#include "loco/catalogue.h"
#include "loco/error.h"
#include "loco/pull.h"
#include "loco/registry.h"

namespace loco {

namespace {

// $HF_ENDPOINT (the variable huggingface_hub reads, e.g. for a mirror), else the hub.
std::string hf_endpoint() {
  std::string e = "https://huggingface.co";
  if (const char* env = std::getenv("HF_ENDPOINT"); env != nullptr && *env != '\0') e = env;
  while (!e.empty() && e.back() == '/') e.pop_back();
  return e;
}

bool is_repo_part(const std::string& s) {
  if (s.empty() || s.size() > 96 || s.front() == '.' || s.front() == '-') return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// "Qwen3-4B-Instruct-2507-Q4_K_M.gguf" -> "Qwen3-4B-Instruct-2507-Q4_K_M"
std::string stem(const std::string& file) {
  const size_t dot = file.rfind('.');
  return dot == std::string::npos || dot == 0 ? file : file.substr(0, dot);
}

bool plain_file_name(const std::string& f) {
  return !f.empty() && f.front() != '.' && f.find('/') == std::string::npos && f.find('\\') == std::string::npos;
}

std::string catalogue_names(const Catalogue& catalogue) {
  std::string names;
  for (const CatalogueModel& m : catalogue.models) names += (names.empty() ? "" : ", ") + m.name;
  return names.empty() ? "(none)" : names;
}

PullTarget hugging_face(const std::string& spec) {
  const std::string rest = spec.substr(3);
  const size_t colon = rest.find(':');
  const std::string repo = rest.substr(0, colon);
  const size_t slash = repo.find('/');
  if (slash == std::string::npos || !is_repo_part(repo.substr(0, slash)) || !is_repo_part(repo.substr(slash + 1))) {
    throw Error("'" + spec + "': expected hf:OWNER/REPO or hf:OWNER/REPO:FILE");
  }
  const std::string base = hf_endpoint() + "/" + repo + "/resolve/main/";
  PullTarget t;
  if (colon != std::string::npos) {
    const std::string file = rest.substr(colon + 1);
    if (!plain_file_name(file)) throw Error("'" + spec + "': FILE must be a file name in the repository's top folder");
    t.kind = PullTarget::Kind::Model;
    t.name = stem(file);
    t.files.push_back({file, base + file, "", std::nullopt});
    return t;
  }
  // A repository without a file: a PEFT adapter, installed under the repository's name.
  t.kind = PullTarget::Kind::PeftAdapter;
  t.name = repo.substr(slash + 1);
  if (!is_valid_adapter_name(t.name)) throw Error("'" + spec + "': the repository name is not a valid adapter name");
  for (const char* f : {"adapter_config.json", "adapter_model.safetensors"}) {
    t.files.push_back({f, base + f, "", std::nullopt});
  }
  return t;
}

}  // namespace

PullTarget resolve_pull_target(const std::string& spec, const Catalogue& catalogue) {
  if (const CatalogueModel* m = catalogue.find(spec)) {
    PullTarget t;
    t.kind = PullTarget::Kind::Model;
    t.name = m->name;
    t.files.push_back(m->file);
    t.from_catalogue = true;
    return t;
  }
  if (spec.rfind("hf:", 0) == 0) return hugging_face(spec);
  if (is_http_url(spec)) {
    const std::string file = url_file_name(spec);
    if (!plain_file_name(file)) throw Error("'" + spec + "': the URL does not end in a file name");
    PullTarget t;
    t.kind = PullTarget::Kind::Model;
    t.name = stem(file);
    t.files.push_back({file, spec, "", std::nullopt});
    return t;
  }
  throw Error("'" + spec + "' is not in the model catalogue (" + catalogue.origin + ": " + catalogue_names(catalogue) +
              ") and is not hf:OWNER/REPO[:FILE] or an http(s) URL");
}

}  // namespace loco
