// `loco quantize` and `loco synth`: writing model files.
#include <fmt/format.h>

#include <filesystem>

#include "commands.h"
#include "loco/error.h"
#include "loco/model_tools.h"

namespace loco::cli {
namespace {

std::string joined(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::string_view n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

FileType parse_file_type(const std::string& name) {
  auto type = file_type_from_name(name);
  if (!type) {
    throw Error(fmt::format("unknown type '{}' (choose from {})", name, joined(file_type_names())));
  }
  return *type;
}

Progress progress_printer(bool quiet) {
  if (quiet) return {};
  return [](const std::string& tensor, size_t index, size_t count) {
    fmt::print(stderr, "\r[{:>4}/{}] {:<40}", index + 1, count, tensor);
    if (index + 1 == count) fmt::print(stderr, "\n");
  };
}

struct QuantizeFlags {
  std::string input, output, type;
  int threads = 0;
  bool quiet = false;
};

struct SynthFlags {
  std::string like, type = "Q4_K_M", output, vocab_dir = "../shared/testdata/tokenizer";
  uint64_t seed = 1;
  int threads = 0;
  int lora_rank = 0;
  bool quiet = false;
};

}  // namespace

Command register_quantize(CLI::App& root) {
  auto opt = std::make_shared<QuantizeFlags>();
  CLI::App* app = root.add_subcommand("quantize", "Convert a model to another tensor type or mix");
  app->add_option("input", opt->input, "Model to read (F32/F16/BF16, or any supported type)")->required();
  app->add_option("output", opt->output, "GGUF file to write")->required();
  app->add_option("type", opt->type, "F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K_M, "
                                     "Q4_K_S, Q4_K_M, Q5_K_S, Q5_K_M, Q6_K")->required();
  app->add_option("-t,--threads", opt->threads, "Worker threads");
  app->add_flag("-q,--quiet", opt->quiet, "No progress output");
  return {app, [opt] {
            QuantizeOptions qo;
            qo.type = parse_file_type(opt->type);
            qo.n_threads = opt->threads;
            if (std::filesystem::exists(opt->output) &&
                std::filesystem::equivalent(opt->input, opt->output)) {
              throw Error("the output would overwrite the input");
            }
            quantize_model(opt->input, opt->output, qo, progress_printer(opt->quiet));
            fmt::print(stderr, "wrote {} ({})\n", opt->output, file_type_name(qo.type));
            return 0;
          }};
}

Command register_synth(CLI::App& root) {
  auto opt = std::make_shared<SynthFlags>();
  CLI::App* app = root.add_subcommand("synth", "Write a random-weight model with a real model's shapes and vocabulary");
  std::vector<std::string> shapes = synth_shape_names();
  app->add_option("--like", opt->like, "Shape to copy")->required()->check(CLI::IsMember(shapes));
  app->add_option("--type", opt->type, "Tensor type or mix, e.g. Q4_K_M")->capture_default_str();
  app->add_option("-o,--output", opt->output, "GGUF file to write")->required();
  app->add_option("--vocab-dir", opt->vocab_dir, "Directory holding ggml-vocab-qwen3.gguf / ggml-vocab-llama3.gguf")
      ->capture_default_str();
  app->add_option("--seed", opt->seed, "Seed of the random weights")->capture_default_str();
  app->add_option("--lora-rank", opt->lora_rank,
                  "Write a random LoRA adapter of this rank for the shape instead of a model")
      ->check(CLI::Range(1, 1024));
  app->add_option("-t,--threads", opt->threads, "Worker threads");
  app->add_flag("-q,--quiet", opt->quiet, "No progress output");
  return {app, [opt] {
            SynthShape shape = *synth_shape(opt->like);
            if (opt->lora_rank > 0) {
              synthesize_lora(shape, opt->lora_rank, opt->output, opt->seed);
              fmt::print(stderr, "wrote {} (rank-{} LoRA adapter for {}, random weights)\n", opt->output,
                         opt->lora_rank, shape.name);
              return 0;
            }
            SynthOptions so;
            so.type = parse_file_type(opt->type);
            so.seed = opt->seed;
            so.n_threads = opt->threads;
            const std::string vocab = opt->vocab_dir + "/" + shape.vocab_file;
            if (!std::filesystem::exists(vocab)) {
              throw Error(vocab + " not found; point --vocab-dir at the directory holding " + shape.vocab_file);
            }
            synthesize_model(shape, vocab, opt->output, so, progress_printer(opt->quiet));
            fmt::print(stderr, "wrote {} ({} shaped, {}, random weights)\n", opt->output, shape.name,
                       file_type_name(so.type));
            return 0;
          }};
}

}  // namespace loco::cli
