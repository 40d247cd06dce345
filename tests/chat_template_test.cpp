// Chat formats: every expected prompt below was written by hand from the reference Jinja
// template (kept in tests/data/chat_templates/), not produced by the renderer.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "loco/chat_template.h"
#include "loco/error.h"
#include "loco/gguf.h"
#include "test_paths.h"

namespace loco {
namespace {

using Messages = std::vector<ChatMessage>;

const Messages kSystemUser = {{"system", "You are a pirate."}, {"user", "Hello!"}};
const Messages kUserOnly = {{"user", "What is 2+2?"}};
const Messages kMultiTurn = {{"system", "Be brief."},
                             {"user", "Hi"},
                             {"assistant", "Hello! How can I help?"},
                             {"user", "Tell me a joke."}};

std::string render(ChatFormat f, const Messages& m, ChatOptions o = {}) {
  return render_chat(f, m, o);
}

ChatOptions thinking(bool on) {
  ChatOptions o;
  o.enable_thinking = on;
  return o;
}

ChatOptions no_generation_prompt() {
  ChatOptions o;
  o.add_generation_prompt = false;
  return o;
}

std::string read_fixture(const std::string& name) {
  const std::string path = std::string(LOCO_SOURCE_DIR) + "/tests/data/chat_templates/" + name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ---- ChatML (Qwen3-4B-Instruct-2507) ---------------------------------------------------

TEST(ChatTemplate, ChatMLSystemUser) {
  EXPECT_EQ(render(ChatFormat::ChatML, kSystemUser),
            "<|im_start|>system\nYou are a pirate.<|im_end|>\n"
            "<|im_start|>user\nHello!<|im_end|>\n"
            "<|im_start|>assistant\n");
}

TEST(ChatTemplate, ChatMLUserOnlyHasNoDefaultSystem) {
  EXPECT_EQ(render(ChatFormat::ChatML, kUserOnly),
            "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n");
}

TEST(ChatTemplate, ChatMLMultiTurnKeepsContentVerbatim) {
  Messages m = kMultiTurn;
  m[1].content = "  Hi \n";  // ChatML does not trim
  EXPECT_EQ(render(ChatFormat::ChatML, m),
            "<|im_start|>system\nBe brief.<|im_end|>\n"
            "<|im_start|>user\n  Hi \n<|im_end|>\n"
            "<|im_start|>assistant\nHello! How can I help?<|im_end|>\n"
            "<|im_start|>user\nTell me a joke.<|im_end|>\n"
            "<|im_start|>assistant\n");
}

TEST(ChatTemplate, ChatMLWithoutGenerationPromptAndLateSystem) {
  const Messages m = {{"user", "Hi"}, {"system", "Now be rude."}, {"assistant", "What."}};
  EXPECT_EQ(render(ChatFormat::ChatML, m, no_generation_prompt()),
            "<|im_start|>user\nHi<|im_end|>\n"
            "<|im_start|>system\nNow be rude.<|im_end|>\n"
            "<|im_start|>assistant\nWhat.<|im_end|>\n");
}

// ---- Qwen2.5 ----------------------------------------------------------------------------

TEST(ChatTemplate, Qwen25InsertsDefaultSystemPrompt) {
  EXPECT_EQ(render(ChatFormat::Qwen2_5, kUserOnly),
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful "
            "assistant.<|im_end|>\n"
            "<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
            "<|im_start|>assistant\n");
}

TEST(ChatTemplate, Qwen25OwnSystemReplacesDefault) {
  EXPECT_EQ(render(ChatFormat::Qwen2_5, kSystemUser),
            "<|im_start|>system\nYou are a pirate.<|im_end|>\n"
            "<|im_start|>user\nHello!<|im_end|>\n"
            "<|im_start|>assistant\n");
}

TEST(ChatTemplate, Qwen25MultiTurn) {
  const Messages m = {{"user", "Hi"}, {"assistant", "Hello!"}, {"user", "Bye"}};
  EXPECT_EQ(render(ChatFormat::Qwen2_5, m),
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful "
            "assistant.<|im_end|>\n"
            "<|im_start|>user\nHi<|im_end|>\n"
            "<|im_start|>assistant\nHello!<|im_end|>\n"
            "<|im_start|>user\nBye<|im_end|>\n"
            "<|im_start|>assistant\n");
}

// ---- Qwen3 hybrid thinking -----------------------------------------------------------

TEST(ChatTemplate, Qwen3ThinkingOffPrefillsEmptyThinkBlock) {
  EXPECT_EQ(render(ChatFormat::Qwen3, kSystemUser, thinking(false)),
            "<|im_start|>system\nYou are a pirate.<|im_end|>\n"
            "<|im_start|>user\nHello!<|im_end|>\n"
            "<|im_start|>assistant\n<think>\n\n</think>\n\n");
}

TEST(ChatTemplate, Qwen3ThinkingOnEndsAtAssistantHeader) {
  EXPECT_EQ(render(ChatFormat::Qwen3, kUserOnly, thinking(true)),
            "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n");
}

TEST(ChatTemplate, Qwen3StripsThinkingFromEarlierTurns) {
  const Messages m = {{"user", "What is 2+2?"},
                      {"assistant", "<think>\nSimple addition.\n</think>\n\n2+2 = 4."},
                      {"user", "And 3+3?"}};
  const std::string history =
      "<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
      "<|im_start|>assistant\n2+2 = 4.<|im_end|>\n"
      "<|im_start|>user\nAnd 3+3?<|im_end|>\n"
      "<|im_start|>assistant\n";
  EXPECT_EQ(render(ChatFormat::Qwen3, m, thinking(false)),
            history + "<think>\n\n</think>\n\n");
  EXPECT_EQ(render(ChatFormat::Qwen3, m, thinking(true)), history);
}

TEST(ChatTemplate, Qwen3FinalAssistantTurnAlwaysGetsThinkBlock) {
  const Messages m = {{"user", "Hi"}, {"assistant", "Hello"}};
  EXPECT_EQ(render(ChatFormat::Qwen3, m, no_generation_prompt()),
            "<|im_start|>user\nHi<|im_end|>\n"
            "<|im_start|>assistant\n<think>\n\n</think>\n\nHello<|im_end|>\n");
}

TEST(ChatTemplate, Qwen3KeepsReasoningAfterTheLastQuery) {
  // Turns after the last user message keep a non-empty reasoning; the reasoning is cut
  // at the last <think> before the first </think>, newlines around it dropped.
  const Messages m = {{"system", "S"},
                      {"user", "Q"},
                      {"assistant", "draft<think>\n\nstep one\n</think>\n\npartial"},
                      {"assistant", "final"}};
  EXPECT_EQ(render(ChatFormat::Qwen3, m, no_generation_prompt()),
            "<|im_start|>system\nS<|im_end|>\n"
            "<|im_start|>user\nQ<|im_end|>\n"
            "<|im_start|>assistant\n<think>\nstep one\n</think>\n\npartial<|im_end|>\n"
            "<|im_start|>assistant\n<think>\n\n</think>\n\nfinal<|im_end|>\n");
}

TEST(ChatTemplate, Qwen3ToolResponseIsNotAQuery) {
  // A user message wrapped in <tool_response> does not count as the last query, so the
  // assistant turn before it keeps its reasoning.
  const Messages m = {{"user", "Q"},
                      {"assistant", "<think>look it up</think>calling"},
                      {"user", "<tool_response>42</tool_response>"}};
  EXPECT_EQ(render(ChatFormat::Qwen3, m, thinking(true)),
            "<|im_start|>user\nQ<|im_end|>\n"
            "<|im_start|>assistant\n<think>\nlook it up\n</think>\n\ncalling<|im_end|>\n"
            "<|im_start|>user\n<tool_response>42</tool_response><|im_end|>\n"
            "<|im_start|>assistant\n");
}

// ---- Llama 3 ----------------------------------------------------------------------------

TEST(ChatTemplate, Llama3SystemUser) {
  EXPECT_EQ(render(ChatFormat::Llama3, kSystemUser),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a "
            "pirate.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

TEST(ChatTemplate, Llama3TrimsContent) {
  // Jinja's trim is Python's str.strip(): Unicode spaces go too (U+00A0, U+3000), other
  // multi-byte characters stay.
  const Messages m = {{"user", " \t\xC2\xA0What is 2+2? \xC3\xA9\xE3\x80\x80\n"}};
  EXPECT_EQ(render(ChatFormat::Llama3, m),
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n"
            "What is 2+2? \xC3\xA9<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
}

TEST(ChatTemplate, Llama3MultiTurnWithCustomBos) {
  ChatOptions o;
  o.bos_text = "<BOS>";
  o.add_generation_prompt = false;
  EXPECT_EQ(render(ChatFormat::Llama3, kMultiTurn, o),
            "<BOS><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\nHello! How can I help?<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nTell me a joke.<|eot_id|>");
}

// ---- Llama 3.1 / 3.2 ----------------------------------------------------------------

TEST(ChatTemplate, Llama31AlwaysWritesSystemHeaderWithDates) {
  EXPECT_EQ(render(ChatFormat::Llama3_1, kUserOnly),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
            "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

TEST(ChatTemplate, Llama31SystemMessageAfterDateLines) {
  ChatOptions o;
  o.date_string = "05 Mar 2025";
  const Messages m = {{"system", "  You are a pirate.\n"}, {"user", "Hello!"}};
  EXPECT_EQ(render(ChatFormat::Llama3_1, m, o),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
            "Cutting Knowledge Date: December 2023\nToday Date: 05 Mar 2025\n\n"
            "You are a pirate.<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

TEST(ChatTemplate, Llama31MultiTurn) {
  EXPECT_EQ(render(ChatFormat::Llama3_1, kMultiTurn),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
            "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\nBe brief.<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\nHello! How can I help?<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nTell me a joke.<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

TEST(ChatTemplate, TodayDateStringHasTemplateShape) {
  const std::string d = today_date_string();  // "%d %b %Y"
  ASSERT_EQ(d.size(), 11u) << d;
  EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(d[0])) &&
              std::isdigit(static_cast<unsigned char>(d[1])));
  EXPECT_EQ(d[2], ' ');
  EXPECT_NE(std::string("JanFebMarAprMayJunJulAugSepOctNovDec").find(d.substr(3, 3)),
            std::string::npos);
  EXPECT_EQ(d[6], ' ');
}

// ---- Llama 2 ------------------------------------------------------------------------

TEST(ChatTemplate, Llama2SystemGoesIntoFirstInstruction) {
  EXPECT_EQ(render(ChatFormat::Llama2, kSystemUser),
            "<s>[INST] <<SYS>>\nYou are a pirate.\n<</SYS>>\n\nHello! [/INST]");
}

TEST(ChatTemplate, Llama2UserOnlyStripsContent) {
  const Messages m = {{"user", "\n What is 2+2?  "}};
  EXPECT_EQ(render(ChatFormat::Llama2, m), "<s>[INST] What is 2+2? [/INST]");
}

TEST(ChatTemplate, Llama2MultiTurn) {
  EXPECT_EQ(render(ChatFormat::Llama2, kMultiTurn),
            "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello! How can I help? "
            "</s><s>[INST] Tell me a joke. [/INST]");
}

TEST(ChatTemplate, Llama2RejectsRolesThatDoNotAlternate) {
  const Messages m = {{"user", "a"}, {"user", "b"}};
  EXPECT_THROW(render(ChatFormat::Llama2, m), Error);
  const Messages starts_with_assistant = {{"assistant", "a"}};
  EXPECT_THROW(render(ChatFormat::Llama2, starts_with_assistant), Error);
}

// ---- Zephyr / TinyLlama --------------------------------------------------------------

TEST(ChatTemplate, ZephyrSystemUser) {
  EXPECT_EQ(render(ChatFormat::Zephyr, kSystemUser),
            "<|system|>\nYou are a pirate.</s>\n<|user|>\nHello!</s>\n<|assistant|>\n");
}

TEST(ChatTemplate, ZephyrUserOnly) {
  EXPECT_EQ(render(ChatFormat::Zephyr, kUserOnly), "<|user|>\nWhat is 2+2?</s>\n<|assistant|>\n");
}

TEST(ChatTemplate, ZephyrMultiTurnWithoutGenerationPrompt) {
  EXPECT_EQ(render(ChatFormat::Zephyr, kMultiTurn, no_generation_prompt()),
            "<|system|>\nBe brief.</s>\n<|user|>\nHi</s>\n<|assistant|>\nHello! How can I "
            "help?</s>\n<|user|>\nTell me a joke.</s>\n");
}

// ---- Errors ---------------------------------------------------------------------------

TEST(ChatTemplate, RejectsEmptyConversationAndUnknownRoles) {
  EXPECT_THROW(render(ChatFormat::ChatML, {}), Error);
  const Messages tool = {{"tool", "42"}};
  EXPECT_THROW(render(ChatFormat::Qwen3, tool), Error);
}

// ---- Detection --------------------------------------------------------------------------

struct FixtureCase {
  const char* file;
  ChatFormat format;
};

TEST(ChatTemplateDetect, RecognisesReferenceTemplates) {
  const FixtureCase cases[] = {
      {"Qwen-Qwen3-4B-Instruct-2507.jinja", ChatFormat::ChatML},
      {"Qwen-Qwen2.5-7B-Instruct.jinja", ChatFormat::Qwen2_5},
      {"Qwen-Qwen3-4B.jinja", ChatFormat::Qwen3},
      {"meta-llama-Meta-Llama-3-8B-Instruct.jinja", ChatFormat::Llama3},
      {"meta-llama-Llama-3.2-3B-Instruct.jinja", ChatFormat::Llama3_1},
      {"meta-llama-Llama-3.3-70B-Instruct.jinja", ChatFormat::Llama3_1},
      {"meta-llama-Llama-2-7b-chat-hf.jinja", ChatFormat::Llama2},
      {"TinyLlama-TinyLlama-1.1B-Chat-v1.0.jinja", ChatFormat::Zephyr},
  };
  for (const FixtureCase& c : cases) {
    const std::optional<ChatFormat> got = detect_chat_format(read_fixture(c.file));
    ASSERT_TRUE(got.has_value()) << c.file;
    EXPECT_EQ(chat_format_name(*got), chat_format_name(c.format)) << c.file;
  }
}

TEST(ChatTemplateDetect, RecognisesTemplateEmbeddedInTinyQwen3) {
  const GgufFile f = GgufFile::open(test::model_path("tiny-qwen3-f32.gguf"));
  EXPECT_EQ(detect_chat_format(f.get_string("tokenizer.chat_template")), ChatFormat::Qwen3);
}

TEST(ChatTemplateDetect, GenericChatMLLoop) {
  EXPECT_EQ(detect_chat_format(
                "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
                "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if "
                "add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"),
            ChatFormat::ChatML);
}

TEST(ChatTemplateDetect, RejectsTemplatesThatRenderDifferently) {
  const char* unknown[] = {
      "",
      "not a template",
      // Gemma
      "{{ bos_token }}{% for message in messages %}{{ '<start_of_turn>' + message['role'] + "
      "'\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}",
      // Mistral: [INST] without <<SYS>>
      "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '[INST] "
      "' + message['content'] + ' [/INST]' }}{% else %}{{ message['content'] + eos_token }}{% "
      "endif %}{% endfor %}",
      // ChatML with a different built-in system prompt (Qwen2-Instruct style)
      "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ "
      "'<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
      "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
      "{% endfor %}{% if "
      "add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
      // A thinking-only ChatML model that forces "<think>\n"
      "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
      "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ "
      "'<|im_start|>assistant\\n<think>\\n' }}{% endif %}",
      // Phi-3: <|user|> with <|end|> instead of eos_token
      "{% for message in messages %}{{'<|' + message['role'] + '|>' + '\\n' + "
      "message['content'] + '<|end|>\\n'}}{% endfor %}{% if add_generation_prompt %}{{ "
      "'<|assistant|>\\n' }}{% endif %}",
      // Llama 3 with a fixed system header of its own
      "{{ bos_token }}{{ '<|start_header_id|>system<|end_header_id|>\\n\\ndetailed thinking "
      "on<|eot_id|>' }}{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + "
      "'<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}{% endfor %}",
      // Unterminated string and tag: must not crash
      "{{ '<|im_start|>",
      "{% if x %}{# it's a comment",
  };
  for (const char* t : unknown) EXPECT_FALSE(detect_chat_format(t).has_value()) << t;
}

TEST(ChatTemplateDetect, Llama32CommentWithApostropheDoesNotConfuseDetection) {
  // The Llama 3.3 fixture holds "{#- This means we're in ipython mode #}".
  const std::string t = read_fixture("meta-llama-Llama-3.3-70B-Instruct.jinja");
  ASSERT_NE(t.find("we're"), std::string::npos);
  EXPECT_EQ(detect_chat_format(t), ChatFormat::Llama3_1);
}

TEST(ChatTemplateNames, RoundTripAndAliases) {
  for (std::string_view name : chat_format_names()) {
    const auto f = chat_format_from_name(name);
    ASSERT_TRUE(f.has_value()) << name;
    EXPECT_EQ(chat_format_name(*f), name);
  }
  EXPECT_EQ(chat_format_names().size(), 7u);
  EXPECT_EQ(chat_format_from_name("Qwen3"), ChatFormat::Qwen3);
  EXPECT_EQ(chat_format_from_name("llama3.2"), ChatFormat::Llama3_1);
  EXPECT_EQ(chat_format_from_name("tinyllama"), ChatFormat::Zephyr);
  EXPECT_FALSE(chat_format_from_name("gemma").has_value());
  EXPECT_FALSE(chat_format_from_name("").has_value());
}

TEST(ChatTemplateNames, UnknownTemplateMessageListsEveryName) {
  const std::string msg = unknown_chat_template_message("model.gguf");
  EXPECT_EQ(msg.find("model.gguf"), 0u);
  EXPECT_NE(msg.find("--template"), std::string::npos);
  for (std::string_view name : chat_format_names()) {
    EXPECT_NE(msg.find(name), std::string::npos) << name;
  }
  EXPECT_EQ(msg.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace loco
