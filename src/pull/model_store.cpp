// <data dir>/models/models.json: the models `loco pull` installed.
#include "loco/model_store.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "loco/atomic_file.h"
#include "loco/error.h"
#include "pull/json_fields.h"

namespace loco {

namespace fs = std::filesystem;
using pull_json::Json;
using pull_json::Place;

std::string ModelStore::manifest() const { return dir_ + "/models.json"; }

ModelStore ModelStore::load(const std::string& data_dir) {
  ModelStore store;
  store.dir_ = (fs::path(data_dir) / "models").string();
  std::ifstream in(store.manifest(), std::ios::binary);
  if (!in) return store;
  std::ostringstream s;
  s << in.rdbuf();
  const std::string file = store.manifest();
  const Json doc = pull_json::parse_document(s.str(), file);
  for (const Json& e : pull_json::entries(doc, "models", {file, ""})) {
    Place place{file, "a model"};
    InstalledModel m;
    m.name = pull_json::required_string(e, "name", place);
    place.entry = "model '" + m.name + "'";
    m.file = pull_json::safe_file_name(pull_json::required_string(e, "file", place), place);
    m.size = pull_json::optional_size(e, "size", place).value_or(0);
    m.sha256 = pull_json::optional_sha256(e, "sha256", place);
    m.url = pull_json::optional_string(e, "url", place);
    const auto v = e.find("verified");
    m.verified = v != e.end() && v->is_boolean() && v->get<bool>();
    m.pulled_at = pull_json::optional_string(e, "pulled_at", place);
    store.models_.push_back(std::move(m));
  }
  return store;
}

const InstalledModel* ModelStore::find(std::string_view name) const {
  for (const InstalledModel& m : models_) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

void ModelStore::put(InstalledModel m) {
  std::erase_if(models_, [&](const InstalledModel& x) { return x.name == m.name || x.file == m.file; });
  models_.push_back(std::move(m));
}

bool ModelStore::erase(std::string_view name) {
  return std::erase_if(models_, [&](const InstalledModel& x) { return x.name == name; }) > 0;
}

void ModelStore::save() const {
  Json list = Json::array();
  for (const InstalledModel& m : models_) {
    list.push_back({{"name", m.name},
                    {"file", m.file},
                    {"size", m.size},
                    {"sha256", m.sha256},
                    {"url", m.url},
                    {"verified", m.verified},
                    {"pulled_at", m.pulled_at}});
  }
  write_file_atomically(manifest(), Json{{"models", list}}.dump(2) + "\n");
}

}  // namespace loco
