#include "tokenizer/vocab.h"

#include <array>
#include <limits>

#include "loco/error.h"
#include "loco/gguf.h"

namespace loco {
namespace {

[[noreturn]] void fail(const GgufFile& file, std::string_view key, const std::string& what) {
  throw FormatError(file.path() + ": " + std::string(key) + ": " + what);
}

bool is_integer_type(GgufValueType t) {
  switch (t) {
    case GgufValueType::U8: case GgufValueType::I8: case GgufValueType::U16:
    case GgufValueType::I16: case GgufValueType::U32: case GgufValueType::I32:
    case GgufValueType::U64: case GgufValueType::I64:
      return true;
    default:
      return false;
  }
}

// An optional numeric array that, when present, must have one entry per token.
const GgufValue* per_token_array(const GgufFile& file, std::string_view key, size_t n_vocab,
                                 bool want_float) {
  const GgufValue* v = file.find(key);
  if (v == nullptr) return nullptr;
  const bool type_ok = v->is_array() && (want_float ? (v->elem_type == GgufValueType::F32 ||
                                                       v->elem_type == GgufValueType::F64)
                                                    : is_integer_type(v->elem_type));
  if (!type_ok) fail(file, key, std::string("expected an array of ") + (want_float ? "floats" : "integers"));
  if (v->count != n_vocab) {
    fail(file, key, "has " + std::to_string(v->count) + " entries, expected one per token (" +
                        std::to_string(n_vocab) + ")");
  }
  return v;
}

std::optional<TokenId> token_id(const GgufFile& file, std::string_view key, int32_t n_vocab) {
  const std::optional<uint64_t> id = file.optional_uint(key);  // names the key on bad types
  if (!id) return std::nullopt;
  if (*id >= static_cast<uint64_t>(n_vocab)) {
    fail(file, key, "token id " + std::to_string(*id) + " is out of range (n_vocab " +
                        std::to_string(n_vocab) + ")");
  }
  return static_cast<TokenId>(*id);
}

// Byte fallback pieces are spelled <0xNN> with two upper-case hex digits.
bool parse_byte_piece(std::string_view text) {
  auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); };
  return text.size() == 6 && text.substr(0, 3) == "<0x" && hex(text[3]) && hex(text[4]) &&
         text[5] == '>';
}

// Texts that end a turn in the chat formats we know; only control or user-defined tokens
// with these texts count, so an ordinary word can never stop generation.
constexpr std::array<std::string_view, 13> kEndOfTurnTexts = {
    "<|eot_id|>", "<|eom_id|>", "<|im_end|>", "<|end|>", "<|endoftext|>", "</s>",
    "<|end_of_text|>", "<end_of_turn>", "<|return|>", "<|call|>", "<EOT>", "_<EOT>",
    "<｜end▁of▁sentence｜>",
};

}  // namespace

void load_vocab(const GgufFile& file, const std::string& model, Vocab& vocab) {
  vocab.source = file.path();
  vocab.model = model;

  const GgufValue* tokens = file.find(gguf_key::kTokens);
  if (tokens == nullptr) fail(file, gguf_key::kTokens, "missing");
  if (!tokens->is_array() || tokens->elem_type != GgufValueType::STRING) {
    fail(file, gguf_key::kTokens, "expected an array of strings");
  }
  if (tokens->strings.empty()) fail(file, gguf_key::kTokens, "is empty");
  if (tokens->strings.size() > static_cast<size_t>(std::numeric_limits<TokenId>::max())) {
    fail(file, gguf_key::kTokens, "has too many entries");
  }
  const size_t n = tokens->strings.size();
  const auto n_vocab = static_cast<int32_t>(n);

  vocab.texts.reserve(n);
  for (std::string_view s : tokens->strings) vocab.texts.emplace_back(s);
  // Built only after `texts` is complete, so the views stay valid. The first of two
  // equal strings keeps the entry.
  vocab.ids.reserve(n);
  for (int32_t i = 0; i < n_vocab; ++i) vocab.ids.emplace(vocab.texts[i], i);

  vocab.types.assign(n, TokenType::Normal);
  if (const GgufValue* types = per_token_array(file, gguf_key::kTokenType, n, false)) {
    for (size_t i = 0; i < n; ++i) {
      const int64_t t = types->array_integer(i);
      if (t < 1 || t > 6) {
        fail(file, gguf_key::kTokenType,
             "token " + std::to_string(i) + " has unknown type " + std::to_string(t));
      }
      vocab.types[i] = static_cast<TokenType>(t);
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (vocab.types[i] == TokenType::Byte && !parse_byte_piece(vocab.texts[i])) {
      fail(file, gguf_key::kTokenType,
           "token " + std::to_string(i) + " has type byte but its text is not <0xNN>");
    }
  }

  if (model == "llama") {
    const GgufValue* scores = per_token_array(file, gguf_key::kScores, n, true);
    if (scores == nullptr) fail(file, gguf_key::kScores, "missing (required for SentencePiece)");
    vocab.scores.resize(n);
    for (size_t i = 0; i < n; ++i) vocab.scores[i] = static_cast<float>(scores->array_number(i));
  }

  vocab.bos = token_id(file, gguf_key::kBos, n_vocab);
  vocab.eos = token_id(file, gguf_key::kEos, n_vocab);
  vocab.unknown = token_id(file, gguf_key::kUnknown, n_vocab);
  vocab.padding = token_id(file, gguf_key::kPadding, n_vocab);
  const std::optional<TokenId> eot = token_id(file, gguf_key::kEot, n_vocab);
  const std::optional<TokenId> eom = token_id(file, gguf_key::kEom, n_vocab);
  if (model == "llama") {
    // SentencePiece conventions when the file leaves them out.
    if (!vocab.bos) vocab.bos = vocab.find("<s>");
    if (!vocab.eos) vocab.eos = vocab.find("</s>");
    if (!vocab.unknown) vocab.unknown = vocab.find("<unk>");
  }

  vocab.add_bos = file.optional_bool(gguf_key::kAddBos).value_or(model == "llama");
  vocab.add_space_prefix =
      model == "llama" && file.optional_bool(gguf_key::kAddSpacePrefix).value_or(true);

  vocab.end_of_generation.assign(n, false);
  for (const std::optional<TokenId>& id : {vocab.eos, eot, eom}) {
    if (id) vocab.end_of_generation[*id] = true;
  }
  for (std::string_view text : kEndOfTurnTexts) {
    if (const std::optional<TokenId> id = vocab.find(text)) {
      const TokenType t = vocab.types[*id];
      if (t == TokenType::Control || t == TokenType::UserDefined) {
        vocab.end_of_generation[*id] = true;
      }
    }
  }
}

}  // namespace loco
