// loco-nano's data generators: every worked solution is arithmetically right, the held-out
// split shares no template, wording or name with training, the canonical Python passes its
// own tests (run by python3), passages state their answers once, and WordNet lines parse.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "cli_runner.h"
#include "datagen/math_story.h"
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

// "x op y = r" -> its four parts (std::regex trips GCC 12's maybe-uninitialized at -O1).
bool parse_step(const std::string& line, int64_t& x, char& op, int64_t& y, int64_t& r) {
  std::istringstream in(line);
  std::string eq;
  return static_cast<bool>(in >> x >> op >> y >> eq >> r) && eq == "=" && in.peek() == EOF &&
         std::string("+-*/").find(op) != std::string::npos;
}

std::vector<int64_t> numbers_in(const std::string& text) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < text.size();) {
    if (std::isdigit(static_cast<unsigned char>(text[i])) == 0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j])) != 0) ++j;
    out.push_back(std::stoll(text.substr(i, j - i)));
    i = j;
  }
  return out;
}

TEST(MathProblems, EveryStepIsRightAndTheAnswerIsTheLastResult) {
  for (Split split : {Split::Train, Split::Eval, Split::Dev}) {
    const auto problems = math_problems(7, 3000, split);
    ASSERT_EQ(problems.size(), 3000u);
    for (const MathProblem& p : problems) {
      std::istringstream lines(p.solution);
      std::string line, last;
      int steps = 0;
      int64_t result = -1;
      while (std::getline(lines, line)) {
        last = line;
        int64_t x = 0, y = 0, r = 0;
        char op = 0;
        if (!parse_step(line, x, op, y, r)) continue;
        EXPECT_EQ(apply(x, op, y), r) << p.question << "\n" << p.solution;
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
  for (Split split : {Split::Train, Split::Eval, Split::Dev}) {
    for (const MathProblem& p : math_problems(3, 2000, split)) {
      // Training's sharing template reaches 9 x 12 = 108; the held-out sets stay within 100.
      const int64_t limit = split == Split::Train ? 108 : 100;
      for (int64_t v : numbers_in(p.question)) EXPECT_LE(v, limit) << p.question;
    }
  }
}

TEST(MathProblems, HeldOutTemplatesAndNamesNeverTrain) {
  const auto train = math_template_names(Split::Train);
  for (Split split : {Split::Eval, Split::Dev}) {
    const auto held = math_template_names(split);
    EXPECT_GE(train.size(), 20u);
    EXPECT_GE(held.size(), 8u);
    for (const std::string& t : held) EXPECT_EQ(std::count(train.begin(), train.end(), t), 0) << t;
    // Every template is used, and names stay in their split.
    std::set<std::string> seen;
    for (const MathProblem& p : math_problems(1, 2000, split)) {
      seen.insert(p.template_name);
      for (const std::string& name : person_names(Split::Train)) {
        EXPECT_EQ(p.question.find(name + " "), std::string::npos) << name << ": " << p.question;
      }
    }
    EXPECT_EQ(seen.size(), held.size());
  }
  // The two held-out sets are different templates.
  for (const std::string& t : math_template_names(Split::Eval)) {
    const auto dev = math_template_names(Split::Dev);
    EXPECT_EQ(std::count(dev.begin(), dev.end(), t), 0) << t;
  }
  // Only math has a development split.
  EXPECT_THROW(code_tasks(1, 1, Split::Dev), Error);
  EXPECT_THROW(passage_questions(1, 1, Split::Dev), Error);
}

TEST(MathProblems, ComposedVariedAndBroadWordingsAreRightArithmeticWithinAHundred) {
  std::set<std::string> written_seen;
  for (MathWording wording : {MathWording::Composed, MathWording::Varied, MathWording::Broad}) {
    const auto problems = math_problems(5, 4000, Split::Train, wording);
    ASSERT_EQ(problems.size(), 4000u);
    std::map<std::string, int> kinds;
    for (const MathProblem& p : problems) {
      const bool written = p.template_name.size() > 3 && p.template_name[0] == 'w' && p.template_name[2] == '_';
      if (written) written_seen.insert(p.template_name);
      ++kinds[written ? "written"
              : p.template_name == "composed" || p.template_name == "varied" ? p.template_name
                                                                               : "template"];
      EXPECT_EQ(p.question.find('{'), std::string::npos) << p.question;  // every slot filled
      EXPECT_EQ(p.question.find("  "), std::string::npos) << p.question;
      std::istringstream lines(p.solution);
      int steps = 0;
      int64_t result = -1;
      for (std::string line; std::getline(lines, line);) {
        int64_t x = 0, y = 0, r = 0;
        char op = 0;
        if (!parse_step(line, x, op, y, r)) continue;
        EXPECT_EQ(apply(x, op, y), r) << p.question << "\n" << p.solution;
        EXPECT_GE(r, 0) << p.question;
        result = r;
        ++steps;
      }
      EXPECT_EQ(steps, p.steps) << p.solution;
      EXPECT_EQ(result, p.answer) << p.solution;
      for (int64_t v : numbers_in(p.question)) EXPECT_LE(v, 108) << p.question;
    }
    if (wording == MathWording::Composed) {  // three in four composed, the rest templates
      EXPECT_GT(kinds["composed"], 2800);
      EXPECT_LT(kinds["composed"], 3200);
    } else if (wording == MathWording::Varied) {  // half varied, a quarter composed, a quarter templates
      EXPECT_GT(kinds["varied"], 1850);
      EXPECT_LT(kinds["varied"], 2150);
      EXPECT_GT(kinds["composed"], 850);
      EXPECT_GT(kinds["template"], 850);
    } else {  // half written, a quarter varied, an eighth composed, an eighth templates
      EXPECT_GT(kinds["written"], 1850);
      EXPECT_LT(kinds["written"], 2150);
      EXPECT_GT(kinds["varied"], 850);
      EXPECT_GT(kinds["composed"], 400);
      EXPECT_GT(kinds["template"], 400);
    }
  }
  // Every written template is drawn (four authors, 36 each).
  EXPECT_EQ(written_seen.size(), 144u);
  // The evaluation split does not depend on the wording.
  for (Split split : {Split::Eval, Split::Dev}) {
    const auto a = math_problems(3, 50, split, MathWording::Varied), b = math_problems(3, 50, split);
    for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].question, b[i].question);
  }
}

TEST(MathProblems, ComposedStoriesAvoidTheDevelopmentFrames) {
  // The telling fragments of each template of the first held-out set (now the development
  // set): none appears in the training wordings written before it was read. The varied
  // stories were written after, and use some of its words ("fewer", "rows of").
  const std::vector<std::pair<std::string, std::vector<std::string>>> frames = {
      {"eval_lost_remaining", {"after losing", "still keep"}},
      {"eval_collected_sum", {"and another", "what is the total number of"}},
      {"eval_children_bring", {"children each bring", "to school"}},
      {"eval_split_bags", {"splits", "equal piles", "in one pile"}},
      {"eval_fewer_than", {"fewer", " owns "}},
      {"eval_bus_trip", {"bus ride", "walk from the stop", "whole trip"}},
      {"eval_price_of_several", {" wants ", "cost of all of them"}},
      {"eval_bought_then_ate", {"for a pie", "were not used"}},
      {"eval_rows_plus", {"rows of", "by the gate"}},
      {"eval_change_after", {"costing", "receive"}},
  };
  auto lower = [](std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  };
  // Each evaluation template shows its fragments (so the list describes them all)...
  std::set<std::string> described;
  for (const MathProblem& p : math_problems(2, 1000, Split::Dev)) {
    for (const auto& [name, fragments] : frames) {
      if (p.template_name != name) continue;
      for (const std::string& f : fragments) {
        EXPECT_NE(lower(p.question).find(f), std::string::npos) << name << " lacks '" << f << "': " << p.question;
      }
      described.insert(name);
    }
  }
  EXPECT_EQ(described.size(), math_template_names(Split::Dev).size());
  // ...and no training item, composed or templated, does.
  std::set<std::string> shapes;
  for (MathWording wording : {MathWording::Templates, MathWording::Composed}) {
    for (const MathProblem& p : math_problems(9, 20000, Split::Train, wording)) {
      const std::string q = lower(p.question);
      for (const auto& [name, fragments] : frames) {
        for (const std::string& f : fragments) EXPECT_EQ(q.find(f), std::string::npos) << name << ": " << p.question;
      }
      std::string shape;  // the question with its numbers blanked
      for (char c : q) {
        if (!std::isdigit(static_cast<unsigned char>(c))) shape += c;
        else if (shape.empty() || shape.back() != '#') shape += '#';
      }
      if (wording == MathWording::Composed) shapes.insert(shape);
    }
  }
  // Many wordings, not a few templates: distinct questions once the numbers are blanked.
  EXPECT_GT(shapes.size(), 10000u);
}

TEST(MathProblems, TrainingAvoidsTheHeldOutFrames) {
  auto lower = [](std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  };
  // Every held-out template shows its telling fragments in every question...
  std::set<std::string> described;
  for (const MathProblem& p : math_problems(2, 2000, Split::Eval)) {
    for (const HeldOutTemplate& t : held_out_math_templates()) {
      if (p.template_name != t.name) continue;
      ASSERT_GE(t.telling.size(), 2u) << t.name;
      for (const char* f : t.telling) {
        EXPECT_NE(lower(p.question).find(f), std::string::npos) << t.name << " lacks '" << f << "': " << p.question;
      }
      described.insert(t.name);
    }
  }
  EXPECT_EQ(described.size(), held_out_math_templates().size());
  // ...and no training item, whatever its wording, shows any of them.
  std::set<std::string> shapes;
  for (MathWording wording : {MathWording::Templates, MathWording::Composed, MathWording::Varied, MathWording::Broad}) {
    for (const MathProblem& p : math_problems(9, 20000, Split::Train, wording)) {
      const std::string q = lower(p.question);
      for (const HeldOutTemplate& t : held_out_math_templates()) {
        for (const char* f : t.telling) EXPECT_EQ(q.find(f), std::string::npos) << t.name << " '" << f << "': " << p.question;
      }
      if (wording != MathWording::Varied || p.template_name != "varied") continue;
      std::string shape;  // the question with its numbers blanked
      for (char c : q) {
        if (!std::isdigit(static_cast<unsigned char>(c))) shape += c;
        else if (shape.empty() || shape.back() != '#') shape += '#';
      }
      shapes.insert(shape);
    }
  }
  EXPECT_GT(shapes.size(), 5000u);
}

TEST(ColumnArithmetic, HandWorkedCases) {
  EXPECT_EQ(column_working(47, '+', 38), "7 + 8 = 15 (5, carry 1); 4 + 3 + 1 = 8; so 47 + 38 = 85");
  EXPECT_EQ(column_working(61, '-', 28), "11 - 8 = 3 (3, borrow 1); 6 - 1 = 5, 5 - 2 = 3; so 61 - 28 = 33");
  EXPECT_EQ(column_working(100, '-', 7), "10 - 7 = 3 (3, borrow 1); 10 - 1 = 9, 9 - 0 = 9 (9, borrow 1); 1 - 1 = 0, "
                                         "so 100 - 7 = 93");
  EXPECT_EQ(column_working(5, '*', 60), "0 * 5 = 0 (0); 6 * 5 = 30; so 5 * 60 = 300");
  EXPECT_EQ(column_working(7, '*', 8), "so 7 * 8 = 56");
  EXPECT_EQ(column_working(99, '/', 9), "so 99 / 9 = 11");
  EXPECT_EQ(column_working(3, '+', 4), "so 3 + 4 = 7");
}

// Every column statement is a true fact, and the result is right, over all small operands.
TEST(ColumnArithmetic, EveryColumnIsATrueFact) {
  for (int64_t x = 0; x <= 150; ++x) {
    for (int64_t y = 0; y <= 120; ++y) {
      for (char op : {'+', '-', '*'}) {
        if (op == '-' && y > x) continue;
        if (op == '*' && y > 12) continue;
        const std::string w = column_working(x, op, y);
        const int64_t r = op == '+' ? x + y : op == '-' ? x - y : x * y;
        ASSERT_EQ(w.substr(w.rfind("so ")), fmt::format("so {} {} {} = {}", x, op, y, r)) << w;
        std::istringstream parts(w.substr(0, w.rfind("so ")));
        for (std::string part; std::getline(parts, part, ';');) {
          std::istringstream facts(part);
          for (std::string fact; std::getline(facts, fact, ',');) {
            if (fact.find('=') == std::string::npos) continue;
            std::istringstream in(fact);
            int64_t a = 0, b = 0, c = 0, v = 0;
            char o1 = 0, o2 = 0;
            std::string eq;
            in >> a >> o1 >> b >> eq;
            if (eq == "=") {
              in >> v;
              ASSERT_EQ(apply(a, o1, b), v) << fact << " in " << w;
            } else {
              o2 = eq[0];
              in >> c >> eq >> v;
              const int64_t ab = apply(a, o1, b);
              ASSERT_EQ(o2 == '+' ? ab + c : ab - c, v) << fact << " in " << w;
            }
          }
        }
      }
    }
  }
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
  auto tasks = code_tasks(5, 120, Split::Train);
  for (CodeTask& t : code_tasks(6, 120, Split::Train, CodeWording::Composed)) tasks.push_back(std::move(t));
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
  EXPECT_EQ(r.out, "300 300\n");
}

TEST(CodeTasks, HeldOutWordingNeverTrains) {
  std::set<std::string> train_docs;
  for (const CodeTask& t : code_tasks(1, 3000, Split::Train)) train_docs.insert(t.prompt.substr(t.prompt.find("\"\"\"")));
  for (const CodeTask& t : code_tasks(1, 500, Split::Eval)) {
    EXPECT_EQ(train_docs.count(t.prompt.substr(t.prompt.find("\"\"\""))), 0u) << t.prompt;
    EXPECT_NE(t.description.find("`" + t.entry_point + "("), std::string::npos) << t.description;
  }
}

// The docstring between the triple quotes, lower case, with every digit as '#' (so the
// family's constant does not matter) and without the final full stop.
std::string docstring_shape(const CodeTask& t) {
  const size_t a = t.prompt.find("\"\"\"") + 3;
  std::string doc = t.prompt.substr(a, t.prompt.rfind("\"\"\"") - a);
  for (char& c : doc) {
    c = std::isdigit(static_cast<unsigned char>(c)) ? '#' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (!doc.empty() && doc.back() == '.') doc.pop_back();
  return doc;
}

TEST(CodeTasks, ComposedDocstringsAvoidTheEvaluationWordings) {
  // Each family's evaluation wording: its two-word opening ("give back", "tell whether")
  // and the phrase after it. No composed training docstring may use either.
  std::map<std::string, std::string> eval_phrase;
  std::set<std::string> eval_openings;
  for (const CodeTask& t : code_tasks(1, 500, Split::Eval)) {
    const std::string doc = docstring_shape(t);
    const size_t second = doc.find(' ', doc.find(' ') + 1);
    ASSERT_NE(second, std::string::npos) << doc;
    eval_openings.insert(doc.substr(0, second));
    eval_phrase[t.family] = doc.substr(second + 1);
  }
  EXPECT_EQ(eval_openings, (std::set<std::string>{"give back", "tell whether"}));
  std::set<std::string> fixed, composed;
  for (const CodeTask& t : code_tasks(1, 3000, Split::Train)) fixed.insert(docstring_shape(t));
  for (const CodeTask& t : code_tasks(1, 3000, Split::Train, CodeWording::Composed)) {
    const std::string doc = docstring_shape(t);
    for (const std::string& opening : eval_openings) EXPECT_NE(doc.rfind(opening, 0), 0u) << doc;
    ASSERT_EQ(eval_phrase.count(t.family), 1u) << t.family;
    EXPECT_EQ(doc.find(eval_phrase[t.family]), std::string::npos) << t.family << ": " << doc;
    composed.insert(doc);
  }
  // Composed wording adds many docstrings beside the fixed ones, and keeps some fixed ones.
  size_t new_ones = 0, kept = 0;
  for (const std::string& d : composed) (fixed.count(d) ? kept : new_ones) += 1;
  EXPECT_GT(new_ones, 5 * fixed.size()) << new_ones << " new, " << fixed.size() << " fixed";
  EXPECT_GT(kept, 0u);
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

namespace loco::datagen {
namespace {

std::vector<std::string> file_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(DataCli, WritesTrainAndEvalFormatsThatTrainingAndEvalRead) {
  const std::string dir = test::temp_dir();
  const std::string train = dir + "/math-train.jsonl", eval = dir + "/math-eval.jsonl", code = dir + "/code-eval.jsonl";
  ASSERT_EQ(test::run_loco({"data", "math", "--count", "5", "--seed", "4", "-o", train}).exit_code, 0);
  ASSERT_EQ(test::run_loco({"data", "math", "--count", "5", "--seed", "4", "--split", "eval", "-o", eval}).exit_code, 0);
  const std::string dev = dir + "/math-dev.jsonl";
  ASSERT_EQ(test::run_loco({"data", "math", "--count", "5", "--seed", "4", "--split", "dev", "-o", dev}).exit_code, 0);
  EXPECT_NE(file_lines(dev)[0].find("\"eval_type\":\"numeric\""), std::string::npos);  // dev defaults to eval's format
  ASSERT_EQ(test::run_loco({"data", "code", "--count", "3", "--split", "eval", "-o", code}).exit_code, 0);
  EXPECT_EQ(file_lines(train).size(), 5u);
  EXPECT_NE(file_lines(train)[0].find("\"question\""), std::string::npos);
  EXPECT_NE(file_lines(eval)[0].find("\"eval_type\":\"numeric\""), std::string::npos);
  EXPECT_NE(file_lines(code)[0].find("\"entry_point\""), std::string::npos);
  // The same command writes the same bytes; stdout is the default output.
  const test::CliResult again = test::run_loco({"data", "math", "--count", "5", "--seed", "4"});
  ASSERT_EQ(again.exit_code, 0);
  std::string joined;
  for (const std::string& l : file_lines(train)) joined += l + "\n";
  EXPECT_EQ(again.out, joined);
}

TEST(DataCli, BadRequestsAreOneLineErrorsOrUsageErrors) {
  test::expect_one_line_error(
      test::run_loco({"data", "general", "--count", "2", "--wordnet", test::temp_dir() + "/nowhere"}), "wordnet-base");
  // A path under a regular file can be neither created nor written.
  const std::string blocker = test::temp_dir() + "/data-cli-blocker";
  std::ofstream(blocker) << "x";
  test::expect_one_line_error(test::run_loco({"data", "math", "-o", blocker + "/x.jsonl"}), "cannot create");
  EXPECT_EQ(test::run_loco({"data", "poetry"}).exit_code, 2);
  EXPECT_EQ(test::run_loco({"data", "math", "--count", "-3"}).exit_code, 2);
  EXPECT_EQ(test::run_loco({"data", "math", "--split", "test"}).exit_code, 2);
  // The development split and the varied wording are math's alone.
  test::expect_one_line_error(test::run_loco({"data", "code", "--split", "dev"}), "only for math");
  test::expect_one_line_error(test::run_loco({"data", "analysis", "--wording", "varied"}), "only for math");
}

}  // namespace
}  // namespace loco::datagen
