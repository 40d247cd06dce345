// Data generators for loco-nano, the built-in demonstration family (`loco data`): math
// word problems, Python tasks in HumanEval's format, reading-comprehension passages, and
// general English from WordNet's glosses. Each is a pure function of its seed: the same
// seed gives the same items on every platform (loco::Pcg32, no std distributions).
// docs/nano.md describes the templates and the held-out split.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace loco::datagen {

// Train items come from the training templates (math) or the training seeds' stream; eval
// items from templates (math) and names the training split never uses. Dev (math only):
// the first held-out templates, read while the varied training stories were written and
// so kept as a development set; Eval is the second held-out set, written without reading
// the training generators.
enum class Split { Train, Eval, Dev };

struct MathProblem {
  std::string id;
  std::string template_name;  // which template wrote it (eval templates never train)
  int steps = 1;
  std::string question;
  std::string solution;       // worked steps, then "#### N"
  std::string column_solution;  // the same steps worked column by column (column_working)
  int64_t answer = 0;
};

// One step "x op y = r" worked out column by column, e.g. column_working(61, '-', 28):
// "11 - 8 = 3 (3, borrow 1); 6 - 1 = 5, 5 - 2 = 3; so 61 - 28 = 33". Sums, differences
// and products by a one-digit number get columns; table facts and divisions stay one line.
std::string column_working(int64_t x, char op, int64_t y);

// How training problems are worded: the fixed training templates only, or three in four
// composed from interchangeable clauses (starts, gains and losses, questions, in either
// tense and several sentence shapes; template_name "composed") and one in four from the
// templates. Varied: half varied stories (a setting, at most one follow-up, a question;
// common cue words for every operation, the question sometimes first; template_name
// "varied"), a quarter composed, a quarter templates. Broad: half from the 144 templates
// written by four independent authors (src/datagen/math_written_*.cpp; template_name
// their own, "wa_..." to "wd_..."), a quarter varied, an eighth composed, an eighth
// templates. The evaluation split is the same whatever the wording.
enum class MathWording { Templates, Composed, Varied, Broad };

// `count` problems from the split's templates, each template in turn drawn at random.
std::vector<MathProblem> math_problems(uint64_t seed, int64_t count, Split split,
                                       MathWording wording = MathWording::Templates);
std::vector<std::string> math_template_names(Split split);

struct CodeTask {
  std::string id;
  std::string family;       // what the function does, e.g. "sum_list"
  std::string description;  // one sentence: "Write a Python function ..."
  std::string prompt;       // HumanEval prompt: signature and docstring
  std::string solution;     // the body, indented
  std::string test;         // def check(candidate): ...
  std::string entry_point;
};

// How training docstrings are worded: each family's fixed training wordings only, or two in
// three composed from a sentence frame and one of the family's phrasings of its result
// ("Calculate the total of a and b.", "Returns whether n is a multiple of 2.") and one in
// three from the fixed wordings. No composed docstring uses an evaluation wording's opening
// ("Give back", "Tell whether") or its phrasing of the result. The evaluation split is the
// same either way.
enum class CodeWording { Fixed, Composed };

std::vector<CodeTask> code_tasks(uint64_t seed, int64_t count, Split split, CodeWording wording = CodeWording::Fixed);

struct PassageQuestion {
  std::string id;
  std::string passage;
  std::string question;  // the question alone
  std::string answer;    // a word or short phrase that the passage states
};

// The question as LocoLLM v1's analysis set asks it (passage, then question).
std::string passage_prompt(const PassageQuestion& item);
std::vector<PassageQuestion> passage_questions(uint64_t seed, int64_t count, Split split);

// One WordNet synset: its words, part of speech and gloss (definition and examples).
struct Gloss {
  std::vector<std::string> words;  // underscores turned into spaces
  char pos = 'n';                  // n, v, a (adjectives and satellites), r
  std::string definition;
  std::vector<std::string> examples;
};

// Reads WordNet's data.noun/verb/adj/adv from `dir` (Debian's wordnet-base installs them
// in /usr/share/wordnet). Errors name the missing file or the malformed line.
std::vector<Gloss> read_wordnet(const std::string& dir);

struct GeneralQuestion {
  std::string question;
  std::string answer;
};

// Questions about words ("What does X mean?") answered from the glosses, in varied
// wording; `count` of them, drawn from `glosses` with the seed.
std::vector<GeneralQuestion> general_questions(const std::vector<Gloss>& glosses, uint64_t seed, int64_t count,
                                               Split split);

}  // namespace loco::datagen
