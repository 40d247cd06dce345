// Finds the texts of special tokens (control, user-defined and unknown types) in input
// text, so that e.g. "<|im_start|>" in a chat prompt becomes one token instead of being
// spelled out character by character.
#pragma once

#include <array>
#include <string_view>
#include <vector>

#include "loco/tokenizer.h"

namespace loco {

struct Vocab;

// A run of ordinary text, or one special token.
struct Fragment {
  std::string_view text;  // empty for a token
  TokenId token = -1;     // -1 for text
};

class SpecialTokenSplitter {
 public:
  explicit SpecialTokenSplitter(const Vocab& vocab);

  // Splits `text` at every special token, leftmost first and longest first at a
  // position. Runs of text between tokens are non-empty. Without `include_control` only
  // user-defined tokens (added tokens such as Qwen3's <think>) are matched: the reference
  // tokenizers match those in plain text too, and control tokens only when asked.
  std::vector<Fragment> split(const Vocab& vocab, std::string_view text, bool include_control = true) const;

 private:
  // Candidate tokens by their first byte, longest text first.
  std::array<std::vector<TokenId>, 256> by_first_byte_;
};

}  // namespace loco
