// loco-nano's data generators: every worked solution is arithmetically right, the held-out
// split shares no template, wording or name with training, the canonical Python passes its
// own tests (run by python3), passages state their answers once, and WordNet lines parse.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "cli_runner.h"
#include "datagen/word_lists.h"
#include "loco/datagen.h"
#include "loco/error.h"
#include "test_paths.h"

namespace loco::datagen {
namespace {

int64_t apply(int64_t x, char op, int64_t y) {
  switch (op) {
    case '+': return x + y;
    case '-': return x - y;
    case '*': return x * y;
    default: return y != 0 && x % y == 0 ? x / y : -999999;
  }
}

TEST(MathProblems, EveryStepIsRightAndTheAnswerIsTheLastResult) {
  for (Split split : {Split::Train, Split::Eval}) {
    const auto problems = math_problems(7, 3000, split);
    ASSERT_EQ(problems.size(), 3000u);
    const std::regex step(R"((\d+) ([-+*/]) (\d+) = (\d+))");
    for (const MathProblem& p : problems) {
      std::istringstream lines(p.solution);
      std::string line, last;
      int steps = 0;
      int64_t result = -1;
      while (std::getline(lines, line)) {
        last = line;
        std::smatch m;
        if (!std::regex_match(line, m, step)) continue;
        const int64_t x = std::stoll(m[1]), y = std::stoll(m[3]), r = std::stoll(m[4]);
        EXPECT_EQ(apply(x, m[2].str()[0], y), r) << p.question << "\n" << p.solution;
        EXPECT_LE(x, 300) << p.question;  // operands of the first step come from the story
        result = r;
        ++steps;
      }
      EXPECT_EQ(steps, p.steps) << p.solution;
      EXPECT_EQ(result, p.answer) << p.solution;
      EXPECT_EQ(last, "#### " + std::to_string(p.answer));
      EXPECT_GE(p.answer, 0) << p.question;
    }
  }
}

TEST(MathProblems, NumbersInTheStoryAreAtMostAHundred) {
  const std::regex number(R"(\d+)");
  for (const MathProblem& p : math_problems(3, 2000, Split::Eval)) {
    for (std::sregex_iterator it(p.question.begin(), p.question.end(), number), end; it != end; ++it) {
      EXPECT_LE(std::stoll(it->str()), 100) << p.question;
    }
  }
}

TEST(MathProblems, HeldOutTemplatesAndNamesNeverTrain) {
  const auto train = math_template_names(Split::Train);
  const auto eval = math_template_names(Split::Eval);
  EXPECT_GE(train.size(), 20u);
  EXPECT_GE(eval.size(), 8u);
  for (const std::string& t : eval) EXPECT_EQ(std::count(train.begin(), train.end(), t), 0) << t;
  // Every template is used, and names stay in their split.
  std::set<std::string> seen;
  for (const MathProblem& p : math_problems(1, 2000, Split::Eval)) {
    seen.insert(p.template_name);
    for (const std::string& name : person_names(Split::Train)) {
      EXPECT_EQ(p.question.find(name + " "), std::string::npos) << name << ": " << p.question;
    }
  }
  EXPECT_EQ(seen.size(), eval.size());
}

TEST(MathProblems, SameSeedSameItemsOtherSeedOthers) {
  const auto a = math_problems(11, 50, Split::Train), b = math_problems(11, 50, Split::Train);
  const auto c = math_problems(12, 50, Split::Train);
  int differing = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].question, b[i].question);
    EXPECT_EQ(a[i].solution, b[i].solution);
    differing += a[i].question != c[i].question ? 1 : 0;
  }
  EXPECT_GT(differing, 40);
  // Fixed values: the generator must not change silently (the shipped family depends on it).
  EXPECT_EQ(a[0].id, "nano-math-train-0");
  EXPECT_THROW(math_problems(1, -1, Split::Train), Error);
}

std::string python() { return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3"; }

TEST(CodeTasks, CanonicalSolutionsPassTheirTestsAndWrongOnesFail) {
  const auto tasks = code_tasks(5, 120, Split::Train);
  const auto held = code_tasks(5, 60, Split::Eval);
  // One Python program checks them all: each canonical function passes check(), and the
  // same function returning None fails it (the tests can fail).
  std::string program = "import sys\npassed = 0\nrefused = 0\n";
  auto add = [&](const CodeTask& t) {
    const std::string good = t.prompt + t.solution + t.test + "check(" + t.entry_point + ")\n";
    const std::string bad = t.prompt + "    return None\n" + t.test + "check(" + t.entry_point + ")\n";
    program += "exec(" + std::string("compile(") + "'''" + good + "''', 'good', 'exec'), {})\npassed += 1\n";
    program += "try:\n    exec(compile('''" + bad + "''', 'bad', 'exec'), {})\nexcept AssertionError:\n    refused += 1\n";
  };
  for (const CodeTask& t : tasks) add(t);
  for (const CodeTask& t : held) add(t);
  program += "print(passed, refused)\n";
  const std::string path = test::temp_dir() + "/code_tasks_check.py";
  std::ofstream(path) << program;
  const test::CliResult r = test::run_program({python(), path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "180 180\n");
}

TEST(CodeTasks, HeldOutWordingNeverTrains) {
  std::set<std::string> train_docs;
  for (const CodeTask& t : code_tasks(1, 3000, Split::Train)) train_docs.insert(t.prompt.substr(t.prompt.find("\"\"\"")));
  for (const CodeTask& t : code_tasks(1, 500, Split::Eval)) {
    EXPECT_EQ(train_docs.count(t.prompt.substr(t.prompt.find("\"\"\""))), 0u) << t.prompt;
    EXPECT_NE(t.description.find("`" + t.entry_point + "("), std::string::npos) << t.description;
  }
}

TEST(PassageQuestions, TheAnswerIsStatedOnceAndAboutTheAskedPerson) {
  for (Split split : {Split::Train, Split::Eval}) {
    for (const PassageQuestion& q : passage_questions(9, 1000, split)) {
      ASSERT_FALSE(q.answer.empty());
      const size_t at = q.passage.find(q.answer);
      ASSERT_NE(at, std::string::npos) << q.passage << " / " << q.answer;
      // A value is stated once (values are distinct among the people of a passage).
      if (std::isupper(static_cast<unsigned char>(q.answer[0])) == 0) {
        EXPECT_EQ(q.passage.find(" " + q.answer + " ", at + 1), std::string::npos) << q.passage;
      }
      EXPECT_EQ(passage_prompt(q).find("Read the following passage"), 0u);
      EXPECT_NE(passage_prompt(q).find("Question: " + q.question), std::string::npos);
    }
  }
}

TEST(PassageQuestions, EvalUsesItsOwnNames) {
  for (const PassageQuestion& q : passage_questions(2, 300, Split::Eval)) {
    for (const std::string& name : person_names(Split::Train)) {
      EXPECT_EQ(q.passage.find(name + " "), std::string::npos) << name;
      EXPECT_EQ(q.passage.find(name + "'"), std::string::npos) << name;
    }
  }
}

std::string write_wordnet(const std::string& noun_line) {
  const std::string dir = test::temp_dir() + "/wordnet";
  std::filesystem::create_directories(dir);
  const std::string licence = "  1 This software and database is being provided to you\n";
  std::ofstream(dir + "/data.noun") << licence << noun_line;
  std::ofstream(dir + "/data.verb")
      << licence
      << "01047745 29 v 02 bark 0 bay 1 001 @ 01045073 v 0000 01 + 08 00 | speak in an unfriendly tone; \"She barked into "
         "the telephone\"  \n";
  std::ofstream(dir + "/data.adj") << licence;
  std::ofstream(dir + "/data.adv") << licence;
  return dir;
}

TEST(WordNet, ParsesWordsDefinitionsAndExamples) {
  const std::string dir = write_wordnet(
      "02084071 05 n 02 dog 0 domestic_dog 0 001 @ 02083346 n 0000 | a member of the genus Canis; \"the dog "
      "barked all night\"; \"a loyal dog\"  \n"
      "00001740 03 n 01 entity 0 003 ~ 00001930 n 0000 | that which is perceived (no example: skipped)  \n");
  const auto glosses = read_wordnet(dir);
  ASSERT_EQ(glosses.size(), 2u);
  EXPECT_EQ(glosses[0].words, (std::vector<std::string>{"dog", "domestic dog"}));
  EXPECT_EQ(glosses[0].pos, 'n');
  EXPECT_EQ(glosses[0].definition, "a member of the genus Canis");
  EXPECT_EQ(glosses[0].examples, (std::vector<std::string>{"the dog barked all night", "a loyal dog"}));
  EXPECT_EQ(glosses[1].words, (std::vector<std::string>{"bark", "bay"}));
  EXPECT_EQ(glosses[1].pos, 'v');
  EXPECT_EQ(glosses[1].definition, "speak in an unfriendly tone");

  // Questions come from the glosses, answered with the definition or a usage example.
  const auto questions = general_questions(glosses, 1, 40, Split::Train);
  for (const GeneralQuestion& q : questions) {
    const bool about_dog = q.question.find("dog") != std::string::npos;
    const bool about_bark = q.question.find("bark") != std::string::npos || q.question.find("bay") != std::string::npos;
    EXPECT_TRUE(about_dog || about_bark) << q.question;
    EXPECT_TRUE(q.answer.find(about_dog ? "Canis" : "unfriendly") != std::string::npos ||
                q.answer.find(about_dog ? "dog" : "barked") != std::string::npos)
        << q.question << " -> " << q.answer;
  }
}

TEST(WordNet, MalformedFilesAreErrorsNamingFileAndLine) {
  try {
    read_wordnet(write_wordnet("02084071 05 n zz dog 0 | a dog; \"x\"\n"));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("data.noun:2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("hexadecimal"), std::string::npos) << e.what();
  }
  try {
    read_wordnet(write_wordnet("02084071 05 n 03 dog 0 | a dog; \"x\"\n"));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fewer words"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_wordnet(test::temp_dir() + "/no-such-wordnet"), Error);
}

}  // namespace
}  // namespace loco::datagen
