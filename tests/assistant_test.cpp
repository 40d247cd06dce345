// The LocoLLM pipeline on the tiny model: routing, prompts, votes sharing one prompt
// evaluation, ensembles, errors, and the confidence rules.
#include <gtest/gtest.h>

#include <map>
#include <optional>

#include <filesystem>
#include <cmath>
#include <fstream>

#include "loco/answer.h"
#include "loco/assistant.h"
#include "loco/error.h"
#include "loco/registry.h"
#include "loco/sha256.h"
#include "test_paths.h"

namespace loco {
namespace {

Registry make_registry() {
  const std::string dir = test::temp_dir();
  std::ofstream(dir + "/registry.yaml") << "adapters:\n"
      "  math:\n"
      "    type: lora-gguf\n"
      "    path: " << test::model_path("tiny-qwen3-lora-attn.gguf") << "\n"
      "    eval_type: numeric\n"
      "    router_keywords: [\"how many\", total, calculate]\n"
      "    system_prompt: \"Solve step by step.\"\n"
      "  analysis:\n"
      "    type: lora-peft\n"
      "    path: " << test::model_path("tiny-qwen3-lora-all-peft") << "\n"
      "    eval_type: analysis\n"
      "    router_keywords: [explain, passage]\n"
      "  old:\n"
      "    type: merged-gguf\n"
      "    gguf_path: old.gguf\n";
  return Registry::load(dir + "/registry.yaml");
}

struct AssistantTest : ::testing::Test {
  std::shared_ptr<const Model> model = Model::load(test::model_path("tiny-qwen3-q8_0.gguf"));
  Assistant assistant{model, make_registry(), nullptr, Assistant::Options{1024, 2, KvType::F16}};
  QueryOptions options() {
    QueryOptions q;
    q.max_tokens = 12;
    q.sampling.seed = 5;
    return q;
  }
};

// The registry's sha256 is checked when an adapter is loaded (GGUF file, or a PEFT
// directory's weights): a changed file is refused by name, the recorded one loads.
TEST(AssistantAdapterHash, ChangedAdapterFilesAreRefused) {
  const std::string dir = test::temp_dir();
  const std::string gguf = test::model_path("tiny-qwen3-lora-attn.gguf");
  const std::string peft = test::model_path("tiny-qwen3-lora-all-peft");
  const std::string good = sha256_file(gguf), good_peft = sha256_file(peft + "/adapter_model.safetensors");
  const std::string good_config = sha256_file(peft + "/adapter_config.json");
  const std::string wrong(64, 'a');
  std::ofstream(dir + "/registry.yaml") << "adapters:\n"
      "  right:\n    type: lora-gguf\n    path: " << gguf << "\n    sha256: " << good << "\n"
      "  right_peft:\n    type: lora-peft\n    path: " << peft << "\n    sha256: " << good_peft << "\n"
      "    config_sha256: " << good_config << "\n"
      "  changed:\n    type: lora-gguf\n    path: " << gguf << "\n    sha256: " << wrong << "\n"
      "  changed_peft:\n    type: lora-peft\n    path: " << peft << "\n    sha256: " << wrong << "\n"
      "  changed_peft_config:\n    type: lora-peft\n    path: " << peft << "\n    sha256: " << good_peft << "\n"
      "    config_sha256: " << wrong << "\n";
  auto model = Model::load(test::model_path("tiny-qwen3-q8_0.gguf"));
  Assistant assistant{model, Registry::load(dir + "/registry.yaml"), nullptr, Assistant::Options{256, 1, KvType::F16}};
  EXPECT_NE(assistant.adapter("right"), nullptr);
  EXPECT_NE(assistant.adapter("right_peft"), nullptr);
  for (const char* name : {"changed", "changed_peft", "changed_peft_config"}) {
    try {
      assistant.adapter(name);
      FAIL() << name;
    } catch (const Error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(std::string("adapter '") + name + "'"), std::string::npos) << what;
      EXPECT_NE(what.find("the file changed since it was registered"), std::string::npos) << what;
      if (std::string(name) == "changed_peft_config") {
        EXPECT_NE(what.find("adapter_config.json"), std::string::npos) << what;
      }
    }
  }
}

TEST_F(AssistantTest, RouterPicksTheAdapterAndExplainsWhy) {
  QueryResult r = assistant.ask("How many apples are there in total?", options());
  EXPECT_EQ(r.adapter, "math");
  EXPECT_EQ(r.eval_type, EvalType::Numeric);
  ASSERT_TRUE(r.route.has_value());
  EXPECT_NE(r.adapter_reason.find("how many"), std::string::npos) << r.adapter_reason;
  QueryResult base = assistant.ask("Hello, who are you?", options());
  EXPECT_EQ(base.adapter, "");
  EXPECT_FALSE(base.adapter_reason.empty());
}

TEST_F(AssistantTest, ExplicitChoicesAndErrors) {
  QueryOptions q = options();
  q.adapter = "none";
  EXPECT_EQ(assistant.ask("How many in total?", q).adapter, "");
  q.adapter = "analysis";
  EXPECT_EQ(assistant.ask("How many in total?", q).adapter, "analysis");
  q.adapter = "physics";
  EXPECT_THROW(assistant.ask("x", q), Error);
  q.adapter = "old";
  try {
    assistant.ask("x", q);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("merged"), std::string::npos) << e.what();
  }
}

TEST_F(AssistantTest, VotesEvaluateThePromptOnce) {
  QueryOptions q = options();
  q.votes = 5;
  q.adapter = "math";
  const uint64_t before = assistant.tokens_evaluated();
  QueryResult r = assistant.ask("What is the total of 12 and 30?", q);
  EXPECT_EQ(r.votes_requested, 5);
  EXPECT_EQ(r.prompt_tokens_evaluated, static_cast<uint64_t>(r.prompt_tokens));
  for (const Candidate& c : r.candidates) EXPECT_EQ(c.adapter, "math");
  EXPECT_EQ(r.candidates.size(), static_cast<size_t>(r.votes_sampled));
  // Everything else evaluated was generated tokens, one sequence each.
  EXPECT_LE(assistant.tokens_evaluated() - before, r.prompt_tokens + 5u * q.max_tokens);
  EXPECT_FALSE(r.agreement.empty());
}

TEST_F(AssistantTest, EnsembleEvaluatesThePromptOncePerAdapter) {
  QueryOptions q = options();
  q.ensemble = {"math", "analysis"};
  q.votes = 4;
  QueryResult r = assistant.ask("Explain the total.", q);
  EXPECT_EQ(r.adapter, "math+analysis");
  EXPECT_EQ(r.prompt_tokens_evaluated, 2u * static_cast<uint64_t>(r.prompt_tokens));
  int math = 0, analysis = 0;
  for (const Candidate& c : r.candidates) (c.adapter == "math" ? math : analysis)++;
  EXPECT_EQ(math + analysis, r.votes_sampled);
  if (!r.stopped_early) {
    EXPECT_EQ(math, 2);
  }
}

// The split of votes over an ensemble: the first adapters take the remainder, in order.
TEST_F(AssistantTest, EnsembleSplitsTheVotesEvenlyFirstTakesTheRest) {
  for (int votes : {4, 5, 7}) {
    QueryOptions q = options();
    q.ensemble = {"math", "analysis"};
    q.votes = votes;
    q.early_stop = false;
    QueryResult r = assistant.ask("Explain the total.", q);
    ASSERT_EQ(r.votes_sampled, votes);
    int math = 0, analysis = 0;
    for (const Candidate& c : r.candidates) (c.adapter == "math" ? math : analysis)++;
    EXPECT_EQ(math, (votes + 1) / 2) << votes;
    EXPECT_EQ(analysis, votes / 2) << votes;
  }
}

// Identical votes (greedy sampling) agree fully: the agreement string, its ratio, the
// answer and the confidence follow, for a keyed (numeric) and a free-text adapter.
TEST_F(AssistantTest, IdenticalVotesAgreeFully) {
  for (const char* adapter : {"math", "analysis"}) {
    QueryOptions q = options();
    q.adapter = adapter;
    q.votes = 5;
    q.vote_temperature = 0.0f;
    q.early_stop = false;
    QueryResult r = assistant.ask("How many apples are left if I eat 3 of 10?", q);
    ASSERT_EQ(r.candidates.size(), 5u) << adapter;
    for (const Candidate& c : r.candidates) EXPECT_EQ(c.text, r.candidates[0].text) << adapter;
    std::string note;
    if (std::string(adapter) == "analysis") {
      EXPECT_EQ(r.agreement, "5/5");
      EXPECT_DOUBLE_EQ(r.agreement_ratio, 1.0);
      EXPECT_EQ(r.confidence, ConfidenceLevel::High);
      EXPECT_EQ(r.text, r.candidates[0].text);
      continue;
    }
    const std::optional<std::string> extracted = extract_answer(EvalType::Numeric, r.candidates[0].text);
    EXPECT_EQ(r.answer, extracted);
    if (extracted) {
      EXPECT_EQ(r.agreement, "5/5");
      EXPECT_EQ(r.confidence, ConfidenceLevel::High);
      EXPECT_NE(r.confidence_note.find("5/5 of the attempts agree on " + *extracted), std::string::npos);
    } else {
      // Random weights rarely write a number: five empty votes are no answer, and Low.
      EXPECT_EQ(r.agreement, "0/5");
      EXPECT_EQ(r.confidence, ConfidenceLevel::Low);
      EXPECT_NE(r.confidence_note.find("no clear final answer"), std::string::npos);
    }
  }
}

// Sampled votes: the agreement string, the chosen answer and the confidence are what an
// independent count of the candidates' extracted answers gives.
TEST_F(AssistantTest, TallyFollowsTheCandidates) {
  for (uint64_t seed : {1u, 2u, 3u, 4u}) {
    QueryOptions q = options();
    q.adapter = "math";
    q.votes = 5;
    q.vote_temperature = 1.0f;
    q.early_stop = false;
    q.sampling.seed = seed;
    QueryResult r = assistant.ask("Calculate 7 times 8.", q);
    ASSERT_EQ(r.candidates.size(), 5u);
    std::map<std::string, int> counts;
    int best = 0;
    std::optional<std::string> leader;
    for (const Candidate& c : r.candidates) {
      const auto answer = extract_answer(EvalType::Numeric, c.text);
      EXPECT_EQ(c.answer, answer);
      if (!answer) continue;
      const int n = ++counts[*answer];
      if (n > best) best = n, leader = answer;
    }
    EXPECT_EQ(r.agreement, std::to_string(best) + "/5") << seed;
    EXPECT_EQ(r.answer, leader) << seed;
    const ConfidenceLevel expected = !leader ? ConfidenceLevel::Low
                                     : best >= 4 ? ConfidenceLevel::High
                                     : best >= 3 ? ConfidenceLevel::Medium
                                                 : ConfidenceLevel::Low;
    EXPECT_EQ(r.confidence, expected) << seed << " " << r.agreement;
  }
}

TEST_F(AssistantTest, RereadAndSystemPromptShapeThePrompt) {
  QueryOptions q = options();
  q.adapter = "math";
  const int32_t with = assistant.ask("Calculate 2 plus 2.", q).prompt_tokens;
  q.reread = false;
  const int32_t without = assistant.ask("Calculate 2 plus 2.", q).prompt_tokens;
  EXPECT_GT(with, without);
  q.adapter = "none";
  EXPECT_LT(assistant.ask("Calculate 2 plus 2.", q).prompt_tokens, without);  // no system prompt
}

TEST_F(AssistantTest, SeededAnswersAreReproducible) {
  QueryOptions q = options();
  q.sampling.temperature = 0.9f;
  EXPECT_EQ(assistant.ask("Tell me a story.", q).text, assistant.ask("Tell me a story.", q).text);
  q.votes = 3;
  EXPECT_EQ(assistant.ask("Tell me a story.", q).text, assistant.ask("Tell me a story.", q).text);
}

TEST_F(AssistantTest, ContextThatDoesNotFitIsAClearError) {
  QueryOptions q = options();
  q.context = {parse_context("---\nkind: specification\n---\n" + std::string(20000, 'a') + "\n", "huge.md")};
  try {
    assistant.ask("Summarise.", q);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("huge.md"), std::string::npos) << e.what();
  }
}

// An adapter's registry `context` comes with every question it answers, before the
// user's own, named as the registry names it; a missing file is an error naming both.
TEST(AssistantAdapterContext, RegistryContextEntersThePromptFirst) {
  const std::string dir = test::temp_dir();
  std::ofstream(dir + "/steps.md") << "---\nkind: template\n---\nStep 1: ...\nAnswer: N\n";
  std::ofstream(dir + "/registry.yaml") << "adapters:\n"
      "  math:\n    type: lora-gguf\n    path: " << test::model_path("tiny-qwen3-lora-attn.gguf") << "\n"
      "    context: [steps.md]\n"
      "  broken:\n    type: lora-gguf\n    path: " << test::model_path("tiny-qwen3-lora-attn.gguf") << "\n"
      "    context: [nope.md]\n";
  const Registry registry = Registry::load(dir + "/registry.yaml");
  ASSERT_EQ(registry.find("math")->context, std::vector<std::string>{"steps.md"});
  EXPECT_NE(registry.to_yaml().find("context: [\"steps.md\"]"), std::string::npos) << registry.to_yaml();
  auto model = Model::load(test::model_path("tiny-qwen3-q8_0.gguf"));
  Assistant assistant{model, registry, nullptr, Assistant::Options{512, 1, KvType::F16}};
  QueryOptions q;
  q.max_tokens = 8;
  q.adapter = "math";
  q.context = {parse_context("Apples are red.\n", "notes.md")};
  const PreparedQuery p = assistant.prepare("How many apples?", q);
  ASSERT_EQ(p.context.sections.size(), 2u);
  EXPECT_EQ(p.context.sections[0].source, "steps.md");
  EXPECT_TRUE(p.context.sections[0].mandatory);
  EXPECT_EQ(p.context.sections[1].source, "notes.md");
  EXPECT_EQ(p.context.used_count(), 2u);
  const std::string text = assistant.tokenizer().decode(p.prompt);
  EXPECT_NE(text.find("Give the answer in this structure (steps.md):\nStep 1: ...\nAnswer: N"), std::string::npos) << text;
  EXPECT_LT(text.find("Apples are red."), text.find("Step 1:")) << text;  // excerpts before instructions
  q.adapter = "none";
  EXPECT_EQ(assistant.prepare("How many apples?", q).context.sections.size(), 1u);  // the base has no registry context
  q.adapter = "broken";
  try {
    assistant.prepare("How many apples?", q);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("adapter 'broken': its context: " + dir + "/nope.md: no such file"),
              std::string::npos) << e.what();
  }
}

QueryResult result(EvalType type, int sampled, const std::string& agreement, double ratio,
                   std::optional<std::string> answer, double mean_log_prob = -0.1) {
  QueryResult r;
  r.eval_type = type;
  r.votes_sampled = sampled;
  r.agreement = agreement;
  r.agreement_ratio = ratio;
  r.answer = std::move(answer);
  r.mean_log_prob = mean_log_prob;
  return r;
}

TEST(Confidence, RulesInPlainWords) {
  std::string note;
  EXPECT_EQ(judge_confidence(result(EvalType::Numeric, 5, "5/5", 1.0, "42"), note), ConfidenceLevel::High);
  EXPECT_NE(note.find("5/5"), std::string::npos);
  EXPECT_EQ(judge_confidence(result(EvalType::Numeric, 5, "4/5", 0.8, "42"), note), ConfidenceLevel::High);
  EXPECT_EQ(judge_confidence(result(EvalType::Numeric, 5, "3/5", 0.6, "42"), note), ConfidenceLevel::Medium);
  EXPECT_EQ(judge_confidence(result(EvalType::Numeric, 5, "2/5", 0.4, "42"), note), ConfidenceLevel::Low);
  EXPECT_NE(note.find("check"), std::string::npos);
  EXPECT_EQ(judge_confidence(result(EvalType::Numeric, 1, "1/1", 1.0, std::nullopt), note), ConfidenceLevel::Low);
  EXPECT_NE(note.find("final answer"), std::string::npos);
  EXPECT_EQ(judge_confidence(result(EvalType::FreeText, 1, "1/1", 1.0, "x", std::log(0.9)), note), ConfidenceLevel::High);
  EXPECT_EQ(judge_confidence(result(EvalType::FreeText, 1, "1/1", 1.0, "x", std::log(0.6)), note), ConfidenceLevel::Medium);
  EXPECT_EQ(judge_confidence(result(EvalType::FreeText, 1, "1/1", 1.0, "x", std::log(0.3)), note), ConfidenceLevel::Low);
  EXPECT_EQ(judge_confidence(result(EvalType::Code, 4, "0/4", 0.0, std::nullopt), note), ConfidenceLevel::Low);
  EXPECT_NE(note.find("none of the 4 programs"), std::string::npos);
  // A code answer the sandbox could not run is a draft, even when the votes agree in text.
  QueryResult unrun = result(EvalType::Code, 1, "1/1", 1.0, "def f(): pass", std::log(0.95));
  unrun.code_check = CodeCheck::SandboxUnavailable;
  EXPECT_EQ(judge_confidence(unrun, note), ConfidenceLevel::Low);
  EXPECT_NE(note.find("not run"), std::string::npos);
}

// A vote decided from known candidates: the agreement string, the chosen answer and
// text, and the confidence level and its words.
QueryResult voted(EvalType type, int requested, const std::vector<std::optional<std::string>>& answers) {
  QueryResult r;
  r.eval_type = type;
  r.votes_requested = requested;
  for (size_t i = 0; i < answers.size(); ++i) {
    r.candidates.push_back(Candidate{"math", "text " + std::to_string(i), answers[i], -0.1 * static_cast<double>(i),
                                     StopReason::EndOfTurn, false});
  }
  settle_vote(r);
  return r;
}

TEST(SettleVote, KnownCandidatesGiveKnownResults) {
  QueryResult r = voted(EvalType::Numeric, 5, {"41", "42", "42", std::nullopt, "42"});
  EXPECT_EQ(r.votes_sampled, 5);
  EXPECT_EQ(r.agreement, "3/5");
  EXPECT_DOUBLE_EQ(r.agreement_ratio, 0.6);
  EXPECT_EQ(r.answer, "42");
  EXPECT_EQ(r.text, "text 1");  // the first candidate with the winning answer
  EXPECT_DOUBLE_EQ(r.mean_log_prob, -0.1);
  EXPECT_EQ(r.confidence, ConfidenceLevel::Medium);
  EXPECT_NE(r.confidence_note.find("only 3/5 of the attempts agree on 42"), std::string::npos) << r.confidence_note;

  r = voted(EvalType::Numeric, 5, {"7", "7", "7", "7", "8"});
  EXPECT_EQ(r.agreement, "4/5");
  EXPECT_EQ(r.confidence, ConfidenceLevel::High);

  r = voted(EvalType::Numeric, 5, {"1", "2", "3", "4", "5"});  // a tie of ones: the first
  EXPECT_EQ(r.agreement, "1/5");
  EXPECT_EQ(r.answer, "1");
  EXPECT_EQ(r.confidence, ConfidenceLevel::Low);

  r = voted(EvalType::Numeric, 5, {std::nullopt, std::nullopt, std::nullopt});
  EXPECT_EQ(r.agreement, "0/3");
  EXPECT_FALSE(r.answer.has_value());
  EXPECT_EQ(r.confidence, ConfidenceLevel::Low);
  EXPECT_NE(r.confidence_note.find("no clear final answer"), std::string::npos);

  // Stopped early after 3 of 5 planned, all agreeing: 3 of 5 is the evidence.
  r = voted(EvalType::MultipleChoice, 5, {"B", "B", "B"});
  EXPECT_EQ(r.agreement, "3/3");
  EXPECT_EQ(r.answer, "B");
  EXPECT_EQ(r.confidence, ConfidenceLevel::Medium);
  EXPECT_NE(r.confidence_note.find("3 of 5 planned"), std::string::npos) << r.confidence_note;

  // Free text: the medoid of near-identical answers, four of five supporting it.
  r = voted(EvalType::Analysis, 5,
            {"The passage says the river floods in spring.", "The passage says the river floods in spring.",
             "Bananas are yellow and grow in bunches.", "The passage says the river floods in spring.",
             "The passage says the river floods in spring."});
  EXPECT_EQ(r.agreement, "4/5");
  EXPECT_EQ(r.answer, "The passage says the river floods in spring.");
  EXPECT_EQ(r.text, "text 0");
  EXPECT_EQ(r.confidence, ConfidenceLevel::High);
}

// Stopping early cannot raise confidence: 3 agreeing of 5 planned is Medium whether the
// other 2 were drawn (3/5) or skipped because they could not change the answer (3/3).
TEST(Confidence, DoesNotDependOnEarlyStopping) {
  std::string note;
  QueryResult stopped = result(EvalType::Numeric, 3, "3/3", 1.0, "42");
  stopped.votes_requested = 5;
  stopped.stopped_early = true;
  QueryResult full = result(EvalType::Numeric, 5, "3/5", 0.6, "42");
  full.votes_requested = 5;
  EXPECT_EQ(judge_confidence(stopped, note), ConfidenceLevel::Medium);
  EXPECT_NE(note.find("stopped after 3 of 5 planned"), std::string::npos) << note;
  // Counted against the plan, never "only 3/3", which reads as unanimity.
  EXPECT_EQ(note.find("3/3"), std::string::npos) << note;
  EXPECT_EQ(note.rfind("3 of 5 planned attempts agree on 42", 0), 0u) << note;
  EXPECT_EQ(judge_confidence(full, note), ConfidenceLevel::Medium);
  EXPECT_EQ(note.find("stopped"), std::string::npos) << note;
  // 4 agreeing of 5 planned is High either way.
  QueryResult four = result(EvalType::Numeric, 4, "4/4", 1.0, "42");
  four.votes_requested = 5;
  EXPECT_EQ(judge_confidence(four, note), ConfidenceLevel::High);
}

}  // namespace
}  // namespace loco
