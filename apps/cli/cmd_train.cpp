// `loco train lora|grad`: LoRA training on the CPU over the quantized base the user runs,
// and the gradient-check interface of the trainer.
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <functional>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "commands.h"
#include "common_options.h"
#include "file_hash_cache.h"
#include "loco/error.h"
#include "loco/registry.h"
#include "loco/sha256.h"
#include "loco/train.h"
#include "loco/user_config.h"

namespace loco::cli {
namespace {

namespace fs = std::filesystem;

struct GradOptions {
  std::string model, lora, tokens, output;
  float lora_scale = 1.0f;
  int threads = 0;
};

int run_grad(const GradOptions& opt) {
  const double loss = write_adapter_gradient(opt.model, opt.lora, parse_token_list(opt.tokens), opt.lora_scale,
                                             opt.output, opt.threads);
  fmt::print("loss {:.9g}\n", loss);
  fmt::print(stderr, "wrote the adapter's gradient to {}\n", opt.output);
  return 0;
}

struct LoraOptions {
  LoraTrainRequest request;
  bool no_peft = false;
  bool do_register = false, force = false;
  std::string domain, config_file, data_dir, registry_file;
};

std::string duration_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<int64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s / 60) % 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

std::string quoted(const std::string& s) { return nlohmann::json(s).dump(); }

using Printer = std::function<void(const TrainProgress&)>;
Printer progress_printer();

void register_adapter(const LoraOptions& opt, const TrainResult& r) {
  const UserPaths up = resolve_user_paths(opt.config_file, opt.data_dir);
  Registry reg = Registry::load_or_empty(opt.registry_file.empty() ? up.registry_file() : opt.registry_file);
  if (reg.find(r.name) != nullptr && !opt.force) {
    throw Error(reg.file() + ": adapter '" + r.name + "' already exists (use --force to replace it)");
  }
  AdapterEntry e;
  e.name = r.name;
  e.domain = opt.domain.empty() ? r.name : opt.domain;
  e.type = kLoraGguf;
  e.path = fs::absolute(r.gguf).lexically_normal().string();
  e.description = "trained by loco train lora on " + fs::path(opt.request.data).filename().string();
  e.sha256 = sha256_file(r.gguf);
  auto field = [&](const std::string& key, const std::string& yaml) { e.training.push_back({key, yaml}); };
  field("method", quoted("loco train lora: LoRA over the frozen quantized base, on the CPU"));
  field("base_model", quoted(fs::absolute(opt.request.model).lexically_normal().string()));
  field("base_sha256", quoted(cached_file_sha256(opt.request.model, up.data_dir)));
  field("dataset", quoted(fs::absolute(opt.request.data).lexically_normal().string()));
  field("dataset_sha256", quoted(r.notes.at("data_sha256")));
  field("settings", quoted(r.notes.at("settings")));
  field("steps", std::to_string(r.steps));
  field("final_train_loss", r.notes.at("final_train_loss"));
  if (r.notes.count("final_val_loss") != 0) field("final_val_loss", r.notes.at("final_val_loss"));
  reg.add(e, opt.force);
  reg.save();
  fmt::print("registered '{}' (domain {}) in {}\n", e.name, e.domain, reg.file());
}

int run_lora(LoraOptions& opt) {
  LoraTrainRequest& q = opt.request;
  q.peft = !opt.no_peft;
  if (opt.do_register) {
    // Fail before hours of training, not after.
    const UserPaths up = resolve_user_paths(opt.config_file, opt.data_dir);
    Registry::load_or_empty(opt.registry_file.empty() ? up.registry_file() : opt.registry_file);
  }
  auto started = [&](const TrainResult& r, int64_t total_steps) {
    fmt::print(stderr, "training {} LoRA parameters ({}) on {} examples ({} tokens): {} steps\n", r.n_params,
               q.targets, r.n_examples, r.n_tokens, total_steps);
  };
  const TrainResult r = train_lora(q, progress_printer(), started);
  fmt::print("wrote {}{}\nloss curve {} and {}\nfinal training loss {}{}\n", r.gguf,
             r.peft.empty() ? "" : " and " + r.peft + "/", r.svg, r.csv, r.notes.at("final_train_loss"),
             r.final_val_loss >= 0 ? ", validation loss " + r.notes.at("final_val_loss") : "");
  if (opt.do_register) register_adapter(opt, r);
  return 0;
}

// The flags every training run shares.
void add_run_flags(CLI::App* a, TrainRequest& q) {
  a->add_option("--data", q.data, "Training JSONL: messages, prompt/completion, question/answer or text")->required();
  a->add_option("--val", q.val, "Validation JSONL (loss measured each epoch)");
  a->add_option("--lr", q.lr, "Peak learning rate")->capture_default_str()->check(CLI::Range(1e-9, 10.0));
  a->add_option("--min-lr", q.min_lr, "Learning rate at the end of the schedule")->check(CLI::Range(0.0, 10.0));
  a->add_option("--epochs", q.epochs, "Passes over the data")->capture_default_str()->check(CLI::Range(1, 100000));
  a->add_option("--batch-tokens", q.batch_tokens, "Tokens per packed batch (and the longest example)")
      ->capture_default_str()->check(CLI::Range(8, 1 << 20));
  a->add_option("--grad-accum", q.grad_accum, "Batches per optimizer step")
      ->capture_default_str()->check(CLI::Range(1, 100000));
  a->add_option("--warmup", q.warmup, "Warmup steps")->capture_default_str()->check(CLI::Range(0, 10000000));
  a->add_option("--schedule", q.schedule, "cosine, linear or constant")
      ->capture_default_str()->check(CLI::IsMember({"cosine", "linear", "constant"}));
  a->add_option("--weight-decay", q.weight_decay, "AdamW decoupled weight decay")
      ->capture_default_str()->check(CLI::Range(0.0, 10.0));
  a->add_option("--clip", q.clip, "Gradient norm clip (0: none)")->capture_default_str()->check(CLI::Range(0.0, 1e9));
  a->add_option("--seed", q.seed, "Seed of the initialisation, shuffles and dropout")->capture_default_str();
  a->add_option("-t,--threads", q.threads, "Worker threads (default: physical cores)")->check(CLI::Range(0, 1024));
  a->add_option("--recompute", q.recompute,
                "Recompute each layer's activations in the backward pass: auto (when they would pass 1 GiB), on, off")
      ->capture_default_str()->check(CLI::IsMember({"auto", "on", "off"}));
  a->add_option("--backward", q.backward,
                "Products through the frozen quantized matrices in the backward pass: auto (int8 where the CPU has "
                "AVX-512 VNNI, else f32), int8, f32")
      ->capture_default_str()->check(CLI::IsMember({"auto", "int8", "f32"}));
  a->add_option("--checkpoint-every", q.checkpoint_every, "Save NAME.ckpt every N steps")
      ->check(CLI::Range(0, 100000000));
  a->add_option("--resume", q.resume, "Continue from a checkpoint of the same run");
  a->add_option("--val-every", q.val_every, "Also measure the validation loss every N steps")
      ->check(CLI::Range(0, 100000000));
  a->add_option("--chat-template", q.chat_template, "Override the chat format the data is rendered with");
}

struct ModelOptions {
  ModelTrainRequest request;
};

Printer progress_printer() {
  auto last_print = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now() -
                                                                            std::chrono::seconds(60));
  return [last_print](const TrainProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    if (!(p.last || p.val_loss >= 0 || p.checkpoint_saved || now - *last_print >= std::chrono::seconds(2))) return;
    *last_print = now;
    fmt::print(stderr, "step {}/{}  epoch {:.2f}  loss {:.4f}{}  lr {:.2e}  |g| {:.3f}  {:.1f} tok/s  ETA {}{}\n",
               p.step, p.total_steps, p.epoch, p.loss, p.val_loss >= 0 ? fmt::format("  val {:.4f}", p.val_loss) : "",
               p.lr, p.grad_norm, p.tokens_per_s, duration_text(p.eta_s), p.checkpoint_saved ? "  (checkpoint)" : "");
  };
}

int run_model(ModelOptions& opt) {
  ModelTrainRequest& q = opt.request;
  auto started = [&](const TrainResult& r, int64_t total_steps) {
    fmt::print(stderr, "training a {:.2f}M-parameter model on {} examples ({} tokens): {} steps\n",
               static_cast<double>(r.n_params) / 1e6, r.n_examples, r.n_tokens, total_steps);
  };
  const TrainResult r = train_model(q, progress_printer(), started);
  fmt::print("wrote {}\nloss curve {} and {}\nfinal training loss {}{}\n", r.gguf, r.svg, r.csv,
             r.notes.at("final_train_loss"),
             r.final_val_loss >= 0 ? ", validation loss " + r.notes.at("final_val_loss") : "");
  return 0;
}

}  // namespace

Command register_train(CLI::App& root) {
  auto* app = root.add_subcommand("train", "Train on the CPU: LoRA adapters over the quantized base");
  app->require_subcommand(1);

  auto lora = std::make_shared<LoraOptions>();
  LoraTrainRequest& q = lora->request;
  CLI::App* l = app->add_subcommand("lora", "Train a LoRA adapter on JSONL conversations");
  l->add_option("-m,--model", q.model, "Base GGUF model (stays frozen and quantized)")->required();
  l->add_option("--out", q.out, "Output NAME or NAME.gguf (also NAME-peft/, NAME.loss.svg and .csv)")->required();
  l->add_option("--rank", q.rank, "LoRA rank")->capture_default_str()->check(CLI::Range(1, 1024));
  l->add_option("--alpha", q.alpha, "LoRA alpha (default: twice the rank)")->check(CLI::Range(1e-6, 1e6));
  l->add_option("--targets", q.targets, "Matrices: attn, ffn, all, or q,k,v,o,gate,up,down")->capture_default_str();
  l->add_option("--dropout", q.dropout, "LoRA dropout")->capture_default_str()->check(CLI::Range(0.0, 0.95));
  add_run_flags(l, q);
  l->add_flag("--no-peft", lora->no_peft, "Do not write the PEFT directory");
  l->add_flag("--register", lora->do_register, "Add the adapter to the registry with its training record");
  l->add_option("--domain", lora->domain, "Domain to register it under (default: its name)");
  l->add_option("--config", lora->config_file, "Config file (for --register)");
  l->add_option("--data-dir", lora->data_dir, "Data directory (for --register)");
  l->add_option("--registry", lora->registry_file, "Registry file (for --register)");
  l->add_flag("--force", lora->force, "Replace a registered adapter of the same name");

  auto model = std::make_shared<ModelOptions>();
  ModelTrainRequest& mq = model->request;
  CLI::App* m = app->add_subcommand("model", "Train every weight of a small model (from scratch, or continue one)");
  m->add_option("--config", mq.config, "Model shape YAML: arch, n_embd, n_layer, n_head, n_ff, ... (a new model)");
  m->add_option("--vocab", mq.vocab, "GGUF holding the tokenizer (a model, or loco train tokenizer's output)");
  m->add_option("--init", mq.init, "Continue training this GGUF model instead (its vocabulary unless --vocab)");
  m->add_option("--out", mq.out, "Output NAME or NAME.gguf (also NAME.loss.svg and .csv)")->required();
  m->add_option("--type", mq.type, "Tensor type of the written model: f32, f16 or bf16")
      ->capture_default_str()->check(CLI::IsMember({"f32", "f16", "bf16"}));
  add_run_flags(m, mq);

  auto tok = std::make_shared<TokenizerTrainRequest>();
  CLI::App* t = app->add_subcommand("tokenizer", "Train a byte-level BPE vocabulary on text");
  t->add_option("--data", tok->data, "Text: .jsonl (every string value) or plain text files")->required();
  t->add_option("--vocab-size", tok->vocab_size, "Tokens, including 256 bytes and 3 special tokens")
      ->capture_default_str()->check(CLI::Range(259, 1000000));
  t->add_option("--pre", tok->pre, "Pre-tokenizer: qwen2, llama-bpe or gpt-2")->capture_default_str();
  t->add_option("--min-frequency", tok->min_frequency, "Never merge a pair seen fewer times")
      ->capture_default_str()->check(CLI::Range(1, 1 << 30));
  t->add_option("-o,--out", tok->out, "Output GGUF holding the vocabulary")->required();

  auto grad = std::make_shared<GradOptions>();
  CLI::App* g = app->add_subcommand("grad", "Write the gradient of the next-token loss for an adapter's tensors");
  g->add_option("-m,--model", grad->model, "Base GGUF model")->required();
  g->add_option("--lora", grad->lora, "LoRA adapter (GGUF file or PEFT directory)")->required();
  g->add_option("--tokens", grad->tokens, "Comma-separated token ids (positions 0..T-2 predict 1..T-1)")->required();
  g->add_option("-o,--output", grad->output, "Output GGUF of F32 gradients named like the adapter's tensors")
      ->required();
  g->add_option("--lora-scale", grad->lora_scale, "Scale of the adapter's correction")
      ->capture_default_str()->check(CLI::Range(-100.0, 100.0));
  g->add_option("-t,--threads", grad->threads, "Worker threads")->check(CLI::Range(0, 1024));

  return {app, [=]() -> int {
            if (l->parsed()) return run_lora(*lora);
            if (m->parsed()) return run_model(*model);
            if (t->parsed()) {
              const TokenizerTrainResult r = train_tokenizer(*tok);
              fmt::print("wrote {}: {} tokens ({} merges); the training text ({} bytes) is {} tokens, {:.2f} bytes "
                         "a token\n",
                         tok->out, r.vocab_size, r.n_merges, r.text_bytes, r.tokens_of_text,
                         r.tokens_of_text > 0 ? static_cast<double>(r.text_bytes) / r.tokens_of_text : 0.0);
              return 0;
            }
            return run_grad(*grad);
          }};
}

}  // namespace loco::cli
