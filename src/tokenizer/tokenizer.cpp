// loco::Tokenizer: loading from GGUF, and the encode / decode pipelines that tie the
// vocabulary, special-token splitting and the two tokenizer models together.
#include "loco/tokenizer.h"

#include "loco/error.h"
#include "loco/gguf.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/tokenizer_impl.h"

namespace loco {
namespace {

constexpr std::string_view kSpaceMark = "\xE2\x96\x81";  // U+2581

void append_unescaped_spaces(std::string_view text, std::string& out) {
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t mark = text.find(kSpaceMark, pos);
    if (mark == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    out.append(text.substr(pos, mark - pos));
    out += ' ';
    pos = mark + kSpaceMark.size();
  }
}

int hex_value(char c) { return c <= '9' ? c - '0' : c - 'A' + 10; }

bool renders_only_when_asked(TokenType t) {
  return t == TokenType::Control || t == TokenType::Unknown || t == TokenType::Unused;
}

}  // namespace

Tokenizer Tokenizer::from_gguf(const GgufFile& file) {
  if (!file.has(gguf_key::kModel)) {
    throw FormatError(file.path() + ": " + gguf_key::kModel + ": missing (no tokenizer in this file)");
  }
  const std::string model = file.get_string(gguf_key::kModel);
  if (model != "gpt2" && model != "llama") {
    throw UnsupportedError(file.path() + ": " + gguf_key::kModel + ": tokenizer model '" + model +
                           "' is not supported (supported: gpt2, llama)");
  }

  auto impl = std::make_shared<Impl>();  // built in place: the vocabulary's index points into it
  if (model == "gpt2") {
    const std::string pre = file.optional_string(gguf_key::kPre).value_or("default");
    const std::optional<std::string> canonical = canonical_pre_tokenizer(pre);
    if (!canonical) {
      throw UnsupportedError(file.path() + ": " + gguf_key::kPre + ": pre-tokenizer '" + pre +
                             "' is not supported (supported: qwen2, llama-bpe, gpt-2)");
    }
    impl->pre_tokenizer = *canonical;
  } else {
    impl->pre_tokenizer = "default";
  }

  load_vocab(file, model, impl->vocab);
  if (model == "gpt2") {
    impl->bpe = std::make_unique<BytePairEncoder>(file, impl->vocab, impl->pre_tokenizer);
  } else {
    impl->spm = std::make_unique<SentencePieceEncoder>(impl->vocab);
  }
  impl->specials = std::make_unique<SpecialTokenSplitter>(impl->vocab);
  return Tokenizer(std::move(impl));
}

std::vector<TokenId> Tokenizer::encode(std::string_view text, bool add_bos,
                                       bool parse_special) const {
  const Impl& im = *impl_;
  std::vector<TokenId> out;
  out.reserve(text.size() / 3 + 2);
  if (add_bos && im.vocab.bos) out.push_back(*im.vocab.bos);

  std::vector<Fragment> fragments;
  fragments = im.specials->split(im.vocab, text, parse_special);
  bool after_special = true;  // the start of the text counts as "after a special token"
  for (const Fragment& f : fragments) {
    if (f.token >= 0) {
      out.push_back(f.token);
      after_special = true;
      continue;
    }
    if (im.bpe) {
      im.bpe->encode(im.vocab, f.text, out);
    } else {
      im.spm->encode(im.vocab, f.text, after_special, out);
    }
    after_special = false;
  }
  return out;
}

void Tokenizer::Impl::check(TokenId id) const {
  if (!vocab.contains(id)) {
    throw Error("token id " + std::to_string(id) + " is out of range (n_vocab " +
                std::to_string(vocab.size()) + ")");
  }
}

void Tokenizer::Impl::append_bytes(TokenId id, std::string& out) const {
  check(id);
  const std::string& text = vocab.texts[id];
  switch (vocab.types[id]) {
    case TokenType::Control:
    case TokenType::Unknown:
    case TokenType::Unused:
      return;
    case TokenType::Byte:  // validated as <0xNN> at load
      out += static_cast<char>(hex_value(text[3]) * 16 + hex_value(text[4]));
      return;
    case TokenType::UserDefined:  // matched verbatim, so stored verbatim
      out += text;
      return;
    case TokenType::Normal:
      if (bpe) {
        byte_level::unmap_text(text, out);
      } else {
        append_unescaped_spaces(text, out);
      }
      return;
  }
}

void Tokenizer::Impl::append_piece(TokenId id, bool skip_special, bool& at_start,
                                   std::string& out) const {
  check(id);
  const size_t before = out.size();
  if (renders_only_when_asked(vocab.types[id])) {
    if (!skip_special) out += vocab.texts[id];
    if (id == vocab.bos) return;  // the leading-space rule looks past a BOS
  } else {
    append_bytes(id, out);
  }
  if (at_start && out.size() > before) {
    if (vocab.add_space_prefix && out[before] == ' ') out.erase(before, 1);
    at_start = false;
  }
}

std::string Tokenizer::decode(std::span<const TokenId> ids, bool skip_special) const {
  std::string out;
  bool at_start = true;
  for (TokenId id : ids) impl_->append_piece(id, skip_special, at_start, out);
  return out;
}

std::string Tokenizer::token_bytes(TokenId id) const {
  std::string out;
  impl_->append_bytes(id, out);
  return out;
}

std::string_view Tokenizer::token_text(TokenId id) const {
  impl_->check(id);
  return impl_->vocab.texts[id];
}

TokenType Tokenizer::token_type(TokenId id) const {
  impl_->check(id);
  return impl_->vocab.types[id];
}

int32_t Tokenizer::n_vocab() const { return impl_->vocab.size(); }

std::optional<TokenId> Tokenizer::find(std::string_view token_text) const {
  return impl_->vocab.find(token_text);
}

std::optional<TokenId> Tokenizer::bos() const { return impl_->vocab.bos; }
std::optional<TokenId> Tokenizer::eos() const { return impl_->vocab.eos; }
bool Tokenizer::add_bos_by_default() const { return impl_->vocab.add_bos; }

bool Tokenizer::is_end_of_generation(TokenId id) const {
  return impl_->vocab.contains(id) && impl_->vocab.end_of_generation[id];
}

const std::string& Tokenizer::model_kind() const { return impl_->vocab.model; }
const std::string& Tokenizer::pre_tokenizer() const { return impl_->pre_tokenizer; }

}  // namespace loco
