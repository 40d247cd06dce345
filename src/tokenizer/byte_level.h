// The GPT-2 byte-level alphabet: every byte maps to one printable code point so that a
// vocabulary of strings can hold arbitrary bytes (a space becomes "Ġ", U+0120).
// Bytes 33-126, 161-172 and 174-255 map to themselves; the other 68 bytes map to
// U+0100, U+0101, ... in increasing byte order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace loco::byte_level {

char32_t byte_to_code_point(uint8_t byte);

// The UTF-8 text of the code point that `byte` maps to.
const std::string& byte_to_text(uint8_t byte);

// Appends the mapped text of every byte of `raw`.
void map_bytes(std::string_view raw, std::string& out);

// Appends the bytes that the mapped text `text` stands for. Code points outside the
// alphabet (and invalid UTF-8) are copied through unchanged.
void unmap_text(std::string_view text, std::string& out);

}  // namespace loco::byte_level
