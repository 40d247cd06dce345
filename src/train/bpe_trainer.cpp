#include "train/bpe_trainer.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <queue>
#include <set>
#include <unordered_map>
#include <optional>
#include <unordered_set>

#include "loco/error.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/pre_tokenizer.h"

namespace loco::train {
namespace {

// ChatML, the format of Qwen's instruct models, in the plain form the chat-format
// detector recognises.
constexpr const char* kChatTemplate =
    "{%- for message in messages %}"
    "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

struct Word {
  std::vector<int32_t> symbols;
  int64_t count = 0;
};

uint64_t key(int32_t a, int32_t b) { return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b); }

}  // namespace

BpeVocabulary train_bpe(const std::vector<std::string>& texts, const BpeTrainOptions& o) {
  const auto pre = canonical_pre_tokenizer(o.pre);
  if (!pre) throw Error("unknown pre-tokenizer '" + o.pre + "' (qwen2, llama-bpe or gpt-2)");
  const int32_t n_special = static_cast<int32_t>(o.special_tokens.size());
  if (o.vocab_size < 256 + n_special || o.vocab_size > 1000000) {
    throw Error(fmt::format("--vocab-size must be from {} (256 bytes + {} special tokens) to 1000000",
                            256 + n_special, n_special));
  }
  BpeVocabulary v;
  v.pre = *pre;
  v.n_special = n_special;
  for (int b = 0; b < 256; ++b) v.tokens.push_back(byte_level::byte_to_text(static_cast<uint8_t>(b)));

  // Count the pieces.
  PreTokenizer splitter(*pre);
  std::unordered_map<std::string, int64_t> piece_counts;
  std::vector<std::string_view> pieces;
  bool any = false;
  for (const std::string& text : texts) {
    pieces.clear();
    splitter.split(text, pieces);
    for (std::string_view p : pieces) {
      ++piece_counts[std::string(p)];
      any = true;
    }
  }
  if (!any) throw Error("no text to train the tokenizer on");
  // In a fixed order, so that ties and the result never depend on hashing.
  std::vector<std::pair<std::string, int64_t>> sorted(piece_counts.begin(), piece_counts.end());
  std::sort(sorted.begin(), sorted.end());
  std::vector<Word> words;
  words.reserve(sorted.size());
  for (const auto& [piece, count] : sorted) {
    Word w;
    w.count = count;
    for (unsigned char c : piece) w.symbols.push_back(c);
    words.push_back(std::move(w));
  }

  // Pair counts and, for each pair, the words it occurs in.
  std::unordered_map<uint64_t, int64_t> pair_count;
  std::unordered_map<uint64_t, std::unordered_set<size_t>> pair_words;
  auto add_word = [&](size_t wi, int64_t sign) {
    const Word& w = words[wi];
    for (size_t i = 0; i + 1 < w.symbols.size(); ++i) {
      const uint64_t k = key(w.symbols[i], w.symbols[i + 1]);
      pair_count[k] += sign * w.count;
      if (sign > 0) pair_words[k].insert(wi);
    }
  };
  for (size_t wi = 0; wi < words.size(); ++wi) add_word(wi, +1);

  // A max-heap of (count, merged text reversed order, pair); entries go stale when counts
  // change and are checked against pair_count when popped.
  struct Candidate {
    int64_t count;
    std::string text;
    uint64_t pair;
    bool operator<(const Candidate& other) const {
      if (count != other.count) return count < other.count;
      return text > other.text;  // equal counts: the smaller text first
    }
  };
  std::priority_queue<Candidate> heap;
  auto push = [&](uint64_t k) {
    const auto it = pair_count.find(k);
    if (it == pair_count.end() || it->second < o.min_frequency) return;
    const int32_t a = static_cast<int32_t>(k >> 32), b = static_cast<int32_t>(k & 0xffffffffu);
    heap.push({it->second, v.tokens[static_cast<size_t>(a)] + v.tokens[static_cast<size_t>(b)], k});
  };
  for (const auto& [k, c] : pair_count) push(k);

  const int32_t target = o.vocab_size - n_special;
  std::unordered_map<std::string, int32_t> id_of_text;
  for (size_t i = 0; i < v.tokens.size(); ++i) id_of_text.emplace(v.tokens[i], static_cast<int32_t>(i));
  while (static_cast<int32_t>(v.tokens.size()) < target && !heap.empty()) {
    const Candidate top = heap.top();
    heap.pop();
    const auto it = pair_count.find(top.pair);
    if (it == pair_count.end() || it->second != top.count) continue;  // stale
    const int32_t a = static_cast<int32_t>(top.pair >> 32), b = static_cast<int32_t>(top.pair & 0xffffffffu);
    v.merges.push_back(v.tokens[static_cast<size_t>(a)] + " " + v.tokens[static_cast<size_t>(b)]);
    // Two pairs can spell the same text ("ab"+"c" and "a"+"bc"): the token exists once,
    // and both merges make it.
    const auto [found, is_new] = id_of_text.emplace(top.text, static_cast<int32_t>(v.tokens.size()));
    const int32_t merged = found->second;
    if (is_new) v.tokens.push_back(top.text);
    std::set<size_t> affected;
    if (auto pw = pair_words.find(top.pair); pw != pair_words.end()) affected.insert(pw->second.begin(), pw->second.end());
    std::set<uint64_t> touched;
    for (size_t wi : affected) {
      Word& w = words[wi];
      // Remove the word's pairs, merge, add them back.
      for (size_t i = 0; i + 1 < w.symbols.size(); ++i) {
        const uint64_t k = key(w.symbols[i], w.symbols[i + 1]);
        pair_count[k] -= w.count;
        touched.insert(k);
      }
      std::vector<int32_t> out;
      out.reserve(w.symbols.size());
      for (size_t i = 0; i < w.symbols.size(); ++i) {
        if (i + 1 < w.symbols.size() && w.symbols[i] == a && w.symbols[i + 1] == b) {
          out.push_back(merged);
          ++i;
        } else {
          out.push_back(w.symbols[i]);
        }
      }
      w.symbols = std::move(out);
      for (size_t i = 0; i + 1 < w.symbols.size(); ++i) {
        const uint64_t k = key(w.symbols[i], w.symbols[i + 1]);
        pair_count[k] += w.count;
        pair_words[k].insert(wi);
        touched.insert(k);
      }
    }
    pair_count.erase(top.pair);
    pair_words.erase(top.pair);
    for (uint64_t k : touched) {
      if (k != top.pair) push(k);
    }
  }
  v.types.assign(v.tokens.size(), 1);
  for (const std::string& s : o.special_tokens) {
    if (id_of_text.count(s) != 0) throw Error("special token '" + s + "' is also an ordinary token");
    v.tokens.push_back(s);
    v.types.push_back(3);
  }
  return v;
}

void set_bpe_vocabulary(GgufWriter& w, const BpeVocabulary& v) {
  w.set_string("tokenizer.ggml.model", "gpt2");
  w.set_string("tokenizer.ggml.pre", v.pre);
  w.set_string_array("tokenizer.ggml.tokens", v.tokens);
  w.set_i32_array("tokenizer.ggml.token_type", v.types);
  w.set_string_array("tokenizer.ggml.merges", v.merges);
  auto id_of = [&](const std::string& s) -> std::optional<uint32_t> {
    for (size_t i = v.tokens.size() - static_cast<size_t>(v.n_special); i < v.tokens.size(); ++i) {
      if (v.tokens[i] == s) return static_cast<uint32_t>(i);
    }
    return std::nullopt;
  };
  if (auto eot = id_of("<|im_end|>")) {
    w.set_u32("tokenizer.ggml.eos_token_id", *eot);
  } else if (auto eos = id_of("<|endoftext|>")) {
    w.set_u32("tokenizer.ggml.eos_token_id", *eos);
  }
  if (auto pad = id_of("<|endoftext|>")) w.set_u32("tokenizer.ggml.padding_token_id", *pad);
  w.set_bool("tokenizer.ggml.add_bos_token", false);
  if (id_of("<|im_start|>") && id_of("<|im_end|>")) w.set_string("tokenizer.chat_template", kChatTemplate);
}

}  // namespace loco::train
