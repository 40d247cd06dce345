#include "remote/reply_parsing.h"

#include <nlohmann/json.hpp>

#include "loco/error.h"
#include "remote/remote_call.h"

namespace loco::remote {
namespace {

using json = nlohmann::json;

StopReason openai_stop(const json& finish) {
  if (finish.is_string() && finish.get<std::string>() == "length") return StopReason::MaxTokens;
  return StopReason::EndOfTurn;
}

StopReason anthropic_stop(const json& reason) {
  return reason.is_string() && reason.get<std::string>() == "max_tokens" ? StopReason::MaxTokens : StopReason::EndOfTurn;
}

int64_t count_of(const json& j, const char* key, int64_t otherwise) {
  if (!j.is_object()) return otherwise;
  const auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : otherwise;
}

const json* object_at(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  const auto it = j.find(key);
  return it != j.end() && it->is_object() ? &*it : nullptr;
}

const std::string* string_at(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

// Σ log-probability and count of a logprobs object's tokens; false when one lacks it.
bool add_logprobs(const json& choice, double& sum, int64_t& count) {
  const json* lp = object_at(choice, "logprobs");
  if (lp == nullptr) return true;
  const auto content = lp->find("content");
  if (content == lp->end() || !content->is_array()) return true;
  for (const json& t : *content) {
    if (!t.is_object() || !t.contains("logprob") || !t["logprob"].is_number()) return false;
    sum += t["logprob"].get<double>();
    ++count;
  }
  return true;
}

}  // namespace

void read_openai_completion(const std::string& body, const std::string& who, RemoteReply& out) {
  const json j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("choices") || !j["choices"].is_array()) {
    throw Error(who + ": the reply is not a chat completion (no choices)");
  }
  const json* usage = object_at(j, "usage");
  if (usage != nullptr) out.prompt_tokens = count_of(*usage, "prompt_tokens", out.prompt_tokens);
  const int64_t completion_tokens = usage != nullptr ? count_of(*usage, "completion_tokens", 0) : 0;
  const size_t first = out.samples.size();
  for (const json& ch : j["choices"]) {
    const json* message = object_at(ch, "message");
    if (message == nullptr) continue;
    RemoteSample s;
    if (const std::string* content = string_at(*message, "content")) s.text = *content;
    s.stop = openai_stop(ch.value("finish_reason", json()));
    double sum = 0;
    int64_t n = 0;
    if (add_logprobs(ch, sum, n) && n > 0) {
      s.tokens = n;
      s.mean_log_prob = sum / static_cast<double>(n);
    }
    out.samples.push_back(std::move(s));
  }
  const size_t added = out.samples.size() - first;
  // Usage counts all choices together; log-probabilities, where given, count each.
  for (size_t i = first; i < out.samples.size(); ++i) {
    if (out.samples[i].tokens == 0 && added > 0) out.samples[i].tokens = completion_tokens / static_cast<int64_t>(added);
  }
}

bool OpenAIStreamReader::on_data(std::string_view data, const RemoteStream& stream) {
  if (data == "[DONE]") return true;
  const json j = json::parse(data, nullptr, false);
  if (!j.is_object()) return true;
  if (j.contains("error")) {
    error_ = error_message(std::string(data));
    return true;
  }
  if (const json* usage = object_at(j, "usage")) {
    prompt_tokens_ = count_of(*usage, "prompt_tokens", prompt_tokens_);
    sample_.tokens = count_of(*usage, "completion_tokens", sample_.tokens);
  }
  const auto choices = j.find("choices");
  if (choices == j.end() || !choices->is_array() || choices->empty()) return true;
  const json& ch = (*choices)[0];
  if (!add_logprobs(ch, logprob_sum_, logprob_count_)) logprobs_complete_ = false;
  if (ch.is_object() && ch.contains("finish_reason") && !ch["finish_reason"].is_null()) {
    sample_.stop = openai_stop(ch["finish_reason"]);
  }
  const json* delta = object_at(ch, "delta");
  const std::string* piece = delta != nullptr ? string_at(*delta, "content") : nullptr;
  if (piece == nullptr || piece->empty()) return true;
  sample_.text += *piece;
  return !stream || stream(*piece);
}

RemoteSample OpenAIStreamReader::finish(const std::string& who, bool stopped) {
  if (!error_.empty()) throw Error(who + ": the stream ended with an error: " + error_);
  if (stopped) sample_.stop = StopReason::Cancelled;
  if (logprob_count_ > 0 && logprobs_complete_) {
    sample_.mean_log_prob = logprob_sum_ / static_cast<double>(logprob_count_);
    if (sample_.tokens == 0) sample_.tokens = logprob_count_;
  }
  return sample_;
}

RemoteSample read_anthropic_message(const std::string& body, const std::string& who, RemoteReply& out) {
  const json j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("content") || !j["content"].is_array()) {
    throw Error(who + ": the reply is not a message (no content)");
  }
  RemoteSample s;
  for (const json& block : j["content"]) {
    const std::string* type = string_at(block, "type");
    const std::string* text = string_at(block, "text");
    if (type != nullptr && *type == "text" && text != nullptr) s.text += *text;
  }
  s.stop = anthropic_stop(j.value("stop_reason", json()));
  if (const json* usage = object_at(j, "usage")) {
    out.prompt_tokens = count_of(*usage, "input_tokens", out.prompt_tokens);
    s.tokens = count_of(*usage, "output_tokens", 0);
  }
  return s;
}

bool AnthropicStreamReader::on_event(std::string_view event, std::string_view data, const RemoteStream& stream) {
  const json j = json::parse(data, nullptr, false);
  if (!j.is_object()) return true;
  const std::string* type_field = string_at(j, "type");
  const std::string type = type_field != nullptr ? *type_field : std::string(event);
  if (type == "error") {
    error_ = error_message(std::string(data));
  } else if (type == "message_start") {
    const json* message = object_at(j, "message");
    const json* usage = message != nullptr ? object_at(*message, "usage") : nullptr;
    if (usage != nullptr) prompt_tokens_ = count_of(*usage, "input_tokens", prompt_tokens_);
  } else if (type == "content_block_delta") {
    const json* delta = object_at(j, "delta");
    const std::string* delta_type = delta != nullptr ? string_at(*delta, "type") : nullptr;
    const std::string* piece = delta != nullptr ? string_at(*delta, "text") : nullptr;
    if (delta_type != nullptr && *delta_type == "text_delta" && piece != nullptr && !piece->empty()) {
      sample_.text += *piece;
      return !stream || stream(*piece);
    }
  } else if (type == "message_delta") {
    const json* delta = object_at(j, "delta");
    if (delta != nullptr && delta->contains("stop_reason")) sample_.stop = anthropic_stop((*delta)["stop_reason"]);
    if (const json* usage = object_at(j, "usage")) sample_.tokens = count_of(*usage, "output_tokens", sample_.tokens);
  }
  return true;
}

RemoteSample AnthropicStreamReader::finish(const std::string& who, bool stopped) {
  if (!error_.empty()) throw Error(who + ": the stream ended with an error: " + error_);
  if (stopped) sample_.stop = StopReason::Cancelled;
  return sample_;
}

}  // namespace loco::remote
