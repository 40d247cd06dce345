#include "tokenizer/bpe.h"

#include <queue>

#include "loco/error.h"
#include "loco/gguf.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/vocab.h"

namespace loco {
namespace {

[[noreturn]] void fail_merge(const GgufFile& file, size_t index, std::string_view merge,
                             const std::string& what) {
  throw FormatError(file.path() + ": " + gguf_key::kMerges + ": entry " +
                    std::to_string(index) + " '" + std::string(merge) + "' " + what);
}

}  // namespace

BytePairEncoder::BytePairEncoder(const GgufFile& file, const Vocab& vocab, const std::string& pre)
    : pre_tokenizer_(pre), whole_piece_lookup_(pre == "llama-bpe") {
  for (int b = 0; b < 256; ++b) {
    byte_token_[b] = vocab.find(byte_level::byte_to_text(static_cast<uint8_t>(b))).value_or(-1);
  }

  const GgufValue* merges = file.find(gguf_key::kMerges);
  if (merges == nullptr) {
    throw FormatError(file.path() + ": " + gguf_key::kMerges + ": missing (required for BPE)");
  }
  if (!merges->is_array() || merges->elem_type != GgufValueType::STRING) {
    throw FormatError(file.path() + ": " + gguf_key::kMerges + ": expected an array of strings");
  }
  merges_.reserve(merges->strings.size());
  std::string joined;
  for (size_t i = 0; i < merges->strings.size(); ++i) {
    const std::string_view merge = merges->strings[i];
    // "left right"; a left part may itself start with a space, hence the search from 1.
    const size_t space = merge.size() > 1 ? merge.find(' ', 1) : std::string_view::npos;
    if (space == std::string_view::npos || space + 1 >= merge.size()) {
      fail_merge(file, i, merge, "is not two tokens separated by a space");
    }
    const std::string_view left = merge.substr(0, space);
    const std::string_view right = merge.substr(space + 1);
    const std::optional<TokenId> left_id = vocab.find(left);
    if (!left_id) fail_merge(file, i, merge, "names unknown token '" + std::string(left) + "'");
    const std::optional<TokenId> right_id = vocab.find(right);
    if (!right_id) fail_merge(file, i, merge, "names unknown token '" + std::string(right) + "'");
    joined.assign(left);
    joined.append(right);
    const std::optional<TokenId> result = vocab.find(joined);
    if (!result) fail_merge(file, i, merge, "makes '" + joined + "', which is not a token");
    // A repeated pair keeps its first (best) rank.
    merges_.emplace(pair_key(*left_id, *right_id), Merge{static_cast<uint32_t>(i), *result});
  }
}

void BytePairEncoder::encode(const Vocab& vocab, std::string_view text,
                             std::vector<TokenId>& out) const {
  std::vector<std::string_view> pieces;
  pre_tokenizer_.split(text, pieces);
  std::string scratch;
  for (std::string_view piece : pieces) encode_piece(vocab, piece, scratch, out);
}

void BytePairEncoder::encode_piece(const Vocab& vocab, std::string_view piece,
                                   std::string& scratch, std::vector<TokenId>& out) const {
  if (whole_piece_lookup_) {
    scratch.clear();
    byte_level::map_bytes(piece, scratch);
    const std::optional<TokenId> whole = vocab.find(scratch);
    if (whole && vocab.types[*whole] == TokenType::Normal) {
      out.push_back(*whole);
      return;
    }
  }

  // One symbol per byte in a doubly linked list; merging absorbs the right symbol into
  // the left one, so symbol 0 always heads the list.
  constexpr TokenId kMerged = -2;
  struct Symbol {
    TokenId id;  // -1: a byte without a token; kMerged: absorbed into its left neighbour
    int prev;
    int next;
  };
  const int n = static_cast<int>(piece.size());
  std::vector<Symbol> symbols(piece.size());
  for (int i = 0; i < n; ++i) {
    symbols[i] = {byte_token_[static_cast<uint8_t>(piece[i])], i - 1, i + 1 < n ? i + 1 : -1};
  }

  struct Candidate {
    uint32_t rank;
    int left;
    int right;
    TokenId left_id;
    TokenId right_id;
    TokenId result;
  };
  // Lowest rank first; equal ranks (the same pair twice) leftmost first.
  auto later = [](const Candidate& a, const Candidate& b) {
    return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
  };
  std::priority_queue<Candidate, std::vector<Candidate>, decltype(later)> queue(later);
  auto consider = [&](int left, int right) {
    if (left < 0 || right < 0) return;
    const TokenId l = symbols[left].id;
    const TokenId r = symbols[right].id;
    if (l < 0 || r < 0) return;
    auto it = merges_.find(pair_key(l, r));
    if (it != merges_.end()) queue.push({it->second.rank, left, right, l, r, it->second.result});
  };
  for (int i = 0; i + 1 < n; ++i) consider(i, i + 1);

  while (!queue.empty()) {
    const Candidate c = queue.top();
    queue.pop();
    Symbol& left = symbols[c.left];
    // Stale when either side has merged with something else since it was queued.
    if (left.id != c.left_id || left.next != c.right || symbols[c.right].id != c.right_id) continue;
    Symbol& right = symbols[c.right];
    left.id = c.result;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = c.left;
    right.id = kMerged;
    consider(left.prev, c.left);
    consider(c.left, left.next);
  }

  for (int i = 0; i >= 0 && i < n; i = symbols[i].next) {
    if (symbols[i].id >= 0) {
      out.push_back(symbols[i].id);
    } else if (vocab.unknown) {
      out.push_back(*vocab.unknown);  // a byte the vocabulary cannot spell
    }
  }
}

}  // namespace loco
