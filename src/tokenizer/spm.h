// SentencePiece BPE (tokenizer.ggml.model = "llama"), as Llama 2, TinyLlama and Phi-3
// use it: start from single characters and repeatedly join the adjacent pair whose
// joined text is the vocabulary piece with the highest score; characters left without a
// piece are spelled with <0xNN> byte tokens.
#pragma once

#include <array>
#include <string_view>
#include <vector>

#include "loco/tokenizer.h"

namespace loco {

struct Vocab;

class SentencePieceEncoder {
 public:
  explicit SentencePieceEncoder(const Vocab& vocab);

  // Appends the ids of one fragment of ordinary text. `at_text_start` is true for the
  // first fragment and after a special token: with add_space_prefix a space is prefixed
  // there, as SentencePiece does for each piece of text.
  void encode(const Vocab& vocab, std::string_view text, bool at_text_start,
              std::vector<TokenId>& out) const;

 private:
  // Pieces that text may be assembled into: normal, user-defined and unused ones. Control,
  // unknown and byte pieces are only ever produced explicitly.
  static bool mergeable(const Vocab& vocab, TokenId id);
  void append_bytes(const Vocab& vocab, std::string_view text, std::vector<TokenId>& out) const;

  std::array<TokenId, 256> byte_token_;  // <0xNN>, or -1 when the vocabulary has none
};

}  // namespace loco
