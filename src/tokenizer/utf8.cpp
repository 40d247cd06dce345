#include "tokenizer/utf8.h"

namespace loco::utf8 {

size_t sequence_length(uint8_t lead) {
  if (lead < 0x80) return 1;
  if (lead < 0xC2) return 0;  // continuation byte, or the overlong leads C0/C1
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  if (lead < 0xF5) return 4;
  return 0;
}

namespace {

bool is_continuation(uint8_t b) { return (b & 0xC0) == 0x80; }

// Allowed range of the second byte, which rules out overlong forms, surrogates and
// code points above U+10FFFF (RFC 3629 table).
bool second_byte_ok(uint8_t lead, uint8_t second) {
  switch (lead) {
    case 0xE0: return second >= 0xA0 && second <= 0xBF;
    case 0xED: return second >= 0x80 && second <= 0x9F;
    case 0xF0: return second >= 0x90 && second <= 0xBF;
    case 0xF4: return second >= 0x80 && second <= 0x8F;
    default: return is_continuation(second);
  }
}

}  // namespace

bool decode(std::string_view s, size_t pos, char32_t& cp, size_t& len) {
  len = 1;
  const auto lead = static_cast<uint8_t>(s[pos]);
  const size_t n = sequence_length(lead);
  if (n == 0 || pos + n > s.size()) return false;
  if (n == 1) {
    cp = lead;
    return true;
  }
  if (!second_byte_ok(lead, static_cast<uint8_t>(s[pos + 1]))) return false;
  for (size_t i = 2; i < n; ++i) {
    if (!is_continuation(static_cast<uint8_t>(s[pos + i]))) return false;
  }
  static constexpr uint8_t kLeadMask[5] = {0, 0x7F, 0x1F, 0x0F, 0x07};
  char32_t value = lead & kLeadMask[n];
  for (size_t i = 1; i < n; ++i) value = (value << 6) | (static_cast<uint8_t>(s[pos + i]) & 0x3F);
  cp = value;
  len = n;
  return true;
}

void append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

size_t incomplete_tail(std::string_view s) {
  // A character is at most 4 bytes, so only the last 3 bytes can hold an unfinished one.
  const size_t first = s.size() > 3 ? s.size() - 3 : 0;
  for (size_t start = first; start < s.size(); ++start) {
    const auto lead = static_cast<uint8_t>(s[start]);
    const size_t n = sequence_length(lead);
    const size_t have = s.size() - start;
    if (n <= 1 || have >= n) continue;
    bool prefix_ok = have < 2 || second_byte_ok(lead, static_cast<uint8_t>(s[start + 1]));
    for (size_t i = 2; i < have && prefix_ok; ++i) {
      prefix_ok = is_continuation(static_cast<uint8_t>(s[start + i]));
    }
    if (prefix_ok) return have;
  }
  return 0;
}

bool is_valid(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size()) {
    char32_t cp;
    size_t len;
    if (!decode(s, pos, cp, len)) return false;
    pos += len;
  }
  return true;
}

std::string repair(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    size_t len = 1;
    if (decode(s, i, cp, len)) {
      out.append(s.substr(i, len));
    } else {
      out += "\xEF\xBF\xBD";
    }
    i += len;
  }
  return out;
}

}  // namespace loco::utf8
