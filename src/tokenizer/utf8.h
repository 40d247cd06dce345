// UTF-8 helpers shared by the tokenizer (and the evaluation's reports): sequence lengths, code point decoding and
// encoding, and finding where an incomplete trailing character starts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace loco::utf8 {

// Length of the sequence that `lead` starts (1-4), or 0 when `lead` cannot start one
// (a continuation byte or 0xF8-0xFF).
size_t sequence_length(uint8_t lead);

// Decodes the code point at `pos`. On success returns true and sets `cp` and `len`.
// On an invalid or truncated sequence returns false with len = 1 (skip one byte).
bool decode(std::string_view s, size_t pos, char32_t& cp, size_t& len);

// Appends the UTF-8 encoding of `cp` (which must be a valid scalar value).
void append(std::string& out, char32_t cp);

// Number of bytes at the end of `s` that form the beginning of a valid multi-byte
// sequence still missing its last bytes (0 when `s` ends on a character boundary or in
// bytes that can never become valid).
size_t incomplete_tail(std::string_view s);

bool is_valid(std::string_view s);

// `s` with each byte that does not belong to a valid sequence replaced by U+FFFD, so text
// a model generated (any byte token) can go into JSON or XML.
std::string repair(std::string_view s);

}  // namespace loco::utf8
