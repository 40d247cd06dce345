// `loco lora merge|info`: adapter files.
#include <fmt/format.h>

#include "commands.h"
#include "loco/error.h"
#include "loco/lora.h"
#include "loco/model.h"

namespace loco::cli {
namespace {

struct LoraFlags {
  std::string base, adapter, output;
  float scale = 1.0f;
  int threads = 0;
};

}  // namespace

Command register_lora(CLI::App& root) {
  auto opt = std::make_shared<LoraFlags>();
  CLI::App* app = root.add_subcommand("lora", "Inspect LoRA adapters or merge one into a model file");
  app->require_subcommand(1);
  CLI::App* merge = app->add_subcommand("merge", "Write a model with the adapter merged into its weights");
  merge->add_option("base", opt->base, "Base model GGUF")->required();
  merge->add_option("adapter", opt->adapter, "GGUF adapter or PEFT directory")->required();
  merge->add_option("output", opt->output, "Merged GGUF to write")->required();
  merge->add_option("--scale", opt->scale, "Adapter scale")->capture_default_str();
  merge->add_option("-t,--threads", opt->threads, "Worker threads");
  CLI::App* info = app->add_subcommand("info", "Check an adapter against a base model and describe it");
  info->add_option("base", opt->base, "Base model GGUF")->required();
  info->add_option("adapter", opt->adapter, "GGUF adapter or PEFT directory")->required();
  return {app, [opt, merge, info] {
            if (merge->parsed()) {
              merge_lora(opt->base, opt->adapter, opt->scale, opt->output, opt->threads);
              fmt::print(stderr, "wrote {}\n", opt->output);
            } else if (info->parsed()) {
              auto model = Model::load(opt->base);
              auto a = LoraAdapter::load(opt->adapter, *model);
              fmt::print("adapter:  {} ({})\n", a->path(), a->format());
              fmt::print("fits:     {} ({})\n", opt->base, model->config().arch_name);
              fmt::print("targets:  {}\n", a->targets_summary());
              fmt::print("pairs:    {} (max rank {})\n", a->n_pairs(), a->max_rank());
              fmt::print("memory:   {:.2f} MiB\n", a->bytes() / double(1 << 20));
            }
            return 0;
          }};
}

}  // namespace loco::cli
