// Text <-> token ids, built from a model file's GGUF tokenizer metadata.
//
// Two tokenizer models are supported, named by `tokenizer.ggml.model`:
//   "gpt2"  byte-level BPE (Qwen2/Qwen3, Llama 3, GPT-2): the text is split by the
//           pre-tokenizer's regex (`tokenizer.ggml.pre`), each piece's bytes are mapped
//           to printable code points and merged by rank (`tokenizer.ggml.merges`).
//   "llama" SentencePiece BPE (Llama 2, TinyLlama, Phi-3): spaces become U+2581, a space
//           is prefixed to the text, pieces merge by score (`tokenizer.ggml.scores`),
//           characters missing from the vocabulary fall back to <0xNN> byte tokens.
//
// A Tokenizer is immutable after loading, cheap to copy (copies share the tables) and
// safe to use from several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace loco {

class GgufFile;

using TokenId = int32_t;

// Values as stored in `tokenizer.ggml.token_type`.
enum class TokenType : uint8_t {
  Normal = 1,
  Unknown = 2,
  Control = 3,      // BOS, EOS, chat markers: never produced from plain text
  UserDefined = 4,  // added tokens matched verbatim (e.g. Qwen3's <think>)
  Unused = 5,
  Byte = 6,         // SentencePiece byte fallback <0xNN>
};

class Tokenizer {
 public:
  // Reads and validates the tokenizer metadata. Throws FormatError for missing or
  // inconsistent metadata and UnsupportedError for an unknown tokenizer model or
  // pre-tokenizer; each message names the file and the key.
  static Tokenizer from_gguf(const GgufFile& file);

  // Text to ids. `add_bos` prepends the BOS token when the vocabulary has one.
  // The texts of user-defined tokens (added tokens such as Qwen3's <think>) found in
  // `text` always become those tokens, as in the reference tokenizers; with
  // `parse_special`, control and unknown tokens' texts do too (leftmost, longest match
  // first); without it those are tokenized as ordinary text. Any byte string is
  // accepted, including invalid UTF-8.
  std::vector<TokenId> encode(std::string_view text, bool add_bos, bool parse_special) const;

  // Ids to text. Control, unknown and unused tokens render as their vocabulary text, or
  // as nothing with `skip_special`. For SentencePiece the leading space of the first
  // piece with text (the space encode() prefixed) is dropped; a BOS before it, rendered
  // or not, does not count as that piece.
  // Throws loco::Error for an id outside [0, n_vocab).
  std::string decode(std::span<const TokenId> ids, bool skip_special = false) const;

  // The raw bytes a token stands for: "" for control, unknown and unused tokens.
  std::string token_bytes(TokenId id) const;
  // The vocabulary string (byte-level BPE tokens are in the mapped alphabet, e.g. "Ġthe").
  std::string_view token_text(TokenId id) const;
  TokenType token_type(TokenId id) const;
  int32_t n_vocab() const;
  std::optional<TokenId> find(std::string_view token_text) const;

  std::optional<TokenId> bos() const;
  std::optional<TokenId> eos() const;
  // tokenizer.ggml.add_bos_token, else true for "llama" and false for "gpt2".
  bool add_bos_by_default() const;
  // EOS, tokenizer.ggml.eot_token_id / eom_token_id, and control or user-defined tokens
  // that end a turn by convention (<|im_end|>, <|eot_id|>, <|endoftext|>, </s>, <|end|> ...).
  bool is_end_of_generation(TokenId id) const;

  const std::string& model_kind() const;     // "gpt2" | "llama"
  // The resolved pre-tokenizer: "qwen2", "llama-bpe" or "gpt-2" for byte-level BPE
  // (aliases such as "llama3" or "default" are resolved), "default" for SentencePiece.
  const std::string& pre_tokenizer() const;

 private:
  struct Impl;
  explicit Tokenizer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
  friend class StreamDecoder;
};

// Turns a stream of generated ids into text chunks. A multi-byte UTF-8 character whose
// bytes arrive in several tokens is held back until it is complete, so no chunk ends in
// the middle of a character; the concatenation of all chunks and flush() equals
// decode() of all ids with the same `skip_special`.
class StreamDecoder {
 public:
  explicit StreamDecoder(const Tokenizer& tokenizer, bool skip_special = false);
  std::string push(TokenId id);
  // Whatever is still held back (an incomplete character at the end of the stream).
  std::string flush();

 private:
  Tokenizer tokenizer_;
  bool skip_special_;
  bool at_start_ = true;  // SentencePiece's leading-space rule applies to the first piece
  std::string pending_;
};

}  // namespace loco
