#include "tokenizer/byte_level.h"

#include <array>

#include "tokenizer/utf8.h"

namespace loco::byte_level {
namespace {

bool maps_to_itself(int b) {
  return (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
}

struct Tables {
  std::array<char32_t, 256> code_point{};
  std::array<std::string, 256> text;
  static constexpr char32_t kMaxCodePoint = 256 + 68;
  std::array<int16_t, kMaxCodePoint> byte_of{};  // -1: not in the alphabet

  Tables() {
    byte_of.fill(-1);
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      const char32_t cp = maps_to_itself(b) ? static_cast<char32_t>(b) : next++;
      code_point[b] = cp;
      utf8::append(text[b], cp);
      byte_of[cp] = static_cast<int16_t>(b);
    }
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

}  // namespace

char32_t byte_to_code_point(uint8_t byte) { return tables().code_point[byte]; }

const std::string& byte_to_text(uint8_t byte) { return tables().text[byte]; }

void map_bytes(std::string_view raw, std::string& out) {
  const Tables& t = tables();
  for (char c : raw) out += t.text[static_cast<uint8_t>(c)];
}

void unmap_text(std::string_view text, std::string& out) {
  const Tables& t = tables();
  size_t pos = 0;
  while (pos < text.size()) {
    char32_t cp = 0;
    size_t len = 1;
    if (utf8::decode(text, pos, cp, len) && cp < Tables::kMaxCodePoint && t.byte_of[cp] >= 0) {
      out += static_cast<char>(t.byte_of[cp]);
    } else {
      out.append(text.substr(pos, len));
    }
    pos += len;
  }
}

}  // namespace loco::byte_level
