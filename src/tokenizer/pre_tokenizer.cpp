#include "tokenizer/pre_tokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <array>
#include <new>

#include "loco/error.h"

namespace loco {
namespace {

// Split patterns from the models' tokenizer.json files.
constexpr const char* kQwen2Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kLlama3Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

struct Alias {
  std::string_view name;
  std::string_view canonical;
};
// Names used by converters for the same split rules.
constexpr std::array<Alias, 10> kAliases = {{
    {"qwen2", "qwen2"},
    {"qwen3", "qwen2"},
    {"deepseek-r1-qwen", "qwen2"},
    {"llama-bpe", "llama-bpe"},
    {"llama3", "llama-bpe"},
    {"llama-v3", "llama-bpe"},
    {"gpt-2", "gpt-2"},
    {"gpt2", "gpt-2"},
    {"default", "gpt-2"},
    {"", "gpt-2"},
}};

const char* pattern_for(const std::string& canonical) {
  if (canonical == "qwen2") return kQwen2Pattern;
  if (canonical == "llama-bpe") return kLlama3Pattern;
  if (canonical == "gpt-2") return kGpt2Pattern;
  return nullptr;
}

}  // namespace

std::optional<std::string> canonical_pre_tokenizer(std::string_view name) {
  for (const Alias& a : kAliases) {
    if (a.name == name) return std::string(a.canonical);
  }
  return std::nullopt;
}

struct PreTokenizer::Regex {
  pcre2_code* code = nullptr;
  bool jit = false;
  ~Regex() { pcre2_code_free(code); }
};

PreTokenizer::PreTokenizer(const std::string& name) : regex_(std::make_unique<Regex>()) {
  const char* pattern = pattern_for(name);
  if (pattern == nullptr) throw UnsupportedError("pre-tokenizer '" + name + "' is not supported");
  int error = 0;
  PCRE2_SIZE offset = 0;
  // UCP: \s, \p{L} and friends use Unicode properties. MATCH_INVALID_UTF: invalid bytes
  // in the subject simply never match instead of making pcre2_match fail.
  regex_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern), PCRE2_ZERO_TERMINATED,
                               PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &error, &offset,
                               nullptr);
  if (regex_->code == nullptr) {
    std::array<PCRE2_UCHAR, 256> message{};
    pcre2_get_error_message(error, message.data(), message.size());
    throw Error("pre-tokenizer '" + name + "': pattern does not compile: " +
                reinterpret_cast<const char*>(message.data()));
  }
  regex_->jit = pcre2_jit_compile(regex_->code, PCRE2_JIT_COMPLETE) == 0;
}

PreTokenizer::~PreTokenizer() = default;

namespace {

struct MatchData {
  pcre2_match_data* data;
  explicit MatchData(const pcre2_code* code)
      : data(pcre2_match_data_create_from_pattern(code, nullptr)) {
    if (data == nullptr) throw std::bad_alloc();
  }
  ~MatchData() { pcre2_match_data_free(data); }
  MatchData(const MatchData&) = delete;
  MatchData& operator=(const MatchData&) = delete;
};

}  // namespace

void PreTokenizer::split(std::string_view text, std::vector<std::string_view>& pieces) const {
  MatchData match(regex_->code);
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t pos = 0;
  size_t emitted = 0;  // end of the last piece
  while (pos < text.size()) {
    int rc = pcre2_match(regex_->code, subject, text.size(), pos, 0, match.data, nullptr);
    if (rc < 0 && rc != PCRE2_ERROR_NOMATCH && regex_->jit) {
      // JIT stack exhausted or similar: the interpreter has its own (heap) limits.
      rc = pcre2_match(regex_->code, subject, text.size(), pos, PCRE2_NO_JIT, match.data, nullptr);
    }
    if (rc < 0) break;  // no further match (or a resource limit): the rest is one piece
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match.data);
    const size_t start = ovector[0];
    const size_t end = ovector[1];
    if (start > emitted) pieces.push_back(text.substr(emitted, start - emitted));
    if (end > start) {
      pieces.push_back(text.substr(start, end - start));
      emitted = end;
      pos = end;
    } else {
      // None of our patterns matches the empty string; advance anyway so a changed
      // pattern can never loop forever.
      emitted = start;
      pos = start + 1;
      while (pos < text.size() && (static_cast<uint8_t>(text[pos]) & 0xC0) == 0x80) {
        ++pos;
      }
    }
  }
  if (emitted < text.size()) pieces.push_back(text.substr(emitted));
}

}  // namespace loco
