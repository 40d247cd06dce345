// Chat templates: turning a conversation into the exact prompt text a model was tuned on.
//
// loco does not run Jinja. It recognises the template embedded in a GGUF file
// (`tokenizer.chat_template`) as one of a few known conversation formats and renders that
// format natively, byte for byte as the reference template renders it with Hugging Face
// transformers (jinja2 with trim_blocks and lstrip_blocks) for plain system / user /
// assistant conversations. Tools, tool calls and multimodal content are not supported.
//
// Formats, and the reference templates they reproduce:
//   chatml    Qwen3-4B-Instruct-2507 and the generic ChatML loop: <|im_start|>role\n…<|im_end|>\n
//   qwen2.5   Qwen2.5-*-Instruct: ChatML plus the default system prompt
//             "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."
//   qwen3     Qwen3 hybrid thinking (Qwen3-0.6B … 32B): <think> blocks of earlier assistant
//             turns are stripped; `enable_thinking = false` pre-fills an empty think block.
//   llama3    Meta-Llama-3-*-Instruct: <|start_header_id|>role<|end_header_id|>\n\n…<|eot_id|>
//   llama3.1  Llama 3.1 / 3.2 / 3.3 Instruct without tools: always a system header with
//             "Cutting Knowledge Date: December 2023\nToday Date: <date>\n\n".
//   llama2    Llama-2-*-chat: <s>[INST] <<SYS>>\n…\n<</SYS>>\n\n… [/INST] … </s>
//   zephyr    Zephyr / TinyLlama-Chat: <|user|>\n…</s>\n … <|assistant|>\n
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace loco {

struct ChatMessage {
  std::string role;     // "system", "user" or "assistant"
  std::string content;
};

enum class ChatFormat { ChatML, Qwen2_5, Qwen3, Llama3, Llama3_1, Llama2, Zephyr };

struct ChatOptions {
  // End with the header that opens the assistant's reply. Llama 2's template has no
  // generation prompt (a rendered user turn already ends with " [/INST]"), so it ignores this.
  bool add_generation_prompt = true;
  // Qwen3 only. false pre-fills "<think>\n\n</think>\n\n" after the generation prompt, as
  // the template does for enable_thinking=false; true renders as the template does when
  // enable_thinking is true or not given.
  bool enable_thinking = false;
  // The texts the template writes for bos_token / eos_token. Empty means the format's usual
  // text: "<|begin_of_text|>" (Llama 3), "<s>" and "</s>" (Llama 2), "</s>" (Zephyr).
  // The rendered prompt already holds BOS where the template writes it, so tokenize it
  // with special tokens parsed and without adding another BOS.
  std::string bos_text, eos_text;
  // Llama 3.1 / 3.2 "Today Date: …" line. Empty means "26 Jul 2024", the templates'
  // fallback. Llama 3.2's template uses the current date when the renderer provides
  // strftime_now (transformers does): pass today_date_string() to match that.
  std::string date_string;
};

// Recognises a Jinja chat template by markers in its text. nullopt when the template is
// not one of the formats above (or is a close relative that would render differently,
// such as a thinking-only model that forces "<think>\n"); the caller then asks the user
// for --template, see unknown_chat_template_message().
std::optional<ChatFormat> detect_chat_format(std::string_view jinja);

// Name used by --template ("chatml", "qwen2.5", "qwen3", "llama3", "llama3.1", "llama2",
// "zephyr"; also "llama3.2", "llama3.3", "tinyllama"), case-insensitive.
std::optional<ChatFormat> chat_format_from_name(std::string_view name);
std::string_view chat_format_name(ChatFormat format);
// The canonical names, in the order listed above.
std::vector<std::string_view> chat_format_names();

// One-line message for a model whose template was not recognised (or that has none),
// naming the --template choices. `what` says what was wrong, e.g. the file name.
std::string unknown_chat_template_message(std::string_view what);

// Renders the conversation. Throws loco::Error for an empty conversation, a role other than
// system / user / assistant, or (Llama 2) roles that do not alternate user / assistant.
std::string render_chat(ChatFormat format, std::span<const ChatMessage> messages,
                        const ChatOptions& options = {});

// Today's local date as "%d %b %Y" (e.g. "05 Mar 2025"), for ChatOptions::date_string.
std::string today_date_string();

}  // namespace loco
