// Tokenizer behaviour beyond the shared vectors: hand-built vocabularies with known
// answers, special tokens, decoding rules, invalid input, streaming and bad metadata.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "loco/error.h"
#include "loco/gguf.h"
#include "loco/tokenizer.h"
#include "test_paths.h"

namespace loco {
namespace {

// ---------------------------------------------------------------------------------------
// Helpers

// Each vocabulary file is loaded once per test binary.
const Tokenizer& shared_vocab(const std::string& file) {
  static std::map<std::string, Tokenizer> cache;
  auto it = cache.find(file);
  if (it == cache.end()) {
    const std::string path = test::testdata_dir() + "/tokenizer/" + file;
    it = cache.emplace(file, Tokenizer::from_gguf(GgufFile::open(path))).first;
  }
  return it->second;
}

const Tokenizer& shared_model(const std::string& file) {
  static std::map<std::string, Tokenizer> cache;
  auto it = cache.find(file);
  if (it == cache.end()) {
    it = cache.emplace(file, Tokenizer::from_gguf(GgufFile::open(test::model_path(file)))).first;
  }
  return it->second;
}

Tokenizer from_writer(const GgufWriter& w) {
  return Tokenizer::from_gguf(GgufFile::from_bytes(w.write_to_bytes(), "test.gguf"));
}

// The GPT-2 byte alphabet, written out independently of the library: printable bytes map
// to themselves, the other 68 to U+0100.. in order.
std::string byte_token_text(int byte) {
  const bool self = (byte >= 33 && byte <= 126) || (byte >= 161 && byte <= 172) || byte >= 174;
  int cp = byte;
  if (!self) {
    cp = 256;
    for (int b = 0; b < byte; ++b) {
      if (!((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174)) ++cp;
    }
  }
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

// A byte-level BPE vocabulary: tokens 0..255 are the bytes (id = byte value), then
// `extra`; `types` gives the types of the extra tokens (normal when shorter).
GgufWriter bpe_vocab(const std::vector<std::string>& extra, const std::vector<std::string>& merges,
                     const std::vector<int32_t>& extra_types = {}) {
  std::vector<std::string> tokens;
  std::vector<int32_t> types;
  for (int b = 0; b < 256; ++b) {
    tokens.push_back(byte_token_text(b));
    types.push_back(1);
  }
  for (size_t i = 0; i < extra.size(); ++i) {
    tokens.push_back(extra[i]);
    types.push_back(i < extra_types.size() ? extra_types[i] : 1);
  }
  GgufWriter w;
  w.set_string("tokenizer.ggml.model", "gpt2");
  w.set_string("tokenizer.ggml.pre", "gpt-2");
  w.set_string_array("tokenizer.ggml.tokens", tokens);
  w.set_i32_array("tokenizer.ggml.token_type", types);
  w.set_string_array("tokenizer.ggml.merges", merges);
  return w;
}

// A SentencePiece vocabulary: <unk> <s> </s>, optionally the 256 byte pieces, then
// `pieces` with `scores`.
GgufWriter spm_vocab(const std::vector<std::string>& pieces, const std::vector<float>& scores,
                     bool byte_pieces = true) {
  std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
  std::vector<int32_t> types = {2, 3, 3};
  std::vector<float> all_scores = {0, 0, 0};
  if (byte_pieces) {
    for (int b = 0; b < 256; ++b) {
      char name[8];
      std::snprintf(name, sizeof name, "<0x%02X>", b);
      tokens.push_back(name);
      types.push_back(6);
      all_scores.push_back(0);
    }
  }
  for (size_t i = 0; i < pieces.size(); ++i) {
    tokens.push_back(pieces[i]);
    types.push_back(1);
    all_scores.push_back(scores[i]);
  }
  GgufWriter w;
  w.set_string("tokenizer.ggml.model", "llama");
  w.set_string_array("tokenizer.ggml.tokens", tokens);
  w.set_i32_array("tokenizer.ggml.token_type", types);
  w.set_f32_array("tokenizer.ggml.scores", all_scores);
  w.set_u32("tokenizer.ggml.bos_token_id", 1);
  w.set_u32("tokenizer.ggml.eos_token_id", 2);
  w.set_u32("tokenizer.ggml.unknown_token_id", 0);
  return w;
}

// Independent UTF-8 check: structure only (lead byte, continuation count).
bool well_formed_utf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

template <typename F>
void expect_format_error(F&& load, const std::string& key) {
  try {
    load();
    ADD_FAILURE() << "expected a FormatError naming " << key;
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("test.gguf"), std::string::npos) << e.what();
  }
}

// ---------------------------------------------------------------------------------------
// Byte-level BPE on hand-built vocabularies

TEST(BytePairEncoding, MergesLowestRankFirst) {
  // ids: a=97, b=98, c=99, then ab=256, bc=257.
  const Tokenizer bc_first = from_writer(bpe_vocab({"ab", "bc"}, {"b c", "a b"}));
  EXPECT_EQ(bc_first.encode("abc", false, false), (std::vector<TokenId>{97, 257}));
  const Tokenizer ab_first = from_writer(bpe_vocab({"ab", "bc"}, {"a b", "b c"}));
  EXPECT_EQ(ab_first.encode("abc", false, false), (std::vector<TokenId>{256, 99}));
}

TEST(BytePairEncoding, EqualPairsMergeLeftmostFirst) {
  const Tokenizer tok = from_writer(bpe_vocab({"aa"}, {"a a"}));
  EXPECT_EQ(tok.encode("aaa", false, false), (std::vector<TokenId>{256, 97}));
  EXPECT_EQ(tok.encode("aaaa", false, false), (std::vector<TokenId>{256, 256}));
}

TEST(BytePairEncoding, MergesBuildOnEarlierMerges) {
  // "Ġ" is the mapped space; the pre-tokenizer keeps " ab" together.
  const Tokenizer tok = from_writer(
      bpe_vocab({"ab", "\xC4\xA0" "ab", "abab"}, {"a b", "\xC4\xA0 ab", "ab ab"}));
  EXPECT_EQ(tok.encode("abab ab", false, false), (std::vector<TokenId>{258, 257}));
  EXPECT_EQ(tok.decode(std::vector<TokenId>{258, 257}), "abab ab");
}

TEST(BytePairEncoding, AnyByteStringRoundTrips) {
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(0, 48);
  const std::vector<std::string> pool = {"a", " ", "\n", "1", "é", "中", "🦙", "'s", "\t"};
  for (const char* file : {"ggml-vocab-qwen3.gguf", "ggml-vocab-llama3.gguf",
                           "ggml-vocab-gpt-2.gguf"}) {
    const Tokenizer& tok = shared_vocab(file);
    for (int iter = 0; iter < 300; ++iter) {
      std::string text;
      const int n = length(rng);
      for (int i = 0; i < n; ++i) {
        if (iter % 2 == 0) {
          text += static_cast<char>(byte(rng));  // arbitrary, mostly invalid UTF-8
        } else {
          text += pool[static_cast<size_t>(byte(rng)) % pool.size()];
        }
      }
      const std::vector<TokenId> ids = tok.encode(text, false, false);
      EXPECT_EQ(tok.decode(ids), text) << file;
    }
  }
}

TEST(BytePairEncoding, LongRunsOfOneClass) {
  const Tokenizer& tok = shared_vocab("ggml-vocab-qwen3.gguf");
  for (const std::string& unit : {std::string(" "), std::string("a"), std::string("1"),
                                  std::string("\n"), std::string("!"), std::string("\xE4\xB8\xAD"),
                                  std::string("\xFF")}) {
    std::string text;
    for (int i = 0; i < 20000; ++i) text += unit;
    const std::vector<TokenId> ids = tok.encode(text, false, false);
    EXPECT_FALSE(ids.empty());
    EXPECT_EQ(tok.decode(ids), text);
  }
}

TEST(BytePairEncoding, TokenBytesUndoTheByteAlphabet) {
  const Tokenizer& tok = shared_vocab("ggml-vocab-qwen3.gguf");
  const std::optional<TokenId> the = tok.find("\xC4\xA0the");  // "Ġthe"
  ASSERT_TRUE(the);
  EXPECT_EQ(tok.token_bytes(*the), " the");
  EXPECT_EQ(tok.token_text(*the), "\xC4\xA0the");
  EXPECT_EQ(tok.token_type(*the), TokenType::Normal);
  // Token 0 is "!", token 188 is the byte 0x00 (mapped to U+0100).
  EXPECT_EQ(tok.token_bytes(0), "!");
  EXPECT_EQ(tok.token_bytes(188), std::string(1, '\0'));
  EXPECT_EQ(tok.token_bytes(151645), "");  // <|im_end|>, a control token
  EXPECT_EQ(tok.token_type(151645), TokenType::Control);
}

// ---------------------------------------------------------------------------------------
// Special tokens

TEST(SpecialTokens, LongestMatchAndOnlyWhenAsked) {
  // 256 "<s>" (control), 257 "<s>x" (user-defined).
  const Tokenizer tok = from_writer(bpe_vocab({"<s>", "<s>x"}, {}, {3, 4}));
  EXPECT_EQ(tok.encode("a<s>xb<s>", false, true),
            (std::vector<TokenId>{'a', 257, 'b', 256}));
  // Without parsing special tokens the user-defined one is still matched (as in the
  // reference tokenizers); the control one is spelled out.
  const std::vector<TokenId> plain = tok.encode("a<s>xb<s>", false, false);
  ASSERT_GE(plain.size(), 3u);
  EXPECT_EQ(plain[1], 257);
  EXPECT_EQ(std::count(plain.begin(), plain.end(), 256), 0);
  EXPECT_EQ(tok.decode(plain), "a<s>xb<s>");
}

TEST(SpecialTokens, QwenChatMarkers) {
  const Tokenizer& tok = shared_model("tiny-qwen3-q8_0.gguf");
  EXPECT_EQ(tok.n_vocab(), 4101);
  EXPECT_EQ(tok.model_kind(), "gpt2");
  EXPECT_EQ(tok.pre_tokenizer(), "qwen2");
  const std::string prompt = "<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n<think>";
  const std::vector<TokenId> ids = tok.encode(prompt, false, true);
  ASSERT_GE(ids.size(), 6u);
  EXPECT_EQ(ids.front(), 4097);
  EXPECT_EQ(ids.back(), 4099);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 4098), 1);
  EXPECT_EQ(tok.decode(ids), prompt);
  // skip_special drops control tokens; <think> is user-defined text and stays.
  EXPECT_EQ(tok.decode(ids, true), "user\nHi there\nassistant\n<think>");

  // Plain text: the control markers are spelled out; <think> (user-defined) is matched.
  const std::vector<TokenId> plain = tok.encode(prompt, false, false);
  for (TokenId id : plain) {
    EXPECT_TRUE(id < 4096 || id == 4099) << id << ": control token parsed from plain text";
  }
  EXPECT_EQ(plain.back(), 4099);
  EXPECT_EQ(tok.decode(plain), prompt);
}

TEST(SpecialTokens, Llama3BeginOfText) {
  const Tokenizer& tok = shared_vocab("ggml-vocab-llama3.gguf");
  EXPECT_EQ(tok.pre_tokenizer(), "llama-bpe");
  const std::vector<TokenId> ids = tok.encode("<|begin_of_text|>Hello", false, true);
  EXPECT_EQ(ids, (std::vector<TokenId>{128000, 9906}));
  const std::vector<TokenId> plain = tok.encode("<|begin_of_text|>Hello", false, false);
  EXPECT_GT(plain.size(), 2u);
  EXPECT_NE(plain.front(), 128000);
}

// ---------------------------------------------------------------------------------------
// Special ids and flags

TEST(TokenizerMetadata, BosEosAndEndOfGeneration) {
  const Tokenizer& qwen = shared_vocab("ggml-vocab-qwen3.gguf");
  EXPECT_FALSE(qwen.bos().has_value());  // Qwen3 has no BOS token
  EXPECT_EQ(qwen.eos(), 151645);
  EXPECT_FALSE(qwen.add_bos_by_default());
  EXPECT_EQ(qwen.encode("Hi", true, false), qwen.encode("Hi", false, false));
  EXPECT_TRUE(qwen.is_end_of_generation(151645));   // <|im_end|>
  EXPECT_TRUE(qwen.is_end_of_generation(151643));   // <|endoftext|>
  EXPECT_FALSE(qwen.is_end_of_generation(151644));  // <|im_start|>
  EXPECT_FALSE(qwen.is_end_of_generation(9707));
  EXPECT_FALSE(qwen.is_end_of_generation(-1));
  EXPECT_FALSE(qwen.is_end_of_generation(qwen.n_vocab()));

  const Tokenizer& llama3 = shared_vocab("ggml-vocab-llama3.gguf");
  EXPECT_EQ(llama3.bos(), 128000);
  EXPECT_TRUE(llama3.is_end_of_generation(128001));   // <|end_of_text|>
  EXPECT_TRUE(llama3.is_end_of_generation(128009));   // <|eot_id|>
  EXPECT_FALSE(llama3.is_end_of_generation(128000));

  const Tokenizer& phi3 = shared_vocab("ggml-vocab-phi-3.gguf");
  EXPECT_TRUE(phi3.is_end_of_generation(32000));  // eos, <|endoftext|>
  EXPECT_TRUE(phi3.is_end_of_generation(32007));  // <|end|>
  EXPECT_FALSE(phi3.is_end_of_generation(32001));  // <|assistant|>

  const Tokenizer& tiny_llama = shared_model("tiny-llama-q8_0.gguf");
  EXPECT_EQ(tiny_llama.pre_tokenizer(), "llama-bpe");
  EXPECT_EQ(tiny_llama.bos(), 4096);
}

TEST(TokenizerMetadata, CopiesShareTablesAndOutliveTheOriginal) {
  std::optional<Tokenizer> copy;
  {
    const Tokenizer tok = from_writer(bpe_vocab({"ab"}, {"a b"}));
    copy = tok;
  }
  EXPECT_EQ(copy->encode("ab", false, false), (std::vector<TokenId>{256}));
}

TEST(TokenizerMetadata, OutOfRangeIdsThrow) {
  const Tokenizer tok = from_writer(bpe_vocab({}, {}));
  EXPECT_THROW(tok.decode(std::vector<TokenId>{256}), Error);
  EXPECT_THROW(tok.decode(std::vector<TokenId>{-1}), Error);
  EXPECT_THROW(tok.token_text(300), Error);
  EXPECT_FALSE(tok.find("zz").has_value());
}

// ---------------------------------------------------------------------------------------
// SentencePiece

TEST(SentencePiece, HigherScoreMergesFirst) {
  // ids: pieces start at 259 (3 specials + 256 bytes): ▁ 259, a 260, b 261, c 262,
  // ab 263, bc 264.
  const std::vector<std::string> pieces = {"\xE2\x96\x81", "a", "b", "c", "ab", "bc"};
  const Tokenizer ab_wins = from_writer(spm_vocab(pieces, {-5, -5, -5, -5, -1, -2}));
  EXPECT_EQ(ab_wins.encode("abc", false, false), (std::vector<TokenId>{259, 263, 262}));
  const Tokenizer bc_wins = from_writer(spm_vocab(pieces, {-5, -5, -5, -5, -3, -2}));
  EXPECT_EQ(bc_wins.encode("abc", false, false), (std::vector<TokenId>{259, 260, 264}));
}

TEST(SentencePiece, SpacePrefixAndItsRemoval) {
  const std::vector<std::string> pieces = {"\xE2\x96\x81", "a", "\xE2\x96\x81" "a"};
  GgufWriter w = spm_vocab(pieces, {-3, -3, -1});
  const Tokenizer tok = from_writer(w);
  EXPECT_TRUE(tok.add_bos_by_default());
  EXPECT_EQ(tok.encode("a a", true, false), (std::vector<TokenId>{1, 261, 261}));
  EXPECT_EQ(tok.decode(std::vector<TokenId>{1, 261, 261}), "<s>a a");
  EXPECT_EQ(tok.decode(std::vector<TokenId>{1, 261, 261}, true), "a a");
  EXPECT_EQ(tok.decode(std::vector<TokenId>{261, 261}), "a a");
  // Only the first piece loses its space.
  EXPECT_EQ(tok.decode(std::vector<TokenId>{259, 261}), " a");

  w.set_bool("tokenizer.ggml.add_space_prefix", false);
  const Tokenizer no_prefix = from_writer(w);
  EXPECT_EQ(no_prefix.encode("a a", false, false), (std::vector<TokenId>{260, 261}));
  EXPECT_EQ(no_prefix.decode(std::vector<TokenId>{261, 261}), " a a");
}

TEST(SentencePiece, PrefixAgainAfterSpecialToken) {
  const std::vector<std::string> pieces = {"\xE2\x96\x81", "a", "\xE2\x96\x81" "a"};
  const Tokenizer tok = from_writer(spm_vocab(pieces, {-3, -3, -1}));
  EXPECT_EQ(tok.encode("a</s>a", false, true), (std::vector<TokenId>{261, 2, 261}));
}

TEST(SentencePiece, ByteFallbackAndUnknown) {
  const std::vector<std::string> pieces = {"\xE2\x96\x81", "a"};
  const Tokenizer tok = from_writer(spm_vocab(pieces, {-1, -1}));
  // "é" is not a piece: its two bytes come out as <0xC3> <0xA9> (ids 3 + byte).
  EXPECT_EQ(tok.encode("é", false, false), (std::vector<TokenId>{259, 3 + 0xC3, 3 + 0xA9}));
  EXPECT_EQ(tok.decode(tok.encode("aé", false, false)), "aé");
  EXPECT_EQ(tok.token_bytes(3 + 0x41), "A");

  const Tokenizer no_bytes = from_writer(spm_vocab(pieces, {-1, -1}, false));
  EXPECT_EQ(no_bytes.encode("aé", false, false), (std::vector<TokenId>{3, 4, 0, 0}));
}

TEST(SentencePiece, ControlTextIsNotAssembledFromPlainText) {
  // "<s>" can be built from pieces, but plain text must never produce the BOS id.
  const std::vector<std::string> pieces = {"\xE2\x96\x81", "<", "s", ">", "<s"};
  const Tokenizer tok = from_writer(spm_vocab(pieces, {-1, -1, -1, -1, -1}));
  const std::vector<TokenId> ids = tok.encode("<s>", false, false);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 1), 0);
  EXPECT_EQ(tok.decode(ids), "<s>");
  EXPECT_EQ(tok.encode("<s>", false, true), (std::vector<TokenId>{1}));
}

TEST(SentencePiece, AnyByteStringRoundTrips) {
  std::mt19937 rng(99);
  std::uniform_int_distribution<int> byte(0, 255);
  const std::vector<std::string> pool = {"a", " ", "  ", "\n", "é", "中", "🦙", "Hello", "\t"};
  for (const char* file : {"ggml-vocab-llama-spm.gguf", "ggml-vocab-phi-3.gguf"}) {
    const Tokenizer& tok = shared_vocab(file);
    for (int iter = 0; iter < 300; ++iter) {
      std::string text;
      const int n = 1 + byte(rng) % 40;
      for (int i = 0; i < n; ++i) {
        if (iter % 2 == 0) {
          text += static_cast<char>(byte(rng));
        } else {
          text += pool[static_cast<size_t>(byte(rng)) % pool.size()];
        }
      }
      const std::vector<TokenId> ids = tok.encode(text, true, false);
      ASSERT_FALSE(ids.empty());
      EXPECT_EQ(ids.front(), 1);
      EXPECT_EQ(tok.decode(ids, true), text) << file;
    }
  }
}

TEST(SentencePiece, RealVocabulary) {
  const Tokenizer& tok = shared_vocab("ggml-vocab-llama-spm.gguf");
  EXPECT_EQ(tok.model_kind(), "llama");
  EXPECT_TRUE(tok.add_bos_by_default());
  EXPECT_EQ(tok.bos(), 1);
  EXPECT_EQ(tok.eos(), 2);
  EXPECT_TRUE(tok.is_end_of_generation(2));
  // " Hello world" is "▁Hello ▁world" (15043 3186) per the shared vectors.
  EXPECT_EQ(tok.encode("Hello world", true, false), (std::vector<TokenId>{1, 15043, 3186}));
  EXPECT_EQ(tok.decode(std::vector<TokenId>{1, 15043, 3186}, true), "Hello world");
  EXPECT_EQ(tok.token_bytes(15043), " Hello");
}

// ---------------------------------------------------------------------------------------
// Streaming

void expect_stream_matches_decode(const Tokenizer& tok, const std::string& text,
                                  bool add_bos) {
  const std::vector<TokenId> ids = tok.encode(text, add_bos, false);
  for (bool skip : {false, true}) {
    StreamDecoder stream(tok, skip);
    std::string all;
    int held_back = 0;
    for (TokenId id : ids) {
      const std::string chunk = stream.push(id);
      EXPECT_TRUE(well_formed_utf8(chunk)) << "chunk splits a character";
      if (!well_formed_utf8(tok.token_bytes(id))) ++held_back;
      all += chunk;
    }
    all += stream.flush();
    EXPECT_EQ(all, tok.decode(ids, skip));
    // The text must really exercise the hold-back path.
    EXPECT_GT(held_back, 0) << "no token splits a character in: " << text;
  }
}

TEST(StreamDecoder, HoldsBackSplitCharacters) {
  const std::string text = "Hello 🦙 world: 我想在apple工作 😶‍🌫️ ✅ កាន់តែពិសេស";
  expect_stream_matches_decode(shared_vocab("ggml-vocab-qwen3.gguf"), text, false);
  expect_stream_matches_decode(shared_model("tiny-qwen3-q8_0.gguf"), text, false);
  expect_stream_matches_decode(shared_vocab("ggml-vocab-llama-spm.gguf"), text, true);
}

TEST(StreamDecoder, InvalidBytesAreNotHeldForever) {
  const Tokenizer& tok = shared_vocab("ggml-vocab-gpt-2.gguf");
  // A lone lead byte followed by ASCII can never complete: it is emitted with the ASCII.
  const std::vector<TokenId> ids = tok.encode("\xE4" "abc", false, false);
  StreamDecoder stream(tok);
  std::string all;
  for (TokenId id : ids) all += stream.push(id);
  EXPECT_EQ(all, "\xE4" "abc");
  EXPECT_EQ(stream.flush(), "");
  // A truncated character at the very end comes out of flush().
  StreamDecoder tail(tok);
  std::string out;
  for (TokenId id : tok.encode("a\xE4\xB8", false, false)) out += tail.push(id);
  EXPECT_EQ(out, "a");
  EXPECT_EQ(tail.flush(), "\xE4\xB8");
}

// ---------------------------------------------------------------------------------------
// Bad metadata

TEST(TokenizerLoad, RejectsBadMetadata) {
  {
    GgufWriter w = bpe_vocab({}, {});
    w.remove("tokenizer.ggml.tokens");
    expect_format_error([&] { from_writer(w); }, "tokenizer.ggml.tokens");
  }
  {
    GgufWriter w = bpe_vocab({}, {});
    w.set_string_array("tokenizer.ggml.tokens", {});
    expect_format_error([&] { from_writer(w); }, "tokenizer.ggml.tokens");
  }
  {
    GgufWriter w = bpe_vocab({}, {});
    w.set_string("tokenizer.ggml.tokens", "not an array");
    expect_format_error([&] { from_writer(w); }, "tokenizer.ggml.tokens");
  }
  {
    GgufWriter w = bpe_vocab({"ab"}, {"a zz"});
    expect_format_error([&] { from_writer(w); }, "tokenizer.ggml.merges");
  }
  {
    GgufWriter w = bpe_vocab({}, {"a b"});  // "ab" is not a token
    expect_format_error([&] { from_writer(w); }, "tokenizer.ggml.merges");
  }
  {
    GgufWriter w = bpe_vocab({"ab"}, {"ab"});  // no separator
    expect_format_error([&] { from_writer(w); }, "tokenizer.ggml.merges");
  }
  {
    GgufWriter w = bpe_vocab({}, {});
    w.remove("tokenizer.ggml.merges");
    expect_format_error([&] { from_writer(w); }, "tokenizer.ggml.merges");
  }
  {
    GgufWriter w = bpe_vocab({}, {});
    w.set_i32_array("tokenizer.ggml.token_type", std::vector<int32_t>(100, 1));
    expect_format_error([&] { from_writer(w); }, "tokenizer.ggml.token_type");
  }
  {
    GgufWriter w = bpe_vocab({}, {});
    std::vector<int32_t> types(256, 1);
    types[7] = 9;
    w.set_i32_array("tokenizer.ggml.token_type", types);
    expect_format_error([&] { from_writer(w); }, "tokenizer.ggml.token_type");
  }
  {
    GgufWriter w = bpe_vocab({}, {});
    std::vector<int32_t> types(256, 1);
    types[65] = 6;  // byte type, but "A" is not <0xNN>
    w.set_i32_array("tokenizer.ggml.token_type", types);
    expect_format_error([&] { from_writer(w); }, "tokenizer.ggml.token_type");
  }
  for (const char* key : {"tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
                          "tokenizer.ggml.unknown_token_id", "tokenizer.ggml.padding_token_id",
                          "tokenizer.ggml.eot_token_id"}) {
    GgufWriter w = bpe_vocab({}, {});
    w.set_u32(key, 256);  // == n_vocab
    expect_format_error([&] { from_writer(w); }, key);
  }
  {
    GgufWriter w = bpe_vocab({}, {});
    w.set_i32("tokenizer.ggml.bos_token_id", -1);
    expect_format_error([&] { from_writer(w); }, "tokenizer.ggml.bos_token_id");
  }
  {
    GgufWriter w = bpe_vocab({}, {});
    w.set_u32("tokenizer.ggml.add_bos_token", 1);  // not a bool
    expect_format_error([&] { from_writer(w); }, "tokenizer.ggml.add_bos_token");
  }
  {
    GgufWriter w = bpe_vocab({}, {});
    w.remove("tokenizer.ggml.model");
    expect_format_error([&] { from_writer(w); }, "tokenizer.ggml.model");
  }
  {
    GgufWriter w = spm_vocab({"a"}, {0});
    w.remove("tokenizer.ggml.scores");
    expect_format_error([&] { from_writer(w); }, "tokenizer.ggml.scores");
  }
  {
    GgufWriter w = spm_vocab({"a"}, {0});
    w.set_f32_array("tokenizer.ggml.scores", {0, 0});
    expect_format_error([&] { from_writer(w); }, "tokenizer.ggml.scores");
  }
}

TEST(TokenizerLoad, UnsupportedModelsAndPreTokenizers) {
  {
    GgufWriter w = bpe_vocab({}, {});
    w.set_string("tokenizer.ggml.model", "bert");
    try {
      from_writer(w);
      ADD_FAILURE() << "expected UnsupportedError";
    } catch (const UnsupportedError& e) {
      EXPECT_NE(std::string(e.what()).find("'bert'"), std::string::npos) << e.what();
    }
  }
  {
    GgufWriter w = bpe_vocab({}, {});
    w.set_string("tokenizer.ggml.pre", "mystery-pre");
    try {
      from_writer(w);
      ADD_FAILURE() << "expected UnsupportedError";
    } catch (const UnsupportedError& e) {
      EXPECT_NE(std::string(e.what()).find("'mystery-pre'"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("tokenizer.ggml.pre"), std::string::npos) << e.what();
    }
  }
  const std::vector<std::pair<std::string, std::string>> aliases = {
      {"llama3", "llama-bpe"}, {"qwen2", "qwen2"}, {"gpt2", "gpt-2"}, {"default", "gpt-2"}};
  for (const auto& [name, canonical] : aliases) {
    GgufWriter w = bpe_vocab({}, {});
    w.set_string("tokenizer.ggml.pre", name);
    EXPECT_EQ(from_writer(w).pre_tokenizer(), canonical);
  }
  GgufWriter w = bpe_vocab({}, {});
  w.remove("tokenizer.ggml.pre");
  EXPECT_EQ(from_writer(w).pre_tokenizer(), "gpt-2");
}

}  // namespace
}  // namespace loco
