#include "tokenizer/special_tokens.h"

#include <algorithm>

#include "tokenizer/vocab.h"

namespace loco {

SpecialTokenSplitter::SpecialTokenSplitter(const Vocab& vocab) {
  for (TokenId id = 0; id < vocab.size(); ++id) {
    if (!vocab.is_special(id) || vocab.texts[id].empty()) continue;
    by_first_byte_[static_cast<uint8_t>(vocab.texts[id][0])].push_back(id);
  }
  for (std::vector<TokenId>& ids : by_first_byte_) {
    std::stable_sort(ids.begin(), ids.end(), [&](TokenId a, TokenId b) {
      return vocab.texts[a].size() > vocab.texts[b].size();
    });
  }
}

std::vector<Fragment> SpecialTokenSplitter::split(const Vocab& vocab, std::string_view text,
                                                  bool include_control) const {
  std::vector<Fragment> fragments;
  size_t text_start = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    const std::vector<TokenId>& candidates = by_first_byte_[static_cast<uint8_t>(text[pos])];
    TokenId found = -1;
    for (TokenId id : candidates) {
      if (!include_control && vocab.types[id] != TokenType::UserDefined) continue;
      if (text.substr(pos).starts_with(vocab.texts[id])) {
        found = id;
        break;
      }
    }
    if (found < 0) {
      ++pos;
      continue;
    }
    if (pos > text_start) fragments.push_back({text.substr(text_start, pos - text_start), -1});
    fragments.push_back({{}, found});
    pos += vocab.texts[found].size();
    text_start = pos;
  }
  if (text_start < text.size()) fragments.push_back({text.substr(text_start), -1});
  return fragments;
}

}  // namespace loco
