#include <gtest/gtest.h>

#include <fmt/format.h>

#include "loco/error.h"
#include "loco/gguf.h"
#include "loco/chat_template.h"
#include "loco/prompt_builder.h"
#include "test_paths.h"

namespace loco {
namespace {

TEST(PromptBuilder, Re2RepeatsTheQuestion) {
  EXPECT_EQ(question_text("What is 2+2?", true), "What is 2+2?\nRead the question again: What is 2+2?");
  EXPECT_EQ(question_text("What is 2+2?", false), "What is 2+2?");
}

TEST(PromptBuilder, SystemFewShotContextAndQuestionInOrder) {
  PromptSpec spec;
  spec.question = "Q?";
  spec.system_prompt = "Be brief.";
  spec.few_shot = {{"1+1?", "2"}};
  spec.context = {parse_context("---\nkind: rubric\n---\n## Working\n- full: every step shown\n", "rubric.md")};
  auto m = build_messages(spec, render_mandatory_context(spec.context));
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].role, "system");
  EXPECT_EQ(m[1].content, "1+1?");
  EXPECT_EQ(m[2].role, "assistant");
  EXPECT_EQ(m[3].content,
            "Rubric (rubric.md): the answer will be checked against these criteria.\n- Working: full = every step "
            "shown\n\nQ?\nRead the question again: Q?");
}

// Mandatory context that cannot fit says by how many tokens, with numbers that add up:
// needed - over = what the prompt leaves (512 - 128 - the prompt without context).
TEST(PromptBuilder, MandatoryContextThatDoesNotFitSaysByHowMuch) {
  GgufFile f = GgufFile::open(test::model_path("tiny-qwen3-f32.gguf"));
  Tokenizer tok = Tokenizer::from_gguf(f);
  PromptSpec spec;
  spec.question = "Summarise the rubric.";
  spec.context = {parse_context("---\nkind: template\n---\n" + std::string(3000, 'x') + " the end\n", "form.md")};
  const int64_t rest = static_cast<int64_t>(
      tokenize_chat(tok, ChatFormat::Qwen3, build_messages(spec, ""), ChatOptions{}).size());
  const int64_t needed = static_cast<int64_t>(tok.encode(render_mandatory_context(spec.context), false, false).size());
  const int64_t room = 384 - rest;
  ASSERT_GT(needed, room);
  try {
    build_prompt_tokens(spec, tok, ChatFormat::Qwen3, ChatOptions{}, 512, 128);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("(form.md)"), std::string::npos) << msg;
    EXPECT_NE(msg.find(fmt::format("needs {} tokens, {} more than the {} this prompt leaves", needed, needed - room, room)),
              std::string::npos) << msg;
  }
  // The same text as an excerpt is cut to what fits instead.
  std::string notes;
  for (int i = 0; i < 60; ++i) notes += "The rubric asks for a summary of part " + std::to_string(i) + ".\n\n";
  spec.context = {parse_context(notes, "form.md")};
  ContextSelection chosen;
  const auto tokens = build_prompt_tokens(spec, tok, ChatFormat::Qwen3, ChatOptions{}, 512, 128, &chosen);
  EXPECT_LE(tokens.size(), 384u);
  EXPECT_GT(chosen.left_out_count(), 0u);
  EXPECT_GT(chosen.used_count(), 0u);
}

// chat --system and the adapter's system prompt become one system message, first, for
// every template (Llama 2 and Zephyr, for example, only take a system message there).
TEST(PromptBuilder, SystemMessagesMergeIntoOneFirst) {
  PromptSpec spec;
  spec.question = "And 3+3?";
  spec.reread = false;
  spec.system_prompt = "Show each step.";
  spec.few_shot = {{"1+1?", "2"}};
  spec.history = {{"system", "Answer in French."}, {"user", "2+2?"}, {"assistant", "4"}};
  const auto m = build_messages(spec);
  ASSERT_EQ(m.size(), 6u);
  EXPECT_EQ(m[0].role, "system");
  EXPECT_EQ(m[0].content, "Show each step.\n\nAnswer in French.");
  const std::vector<std::string> roles = {m[1].role, m[2].role, m[3].role, m[4].role, m[5].role};
  EXPECT_EQ(roles, (std::vector<std::string>{"user", "assistant", "user", "assistant", "user"}));
  EXPECT_EQ(m[3].content, "2+2?");
  EXPECT_EQ(m[5].content, "And 3+3?");
  for (ChatFormat format : {ChatFormat::ChatML, ChatFormat::Qwen2_5, ChatFormat::Qwen3, ChatFormat::Llama3,
                            ChatFormat::Llama3_1, ChatFormat::Llama2, ChatFormat::Zephyr}) {
    const std::string text = render_chat(format, m, ChatOptions{});
    const size_t first = text.find("Show each step.");
    ASSERT_NE(first, std::string::npos) << static_cast<int>(format);
    EXPECT_EQ(text.find("Show each step.", first + 1), std::string::npos) << text;
    EXPECT_LT(first, text.find("1+1?")) << text;
    EXPECT_LT(text.find("Answer in French."), text.find("1+1?")) << text;
  }
}

// A conversation that outgrows the context never fails: past 90% the oldest turns go,
// down to 70%, the newest stay, and the notes say how many went.
TEST(PromptBuilder, LongConversationsAreCompactedNotRefused) {
  GgufFile f = GgufFile::open(test::model_path("tiny-qwen3-f32.gguf"));
  Tokenizer tok = Tokenizer::from_gguf(f);
  const int32_t n_ctx = 512, answer = 128;
  std::vector<ChatMessage> conversation = {{"system", "Be brief."}};
  int compactions = 0;
  for (int turn = 0; turn < 60; ++turn) {
    PromptSpec spec;
    spec.question = "question number " + std::to_string(turn) + " about the apples in the basket";
    spec.history = conversation;
    const FittedPrompt p = fit_prompt(spec, tok, ChatFormat::Qwen3, ChatOptions{}, n_ctx, answer);
    ASSERT_LE(static_cast<int64_t>(p.tokens.size()) + p.answer_tokens, n_ctx) << turn;
    EXPECT_EQ(p.answer_tokens, answer);
    const std::string text = tok.decode(p.tokens);
    EXPECT_NE(text.find(spec.question), std::string::npos) << turn;
    EXPECT_NE(text.find("Be brief."), std::string::npos) << turn;  // the system message stays
    if (p.history_turns_dropped > 0) {
      ++compactions;
      ASSERT_EQ(p.notes.size(), 1u);
      EXPECT_NE(p.notes[0].find(std::to_string(p.history_turns_dropped) + " oldest turn"), std::string::npos);
      EXPECT_LE(static_cast<int64_t>(p.tokens.size()) + answer, n_ctx * 7 / 10);
      for (int i = 0; i < p.history_turns_dropped; ++i) ASSERT_TRUE(drop_oldest_turn(conversation));
    } else {
      EXPECT_TRUE(p.notes.empty());
    }
    // The most recent earlier turn is always still there.
    if (turn > 0) {
      EXPECT_NE(text.find("answer number " + std::to_string(turn - 1) + "."), std::string::npos) << turn;
    }
    conversation.push_back({"user", spec.question});
    conversation.push_back({"assistant", "answer number " + std::to_string(turn) + ". The basket holds apples."});
  }
  // 60 turns of ~40 tokens cannot fit 384: compaction happened, and not on every turn.
  EXPECT_GE(compactions, 2);
  EXPECT_LE(compactions, 30);
  EXPECT_EQ(conversation.front().role, "system");
}

// Without history to drop, the adapter's examples go first, then the answer room shrinks;
// a question that cannot fit at all is the one clear error.
TEST(PromptBuilder, FewShotThenAnswerRoomGiveWay) {
  GgufFile f = GgufFile::open(test::model_path("tiny-qwen3-f32.gguf"));
  Tokenizer tok = Tokenizer::from_gguf(f);
  PromptSpec spec;
  spec.question = "What is 6 times 7?";
  std::string long_answer;
  for (int i = 0; i < 40; ++i) long_answer.append("step ").append(std::to_string(i)).append(" adds one. ");
  spec.few_shot = {{"What is 2 times 3?", long_answer}, {"What is 4 times 5?", long_answer}};
  const FittedPrompt p = fit_prompt(spec, tok, ChatFormat::Qwen3, ChatOptions{}, 512, 128);
  EXPECT_GE(p.few_shot_dropped, 1);
  EXPECT_LE(static_cast<int64_t>(p.tokens.size()) + p.answer_tokens, 512);
  EXPECT_NE(tok.decode(p.tokens).find("What is 6 times 7?"), std::string::npos);

  PromptSpec tight;
  tight.question = std::string(200, 'y');
  tight.reread = false;
  const FittedPrompt q = fit_prompt(tight, tok, ChatFormat::Qwen3, ChatOptions{}, 256, 200);
  EXPECT_LT(q.answer_tokens, 200);
  EXPECT_GE(q.answer_tokens, 16);
  EXPECT_EQ(static_cast<int64_t>(q.tokens.size()) + q.answer_tokens, 256);
  ASSERT_EQ(q.notes.size(), 1u);
  EXPECT_NE(q.notes[0].find("limited to"), std::string::npos);

  tight.question = std::string(3000, 'z');
  EXPECT_THROW(fit_prompt(tight, tok, ChatFormat::Qwen3, ChatOptions{}, 256, 200), Error);
}

}  // namespace
}  // namespace loco
