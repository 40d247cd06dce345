// `loco pull NAME|hf:OWNER/REPO[:FILE]|URL`: downloads a base model into the data
// directory (or a PEFT adapter from Hugging Face into the registry), resumable and
// verified, and makes the first base pulled the default model (docs/models.md).
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "adapter_install.h"
#include "commands.h"
#include "loco/catalogue.h"
#include "loco/error.h"
#include "loco/eval/report.h"
#include "loco/gguf.h"
#include "loco/model_store.h"
#include "loco/progress_bar.h"
#include "loco/registry.h"
#include "loco/pull.h"
#include "loco/user_config.h"

namespace loco::cli {

namespace {

namespace fs = std::filesystem;

struct PullOptions {
  std::string spec;
  std::string config_file;
  std::string data_dir;
  std::string model;  // for adapters: the base to check against
  bool make_default = false;
  bool force = false;
};

// A model file must be GGUF: a server's HTML error page with status 200 is not.
bool has_gguf_magic(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  return in.gcount() == 4 && magic[0] == 'G' && magic[1] == 'G' && magic[2] == 'U' && magic[3] == 'F';
}

void announce_default(const PullOptions& opt, const UserPaths& paths, const std::string& model_path) {
  const bool changed = set_default_model(paths.config_file, model_path, opt.make_default);
  if (changed) {
    fmt::print("default model: {} (model: in {}); loco query and loco chat use it without -m\n", model_path,
               paths.config_file);
    return;
  }
  const Settings settings = merge_settings(load_config(paths.config_file), {});
  if (settings.model != model_path) {
    fmt::print("the default model stays {} (loco pull --default {} makes this one the default)\n", settings.model,
               opt.spec);
  }
}

// A GGUF LoRA adapter (general.type "adapter") rather than a model. A file the GGUF reader
// refuses is deleted.
bool is_lora_adapter(const std::string& path) {
  try {
    return GgufFile::open(path).optional_string("general.type").value_or("") == "adapter";
  } catch (const Error& e) {
    std::error_code ec;
    fs::remove(path, ec);
    throw Error(std::string(e.what()) + " (the download was deleted)");
  }
}

// `hf:OWNER/REPO:FILE` named an adapter: it goes to the registry, checked like any other.
int install_downloaded_adapter(const PullOptions& opt, const PullTarget& target, const std::string& file,
                               const DownloadResult& r) {
  if (!is_valid_adapter_name(target.name)) {
    std::error_code ec;
    fs::remove(file, ec);
    throw Error(file + " is a LoRA adapter, but '" + target.name + "' is not a valid adapter name; deleted");
  }
  const AdapterLocation where{opt.config_file, opt.data_dir, "", opt.model};
  // Placed where pull_adapter_package looks for finished files, so it is not fetched again.
  const fs::path staging = fs::path(registry_path(where)).parent_path() / ("." + target.name + ".pull");
  const std::string name = fs::path(file).filename().string();
  fs::create_directories(staging);
  fs::rename(file, staging / name);
  IndexAdapter package;
  package.name = target.name;
  package.type = kLoraGguf;
  package.files.push_back({name, target.files.front().url, r.sha256, r.size});
  fmt::print("{} is a LoRA adapter: registering it as '{}'\n", name, target.name);
  pull_adapter_package(package, where, opt.force, /*activate=*/false);
  return 0;
}

int pull_model(const PullOptions& opt, const PullTarget& target) {
  const UserPaths paths = resolve_user_paths(opt.config_file, opt.data_dir);
  // A config file loco cannot read fails the pull before the download, not after.
  (void)load_config(paths.config_file);
  ModelStore store = ModelStore::load(paths.data_dir);
  const RemoteFile& file = target.files.front();
  const std::string dest = (fs::path(store.dir()) / file.name).string();
  const InstalledModel* known = store.find(target.name);

  if (known != nullptr && known->file == file.name && fs::exists(dest) && !opt.force) {
    fmt::print("{} is already installed: {} ({}, sha256 {})\n", target.name, dest, format_bytes(known->size),
               known->sha256);
    announce_default(opt, paths, dest);
    return 0;
  }

  DownloadRequest req;
  req.url = file.url;
  req.dest = dest;
  req.expected_size = file.size;
  req.expected_sha256 = file.sha256;
  // Trust on first use: without a catalogue hash, a re-download must match the first one.
  if (req.expected_sha256.empty() && known != nullptr && known->file == file.name) req.expected_sha256 = known->sha256;
  fmt::print("pulling {} from {}\n", target.name, file.url);
  std::fflush(stdout);
  ProgressBar bar(file.name);
  req.progress = [&bar](uint64_t done, uint64_t total) { bar.update(done, total); };
  // Hashing 2.5 GB takes a few seconds: say why nothing moves.
  req.verifying = [&bar] {
    bar.finish();
    if (::isatty(STDERR_FILENO) == 1) fmt::print(stderr, "verifying sha256 ...\n");
  };
  DownloadResult r;
  try {
    r = download_file(req);
  } catch (...) {
    bar.finish();
    throw;
  }
  bar.finish();
  if (!has_gguf_magic(dest)) {
    std::error_code ec;
    fs::remove(dest, ec);
    throw Error(dest + ": not a GGUF file (the server sent something else); deleted");
  }
  if (is_lora_adapter(dest)) return install_downloaded_adapter(opt, target, dest, r);

  InstalledModel m;
  m.name = target.name;
  m.file = file.name;
  m.size = r.size;
  m.sha256 = r.sha256;
  m.url = file.url;
  m.verified = r.verified;
  m.pulled_at = eval::utc_now();
  store.put(m);
  store.save();

  if (r.restarted) fmt::print("the server does not resume downloads: the file was fetched from the start\n");
  if (r.resumed_from > 0) fmt::print("resumed after {} already downloaded\n", format_bytes(r.resumed_from));
  fmt::print("pulled {}: {} ({})\nsha256 {}\n", target.name, dest, format_bytes(r.size), r.sha256);
  if (r.verified) {
    fmt::print("verified: size and sha256 match {}\n", target.from_catalogue ? "the catalogue" : "the first download");
  } else {
    fmt::print("not verified: {} no sha256 for this file; this hash is recorded now (trust on first use) and "
               "later downloads of it must match\n",
               target.from_catalogue ? "the catalogue records" : "there is");
  }
  announce_default(opt, paths, dest);
  return 0;
}

int pull_peft_adapter(const PullOptions& opt, const PullTarget& target) {
  IndexAdapter package;
  package.name = target.name;
  package.type = "lora-peft";
  package.files = target.files;
  AdapterLocation where{opt.config_file, opt.data_dir, "", opt.model};
  pull_adapter_package(package, where, opt.force, /*activate=*/false);
  return 0;
}

int run_pull(const PullOptions& opt) {
  // Only a short name needs the catalogue (an installed loco may have lost the source tree).
  const bool by_name = opt.spec.rfind("hf:", 0) != 0 && !is_http_url(opt.spec);
  const Catalogue catalogue = by_name ? load_catalogue(default_catalogue_path()) : Catalogue{};
  const PullTarget target = resolve_pull_target(opt.spec, catalogue);
  if (target.kind == PullTarget::Kind::PeftAdapter) return pull_peft_adapter(opt, target);
  return pull_model(opt, target);
}

}  // namespace

Command register_pull(CLI::App& root) {
  auto opt = std::make_shared<PullOptions>();
  CLI::App* app = root.add_subcommand(
      "pull", "Download a base model (catalogue name, hf:OWNER/REPO:FILE or URL) or a PEFT adapter (hf:OWNER/REPO)");
  app->add_option("name", opt->spec, "qwen3-4b, hf:OWNER/REPO[:FILE] or an http(s) URL")->required();
  app->add_option("--config", opt->config_file, "Config file (default: <config dir>/config.yaml)");
  app->add_option("--data-dir", opt->data_dir, "Data directory (default: $LOCO_DATA_DIR, $XDG_DATA_HOME/loco)");
  app->add_option("-m,--model", opt->model, "For an adapter: the base model GGUF to check it against");
  app->add_flag("--default", opt->make_default, "Make this model the default even if another one is configured");
  app->add_flag("--force", opt->force,
                "Download again even if installed; for an adapter, replace one of that name and accept another base");
  return {app, [opt] { return run_pull(*opt); }};
}

}  // namespace loco::cli
