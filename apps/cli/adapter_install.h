// Installing adapters from packages (an adapter index entry, a Hugging Face PEFT
// repository) and the base check every install makes: an adapter is tied to the exact
// base file it was trained on, and one whose recorded base sha256 differs from the
// installed base is refused unless --force (which is recorded in the registry).
#pragma once

#include <string>

#include "loco/catalogue.h"
#include "loco/registry.h"

namespace loco::cli {

// Where the registry and the base model come from: the adapters commands' flags.
struct AdapterLocation {
  std::string config_file;    // --config
  std::string data_dir;       // --data-dir
  std::string registry_file;  // --registry
  std::string model;          // -m: the base model to check against
};

std::string registry_path(const AdapterLocation& where);
// The base model an adapter is checked against: -m, else the registry's base_model.path,
// else `model:` in config.yaml. Throws Error naming all three when none is set.
std::string base_model_path(const AdapterLocation& where, const Registry& reg);

// The sha256 of the base model an adapter records it was trained on: GGUF metadata
// `loco.train.base_sha256`, or in a PEFT directory's adapter_config.json
// `loco_train.base_sha256`. "" when the adapter records none.
std::string recorded_base_sha256(const std::string& adapter_path);

struct BaseCheck {
  std::string trained_on;  // "" : the adapter records no base (nothing was checked)
  std::string installed;   // the base file's sha256 (when checked)
  bool forced = false;     // they differ and --force installed it anyway
};

// Compares `trained_on` with the base file's sha256. Throws Error (one line: the adapter,
// both hashes, --force) when they differ and `force` is false.
BaseCheck check_base(const std::string& adapter, const std::string& trained_on, const std::string& base_path,
                     const std::string& data_dir, bool force);
// Records the check in the entry (keys base_sha256 and base_check, see docs/registry.md).
void record_base_check(AdapterEntry& entry, const BaseCheck& check);
// What to tell the user about the check (one line, "" when nothing to say).
std::string base_check_note(const BaseCheck& check);

// Downloads `package`'s files into <registry dir>/<name>/ (resumable: a rerun continues
// the .part files), checks each file's sha256 and the base, loads the adapter against the
// base model, and registers it. `replace_or_force`: replace an adapter of that name and
// accept a base mismatch.
void pull_adapter_package(const IndexAdapter& package, const AdapterLocation& where, bool force, bool activate);

// `loco adapters remove NAME` (for `loco rm`): unregisters it, deleting only files loco
// copied or downloaded into <registry dir>/<name>/.
int remove_adapter(const AdapterLocation& where, const std::string& name);

}  // namespace loco::cli
