// Native renderers for the chat formats in loco/chat_template.h, and their detection.
//
// Each render_* function follows its reference Jinja template statement by statement for
// system / user / assistant messages; the comments quote the template where the exact
// whitespace or string operation matters. Python string semantics are reproduced where the
// templates rely on them: Jinja's `trim` and Python's `str.strip()` remove Unicode
// whitespace, `strip('\n')` only newlines, `split(sep)[0]` / `[-1]` take the text before
// the first / after the last separator.
#include "loco/chat_template.h"

#include <array>
#include <cctype>
#include <ctime>
#include <string>

#include "loco/error.h"

namespace loco {
namespace {

// ---------------------------------------------------------------------------------------
// Python string helpers

// Length of the whitespace code point (Python str.isspace) that starts at s[i], or 0.
size_t space_at_front(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const size_t left = s.size() - i;
  if (left == 0) return 0;
  const unsigned char c = b(0);
  if ((c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20)) return 1;
  if (left >= 2 && c == 0xC2 && (b(1) == 0x85 || b(1) == 0xA0)) return 2;  // U+0085, U+00A0
  if (left >= 3) {
    const unsigned char c1 = b(1), c2 = b(2);
    if (c == 0xE1 && c1 == 0x9A && c2 == 0x80) return 3;                  // U+1680
    if (c == 0xE2 && c1 == 0x80 && (c2 <= 0x8A || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF))
      return 3;                                       // U+2000..200A, U+2028, U+2029, U+202F
    if (c == 0xE2 && c1 == 0x81 && c2 == 0x9F) return 3;  // U+205F
    if (c == 0xE3 && c1 == 0x80 && c2 == 0x80) return 3;  // U+3000
  }
  return 0;
}

// Length of the whitespace code point that ends just before s[end], or 0.
size_t space_at_back(std::string_view s, size_t end) {
  for (size_t len = 1; len <= 3 && len <= end; ++len) {
    if (space_at_front(s, end - len) == len) return len;
  }
  return 0;
}

// Python str.strip() / Jinja trim.
std::string_view py_strip(std::string_view s) {
  size_t begin = 0, end = s.size();
  while (begin < end) {
    const size_t n = space_at_front(s.substr(0, end), begin);
    if (n == 0) break;
    begin += n;
  }
  while (end > begin) {
    const size_t n = space_at_back(s.substr(begin, end - begin), end - begin);
    if (n == 0) break;
    end -= n;
  }
  return s.substr(begin, end - begin);
}

std::string_view lstrip_newlines(std::string_view s) {
  while (!s.empty() && s.front() == '\n') s.remove_prefix(1);
  return s;
}
std::string_view rstrip_newlines(std::string_view s) {
  while (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  return s;
}
std::string_view strip_newlines(std::string_view s) { return rstrip_newlines(lstrip_newlines(s)); }

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

std::string str(std::string_view s) { return std::string(s); }

// ---------------------------------------------------------------------------------------
// Renderers

bool is_system(const ChatMessage& m) { return m.role == "system"; }
bool is_user(const ChatMessage& m) { return m.role == "user"; }
bool is_assistant(const ChatMessage& m) { return m.role == "assistant"; }

void validate(std::span<const ChatMessage> messages) {
  if (messages.empty()) throw Error("chat: the conversation has no messages");
  for (size_t i = 0; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    if (!is_system(m) && !is_user(m) && !is_assistant(m)) {
      throw Error("chat: message " + std::to_string(i) + " has role '" + m.role +
                  "'; expected system, user or assistant");
    }
  }
}

std::string or_default(const std::string& text, std::string_view fallback) {
  return text.empty() ? str(fallback) : text;
}

void append_chatml_turn(std::string& out, const ChatMessage& m) {
  out += "<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n";
}

// Qwen3-4B-Instruct-2507: the first system message, then every other message as a ChatML
// turn (a later system message keeps role "system"). A generic ChatML template renders the
// same text for these roles.
std::string render_chatml(std::span<const ChatMessage> messages, const ChatOptions& options) {
  std::string out;
  for (const ChatMessage& m : messages) append_chatml_turn(out, m);
  if (options.add_generation_prompt) out += "<|im_start|>assistant\n";
  return out;
}

// Qwen2.5: as ChatML, but without a leading system message the template writes its own.
std::string render_qwen2_5(std::span<const ChatMessage> messages, const ChatOptions& options) {
  std::string out;
  if (!is_system(messages[0])) {
    out += "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful "
           "assistant.<|im_end|>\n";
  }
  for (const ChatMessage& m : messages) append_chatml_turn(out, m);
  if (options.add_generation_prompt) out += "<|im_start|>assistant\n";
  return out;
}

// Qwen3 hybrid thinking template.
std::string render_qwen3(std::span<const ChatMessage> messages, const ChatOptions& options) {
  const size_t n = messages.size();
  // ns.last_query_index: the last user message that is not a wrapped tool response;
  // n - 1 when there is none.
  size_t last_query = n - 1;
  for (size_t k = n; k-- > 0;) {
    const std::string& c = messages[k].content;
    if (is_user(messages[k]) &&
        !(starts_with(c, "<tool_response>") && ends_with(c, "</tool_response>"))) {
      last_query = k;
      break;
    }
  }

  std::string out;
  if (is_system(messages[0])) out += "<|im_start|>system\n" + messages[0].content + "<|im_end|>\n";
  for (size_t i = 0; i < n; ++i) {
    const ChatMessage& m = messages[i];
    if (is_user(m) || (is_system(m) && i != 0)) {
      append_chatml_turn(out, m);
      continue;
    }
    if (!is_assistant(m)) continue;  // the leading system message, written above

    std::string_view content = m.content;
    std::string_view reasoning;
    const size_t close = content.find("</think>");
    if (close != std::string_view::npos) {
      // content = content.split('</think>')[-1].lstrip('\n')
      // reasoning = content.split('</think>')[0].rstrip('\n').split('<think>')[-1].lstrip('\n')
      const std::string_view full = m.content;
      const size_t last_close = full.rfind("</think>");
      content = lstrip_newlines(full.substr(last_close + 8));
      std::string_view before = rstrip_newlines(full.substr(0, close));
      const size_t open = before.rfind("<think>");
      if (open != std::string_view::npos) before = before.substr(open + 7);
      reasoning = lstrip_newlines(before);
    }
    // Only turns after the last user query keep their reasoning; the final turn always
    // gets a think block, even an empty one.
    const bool keep_think = i > last_query && (i == n - 1 || !reasoning.empty());
    if (keep_think) {
      out += "<|im_start|>assistant\n<think>\n" + str(strip_newlines(reasoning)) +
             "\n</think>\n\n" + str(lstrip_newlines(content));
    } else {
      out += "<|im_start|>assistant\n" + str(content);
    }
    out += "<|im_end|>\n";
  }
  if (options.add_generation_prompt) {
    out += "<|im_start|>assistant\n";
    if (!options.enable_thinking) out += "<think>\n\n</think>\n\n";
  }
  return out;
}

void append_llama3_turn(std::string& out, std::string_view role, std::string_view content) {
  out += "<|start_header_id|>" + str(role) + "<|end_header_id|>\n\n" + str(py_strip(content)) +
         "<|eot_id|>";
}

// Meta-Llama-3-Instruct: BOS before the first turn, every message trimmed.
std::string render_llama3(std::span<const ChatMessage> messages, const ChatOptions& options) {
  std::string out = or_default(options.bos_text, "<|begin_of_text|>");
  for (const ChatMessage& m : messages) append_llama3_turn(out, m.role, m.content);
  if (options.add_generation_prompt) out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
  return out;
}

// Llama 3.1 / 3.2 / 3.3 without tools: a system turn always comes first, holding the date
// lines and the (trimmed) system message if the conversation starts with one.
std::string render_llama3_1(std::span<const ChatMessage> messages, const ChatOptions& options) {
  std::string out = or_default(options.bos_text, "<|begin_of_text|>");
  std::string_view system_message;
  if (is_system(messages[0])) {
    system_message = py_strip(messages[0].content);
    messages = messages.subspan(1);
  }
  out += "<|start_header_id|>system<|end_header_id|>\n\n";
  out += "Cutting Knowledge Date: December 2023\n";
  out += "Today Date: " + or_default(options.date_string, "26 Jul 2024") + "\n\n";
  out += str(system_message) + "<|eot_id|>";
  for (const ChatMessage& m : messages) append_llama3_turn(out, m.role, m.content);
  if (options.add_generation_prompt) out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
  return out;
}

// Llama-2-chat. The template has no generation prompt and raises an exception when the
// roles after an optional system message do not alternate user / assistant.
std::string render_llama2(std::span<const ChatMessage> messages, const ChatOptions& options) {
  const std::string bos = or_default(options.bos_text, "<s>");
  const std::string eos = or_default(options.eos_text, "</s>");
  std::optional<std::string_view> system_message;
  if (is_system(messages[0])) {
    system_message = messages[0].content;
    messages = messages.subspan(1);
  }
  std::string out;
  for (size_t i = 0; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    if (is_user(m) != (i % 2 == 0)) {
      throw Error("chat: the llama2 template needs roles that alternate user/assistant/user/"
                  "assistant/... after an optional system message");
    }
    std::string content = m.content;
    if (i == 0 && system_message) {
      content = "<<SYS>>\n" + str(*system_message) + "\n<</SYS>>\n\n" + m.content;
    }
    // Appended piece by piece: GCC 12 reports a false -Wrestrict for `" " + std::string`.
    if (is_user(m)) {
      out.append(bos).append("[INST] ").append(py_strip(content)).append(" [/INST]");
    } else if (is_assistant(m)) {
      out.append(" ").append(py_strip(content)).append(" ").append(eos);
    }
    // A system message at an odd position passes the alternation check and is dropped.
  }
  return out;
}

// Zephyr / TinyLlama-Chat. The newline after each turn is the template's own text after
// `}}` (trim_blocks removes only the newlines after block tags).
std::string render_zephyr(std::span<const ChatMessage> messages, const ChatOptions& options) {
  const std::string eos = or_default(options.eos_text, "</s>");
  std::string out;
  for (const ChatMessage& m : messages) out += "<|" + m.role + "|>\n" + m.content + eos + "\n";
  if (options.add_generation_prompt) out += "<|assistant|>\n";
  return out;
}

// ---------------------------------------------------------------------------------------
// Detection

// A canonical form of a Jinja template in which formatting does not matter: whitespace
// inside tags is dropped except within string literals, string literals use single quotes
// and spell a newline as \n, and subscripts like message['role'] read message.role.
// Text outside tags is kept as it is, since it is output.
std::string canonical_template(std::string_view t) {
  std::string out;
  out.reserve(t.size());
  size_t i = 0;
  while (i < t.size()) {
    const std::string_view rest = t.substr(i);
    const bool tag = rest.size() >= 2 && rest[0] == '{' &&
                     (rest[1] == '{' || rest[1] == '%' || rest[1] == '#');
    if (!tag) {
      out += t[i++];
      continue;
    }
    if (rest[1] == '#') {  // comments produce nothing and may hold stray quotes
      const size_t end = t.find("#}", i + 2);
      i = end == std::string_view::npos ? t.size() : end + 2;
      continue;
    }
    const std::string_view close = rest[1] == '{' ? "}}" : "%}";
    out.append(rest.substr(0, 2));
    i += 2;
    while (i < t.size() && t.substr(i, 2) != close) {
      const char c = t[i];
      if (c == '\'' || c == '"') {
        out += '\'';
        ++i;
        while (i < t.size() && t[i] != c) {
          if (t[i] == '\\' && i + 1 < t.size()) {
            out.append(t.substr(i, 2));
            i += 2;
            continue;
          }
          if (t[i] == '\n') {
            out += "\\n";
          } else {
            out += t[i];
          }
          ++i;
        }
        out += '\'';
        ++i;
      } else {
        if (!std::isspace(static_cast<unsigned char>(c))) out += c;
        ++i;
      }
    }
    if (i < t.size()) {
      out.append(close);
      i += 2;
    }
  }
  // ['identifier'] -> .identifier
  std::string result;
  result.reserve(out.size());
  for (size_t k = 0; k < out.size();) {
    if (out.compare(k, 2, "['") == 0) {
      size_t e = k + 2;
      while (e < out.size() && (std::isalnum(static_cast<unsigned char>(out[e])) || out[e] == '_'))
        ++e;
      if (e > k + 2 && out.compare(e, 2, "']") == 0) {
        result += '.';
        result.append(out, k + 2, e - k - 2);
        k = e + 2;
        continue;
      }
    }
    result += out[k++];
  }
  return result;
}

struct Canonical {
  std::string text;
  bool has(std::string_view needle) const { return text.find(needle) != std::string::npos; }
};

// True when some "<|im_start|>system\n" literal goes on with text of its own: a built-in
// default system prompt.
bool has_default_system_prompt(const Canonical& c) {
  constexpr std::string_view header = "<|im_start|>system\\n";
  for (size_t p = c.text.find(header); p != std::string::npos; p = c.text.find(header, p + 1)) {
    const size_t after = p + header.size();
    if (after < c.text.size() && c.text[after] != '\'') return true;
  }
  return false;
}

std::optional<ChatFormat> detect_chatml_family(const Canonical& c) {
  const bool plain_turns = c.has("'<|im_start|>'+message.role+'\\n'+") && c.has("<|im_end|>");
  const bool generation_prompt = c.has("{{-'<|im_start|>assistant\\n'}}") ||
                                 c.has("{{'<|im_start|>assistant\\n'}}");
  if (!plain_turns || !generation_prompt) return std::nullopt;

  const bool qwen3_hybrid = c.has("enable_thinking") && c.has("'<think>\\n\\n</think>\\n\\n'") &&
                            c.has("reasoning_content") && c.has("last_query_index") &&
                            !c.has("'<|im_start|>assistant\\n<think>\\n'");
  if (qwen3_hybrid) return has_default_system_prompt(c) ? std::nullopt
                                                          : std::optional(ChatFormat::Qwen3);
  // Thinking-only models (QwQ, DeepSeek-R1 distills, Qwen3 *-Thinking-2507) render
  // reasoning differently.
  if (c.has("<think>")) return std::nullopt;
  if (has_default_system_prompt(c)) {
    if (c.has("'<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful "
              "assistant.<|im_end|>\\n'")) {
      return ChatFormat::Qwen2_5;
    }
    return std::nullopt;
  }
  return ChatFormat::ChatML;
}

std::optional<ChatFormat> detect_llama3_family(const Canonical& c) {
  if (!c.has("'<|start_header_id|>'+message.role+'<|end_header_id|>\\n\\n'+message.content|trim+"
             "'<|eot_id|>'")) {
    return std::nullopt;
  }
  if (c.has("'Cutting Knowledge Date: December 2023\\n'") &&
      c.has("'Today Date: '+date_string+'\\n\\n'") && c.has("setsystem_message=''") &&
      c.has("setsystem_message=messages[0].content|trim")) {
    return ChatFormat::Llama3_1;
  }
  if (c.has("bos_token+content") && !c.has("system<|end_header_id|>") && !c.has("Cutting")) {
    return ChatFormat::Llama3;
  }
  return std::nullopt;
}

std::optional<ChatFormat> detect_llama2(const Canonical& c) {
  if (c.has("bos_token+'[INST] '+content.strip()+' [/INST]'") &&
      c.has("' '+content.strip()+' '+eos_token") &&
      c.has("'<<SYS>>\\n'+system_message+'\\n<</SYS>>\\n\\n'+message.content")) {
    return ChatFormat::Llama2;
  }
  return std::nullopt;
}

std::optional<ChatFormat> detect_zephyr(const Canonical& c) {
  if (c.has("{{'<|user|>\\n'+message.content+eos_token}}\n") &&
      c.has("{{'<|system|>\\n'+message.content+eos_token}}\n") &&
      c.has("{{'<|assistant|>\\n'+message.content+eos_token}}\n") &&
      c.has("{%ifloop.lastandadd_generation_prompt%}") && c.has("{{'<|assistant|>'}}\n")) {
    return ChatFormat::Zephyr;
  }
  return std::nullopt;
}

struct FormatName {
  std::string_view name;
  ChatFormat format;
};
constexpr std::array<FormatName, 7> kCanonicalNames = {{
    {"chatml", ChatFormat::ChatML},
    {"qwen2.5", ChatFormat::Qwen2_5},
    {"qwen3", ChatFormat::Qwen3},
    {"llama3", ChatFormat::Llama3},
    {"llama3.1", ChatFormat::Llama3_1},
    {"llama2", ChatFormat::Llama2},
    {"zephyr", ChatFormat::Zephyr},
}};
constexpr std::array<FormatName, 3> kAliases = {{
    {"llama3.2", ChatFormat::Llama3_1},
    {"llama3.3", ChatFormat::Llama3_1},
    {"tinyllama", ChatFormat::Zephyr},
}};

}  // namespace

std::optional<ChatFormat> detect_chat_format(std::string_view jinja) {
  const Canonical c{canonical_template(jinja)};
  if (c.has("<|im_start|>")) return detect_chatml_family(c);
  if (c.has("<|start_header_id|>")) return detect_llama3_family(c);
  if (c.has("[INST]")) return detect_llama2(c);
  if (c.has("<|user|>")) return detect_zephyr(c);
  return std::nullopt;
}

std::optional<ChatFormat> chat_format_from_name(std::string_view name) {
  std::string lower(name);
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (const FormatName& f : kCanonicalNames) {
    if (f.name == lower) return f.format;
  }
  for (const FormatName& f : kAliases) {
    if (f.name == lower) return f.format;
  }
  return std::nullopt;
}

std::string_view chat_format_name(ChatFormat format) {
  for (const FormatName& f : kCanonicalNames) {
    if (f.format == format) return f.name;
  }
  return "unknown";
}

std::vector<std::string_view> chat_format_names() {
  std::vector<std::string_view> names;
  for (const FormatName& f : kCanonicalNames) names.push_back(f.name);
  return names;
}

std::string unknown_chat_template_message(std::string_view what) {
  std::string names;
  for (const FormatName& f : kCanonicalNames) {
    if (!names.empty()) names += ", ";
    names += f.name;
  }
  return str(what) + ": the chat template is not one loco can render; choose the format with " +
         "--template NAME, where NAME is one of: " + names;
}

std::string render_chat(ChatFormat format, std::span<const ChatMessage> messages,
                        const ChatOptions& options) {
  validate(messages);
  switch (format) {
    case ChatFormat::ChatML: return render_chatml(messages, options);
    case ChatFormat::Qwen2_5: return render_qwen2_5(messages, options);
    case ChatFormat::Qwen3: return render_qwen3(messages, options);
    case ChatFormat::Llama3: return render_llama3(messages, options);
    case ChatFormat::Llama3_1: return render_llama3_1(messages, options);
    case ChatFormat::Llama2: return render_llama2(messages, options);
    case ChatFormat::Zephyr: return render_zephyr(messages, options);
  }
  throw Error("chat: unknown chat format");
}

std::string today_date_string() {
  static constexpr std::array<const char*, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char day[3] = {static_cast<char>('0' + local.tm_mday / 10),
                 static_cast<char>('0' + local.tm_mday % 10), '\0'};
  return std::string(day) + " " + kMonths[static_cast<size_t>(local.tm_mon) % 12] + " " +
         std::to_string(local.tm_year + 1900);
}

}  // namespace loco
