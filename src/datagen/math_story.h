// The pieces the math generators share (math_problems.cpp, the fixed templates;
// math_stories.cpp, stories composed from interchangeable clauses): a story's cast and
// things, and what a generator makes of it.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "datagen/picker.h"
#include "datagen/word_lists.h"
#include "loco/datagen.h"

namespace loco::datagen {

struct Made {
  std::string question;
  std::vector<std::string> steps;  // "12 - 5 = 7"
  int64_t answer = 0;
};

struct Story {
  Picker& p;
  Split split;
  std::string a, b;  // two different people
  Thing obj, box, item;

  Story(Picker& picker, Split s) : p(picker), split(s) {
    std::tie(a, b) = p.pick_two(person_names(s));
    obj = p.pick(countable_things());
    box = p.pick(containers());
    item = p.pick(priced_items());
  }
  int64_t n(int64_t lo, int64_t hi) { return p.uniform(lo, hi); }
  std::string f(const std::string& text, std::vector<std::pair<std::string, std::string>> extra = {}) {
    extra.insert(extra.end(), {{"A", a}, {"B", b}, {"obj", obj.many}, {"obj1", obj.one}, {"box", box.one},
                               {"boxes", box.many}, {"item", item.one}, {"items", item.many}});
    return fill(text, extra);
  }
};

inline std::string num(int64_t v) { return std::to_string(v); }
inline std::string equation(int64_t x, const char* op, int64_t y, int64_t r) {
  return fmt::format("{} {} {} = {}", x, op, y, r);
}

// A training story composed from interchangeable clauses (math_stories.cpp): the same
// arithmetic told in many wordings, so that the adapter learns which words mean which
// operation rather than whole sentences. Never used for the evaluation split.
Made composed_story(Story& st);

// A varied training story (math_varied.cpp): a setting, at most one follow-up, a question,
// each in many wordings with common cue words for every operation.
Made varied_story(Story& st);

// Training templates written by four independent authors (math_written_a.cpp ... _d.cpp),
// none of whom read the held-out set or the other generators: many voices rather than one.
struct StoryTemplate {
  const char* name;
  int steps;
  Made (*make)(Story&);
};
const std::vector<StoryTemplate>& written_math_templates_a();
const std::vector<StoryTemplate>& written_math_templates_b();
const std::vector<StoryTemplate>& written_math_templates_c();
const std::vector<StoryTemplate>& written_math_templates_d();

// The second held-out set (math_holdout.cpp), written without reading the training
// generators, after the first held-out set had been read and so became a development
// set. `telling` are fragments of its wording that no training story may contain
// (MathProblems.TrainingAvoidsTheHeldOutFrames).
struct HeldOutTemplate {
  const char* name;
  int steps;
  std::vector<const char*> telling;
  Made (*make)(Story&);
};
const std::vector<HeldOutTemplate>& held_out_math_templates();

}  // namespace loco::datagen
