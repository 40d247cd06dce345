#include "tokenizer/spm.h"

#include <cstdio>
#include <queue>
#include <string>

#include "tokenizer/utf8.h"
#include "tokenizer/vocab.h"

namespace loco {
namespace {

constexpr std::string_view kSpaceMark = "\xE2\x96\x81";  // U+2581, SentencePiece's space

}  // namespace

SentencePieceEncoder::SentencePieceEncoder(const Vocab& vocab) {
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    const std::optional<TokenId> id = vocab.find(name);
    byte_token_[b] = id && vocab.types[*id] == TokenType::Byte ? *id : -1;
  }
}

bool SentencePieceEncoder::mergeable(const Vocab& vocab, TokenId id) {
  const TokenType t = vocab.types[id];
  return t == TokenType::Normal || t == TokenType::UserDefined || t == TokenType::Unused;
}

void SentencePieceEncoder::append_bytes(const Vocab& vocab, std::string_view text,
                                        std::vector<TokenId>& out) const {
  for (char c : text) {
    const TokenId id = byte_token_[static_cast<uint8_t>(c)];
    if (id >= 0) {
      out.push_back(id);
    } else if (vocab.unknown) {
      out.push_back(*vocab.unknown);
    }
  }
}

void SentencePieceEncoder::encode(const Vocab& vocab, std::string_view text, bool at_text_start,
                                  std::vector<TokenId>& out) const {
  if (text.empty()) return;
  std::string escaped;
  escaped.reserve(text.size() + 8);
  if (vocab.add_space_prefix && at_text_start) escaped += kSpaceMark;
  for (char c : text) {
    if (c == ' ') {
      escaped += kSpaceMark;
    } else {
      escaped += c;
    }
  }
  const std::string_view s = escaped;

  // Symbols are UTF-8 characters in a linked list; joining absorbs the right symbol into
  // the left one. A byte that does not start a valid character is a symbol of its own, so
  // that it cannot swallow the first bytes of a following character (or of a U+2581).
  struct Symbol {
    size_t offset;
    size_t length;  // 0 once absorbed
    int prev;
    int next;
  };
  std::vector<Symbol> symbols;
  for (size_t pos = 0; pos < s.size();) {
    char32_t cp;
    size_t len;
    utf8::decode(s, pos, cp, len);  // len is 1 for an invalid byte
    const int index = static_cast<int>(symbols.size());
    symbols.push_back({pos, len, index - 1, pos + len < s.size() ? index + 1 : -1});
    pos += len;
  }

  struct Candidate {
    float score;
    int left;
    int right;
    size_t length;  // of the joined text, to detect stale entries
  };
  // Highest score first; ties go to the leftmost pair.
  auto worse = [](const Candidate& a, const Candidate& b) {
    return a.score != b.score ? a.score < b.score : a.left > b.left;
  };
  std::priority_queue<Candidate, std::vector<Candidate>, decltype(worse)> queue(worse);
  auto consider = [&](int left, int right) {
    if (left < 0 || right < 0) return;
    const size_t length = symbols[left].length + symbols[right].length;
    const std::optional<TokenId> id = vocab.find(s.substr(symbols[left].offset, length));
    if (!id || !mergeable(vocab, *id)) return;
    queue.push({vocab.scores[*id], left, right, length});
  };
  for (int i = 0; i + 1 < static_cast<int>(symbols.size()); ++i) consider(i, i + 1);

  while (!queue.empty()) {
    const Candidate c = queue.top();
    queue.pop();
    Symbol& left = symbols[c.left];
    Symbol& right = symbols[c.right];
    // Stale when either side has changed since the pair was queued.
    if (left.length == 0 || right.length == 0 || left.next != c.right ||
        left.length + right.length != c.length) {
      continue;
    }
    left.length = c.length;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = c.left;
    right.length = 0;
    consider(left.prev, c.left);
    consider(c.left, left.next);
  }

  // Every joined symbol is a piece by construction; only single characters can be
  // missing from the vocabulary, and those are spelled as bytes.
  for (int i = 0; i >= 0; i = symbols[i].next) {
    const std::string_view piece = s.substr(symbols[i].offset, symbols[i].length);
    const std::optional<TokenId> id = vocab.find(piece);
    if (id && mergeable(vocab, *id)) {
      out.push_back(*id);
    } else {
      append_bytes(vocab, piece, out);
    }
  }
}

}  // namespace loco
