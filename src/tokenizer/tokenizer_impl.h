// The shared, immutable state behind loco::Tokenizer and loco::StreamDecoder.
#pragma once

#include <memory>
#include <string>

#include "loco/tokenizer.h"
#include "tokenizer/bpe.h"
#include "tokenizer/special_tokens.h"
#include "tokenizer/spm.h"
#include "tokenizer/vocab.h"

namespace loco {

struct Tokenizer::Impl {
  Vocab vocab;
  std::string pre_tokenizer;
  std::unique_ptr<BytePairEncoder> bpe;          // model "gpt2"
  std::unique_ptr<SentencePieceEncoder> spm;     // model "llama"
  std::unique_ptr<SpecialTokenSplitter> specials;

  // Throws loco::Error unless 0 <= id < n_vocab.
  void check(TokenId id) const;
  // What `id` stands for as bytes ("" for control, unknown and unused tokens).
  void append_bytes(TokenId id, std::string& out) const;
  // Appends the decoded text of `id`. `at_start` is true until the first piece with text
  // (a leading BOS does not count); SentencePiece drops that piece's leading space.
  void append_piece(TokenId id, bool skip_special, bool& at_start, std::string& out) const;
};

}  // namespace loco
