#include "train/train_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "loco/chat_prompt.h"
#include "loco/error.h"

namespace loco::train {
namespace {

using nlohmann::json;

std::string text_field(const json& j, const char* key, const std::string& where) {
  const auto it = j.find(key);
  if (it == j.end()) throw Error(fmt::format("{}: \"{}\" is missing", where, key));
  std::string text;
  if (it->is_string()) {
    text = it->get<std::string>();
  } else if (it->is_number()) {
    text = it->dump();  // a numeric answer, as GSM8K-style sets sometimes give it
  } else {
    throw Error(fmt::format("{}: \"{}\" must be a string", where, key));
  }
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) throw Error(fmt::format("{}: \"{}\" is empty", where, key));
  return text;
}

bool starts_with(const std::vector<TokenId>& whole, const std::vector<TokenId>& prefix) {
  return prefix.size() <= whole.size() && std::equal(prefix.begin(), prefix.end(), whole.begin());
}

// {"text": "..."} alone on a line: plain text, no template.
std::optional<std::string> plain_text(const std::string& line, const std::string& where) {
  json j;
  try {
    j = json::parse(line);
  } catch (const json::exception&) {
    return std::nullopt;  // train_messages reports it
  }
  if (!j.is_object() || !j.contains("text") || j.contains("messages") || j.contains("prompt") ||
      j.contains("question")) {
    return std::nullopt;
  }
  return text_field(j, "text", where);
}

}  // namespace

TrainExample make_text_example(const std::string& text, const Tokenizer& tokenizer, int64_t max_tokens,
                               const std::string& where) {
  TrainExample e;
  e.where = where;
  e.tokens = tokenizer.encode(text, tokenizer.add_bos_by_default(), false);
  const std::optional<TokenId> end = tokenizer.find("<|endoftext|>") ? tokenizer.find("<|endoftext|>") : tokenizer.eos();
  if (end) e.tokens.push_back(*end);
  if (e.tokens.size() < 2) throw Error(where + ": the text is too short to learn from (one token)");
  if (static_cast<int64_t>(e.tokens.size()) > max_tokens) {
    throw Error(fmt::format("{}: {} tokens, more than the limit of {}", where, e.tokens.size(), max_tokens));
  }
  e.target.assign(e.tokens.size(), 1);
  e.target[0] = 0;
  return e;
}

std::vector<ChatMessage> train_messages(const std::string& json_line, const std::string& where) {
  json j;
  try {
    j = json::parse(json_line);
  } catch (const json::exception&) {
    throw Error(where + ": not valid JSON");
  }
  if (!j.is_object()) throw Error(where + ": each line must be a JSON object");
  std::vector<ChatMessage> messages;
  if (j.contains("messages")) {
    const json& list = j["messages"];
    if (!list.is_array()) throw Error(where + ": \"messages\" must be a list");
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string at = fmt::format("{} (message {})", where, i + 1);
      if (!list[i].is_object()) throw Error(at + ": each message must be an object with role and content");
      const std::string role = text_field(list[i], "role", at);
      if (role != "system" && role != "user" && role != "assistant") {
        throw Error(fmt::format("{}: role \"{}\" is not system, user or assistant", at, role));
      }
      messages.push_back({role, text_field(list[i], "content", at)});
    }
  } else if (j.contains("prompt") || j.contains("completion")) {
    messages = {{"user", text_field(j, "prompt", where)}, {"assistant", text_field(j, "completion", where)}};
  } else if (j.contains("question") || j.contains("answer")) {
    messages = {{"user", text_field(j, "question", where)}, {"assistant", text_field(j, "answer", where)}};
  } else {
    throw Error(where + ": expected {\"messages\": [...]}, {\"prompt\", \"completion\"} or {\"question\", \"answer\"} or {\"text\"}");
  }
  if (std::none_of(messages.begin(), messages.end(), [](const ChatMessage& m) { return m.role == "assistant"; })) {
    throw Error(where + ": the conversation has no assistant turn to learn from");
  }
  return messages;
}

TrainExample make_example(const std::vector<ChatMessage>& messages, const Tokenizer& tokenizer, ChatFormat format,
                          int64_t max_tokens, const std::string& where) {
  ChatOptions in_context;
  in_context.add_generation_prompt = false;
  in_context.enable_thinking = true;  // no pre-filled empty thinking block after a prompt
  ChatOptions prompt = in_context;
  prompt.add_generation_prompt = true;
  ChatOptions prompt_prefilled = prompt;
  prompt_prefilled.enable_thinking = false;
  TrainExample ex;
  ex.where = where;
  ex.tokens = tokenize_chat(tokenizer, format, messages, in_context);
  ex.target.assign(ex.tokens.size(), 0);
  const std::span<const ChatMessage> all(messages);
  for (size_t k = 0; k < messages.size(); ++k) {
    if (messages[k].role != "assistant") continue;
    // The assistant's tokens: from the end of its prompt (the conversation before it plus
    // the header that opens a reply) to its end-of-turn marker, inclusive. Templates may
    // render a turn differently once later turns follow, so the turn is found in the
    // whole conversation, not rendered alone.
    // Qwen3 writes an empty thinking block at the start of the last turn (what its prompt
    // pre-fills when thinking is off) and none on earlier turns: the longer prompt that
    // the conversation starts with is the turn's prompt, so the block is never learnt.
    std::vector<TokenId> before = tokenize_chat(tokenizer, format, all.first(k), prompt);
    const std::vector<TokenId> prefilled = tokenize_chat(tokenizer, format, all.first(k), prompt_prefilled);
    if (prefilled.size() > before.size() && starts_with(ex.tokens, prefilled)) before = prefilled;
    if (!starts_with(ex.tokens, before)) {
      throw Error(fmt::format("{}: the {} template renders the prompt of assistant turn {} differently inside the "
                              "conversation; its tokens cannot be marked for the loss",
                              where, chat_format_name(format), k + 1));
    }
    size_t i = std::max<size_t>(before.size(), 1);
    for (; i < ex.tokens.size(); ++i) {
      ex.target[i] = 1;
      if (tokenizer.is_end_of_generation(ex.tokens[i])) break;
    }
    if (i == ex.tokens.size()) {
      throw Error(fmt::format("{}: assistant turn {} has no end-of-turn marker in the {} rendering", where, k + 1,
                              chat_format_name(format)));
    }
  }
  if (static_cast<int64_t>(ex.tokens.size()) > max_tokens) {
    throw Error(fmt::format("{}: the example is {} tokens, over the limit of {}", where, ex.tokens.size(), max_tokens));
  }
  return ex;
}

std::vector<TrainExample> load_train_jsonl(const std::string& path, const Tokenizer& tokenizer, ChatFormat format,
                                           int64_t max_tokens) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open");
  std::vector<TrainExample> out;
  std::string line;
  for (int64_t n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = fmt::format("{}:{}", path, n);
    if (std::optional<std::string> text = plain_text(line, where)) {
      out.push_back(make_text_example(*text, tokenizer, max_tokens, where));
    } else {
      out.push_back(make_example(train_messages(line, where), tokenizer, format, max_tokens, where));
    }
  }
  if (out.empty()) throw Error(path + ": no examples");
  return out;
}

}  // namespace loco::train
