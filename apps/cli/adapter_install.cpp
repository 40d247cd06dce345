#include "adapter_install.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "file_hash_cache.h"
#include "loco/error.h"
#include "loco/gguf.h"
#include "loco/lora.h"
#include "loco/model.h"
#include "loco/progress_bar.h"
#include "loco/pull.h"
#include "loco/sha256.h"
#include "loco/user_config.h"

namespace loco::cli {

namespace fs = std::filesystem;

std::string registry_path(const AdapterLocation& where) {
  if (!where.registry_file.empty()) return where.registry_file;
  return resolve_user_paths(where.config_file, where.data_dir).registry_file();
}

std::string base_model_path(const AdapterLocation& where, const Registry& reg) {
  if (!where.model.empty()) return where.model;
  if (reg.base_model && !reg.base_model->path.empty()) return reg.resolve(reg.base_model->path);
  const UserPaths paths = resolve_user_paths(where.config_file, where.data_dir);
  const Settings settings = merge_settings(load_config(paths.config_file), {});
  if (!settings.model.empty()) return settings.model;
  throw Error("no base model to check the adapter against: give --model, set base_model.path in " + reg.file() +
              ", or set model in " + paths.config_file + " (loco pull does)");
}

std::string recorded_base_sha256(const std::string& adapter_path) {
  std::string found;
  std::error_code ec;
  if (fs::is_directory(adapter_path, ec)) {
    const std::string config = (fs::path(adapter_path) / "adapter_config.json").string();
    std::ifstream in(config, std::ios::binary);
    if (!in) return "";
    std::ostringstream s;
    s << in.rdbuf();
    const auto j = nlohmann::json::parse(s.str(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw Error(config + ": not valid JSON");
    const auto notes = j.find("loco_train");
    if (notes == j.end() || !notes->is_object()) return "";
    const auto v = notes->find("base_sha256");
    if (v == notes->end()) return "";
    if (!v->is_string()) throw Error(config + ": loco_train.base_sha256 must be a string");
    found = v->get<std::string>();
  } else {
    const GgufFile file = GgufFile::open(adapter_path);
    found = file.optional_string("loco.train.base_sha256").value_or("");
  }
  if (!found.empty() && !is_sha256_hex(found)) {
    throw Error(adapter_path + ": the recorded base sha256 is not 64 hex digits: '" + found + "'");
  }
  for (char& c : found) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
  return found;
}

BaseCheck check_base(const std::string& adapter, const std::string& trained_on, const std::string& base_path,
                     const std::string& data_dir, bool force) {
  BaseCheck check;
  check.trained_on = trained_on;
  if (trained_on.empty()) return check;
  check.installed = cached_file_sha256(base_path, data_dir);
  if (check.installed == trained_on) return check;
  if (!force) {
    throw Error(fmt::format("adapter '{}' was trained on the base model with sha256 {}, but the installed base {} "
                            "has sha256 {}: use --force to install it anyway",
                            adapter, trained_on, base_path, check.installed));
  }
  check.forced = true;
  return check;
}

void record_base_check(AdapterEntry& entry, const BaseCheck& check) {
  std::erase_if(entry.extra, [](const YamlField& f) { return f.key == "base_sha256" || f.key == "base_check"; });
  if (check.trained_on.empty()) return;
  entry.extra.push_back({"base_sha256", nlohmann::json(check.trained_on).dump()});
  const std::string what = check.forced ? "forced: installed over base " + check.installed : "matched";
  entry.extra.push_back({"base_check", nlohmann::json(what).dump()});
}

std::string base_check_note(const BaseCheck& check) {
  if (check.trained_on.empty()) return "the adapter records no base sha256: its base was not checked";
  if (check.forced) {
    return fmt::format("warning: trained on base {}, installed base is {}: forced (recorded in the registry)",
                       check.trained_on, check.installed);
  }
  return "base sha256 matches the installed base";
}

namespace {

void remove_all_quietly(const fs::path& p) {
  std::error_code ec;
  fs::remove_all(p, ec);
}

}  // namespace

void pull_adapter_package(const IndexAdapter& package, const AdapterLocation& where, bool force, bool activate) {
  Registry reg = Registry::load_or_empty(registry_path(where));
  if (reg.find(package.name) != nullptr && !force) {
    throw Error(reg.file() + ": adapter '" + package.name + "' already exists (use --force to replace it)");
  }
  const std::string base = base_model_path(where, reg);
  const std::string data_dir = resolve_user_paths(where.config_file, where.data_dir).data_dir;
  // Before any download: an index says which base each adapter needs.
  BaseCheck check = check_base(package.name, package.base_sha256, base, data_dir, force);

  // A fixed staging folder, so that rerunning after an interruption resumes its .part files.
  const fs::path staging = fs::path(reg.dir()) / ("." + package.name + ".pull");
  const fs::path dest = fs::path(reg.dir()) / package.name;
  if (dest.filename() == fs::path(reg.file()).filename()) {
    throw Error("an adapter named '" + package.name + "' cannot be installed beside " + reg.file());
  }
  for (const RemoteFile& f : package.files) {
    DownloadRequest req;
    req.url = f.url;
    req.dest = (staging / f.name).string();
    req.expected_size = f.size;
    req.expected_sha256 = f.sha256;
    if (fs::exists(req.dest)) {
      // Finished by an earlier, interrupted pull: it was verified before its rename.
      if (f.sha256.empty() || sha256_file(req.dest) == f.sha256) continue;
      fs::remove(req.dest);
    }
    ProgressBar bar(f.name);
    req.progress = [&bar](uint64_t done, uint64_t total) { bar.update(done, total); };
    try {
      download_file(req);
    } catch (...) {
      bar.finish();
      // A file that failed verification was deleted; an interrupted one stays for a rerun.
      std::error_code ignored;
      fs::remove(staging, ignored);  // only if empty
      throw;
    }
    bar.finish();
  }
  const bool peft = package.type == kLoraPeft;
  const std::string weights_name = peft ? "adapter_model.safetensors" : package.files.front().name;
  const std::string load_path = peft ? staging.string() : (staging / weights_name).string();
  try {
    if (check.trained_on.empty()) {
      // A package without a recorded base (a Hugging Face repository): the files may say.
      check = check_base(package.name, recorded_base_sha256(load_path), base, data_dir, force);
    }
    const auto model = Model::load(base);
    LoraAdapter::load(load_path, *model);
  } catch (const Error& e) {
    remove_all_quietly(staging);
    throw Error("adapter '" + package.name + "' not installed: " + e.what());
  }

  std::error_code ec;
  fs::remove_all(dest, ec);
  fs::rename(staging, dest, ec);
  if (ec) throw Error("cannot move " + staging.string() + " to " + dest.string() + ": " + ec.message());

  AdapterEntry entry;
  entry.name = package.name;
  entry.domain = package.domain.empty() ? package.name : package.domain;
  entry.version = package.version;
  entry.type = peft ? kLoraPeft : kLoraGguf;
  entry.path = peft ? package.name : package.name + "/" + weights_name;
  entry.description = package.description;
  entry.eval_type = parse_eval_type(package.eval_type).value_or(EvalType::None);
  entry.router_keywords = package.router_keywords;
  entry.benchmark_scores = package.eval;
  entry.active = activate;
  entry.sha256 = sha256_file((dest / weights_name).string());
  if (peft && fs::exists(dest / "adapter_config.json")) entry.config_sha256 = sha256_file((dest / "adapter_config.json").string());
  if (!package.license.empty()) entry.extra.push_back({"license", nlohmann::json(package.license).dump()});
  entry.extra.push_back({"source", nlohmann::json(package.files.front().url).dump()});
  record_base_check(entry, check);
  reg.add(entry, force);
  reg.save();
  const AdapterEntry* added = reg.find(package.name);
  fmt::print("installed '{}' ({}, domain {}{}) -> {}\nsha256 {}\n{}\n", added->name, added->type, added->domain,
             added->active ? ", active" : "", reg.resolve(added->path), added->sha256, base_check_note(check));
}

}  // namespace loco::cli
