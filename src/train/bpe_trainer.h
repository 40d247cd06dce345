// Training a byte-level BPE vocabulary (`loco train tokenizer`), the kind Qwen and GPT-2
// use: text is split by the pre-tokenizer's regex into pieces that merges never cross,
// each piece's bytes start as the 256 byte tokens, and the most frequent adjacent pair is
// merged into a new token until the vocabulary has the size asked for. The result is
// written as `tokenizer.ggml.*` metadata that loco's own tokenizer (and llama.cpp's) loads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "loco/gguf.h"

namespace loco::train {

struct BpeTrainOptions {
  int32_t vocab_size = 8192;  // including the 256 byte tokens and the special tokens
  std::string pre = "qwen2";  // pre-tokenizer: qwen2, llama-bpe or gpt-2
  std::vector<std::string> special_tokens = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
  int64_t min_frequency = 2;  // a pair seen fewer times is never merged (training may stop early)
};

struct BpeVocabulary {
  std::vector<std::string> tokens;  // byte-level mapped text; byte tokens first, specials last
  std::vector<int32_t> types;       // 1 normal, 3 control (GGUF token_type)
  std::vector<std::string> merges;  // "left right", in rank order
  std::string pre;
  int32_t n_special = 0;
  bool operator==(const BpeVocabulary&) const = default;
};

// Deterministic: ties between equally frequent pairs go to the pair whose merged text
// sorts first. Throws Error for a vocabulary size below 256 + specials, an unknown
// pre-tokenizer, or no text.
BpeVocabulary train_bpe(const std::vector<std::string>& texts, const BpeTrainOptions& options);

// Sets the tokenizer keys of a GGUF file: model gpt2, the pre-tokenizer, tokens, types,
// merges, end-of-text/turn ids, no BOS, and a ChatML chat template (<|im_start|>role ...).
void set_bpe_vocabulary(GgufWriter& writer, const BpeVocabulary& vocab);

}  // namespace loco::train
