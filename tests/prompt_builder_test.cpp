#include <gtest/gtest.h>

#include "loco/error.h"
#include "loco/gguf.h"
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
  spec.context = "Rubric: show working.";
  spec.context_label = "rubric.md";
  auto m = build_messages(spec);
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].role, "system");
  EXPECT_EQ(m[1].content, "1+1?");
  EXPECT_EQ(m[2].role, "assistant");
  EXPECT_EQ(m[3].content, "Context (rubric.md):\nRubric: show working.\n\nQ?\nRead the question again: Q?");
}

TEST(PromptBuilder, ContextThatDoesNotFitIsAClearError) {
  GgufFile f = GgufFile::open(test::model_path("tiny-qwen3-f32.gguf"));
  Tokenizer tok = Tokenizer::from_gguf(f);
  PromptSpec spec;
  spec.question = "Summarise the rubric.";
  spec.context = std::string(3000, 'x') + " the end";
  spec.context_label = "rubric.md";
  try {
    build_prompt_tokens(spec, tok, ChatFormat::Qwen3, ChatOptions{}, 512, 128);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("rubric.md"), std::string::npos) << msg;
    EXPECT_NE(msg.find("384 fit"), std::string::npos) << msg;
  }
  spec.context = "short rubric";
  EXPECT_LE(build_prompt_tokens(spec, tok, ChatFormat::Qwen3, ChatOptions{}, 512, 128).size(), 384u);
}

}  // namespace
}  // namespace loco
