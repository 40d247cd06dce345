// `loco info MODEL.gguf`: what a GGUF file holds, without loading the model.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>

#include "commands.h"
#include "loco/error.h"
#include "loco/gguf.h"
#include "loco/model.h"

namespace loco::cli {

namespace {

struct InfoOptions {
  std::string path;
  bool list_tensors = false;
  bool list_metadata = false;
};

std::string human_bytes(uint64_t n) {
  if (n >= (1ull << 30)) return fmt::format("{:.2f} GiB", n / double(1ull << 30));
  if (n >= (1ull << 20)) return fmt::format("{:.2f} MiB", n / double(1ull << 20));
  if (n >= (1ull << 10)) return fmt::format("{:.1f} KiB", n / double(1ull << 10));
  return fmt::format("{} B", n);
}

int run_info(const InfoOptions& opt) {
  GgufFile file = GgufFile::open(opt.path);
  fmt::print("file:          {}\n", opt.path);
  fmt::print("gguf version:  {}\n", file.version());
  fmt::print("size:          {}\n", human_bytes(file.file_size()));
  std::string arch = file.optional_string("general.architecture").value_or("(none)");
  fmt::print("architecture:  {}\n", arch);
  if (auto name = file.optional_string("general.name")) fmt::print("name:          {}\n", *name);

  std::map<std::string, std::pair<int, uint64_t>> by_type;
  uint64_t n_params = 0;
  for (const GgufTensor& t : file.tensors()) {
    auto& entry = by_type[std::string(type_name(t.type))];
    entry.first += 1;
    entry.second += t.nbytes;
    n_params += static_cast<uint64_t>(t.n_elements());
  }
  fmt::print("tensors:       {} ({} parameters)\n", file.tensors().size(),
             n_params >= 1000000000 ? fmt::format("{:.2f} B", n_params / 1e9)
                                    : fmt::format("{:.2f} M", n_params / 1e6));
  for (const auto& [type, count_bytes] : by_type) {
    fmt::print("  {:<8} {:>5} tensors  {}\n", type, count_bytes.first,
               human_bytes(count_bytes.second));
  }
  if (file.optional_string("general.type").value_or("model") == "adapter") {
    fmt::print("kind:          LoRA adapter (alpha {})\n",
               file.optional_float("adapter.lora.alpha").value_or(0.0));
  } else if (arch != "(none)") {
    try {
      ModelConfig c = read_model_config(file);
      fmt::print("layers:        {}\n", c.n_layer);
      fmt::print("embedding:     {} (feed-forward {})\n", c.n_embd, c.n_ff);
      fmt::print("heads:         {} query, {} key/value, head dim {}\n", c.n_head, c.n_head_kv,
                 c.head_dim);
      fmt::print("vocabulary:    {}\n", c.n_vocab);
      fmt::print("context:       {} (trained)\n", c.n_ctx_train);
      fmt::print("rope:          base {} {}\n", c.rope_base,
                 c.rope_style == RopeStyle::Neox ? "(neox)" : "(normal)");
      const uint64_t kv_per_token = 2ull * c.n_layer * c.kv_dim() * 2;  // f16 keys and values
      const uint64_t ctx = std::min<uint64_t>(4096, static_cast<uint64_t>(c.n_ctx_train));
      fmt::print("memory:        {} weights (mapped) + {} KV cache for {} tokens (f16) = {}\n",
                 human_bytes(file.file_size()), human_bytes(kv_per_token * ctx), ctx,
                 human_bytes(file.file_size() + kv_per_token * ctx));
    } catch (const Error& e) {
      fmt::print("model:         not loadable: {}\n", e.what());
    }
  }
  if (opt.list_metadata) {
    for (const GgufKV& kv : file.metadata()) {
      const GgufValue& v = kv.value;
      std::string text;
      if (v.type == GgufValueType::STRING) {
        text = std::string(v.string_value.substr(0, 80));
      } else if (v.is_array()) {
        text = fmt::format("[{} x {}]", v.count, gguf_value_type_name(v.elem_type));
      } else if (v.is_float()) {
        text = fmt::format("{}", v.float_value);
      } else if (v.type == GgufValueType::BOOL) {
        text = v.uint_value ? "true" : "false";
      } else {
        text = v.int_value != 0 ? fmt::format("{}", v.int_value) : fmt::format("{}", v.uint_value);
      }
      fmt::print("  {} = {}\n", kv.key, text);
    }
  }
  if (opt.list_tensors) {
    for (const GgufTensor& t : file.tensors()) {
      fmt::print("  {:<32} {:<6} {}\n", t.name, type_name(t.type), t.shape_string());
    }
  }
  return 0;
}

}  // namespace

Command register_info(CLI::App& root) {
  auto opt = std::make_shared<InfoOptions>();
  CLI::App* app = root.add_subcommand("info", "Show what a GGUF model file holds");
  app->add_option("model", opt->path, "GGUF file")->required();
  app->add_flag("--tensors", opt->list_tensors, "List every tensor");
  app->add_flag("--metadata", opt->list_metadata, "List every metadata key");
  return {app, [opt] { return run_info(*opt); }};
}

}  // namespace loco::cli
