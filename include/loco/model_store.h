// The models `loco pull` installed: <data dir>/models/<file>.gguf, listed with their size,
// sha256 and origin in <data dir>/models/models.json. Also the one edit loco makes to the
// user's config.yaml: naming the pulled base as the default `model:`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace loco {

struct InstalledModel {
  std::string name;      // what `loco pull` was given a short name for, or the file's stem
  std::string file;      // file name inside the models directory
  uint64_t size = 0;
  std::string sha256;
  std::string url;       // where it came from
  bool verified = false;  // its sha256 matched the catalogue (false: trust on first use)
  std::string pulled_at;  // UTC, ISO 8601
};

class ModelStore {
 public:
  // Reads <data_dir>/models/models.json; a missing file is an empty store. A malformed one
  // is a FormatError naming it.
  static ModelStore load(const std::string& data_dir);

  std::string dir() const { return dir_; }  // <data dir>/models
  std::string manifest() const;             // <data dir>/models/models.json
  std::string path_of(const InstalledModel& m) const { return dir_ + "/" + m.file; }

  const std::vector<InstalledModel>& models() const { return models_; }
  const InstalledModel* find(std::string_view name) const;
  // Adds `m`, replacing an entry of the same name or file.
  void put(InstalledModel m);
  // Removes the entry (not the file); false if there was none.
  bool erase(std::string_view name);
  // Writes the manifest atomically.
  void save() const;

 private:
  std::string dir_;
  std::vector<InstalledModel> models_;
};

// Sets `model:` in the config file to `model_path` when it sets no model yet (or always,
// with `replace`); creates the file if needed and keeps every other line. Returns true if
// it changed the file.
bool set_default_model(const std::string& config_file, const std::string& model_path, bool replace);
// Removes the `model:` line when it names `model_path`. Returns true if it did.
bool clear_default_model(const std::string& config_file, const std::string& model_path);

}  // namespace loco
