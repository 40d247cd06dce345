// Byte-level BPE (tokenizer.ggml.model = "gpt2"): pre-tokenize with a regex, map each
// piece's bytes to the byte-level alphabet, then apply merges lowest rank first.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "loco/tokenizer.h"
#include "tokenizer/pre_tokenizer.h"

namespace loco {

class GgufFile;
struct Vocab;

class BytePairEncoder {
 public:
  // Reads and validates tokenizer.ggml.merges against `vocab`. `pre` is a canonical
  // pre-tokenizer name.
  BytePairEncoder(const GgufFile& file, const Vocab& vocab, const std::string& pre);

  // Appends the ids for a fragment of ordinary text (special tokens already split off).
  void encode(const Vocab& vocab, std::string_view text, std::vector<TokenId>& out) const;

 private:
  struct Merge {
    uint32_t rank;
    TokenId result;
  };
  static uint64_t pair_key(TokenId left, TokenId right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
  }
  void encode_piece(const Vocab& vocab, std::string_view piece, std::string& scratch,
                    std::vector<TokenId>& out) const;

  PreTokenizer pre_tokenizer_;
  // Llama 3's tokenizer looks a whole piece up in the vocabulary before merging
  // (Hugging Face `ignore_merges`), which can give a different split.
  bool whole_piece_lookup_;
  std::array<TokenId, 256> byte_token_;  // token of each byte's mapped text, -1 if none
  std::unordered_map<uint64_t, Merge> merges_;  // (left, right) -> rank and merged token
};

}  // namespace loco
