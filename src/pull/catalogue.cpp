// The model catalogue (data/models/catalogue.json): short names for `loco pull`.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "loco/catalogue.h"
#include "loco/error.h"
#include "loco/pull.h"
#include "pull/json_fields.h"

namespace loco {

using pull_json::Json;
using pull_json::Place;

const CatalogueModel* Catalogue::find(std::string_view name) const {
  for (const CatalogueModel& m : models) {
    if (m.name == name) return &m;
    for (const std::string& a : m.aliases) {
      if (a == name) return &m;
    }
  }
  return nullptr;
}

Catalogue parse_catalogue(std::string_view text, const std::string& origin) {
  const Json doc = pull_json::parse_document(text, origin);
  Catalogue cat;
  cat.origin = origin;
  for (const Json& e : pull_json::entries(doc, "models", {origin, ""})) {
    Place place{origin, "a model"};
    CatalogueModel m;
    m.name = pull_json::required_string(e, "name", place);
    place.entry = "model '" + m.name + "'";
    pull_json::only_keys(e, {"name", "aliases", "description", "license", "file", "url", "sha256", "size"}, place);
    m.aliases = pull_json::string_list(e, "aliases", place);
    m.description = pull_json::optional_string(e, "description", place);
    m.license = pull_json::optional_string(e, "license", place);
    m.file.url = pull_json::required_string(e, "url", place);
    if (!is_http_url(m.file.url)) throw FormatError(place.where() + ": 'url' must be an http(s) URL");
    m.file.name = pull_json::optional_string(e, "file", place);
    if (m.file.name.empty()) m.file.name = url_file_name(m.file.url);
    pull_json::safe_file_name(m.file.name, place);
    m.file.sha256 = pull_json::optional_sha256(e, "sha256", place);
    m.file.size = pull_json::optional_size(e, "size", place);
    for (const std::string& n : [&] {
           std::vector<std::string> all{m.name};
           all.insert(all.end(), m.aliases.begin(), m.aliases.end());
           return all;
         }()) {
      if (cat.find(n) != nullptr) throw FormatError(origin + ": the name '" + n + "' is used twice");
    }
    cat.models.push_back(std::move(m));
  }
  return cat;
}

Catalogue load_catalogue(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the model catalogue");
  std::ostringstream s;
  s << in.rdbuf();
  return parse_catalogue(s.str(), path);
}

std::string default_catalogue_path() {
  if (const char* env = std::getenv("LOCO_CATALOGUE"); env != nullptr && *env != '\0') return env;
  return LOCO_CATALOGUE_FILE;
}

}  // namespace loco
