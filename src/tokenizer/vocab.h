// The vocabulary part of a GGUF tokenizer: token strings, types, scores, the special
// token ids and flags, read from `tokenizer.ggml.*` and validated.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "loco/tokenizer.h"

namespace loco {

class GgufFile;

namespace gguf_key {
inline constexpr const char* kModel = "tokenizer.ggml.model";
inline constexpr const char* kPre = "tokenizer.ggml.pre";
inline constexpr const char* kTokens = "tokenizer.ggml.tokens";
inline constexpr const char* kTokenType = "tokenizer.ggml.token_type";
inline constexpr const char* kScores = "tokenizer.ggml.scores";
inline constexpr const char* kMerges = "tokenizer.ggml.merges";
inline constexpr const char* kBos = "tokenizer.ggml.bos_token_id";
inline constexpr const char* kEos = "tokenizer.ggml.eos_token_id";
inline constexpr const char* kUnknown = "tokenizer.ggml.unknown_token_id";
inline constexpr const char* kPadding = "tokenizer.ggml.padding_token_id";
inline constexpr const char* kEot = "tokenizer.ggml.eot_token_id";
inline constexpr const char* kEom = "tokenizer.ggml.eom_token_id";
inline constexpr const char* kAddBos = "tokenizer.ggml.add_bos_token";
inline constexpr const char* kAddSpacePrefix = "tokenizer.ggml.add_space_prefix";
}  // namespace gguf_key

struct Vocab {
  Vocab() = default;
  Vocab(const Vocab&) = delete;  // `ids` points into `texts`
  Vocab& operator=(const Vocab&) = delete;

  std::string source;  // the file, for error messages
  std::string model;   // "gpt2" | "llama"
  std::vector<std::string> texts;
  std::vector<TokenType> types;
  std::vector<float> scores;                            // SentencePiece only
  std::unordered_map<std::string_view, TokenId> ids;    // views into `texts`
  std::optional<TokenId> bos, eos, unknown, padding;
  std::vector<bool> end_of_generation;                  // per token
  bool add_bos = false;
  bool add_space_prefix = false;                        // SentencePiece only

  int32_t size() const { return static_cast<int32_t>(texts.size()); }
  bool contains(TokenId id) const { return id >= 0 && id < size(); }
  std::optional<TokenId> find(std::string_view text) const {
    auto it = ids.find(text);
    if (it == ids.end()) return std::nullopt;
    return it->second;
  }
  // Tokens whose text the special-token splitter matches when asked to.
  bool is_special(TokenId id) const {
    const TokenType t = types[id];
    return t == TokenType::Control || t == TokenType::UserDefined || t == TokenType::Unknown;
  }
};

// Fills `vocab` (in place: `ids` points into `texts`) from the file's metadata.
// `model` is the already checked tokenizer.ggml.model value.
void load_vocab(const GgufFile& file, const std::string& model, Vocab& vocab);

}  // namespace loco
