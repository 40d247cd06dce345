// Regex pre-tokenizers for byte-level BPE: split text into the pieces that BPE merges
// never cross (words, numbers, punctuation runs, whitespace runs). PCRE2 stays inside
// pre_tokenizer.cpp.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loco {

// The canonical name ("qwen2", "llama-bpe", "gpt-2") for a `tokenizer.ggml.pre` value,
// or nullopt when the name is unknown.
std::optional<std::string> canonical_pre_tokenizer(std::string_view name);

class PreTokenizer {
 public:
  // `name` must be canonical. Throws loco::Error if the pattern fails to compile.
  explicit PreTokenizer(const std::string& name);
  ~PreTokenizer();
  PreTokenizer(const PreTokenizer&) = delete;
  PreTokenizer& operator=(const PreTokenizer&) = delete;

  // Appends the pieces of `text` to `pieces`; they cover `text` exactly, in order.
  // Bytes that are not valid UTF-8 never match the pattern and come out as pieces of
  // their own. Thread-safe.
  void split(std::string_view text, std::vector<std::string_view>& pieces) const;

 private:
  struct Regex;
  std::unique_ptr<Regex> regex_;
};

}  // namespace loco
