// `loco adapters list|show|add|remove|activate|search|pull`: the user's adapter registry
// (<data>/adapters/registry.yaml, see docs/registry.md) and adapter indexes
// (docs/models.md).
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <unistd.h>

#include "adapter_install.h"
#include "commands.h"
#include "loco/catalogue.h"
#include "loco/error.h"
#include "loco/lora.h"
#include "loco/model.h"
#include "loco/pull.h"
#include "loco/registry.h"
#include "loco/sha256.h"
#include "loco/user_config.h"

namespace loco::cli {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

struct AdaptersOptions {
  // Where things are: --config, --data-dir, --registry.
  std::string config_file;
  std::string data_dir;
  std::string registry_file;
  bool json = false;
  // add / show / remove / activate
  std::string name;
  std::string path;
  std::string domain;
  std::string eval_type;
  std::vector<std::string> keywords;
  std::string description;
  std::string version;
  std::string model;
  double scale = 1.0;
  bool copy = false;
  bool force = false;
  bool activate = false;
  // search / pull
  std::string index;
  std::string query;
};

void add_location_flags(CLI::App& app, AdaptersOptions& opt) {
  app.add_option("--config", opt.config_file, "Config file (default: <config dir>/config.yaml)");
  app.add_option("--data-dir", opt.data_dir, "Data directory (default: $LOCO_DATA_DIR, $XDG_DATA_HOME/loco)");
  app.add_option("--registry", opt.registry_file,
                 "Registry file (default: <data dir>/adapters/registry.yaml)");
}

AdapterLocation location(const AdaptersOptions& opt) {
  return {opt.config_file, opt.data_dir, opt.registry_file, opt.model};
}

std::string registry_path(const AdaptersOptions& opt) { return registry_path(location(opt)); }

bool exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

// True if `path` lies inside `dir` once both are resolved (symbolic links, "..").
bool is_within(const std::string& path, const std::string& dir) {
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(path, ec);
  if (ec) return false;
  const fs::path d = fs::weakly_canonical(dir, ec);
  if (ec) return false;
  auto [d_end, p_it] = std::mismatch(d.begin(), d.end(), p.begin(), p.end());
  return d_end == d.end();
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

Json adapter_json(const Registry& reg, const AdapterEntry& e) {
  Json j;
  j["name"] = e.name;
  j["domain"] = e.domain;
  j["active"] = e.active;
  j["version"] = e.version;
  j["type"] = e.type;
  j["path"] = e.path;
  j["resolved_path"] = reg.resolve(e.path);
  j["description"] = e.description;
  j["authors"] = e.authors;
  j["tags"] = e.tags;
  j["eval_dataset"] = e.eval_dataset;
  j["eval_type"] = eval_type_name(e.eval_type);
  j["router_keywords"] = e.router_keywords;
  j["system_prompt"] = e.system_prompt ? Json(*e.system_prompt) : Json();
  j["few_shot"] = Json::array();
  for (const FewShotExample& ex : e.few_shot) {
    j["few_shot"].push_back({{"question", ex.question}, {"answer", ex.answer}});
  }
  j["scale"] = e.scale;
  j["sha256"] = e.sha256;
  j["training"] = Json::object();
  for (const YamlField& f : e.training) j["training"][f.key] = f.yaml;
  j["benchmark_scores"] = Json::object();
  for (const auto& [k, v] : e.benchmark_scores) j["benchmark_scores"][k] = v;
  j["other"] = Json::object();
  for (const YamlField& f : e.extra) j["other"][f.key] = f.yaml;
  return j;
}

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

int run_list(const AdaptersOptions& opt) {
  const Registry reg = Registry::load_or_empty(registry_path(opt));
  if (opt.json) {
    Json j;
    j["registry"] = reg.file();
    j["adapters"] = Json::array();
    for (const AdapterEntry& e : reg.adapters()) j["adapters"].push_back(adapter_json(reg, e));
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  if (reg.adapters().empty()) {
    fmt::print("no adapters registered in {}\n", reg.file());
    return 0;
  }
  std::vector<std::array<std::string, 6>> rows = {{"NAME", "DOMAIN", "VERSION", "TYPE", "ACTIVE", "EVAL"}};
  for (const AdapterEntry& e : reg.adapters()) {
    rows.push_back({e.name, e.domain, or_dash(e.version), or_dash(e.type), e.active ? "yes" : "no",
                    or_dash(eval_type_name(e.eval_type))});
  }
  std::array<size_t, 6> width{};
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += c + 1 < row.size() ? fmt::format("{:<{}}  ", row[c], width[c]) : row[c];
    }
    fmt::print("{}\n", line);
  }
  return 0;
}

int run_show(const AdaptersOptions& opt) {
  const Registry reg = Registry::load(registry_path(opt));
  const AdapterEntry* e = reg.find(opt.name);
  if (!e) throw Error(reg.file() + ": no adapter named '" + opt.name + "'");
  if (opt.json) {
    fmt::print("{}\n", adapter_json(reg, *e).dump(2));
    return 0;
  }
  auto field = [](const char* key, const std::string& value) {
    if (!value.empty()) fmt::print("{:<17}{}\n", std::string(key) + ":", value);
  };
  field("name", e->name);
  field("domain", e->domain + (e->active ? " (active)" : " (inactive)"));
  field("version", e->version);
  field("type", e->type);
  const std::string resolved = reg.resolve(e->path);
  field(e->path_key_is_gguf_path ? "gguf_path" : "path",
        e->path.empty() ? "" : resolved + (exists(resolved) ? "" : " (missing)"));
  field("description", e->description);
  field("authors", joined(e->authors));
  field("tags", joined(e->tags));
  field("eval_dataset", reg.resolve_eval_dataset(*e));
  field("eval_type", eval_type_name(e->eval_type));
  field("router_keywords", joined(e->router_keywords));
  field("scale", fmt::format("{}", e->scale));
  field("sha256", e->sha256);
  if (e->system_prompt) field("system_prompt", *e->system_prompt);
  if (!e->few_shot.empty()) {
    fmt::print("few_shot:\n");
    for (const FewShotExample& ex : e->few_shot) fmt::print("  Q: {}\n  A: {}\n", ex.question, ex.answer);
  }
  auto fields = [](const char* title, const std::vector<YamlField>& items) {
    if (items.empty()) return;
    fmt::print("{}:\n", title);
    for (const YamlField& f : items) fmt::print("  {}: {}\n", f.key, f.yaml);
  };
  fields("training", e->training);
  if (!e->benchmark_scores.empty()) {
    fmt::print("benchmark_scores:\n");
    for (const auto& [k, v] : e->benchmark_scores) fmt::print("  {}: {}\n", k, v);
  }
  fields("other keys", e->extra);
  return 0;
}

// Copies the adapter (a file, or a PEFT directory's files) into <registry dir>/<name>/,
// through a temporary folder so that a failed copy leaves nothing half-written. Returns the
// path to record, relative to the registry.
std::string copy_into_registry(const Registry& reg, const std::string& name, const fs::path& source,
                               bool force) {
  const fs::path dest = fs::path(reg.dir()) / name;
  if (dest.filename() == fs::path(reg.file()).filename()) {
    throw Error("an adapter named '" + name + "' cannot be copied beside " + reg.file());
  }
  std::random_device rd;
  const fs::path temp = fs::path(reg.dir()) / fmt::format(".{}.tmp-{}-{}", name, ::getpid(), rd());
  std::error_code ec;
  if (exists(dest.string()) && !force) {
    throw Error(dest.string() + " already exists (use --force to replace it)");
  }
  fs::create_directories(temp, ec);
  if (ec) throw Error(temp.string() + ": cannot create: " + ec.message());
  const bool is_dir = fs::is_directory(source);
  fs::copy(source, is_dir ? temp : temp / source.filename(),
           is_dir ? fs::copy_options::recursive : fs::copy_options::none, ec);
  if (!ec) {
    fs::remove_all(dest, ec);
    if (!ec) fs::rename(temp, dest, ec);
  }
  if (ec) {
    std::error_code ignored;
    fs::remove_all(temp, ignored);
    throw Error("cannot copy " + source.string() + " to " + dest.string() + ": " + ec.message());
  }
  return is_dir ? name : name + "/" + source.filename().string();
}

int run_add(const AdaptersOptions& opt) {
  Registry reg = Registry::load_or_empty(registry_path(opt));
  if (reg.find(opt.name) && !opt.force) {
    throw Error(reg.file() + ": adapter '" + opt.name + "' already exists (use --force to replace it)");
  }
  std::error_code ec;
  const fs::path source = fs::path(opt.path).lexically_normal();
  const fs::file_status status = fs::status(source, ec);
  if (!fs::exists(status)) throw Error(opt.path + ": no such file or directory");
  const bool is_peft = fs::is_directory(status);
  const std::string weights = is_peft ? (source / "adapter_model.safetensors").string() : source.string();
  if (is_peft && !exists(weights)) {
    throw Error(opt.path + ": not a PEFT adapter directory (no adapter_model.safetensors)");
  }

  const std::string model_path = base_model_path(location(opt), reg);
  // The adapter's own record of its base, checked before the slower load.
  const BaseCheck check = check_base(opt.name, recorded_base_sha256(source.string()), model_path,
                                     resolve_user_paths(opt.config_file, opt.data_dir).data_dir, opt.force);
  const auto model = Model::load(model_path);
  try {
    LoraAdapter::load(source.string(), *model);
  } catch (const Error& e) {
    throw Error("adapter '" + opt.name + "' does not fit the base model " + model_path + ": " + e.what());
  }

  AdapterEntry entry;
  entry.name = opt.name;
  entry.domain = opt.domain.empty() ? opt.name : opt.domain;
  entry.version = opt.version;
  entry.type = is_peft ? kLoraPeft : kLoraGguf;
  entry.description = opt.description;
  entry.eval_type = parse_eval_type(opt.eval_type).value_or(EvalType::None);
  entry.router_keywords = opt.keywords;
  entry.scale = opt.scale;
  entry.active = opt.activate;
  entry.sha256 = sha256_file(weights);
  if (is_peft) entry.config_sha256 = sha256_file((source / "adapter_config.json").string());
  record_base_check(entry, check);
  const AdapterEntry* previous = reg.find(opt.name);
  const std::string previous_path = previous ? reg.resolve(previous->path) : "";
  const std::string own_dir = (fs::path(reg.dir()) / opt.name).string();
  if (opt.copy) {
    entry.path = copy_into_registry(reg, opt.name, source, opt.force);
  } else {
    entry.path = fs::absolute(source).lexically_normal().string();
  }
  reg.add(entry, opt.force);
  reg.save();
  // A replaced adapter's copied files are no longer referenced.
  if (!opt.copy && !previous_path.empty() && is_within(previous_path, own_dir) &&
      !is_within(entry.path, own_dir)) {
    fs::remove_all(own_dir, ec);
  }
  const AdapterEntry* added = reg.find(opt.name);
  fmt::print("added '{}' ({}, domain {}{}) -> {}\nsha256 {}\n{}\n", added->name, added->type, added->domain,
             added->active ? ", active" : "", reg.resolve(added->path), added->sha256, base_check_note(check));
  return 0;
}

int run_remove(const AdaptersOptions& opt) {
  Registry reg = Registry::load(registry_path(opt));
  const AdapterEntry* e = reg.find(opt.name);
  if (!e) throw Error(reg.file() + ": no adapter named '" + opt.name + "'");
  const std::string resolved = reg.resolve(e->path);
  // Only files loco copied into the data directory (<registry dir>/<name>/) are deleted;
  // an adapter referenced in place elsewhere is only unregistered.
  const std::string own_dir = (fs::path(reg.dir()) / opt.name).string();
  const bool owned = !e->path.empty() && is_within(resolved, own_dir) &&
                     fs::path(own_dir).filename() != fs::path(reg.file()).filename();
  const std::string domain = e->domain;
  const bool was_active = e->active;
  reg.remove(opt.name);
  reg.save();
  if (owned) {
    std::error_code ec;
    fs::remove_all(own_dir, ec);
    if (ec) throw Error("removed '" + opt.name + "' from the registry but cannot delete " + own_dir + ": " + ec.message());
    fmt::print("removed '{}' and its files in {}\n", opt.name, own_dir);
  } else {
    fmt::print("removed '{}' from the registry (its files{} were left in place)\n", opt.name,
               resolved.empty() ? "" : " at " + resolved);
  }
  if (was_active) {
    if (const AdapterEntry* next = reg.active_for(domain)) {
      fmt::print("'{}' is now the active adapter for domain {}\n", next->name, domain);
    }
  }
  return 0;
}

int run_activate(const AdaptersOptions& opt) {
  Registry reg = Registry::load(registry_path(opt));
  const std::string previous = reg.activate(opt.name);
  reg.save();
  const AdapterEntry* e = reg.find(opt.name);
  if (previous.empty()) {
    fmt::print("'{}' is the active adapter for domain {}\n", e->name, e->domain);
  } else {
    fmt::print("'{}' is now the active adapter for domain {} (was '{}')\n", e->name, e->domain, previous);
  }
  return 0;
}

// --index, else $LOCO_ADAPTER_INDEX.
AdapterIndex load_index(const AdaptersOptions& opt) {
  std::string where = opt.index;
  if (where.empty()) {
    if (const char* env = std::getenv("LOCO_ADAPTER_INDEX"); env != nullptr) where = env;
  }
  if (where.empty()) throw Error("no adapter index: give --index URL (or set LOCO_ADAPTER_INDEX)");
  return parse_adapter_index(fetch_text(where), where);
}

bool contains_nocase(const std::string& text, const std::string& needle) {
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return s;
  };
  return lower(text).find(lower(needle)) != std::string::npos;
}

int run_search(const AdaptersOptions& opt) {
  const AdapterIndex index = load_index(opt);
  Json found = Json::array();
  size_t n = 0;
  for (const IndexAdapter& a : index.adapters) {
    const std::string haystack = a.name + " " + a.domain + " " + a.description + " " + joined(a.router_keywords);
    if (!opt.query.empty() && !contains_nocase(haystack, opt.query)) continue;
    ++n;
    if (opt.json) {
      Json j{{"name", a.name}, {"domain", a.domain.empty() ? a.name : a.domain}, {"version", a.version},
             {"type", a.type}, {"description", a.description}, {"license", a.license}, {"base", a.base},
             {"base_sha256", a.base_sha256}, {"eval", Json::object()}};
      for (const auto& [k, v] : a.eval) j["eval"][k] = v;
      found.push_back(j);
      continue;
    }
    std::string scores;
    for (const auto& [k, v] : a.eval) scores += (scores.empty() ? "" : ", ") + fmt::format("{} {:.3g}", k, v);
    fmt::print("{}  {} {}  domain {}  license {}  base {}\n", a.name, a.type, or_dash(a.version),
               a.domain.empty() ? a.name : a.domain, or_dash(a.license),
               a.base.empty() ? a.base_sha256.substr(0, 12) : a.base + " (" + a.base_sha256.substr(0, 12) + ")");
    if (!a.description.empty()) fmt::print("    {}\n", a.description);
    if (!scores.empty()) fmt::print("    eval: {}\n", scores);
  }
  if (opt.json) {
    fmt::print("{}\n", Json{{"index", index.origin}, {"adapters", found}}.dump(2));
  } else if (n == 0) {
    fmt::print("no adapters in {}{}\n", index.origin, opt.query.empty() ? "" : " match '" + opt.query + "'");
  }
  return 0;
}

int run_pull(const AdaptersOptions& opt) {
  const AdapterIndex index = load_index(opt);
  const IndexAdapter* a = index.find(opt.name);
  if (a == nullptr) throw Error(index.origin + ": no adapter named '" + opt.name + "' (loco adapters search lists them)");
  pull_adapter_package(*a, location(opt), opt.force, opt.activate);
  return 0;
}

const CLI::Validator kAdapterName(
    [](std::string& name) {
      return is_valid_adapter_name(name)
                 ? std::string()
                 : "'" + name + "' is not a valid adapter name: use 1 to 64 of A-Z a-z 0-9 . _ - (not starting with . or -)";
    },
    "NAME");

}  // namespace

int remove_adapter(const AdapterLocation& where, const std::string& name) {
  AdaptersOptions opt;
  opt.config_file = where.config_file;
  opt.data_dir = where.data_dir;
  opt.registry_file = where.registry_file;
  opt.name = name;
  return run_remove(opt);
}

Command register_adapters(CLI::App& root) {
  auto opt = std::make_shared<AdaptersOptions>();
  CLI::App* app = root.add_subcommand("adapters", "Manage the adapter registry");
  app->require_subcommand(1);

  CLI::App* list = app->add_subcommand("list", "List registered adapters");
  add_location_flags(*list, *opt);
  list->add_flag("--json", opt->json, "Print JSON");

  CLI::App* show = app->add_subcommand("show", "Show every field of one adapter");
  add_location_flags(*show, *opt);
  show->add_option("name", opt->name, "Adapter name")->required();
  show->add_flag("--json", opt->json, "Print JSON");

  CLI::App* add = app->add_subcommand("add", "Register a LoRA adapter (GGUF file or PEFT directory)");
  add_location_flags(*add, *opt);
  add->add_option("name", opt->name, "Adapter name")->required()->check(kAdapterName);
  add->add_option("path", opt->path, "GGUF LoRA file or PEFT directory")->required();
  add->add_option("--domain", opt->domain, "Domain it serves (default: its name)")->check(kAdapterName);
  add->add_option("--eval-type", opt->eval_type, "How answers are scored")
      ->check(CLI::IsMember({"numeric", "multiple_choice", "code", "analysis", "free_text"}));
  add->add_option("--keywords", opt->keywords, "Router keywords, comma separated")->delimiter(',');
  add->add_option("--description", opt->description, "One-line description");
  add->add_option("--adapter-version", opt->version, "Version of the adapter, e.g. 0.1.0");
  add->add_option("--scale", opt->scale, "LoRA scale to apply (default 1)")->check(CLI::Range(-100.0, 100.0));
  add->add_option("-m,--model", opt->model,
                  "Base model GGUF to check it against (default: registry base_model.path, then config)");
  add->add_flag("--copy", opt->copy, "Copy it into the data directory (default: reference it in place)");
  add->add_flag("--force", opt->force,
                "Replace an adapter of the same name; register it even if it records another base sha256");
  add->add_flag("--activate", opt->activate, "Make it the active adapter of its domain");

  CLI::App* remove = app->add_subcommand("remove", "Unregister an adapter (deletes only copied files)");
  add_location_flags(*remove, *opt);
  remove->add_option("name", opt->name, "Adapter name")->required();

  CLI::App* activate = app->add_subcommand("activate", "Make an adapter the active one of its domain");
  add_location_flags(*activate, *opt);
  activate->add_option("name", opt->name, "Adapter name")->required();

  CLI::App* search = app->add_subcommand("search", "List the adapters of an index (a JSON file at a URL)");
  add_location_flags(*search, *opt);
  search->add_option("query", opt->query, "Only adapters whose name, domain, description or keywords contain it");
  search->add_option("--index", opt->index, "Index URL or file (default: $LOCO_ADAPTER_INDEX)");
  search->add_flag("--json", opt->json, "Print JSON");

  CLI::App* pull = app->add_subcommand("pull", "Download an adapter from an index, verify it and register it");
  add_location_flags(*pull, *opt);
  pull->add_option("name", opt->name, "Adapter name in the index")->required()->check(kAdapterName);
  pull->add_option("--index", opt->index, "Index URL or file (default: $LOCO_ADAPTER_INDEX)");
  pull->add_option("-m,--model", opt->model,
                   "Base model GGUF to check it against (default: registry base_model.path, then config)");
  pull->add_flag("--force", opt->force, "Replace an adapter of the same name; install even if its base differs");
  pull->add_flag("--activate", opt->activate, "Make it the active adapter of its domain");

  return {app, [opt, list, show, add, remove, activate, search, pull] {
            if (list->parsed()) return run_list(*opt);
            if (show->parsed()) return run_show(*opt);
            if (add->parsed()) return run_add(*opt);
            if (remove->parsed()) return run_remove(*opt);
            if (activate->parsed()) return run_activate(*opt);
            if (search->parsed()) return run_search(*opt);
            if (pull->parsed()) return run_pull(*opt);
            return 2;
          }};
}

}  // namespace loco::cli
