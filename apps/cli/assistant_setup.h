// What `loco query` and `loco chat` share: the flags that choose the model, the adapters,
// the router and the answering techniques, merged with the user's config file, and the
// Assistant built from them.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loco/assistant.h"
#include "loco/user_config.h"
#include "sampling_flags.h"

namespace loco::cli {

// A remote backend (docs/remote.md): generation there, the LocoLLM layer here.
struct BackendFlags {
  std::string backend;       // openai:URL | anthropic[:URL]
  std::string remote_model;  // the base model's name at the remote
  double remote_timeout = 600;
};

struct AssistantFlags {
  std::string model;
  std::string config_file, data_dir, registry_file;
  std::string router;       // keyword | classifier | embedding (default: config)
  std::string router_file;  // saved learned router (default: <data dir>/router.json)
  std::string adapter = "auto";
  std::string ensemble;     // comma-separated adapter names
  std::optional<int> votes;
  std::optional<float> vote_temperature;
  bool no_reread = false;
  bool reread = false;  // --reread: RE2 on even for loco-nano, where it is off by default
  bool no_early_stop = false;
  std::vector<std::string> context_files;  // files or directories (--context, repeatable)
  std::string tests_file;   // Python tests for a code answer
  int32_t max_tokens = 512;
  bool think = false;
  std::string template_name;
  std::string eval_type;
  std::optional<int> threads;
  std::optional<int> ctx;
  std::string kv_type = "f16";
  SamplingFlags sampling;
  BackendFlags remote;
};

void add_assistant_flags(CLI::App& app, AssistantFlags& flags);
// --backend, --remote-model, --remote-timeout (add_assistant_flags adds them too).
void add_backend_flags(CLI::App& app, BackendFlags& flags);
// Connects to flags.backend with the key the rules of include/loco/remote.h find.
std::shared_ptr<RemoteBackend> connect_backend(const BackendFlags& flags, const UserPaths& paths);

struct AssistantSetup {
  std::unique_ptr<Assistant> assistant;
  QueryOptions query;  // defaults for each question
  int32_t n_ctx = 4096;
  std::shared_ptr<const Model> model;  // null with a remote backend
  std::string model_path;              // with a remote backend: its name and model, e.g. "openai:http://h:8080 (qwen3)"
  bool builtin = false;  // the built-in loco-nano (no model was configured)
  std::string data_dir;
  int threads = 0;
  KvType kv_type = KvType::F16;
};

AssistantSetup make_assistant(const AssistantFlags& flags);

// Reads --context files and directories; files skipped inside a directory are said on
// stderr.
std::vector<ContextDocument> load_context_files(const std::vector<std::string>& paths);

}  // namespace loco::cli
