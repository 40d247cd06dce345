// Training on the CPU (`loco train`): LoRA adapters learned over the frozen, quantized
// base model the user runs, and the gradient-check interface of the trainer. The pieces
// (the model's forward and backward passes, packing, the optimizer, checkpoints) live in
// src/train/; this is what a front end needs. docs/training.md describes the method.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "loco/tokenizer.h"

namespace loco {

// What every training run takes.
struct TrainRequest {
  std::string data, val;        // training and (optional) validation JSONL
  std::string out;              // NAME or NAME.gguf: also NAME.loss.csv/.svg, NAME.ckpt
  double lr = 2e-4, min_lr = 0.0;
  int64_t epochs = 1;
  int64_t batch_tokens = 2048;  // tokens per packed batch, and the longest example
  int64_t grad_accum = 1;
  int64_t warmup = 0;           // steps
  std::string schedule = "cosine";  // cosine, linear, constant
  double weight_decay = 0.0;
  double clip = 1.0;            // global gradient norm (0: none)
  uint64_t seed = 0;
  int threads = 0;              // 0: one per physical core
  std::string recompute = "auto";  // activation recomputation: auto (above 1 GiB), on, off
  // The backward pass's products through frozen quantized matrices: auto (int8 where the
  // kernels have it: AVX-512 VNNI; else f32), int8 (an error without it) or f32.
  std::string backward = "auto";
  int64_t checkpoint_every = 0; // steps; 0: none
  int64_t val_every = 0;        // steps; the validation loss is also measured each epoch
  std::string resume;           // a checkpoint of the same run
  std::string chat_template;    // override of the model's chat format
};

struct LoraTrainRequest : TrainRequest {
  std::string model;            // base GGUF
  int32_t rank = 16;
  float alpha = 0.0f;           // 0: twice the rank
  std::string targets = "all";  // attn, ffn, all, or q,k,v,o,gate,up,down
  float dropout = 0.05f;
  bool peft = true;             // also write NAME-peft/
};

struct ModelTrainRequest : TrainRequest {
  std::string config;           // YAML: arch, n_embd, n_layer, n_head, ... (docs/training.md)
  std::string vocab;            // a GGUF holding the tokenizer (a model, or loco train tokenizer's output)
  std::string init;             // continue from this model's weights instead of a fresh start (no --config)
  std::string type = "f32";     // f32, f16 or bf16
};

struct TrainProgress {
  int64_t step = 0, total_steps = 0;
  double epoch = 0, loss = 0;
  double val_loss = -1;         // < 0: not measured at this step
  double lr = 0, grad_norm = 0;
  double tokens_per_s = 0, eta_s = 0;
  bool checkpoint_saved = false;
  bool last = false;
};

struct TrainResult {
  std::string gguf, peft, csv, svg;  // peft empty when not written
  std::string name;                  // the output's stem
  int64_t steps = 0, n_params = 0, n_examples = 0, n_tokens = 0;
  double final_train_loss = 0, final_val_loss = -1;
  std::map<std::string, std::string> notes;  // the training record written into the files
};

// Trains, writes the outputs and returns what was written. `progress` is called after
// every step; `started` once the data is loaded (examples, tokens, steps, parameters).
// Throws Error for bad data (naming file:line), settings or files.
TrainResult train_lora(const LoraTrainRequest& request, const std::function<void(const TrainProgress&)>& progress,
                           const std::function<void(const TrainResult&, int64_t total_steps)>& started = {});

// `loco train model`: every weight trained (float32 master weights), from a configuration
// and a vocabulary or from an existing model; writes NAME.gguf (F32/F16/BF16), the loss
// curve and the training record. The result's peft is empty, n_params counts every weight.
TrainResult train_model(const ModelTrainRequest& request, const std::function<void(const TrainProgress&)>& progress,
                            const std::function<void(const TrainResult&, int64_t total_steps)>& started = {});

// `loco train grad`: the gradient of the mean next-token cross-entropy of `tokens`
// (positions 0..T−2 predicting 1..T−1, no template) with respect to every tensor of the
// adapter (its own alpha/rank and lora_scale applied), written as F32 tensors with the
// adapter's GGUF names and shapes. Returns the loss.
double write_adapter_gradient(const std::string& model, const std::string& lora, const std::vector<TokenId>& tokens,
                              float lora_scale, const std::string& output, int threads);

struct TokenizerTrainRequest {
  std::vector<std::string> data;  // .jsonl (every string value of every line) or plain text files
  int32_t vocab_size = 8192;      // including 256 byte tokens and 3 special tokens
  std::string pre = "qwen2";      // pre-tokenizer regex: qwen2, llama-bpe, gpt-2
  int64_t min_frequency = 2;
  std::string out;                // a vocabulary-only GGUF
};

struct TokenizerTrainResult {
  int32_t vocab_size = 0;  // may be below the request when no pair is frequent enough
  int64_t n_merges = 0;
  int64_t text_bytes = 0;
  int64_t tokens_of_text = 0;  // the training text encoded with the new vocabulary
};

// `loco train tokenizer`: a byte-level BPE vocabulary, written as a GGUF file holding only
// tokenizer metadata (loco tokenize -m and loco train model --vocab read it).
TokenizerTrainResult train_tokenizer(const TokenizerTrainRequest& request);

}  // namespace loco
