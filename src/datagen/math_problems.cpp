// Arithmetic word problems for loco-nano's math adapter: one to three steps, whole numbers,
// operands up to 100, a worked solution of one equation per step ending "#### N". Each
// template is a way of telling a story; the held-out templates (math_holdout.cpp) tell
// stories (and use names) that training never shows, so their score measures phrasing the
// model did not see.
#include <fmt/format.h>

#include <cstdio>
#include <functional>
#include <stdexcept>

#include "datagen/math_story.h"
#include "loco/datagen.h"
#include "loco/error.h"

namespace loco::datagen {
namespace {

std::string s(int64_t v) { return num(v); }
std::string eq(int64_t x, const char* op, int64_t y, int64_t r) { return equation(x, op, y, r); }

struct Template {
  const char* name;
  Split split;
  int steps;
  std::function<Made(Story&)> make;
};

// One sentence or the other first: the same story told in two orders.
std::string either(Story& st, const std::string& first, const std::string& second) {
  return st.p.coin() ? first + " " + second : second + " " + first;
}

const std::vector<Template>& templates() {
  static const std::vector<Template> all = {
      // ---- one step, training ----
      {"add_gets_more", Split::Train, 1, [](Story& st) {
         const int64_t x = st.n(2, 60), y = st.n(2, 40);
         return Made{st.f("{A} has {x} {obj}. {B} gives {A} {y} more {obj}. How many {obj} does {A} have now?",
                          {{"x", s(x)}, {"y", s(y)}}), {eq(x, "+", y, x + y)}, x + y};
       }},
      {"add_two_people", Split::Train, 1, [](Story& st) {
         const int64_t x = st.n(2, 70), y = st.n(2, 70);
         return Made{st.f("{A} has {x} {obj} and {B} has {y} {obj}. How many {obj} do they have altogether?",
                          {{"x", s(x)}, {"y", s(y)}}), {eq(x, "+", y, x + y)}, x + y};
       }},
      {"add_two_days", Split::Train, 1, [](Story& st) {
         const int64_t x = st.n(2, 60), y = st.n(2, 60);
         return Made{either(st, st.f("On Monday {A} found {x} {obj}.", {{"x", s(x)}}),
                            st.f("On Tuesday {A} found {y} more.", {{"y", s(y)}})) +
                         st.f(" How many {obj} did {A} find in total?"),
                     {eq(x, "+", y, x + y)}, x + y};
       }},
      {"sub_gives_away", Split::Train, 1, [](Story& st) {
         const int64_t y = st.n(1, 40), x = y + st.n(1, 50);
         return Made{st.f("{A} had {x} {obj} and gave {y} of them to {B}. How many {obj} does {A} have left?",
                          {{"x", s(x)}, {"y", s(y)}}), {eq(x, "-", y, x - y)}, x - y};
       }},
      {"sub_eats", Split::Train, 1, [](Story& st) {
         const int64_t y = st.n(1, 30), x = y + st.n(1, 60);
         return Made{st.f("There are {x} {obj} in a {box}. {A} takes out {y}. How many {obj} are still in the {box}?",
                          {{"x", s(x)}, {"y", s(y)}}), {eq(x, "-", y, x - y)}, x - y};
       }},
      {"sub_compare", Split::Train, 1, [](Story& st) {
         const int64_t y = st.n(1, 50), x = y + st.n(1, 45);
         return Made{st.f("{A} has {x} {obj}. {B} has {y} {obj}. How many more {obj} does {A} have than {B}?",
                          {{"x", s(x)}, {"y", s(y)}}), {eq(x, "-", y, x - y)}, x - y};
       }},
      {"mul_each_box", Split::Train, 1, [](Story& st) {
         const int64_t x = st.n(2, 10), y = st.n(2, 12);
         return Made{either(st, st.f("There are {x} {boxes}.", {{"x", s(x)}}),
                            st.f("Each {box} holds {y} {obj}.", {{"y", s(y)}})) +
                         st.f(" How many {obj} are there in all?"),
                     {eq(x, "*", y, x * y)}, x * y};
       }},
      {"mul_per_day", Split::Train, 1, [](Story& st) {
         const int64_t x = st.n(2, 12), d = st.n(2, 9);
         return Made{st.f("{A} reads {x} pages every day. How many pages does {A} read in {d} days?",
                          {{"x", s(x)}, {"d", s(d)}}), {eq(x, "*", d, x * d)}, x * d};
       }},
      {"div_share", Split::Train, 1, [](Story& st) {
         const int64_t k = st.n(2, 9), q = st.n(2, 12), x = k * q;
         return Made{st.f("{A} shares {x} {obj} equally among {k} friends. How many {obj} does each friend get?",
                          {{"x", s(x)}, {"k", s(k)}}), {eq(x, "/", k, q)}, q};
       }},
      {"div_groups", Split::Train, 1, [](Story& st) {
         const int64_t k = st.n(2, 10), q = st.n(2, 10), x = k * q;
         return Made{st.f("{A} puts {x} {obj} into {boxes}, with {k} {obj} in each {box}. How many {boxes} does {A} fill?",
                          {{"x", s(x)}, {"k", s(k)}}), {eq(x, "/", k, q)}, q};
       }},
      {"money_buy_many", Split::Train, 1, [](Story& st) {
         const int64_t price = st.n(2, 15), k = st.n(2, 8);
         return Made{st.f("A {item} costs ${p}. {A} buys {k} {items}. How many dollars does {A} spend?",
                          {{"p", s(price)}, {"k", s(k)}}), {eq(k, "*", price, k * price)}, k * price};
       }},
      {"money_change", Split::Train, 1, [](Story& st) {
         const int64_t price = st.n(3, 60), paid = price + st.n(1, 40);
         return Made{st.f("{A} has ${x} and spends ${y} on a {item}. How much money does {A} have left?",
                          {{"x", s(paid)}, {"y", s(price)}}), {eq(paid, "-", price, paid - price)}, paid - price};
       }},
      {"money_save", Split::Train, 1, [](Story& st) {
         const int64_t x = st.n(5, 60), y = st.n(5, 40);
         return Made{st.f("{A} saved ${x} in May and ${y} in June. How much did {A} save in those two months?",
                          {{"x", s(x)}, {"y", s(y)}}), {eq(x, "+", y, x + y)}, x + y};
       }},
      {"time_total", Split::Train, 1, [](Story& st) {
         const int64_t x = st.n(5, 60), y = st.n(5, 60);
         return Made{st.f("{A} practised the piano for {x} minutes before lunch and {y} minutes after lunch. "
                          "How many minutes did {A} practise?", {{"x", s(x)}, {"y", s(y)}}),
                     {eq(x, "+", y, x + y)}, x + y};
       }},
      {"time_remaining", Split::Train, 1, [](Story& st) {
         const int64_t y = st.n(5, 50), x = y + st.n(5, 50);
         return Made{st.f("A film is {x} minutes long. {A} has watched {y} minutes of it. How many minutes are left?",
                          {{"x", s(x)}, {"y", s(y)}}), {eq(x, "-", y, x - y)}, x - y};
       }},
      {"time_hours", Split::Train, 1, [](Story& st) {
         const int64_t h = st.n(2, 5);
         return Made{st.f("{A} walked for {h} hours. How many minutes is that?", {{"h", s(h)}}),
                     {eq(h, "*", 60, h * 60)}, h * 60};
       }},
      // ---- two and three steps, training ----
      {"add_then_sub", Split::Train, 2, [](Story& st) {
         const int64_t x = st.n(5, 50), y = st.n(2, 40), z = st.n(1, x + y - 1);
         return Made{st.f("{A} had {x} {obj}. Then {A} bought {y} more and gave {z} to {B}. "
                          "How many {obj} does {A} have now?", {{"x", s(x)}, {"y", s(y)}, {"z", s(z)}}),
                     {eq(x, "+", y, x + y), eq(x + y, "-", z, x + y - z)}, x + y - z};
       }},
      {"mul_then_add", Split::Train, 2, [](Story& st) {
         const int64_t k = st.n(2, 8), per = st.n(2, 10), m = st.n(1, 30);
         return Made{st.f("{A} already has {m} {obj} and buys {k} {boxes} with {per} {obj} in each. "
                          "How many {obj} does {A} have now?", {{"m", s(m)}, {"k", s(k)}, {"per", s(per)}}),
                     {eq(k, "*", per, k * per), eq(k * per, "+", m, k * per + m)}, k * per + m};
       }},
      {"mul_then_sub", Split::Train, 2, [](Story& st) {
         const int64_t k = st.n(2, 9), per = st.n(2, 10), used = st.n(1, k * per - 1);
         return Made{st.f("There are {k} {boxes} of {obj} with {per} in each {box}. {A} uses {u} of them. "
                          "How many {obj} are left?", {{"k", s(k)}, {"per", s(per)}, {"u", s(used)}}),
                     {eq(k, "*", per, k * per), eq(k * per, "-", used, k * per - used)}, k * per - used};
       }},
      {"sub_then_div", Split::Train, 2, [](Story& st) {
         const int64_t k = st.n(2, 6), q = st.n(2, 10), y = st.n(1, 20), x = k * q + y;
         return Made{st.f("{A} had {x} {obj}, lost {y}, and shared the rest equally with {k} friends. "
                          "How many {obj} did each friend get?", {{"x", s(x)}, {"y", s(y)}, {"k", s(k)}}),
                     {eq(x, "-", y, x - y), eq(x - y, "/", k, q)}, q};
       }},
      {"money_two_items", Split::Train, 2, [](Story& st) {
         const int64_t p1 = st.n(2, 20), p2 = st.n(2, 20), paid = p1 + p2 + st.n(0, 30);
         return Made{st.f("{A} pays for a {item} that costs ${p1} and a book that costs ${p2} with ${paid}. "
                          "How much change does {A} get?", {{"p1", s(p1)}, {"p2", s(p2)}, {"paid", s(paid)}}),
                     {eq(p1, "+", p2, p1 + p2), eq(paid, "-", p1 + p2, paid - p1 - p2)}, paid - p1 - p2};
       }},
      {"two_people_more", Split::Train, 2, [](Story& st) {
         const int64_t x = st.n(2, 40), d = st.n(1, 30);
         return Made{st.f("{A} has {x} {obj}. {B} has {d} more {obj} than {A}. How many {obj} do they have together?",
                          {{"x", s(x)}, {"d", s(d)}}),
                     {eq(x, "+", d, x + d), eq(x, "+", x + d, 2 * x + d)}, 2 * x + d};
       }},
      {"three_step_shop", Split::Train, 3, [](Story& st) {
         const int64_t k = st.n(2, 5), price = st.n(2, 10), other = st.n(1, 15), paid = k * price + other + st.n(0, 20);
         return Made{st.f("{A} buys {k} {items} at ${p} each and a snack for ${o}, and pays with ${paid}. "
                          "How much change does {A} get?",
                          {{"k", s(k)}, {"p", s(price)}, {"o", s(other)}, {"paid", s(paid)}}),
                     {eq(k, "*", price, k * price), eq(k * price, "+", other, k * price + other),
                      eq(paid, "-", k * price + other, paid - k * price - other)},
                     paid - k * price - other};
       }},
      // ---- the first held-out set, now the development set: read while the varied
      // stories were written (math_varied.cpp), so no longer a measure of new wording ----
      {"eval_lost_remaining", Split::Dev, 1, [](Story& st) {
         const int64_t y = st.n(1, 40), x = y + st.n(1, 55);
         return Made{st.f("After losing {y} of the {x} {obj} in the garden, how many {obj} did {A} still keep?",
                          {{"x", s(x)}, {"y", s(y)}}), {eq(x, "-", y, x - y)}, x - y};
       }},
      {"eval_collected_sum", Split::Dev, 1, [](Story& st) {
         const int64_t x = st.n(2, 60), y = st.n(2, 39);
         return Made{st.f("{A} collected {x} {obj} in the morning and another {y} in the afternoon. "
                          "What is the total number of {obj} {A} collected?", {{"x", s(x)}, {"y", s(y)}}),
                     {eq(x, "+", y, x + y)}, x + y};
       }},
      {"eval_children_bring", Split::Dev, 1, [](Story& st) {
         const int64_t k = st.n(2, 10), per = st.n(2, 10);
         return Made{st.f("If {k} children each bring {per} {obj} to school, how many {obj} are brought altogether?",
                          {{"k", s(k)}, {"per", s(per)}}), {eq(k, "*", per, k * per)}, k * per};
       }},
      {"eval_split_bags", Split::Dev, 1, [](Story& st) {
         const int64_t k = st.n(2, 10), q = st.n(2, 10);
         return Made{st.f("A teacher splits {x} {obj} into {k} equal piles. How many {obj} are in one pile?",
                          {{"x", s(k * q)}, {"k", s(k)}}), {eq(k * q, "/", k, q)}, q};
       }},
      {"eval_fewer_than", Split::Dev, 1, [](Story& st) {
         const int64_t x = st.n(20, 90), d = st.n(1, 19);
         return Made{st.f("{B} owns {x} {obj}. {A} owns {d} fewer {obj} than {B}. How many {obj} does {A} own?",
                          {{"x", s(x)}, {"d", s(d)}}), {eq(x, "-", d, x - d)}, x - d};
       }},
      {"eval_bus_trip", Split::Dev, 1, [](Story& st) {
         const int64_t x = st.n(5, 55), y = st.n(5, 40);
         return Made{st.f("The bus ride to the museum takes {x} minutes and the walk from the stop takes {y} minutes. "
                          "How long is the whole trip in minutes?", {{"x", s(x)}, {"y", s(y)}}),
                     {eq(x, "+", y, x + y)}, x + y};
       }},
      {"eval_price_of_several", Split::Dev, 1, [](Story& st) {
         const int64_t price = st.n(2, 12), k = st.n(2, 8);
         return Made{st.f("{A} wants {k} {items}. One {item} is ${p}. What is the cost of all of them in dollars?",
                          {{"k", s(k)}, {"p", s(price)}}), {eq(k, "*", price, k * price)}, k * price};
       }},
      {"eval_bought_then_ate", Split::Dev, 2, [](Story& st) {
         const int64_t x = st.n(5, 40), y = st.n(5, 40), z = st.n(1, x + y - 1);
         return Made{st.f("{A} picked {x} {obj} and {B} picked {y}. They used {z} of them for a pie. "
                          "How many {obj} were not used?", {{"x", s(x)}, {"y", s(y)}, {"z", s(z)}}),
                     {eq(x, "+", y, x + y), eq(x + y, "-", z, x + y - z)}, x + y - z};
       }},
      {"eval_rows_plus", Split::Dev, 2, [](Story& st) {
         const int64_t r = st.n(2, 9), per = st.n(2, 10), extra = st.n(1, 20);
         return Made{st.f("A garden has {r} rows of {per} {obj}, and {e} more {obj} grow by the gate. "
                          "How many {obj} are in the garden?", {{"r", s(r)}, {"per", s(per)}, {"e", s(extra)}}),
                     {eq(r, "*", per, r * per), eq(r * per, "+", extra, r * per + extra)}, r * per + extra};
       }},
      {"eval_change_after", Split::Dev, 2, [](Story& st) {
         const int64_t k = st.n(2, 6), price = st.n(2, 9), paid = k * price + st.n(1, 30);
         return Made{st.f("{A} paid for {k} {items} costing ${p} each with ${paid}. How much change did {A} receive?",
                          {{"k", s(k)}, {"p", s(price)}, {"paid", s(paid)}}),
                     {eq(k, "*", price, k * price), eq(paid, "-", k * price, paid - k * price)}, paid - k * price};
       }},
  };
  return all;
}


// The four authors' training templates, in one list (each author's share is the size of
// their list).
const std::vector<StoryTemplate>& written_templates() {
  static const std::vector<StoryTemplate> all = [] {
    std::vector<StoryTemplate> v;
    for (const auto* list : {&written_math_templates_a(), &written_math_templates_b(), &written_math_templates_c(),
                             &written_math_templates_d()}) {
      v.insert(v.end(), list->begin(), list->end());
    }
    return v;
  }();
  return all;
}

// Every template of a split: the fixed training ones, the development set, or the held-out set.
std::vector<Template> pool_of(Split split) {
  std::vector<Template> pool;
  if (split == Split::Eval) {
    for (const HeldOutTemplate& h : held_out_math_templates()) pool.push_back({h.name, Split::Eval, h.steps, h.make});
    return pool;
  }
  for (const Template& t : templates())
    if (t.split == split) pool.push_back(t);
  return pool;
}

}  // namespace

std::vector<std::string> math_template_names(Split split) {
  std::vector<std::string> names;
  for (const Template& t : pool_of(split)) names.emplace_back(t.name);
  return names;
}

std::vector<MathProblem> math_problems(uint64_t seed, int64_t count, Split split, MathWording wording) {
  if (count < 0) throw Error("the number of problems must not be negative");
  const std::vector<Template> pool = pool_of(split);
  // The development set keeps the stream it had as the first held-out set, so its items
  // are the ones read.
  Picker p(seed, split == Split::Train ? 101 : split == Split::Dev ? 102 : 103);
  std::vector<MathProblem> out;
  out.reserve(static_cast<size_t>(count));
  const char* split_name = split == Split::Train ? "train" : split == Split::Dev ? "dev" : "eval";
  for (int64_t i = 0; i < count; ++i) {
    // Composed: three in four stories. Varied: a quarter templates, a quarter composed,
    // half varied stories. (Each wording draws as it always did: its data stays the same.)
    const char* kind = nullptr;
    if (split == Split::Train && wording == MathWording::Composed) {
      if (p.uniform(0, 3) != 0) kind = "composed";
    } else if (split == Split::Train && wording == MathWording::Varied) {
      const int64_t roll = p.uniform(0, 7);
      kind = roll >= 4 ? "varied" : roll >= 2 ? "composed" : nullptr;
    } else if (split == Split::Train && wording == MathWording::Broad) {
      const int64_t roll = p.uniform(0, 7);
      kind = roll >= 4 ? "written" : roll >= 2 ? "varied" : roll == 1 ? "composed" : nullptr;
    }
    const Template& t = p.pick(pool);
    Story story(p, split);
    const std::string k = kind == nullptr ? "" : kind;
    const StoryTemplate* w = k == "written" ? &p.pick(written_templates()) : nullptr;
    Made m = kind == nullptr ? t.make(story)
             : w != nullptr  ? w->make(story)
             : k == "varied" ? varied_story(story)
                             : composed_story(story);
    MathProblem prob;
    prob.id = fmt::format("nano-math-{}-{}", split_name, i);
    prob.template_name = w != nullptr ? w->name : kind != nullptr ? kind : t.name;
    prob.steps = w != nullptr ? w->steps : kind != nullptr ? static_cast<int>(m.steps.size()) : t.steps;
    prob.question = std::move(m.question);
    for (const std::string& step : m.steps) {
      prob.solution += step + "\n";
      long long x = 0, y = 0;
      char op = 0;
      if (std::sscanf(step.c_str(), "%lld %c %lld", &x, &op, &y) != 3) throw std::logic_error("bad step: " + step);
      prob.column_solution += column_working(x, op, y) + "\n";
    }
    prob.solution += "#### " + std::to_string(m.answer);
    prob.column_solution += "#### " + std::to_string(m.answer);
    prob.answer = m.answer;
    out.push_back(std::move(prob));
  }
  return out;
}

}  // namespace loco::datagen
