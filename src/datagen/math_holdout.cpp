// The second held-out set of math word problems. It was written without reading the
// training generators (math_problems.cpp, math_stories.cpp), after the first held-out set
// had been read during development and so had become a development set: its wording is
// independent of what the model was trained on. Every number in a question is at most 100
// and every result lies in [0, 200]; divisions are exact.
#include <cstdint>
#include <vector>

#include "datagen/math_story.h"

namespace loco::datagen {

namespace {

// Things stand on a shelf or a tray but sit in a box or a bag.
bool flat(const Story& st) { return st.box.one == "shelf" || st.box.one == "tray"; }
const char* in_or_on(const Story& st) { return flat(st) ? "on" : "in"; }
const char* into_or_onto(const Story& st) { return flat(st) ? "onto" : "into"; }

}  // namespace

const std::vector<HeldOutTemplate>& held_out_math_templates() {
  static const std::vector<HeldOutTemplate> templates = {
      // ---- one step ----
      {"ho_two_containers", 1, {"if the first", "the second holds"},
       [](Story& st) {
         const int64_t x = st.n(5, 95), y = st.n(5, 95);
         return Made{st.f("How many {obj} are there {in} the two {boxes} together if the first {box} holds {x} and "
                          "the second holds {y}?",
                          {{"in", in_or_on(st)}, {"x", num(x)}, {"y", num(y)}}),
                     {equation(x, "+", y, x + y)}, x + y};
       }},

      {"ho_gave_to_friends", 1, {"at the start of the week", "friends at school"},
       [](Story& st) {
         const int64_t x = st.n(10, 100), y = st.n(1, x - 1);
         return Made{st.f("{A} had {x} {obj} at the start of the week and gave {y} of them to friends at school. "
                          "How many {obj} did {A} have left by the end of the week?",
                          {{"x", num(x)}, {"y", num(y)}}),
                     {equation(x, "-", y, x - y)}, x - y};
       }},

      // The smaller number comes first in one of the two wordings.
      {"ho_shoebox_fewer", 1, {"each have a shoebox", "shoebox full of"},
       [](Story& st) {
         const int64_t x = st.n(10, 100), d = st.n(1, x - 1);
         const std::string middle = st.p.coin() ? "There are {x} {obj} in {A}'s shoebox and {d} fewer in {B}'s."
                                                : "{B}'s shoebox holds {d} fewer {obj} than {A}'s, which holds {x}.";
         return Made{st.f("{A} and {B} each have a shoebox full of {obj}. " + middle +
                              " How many {obj} are in {B}'s shoebox?",
                          {{"x", num(x)}, {"d", num(d)}}),
                     {equation(x, "-", d, x - d)}, x - d};
       }},

      {"ho_fair_tickets", 1, {"tickets at the fair", "win than"},
       [](Story& st) {
         const int64_t y = st.n(1, 80), x = y + st.n(1, 20);
         const std::string text =
             st.p.coin()
                 ? "{B} won {y} tickets at the fair and {A} won {x}. How many more tickets did {A} win than {B}?"
                 : "How many more tickets did {A} win than {B}, if {B} won {y} tickets at the fair and {A} won {x}?";
         return Made{st.f(text, {{"x", num(x)}, {"y", num(y)}}), {equation(x, "-", y, x - y)}, x - y};
       }},

      {"ho_corner_shop", 1, {"at the corner shop", "need to pay"},
       [](Story& st) {
         const int64_t k = st.n(2, 9), p = st.n(2, 15);
         const std::string text = st.p.coin()
                                      ? "One {item} costs {p} dollars at the corner shop. {A} buys {k} of them. "
                                        "How many dollars does {A} need to pay?"
                                      : "{A} buys {k} {items} at the corner shop, and one {item} costs {p} dollars. "
                                        "How many dollars does {A} need to pay?";
         return Made{st.f(text, {{"k", num(k)}, {"p", num(p)}}), {equation(k, "*", p, k * p)}, k * p};
       }},

      {"ho_children_at_table", 1, {"children sit at the table", "in the middle"},
       [](Story& st) {
         const int64_t k = st.n(2, 9), q = st.n(2, 11), x = k * q;
         return Made{st.f("At lunch, {k} children sit at the table with {x} {obj} on a plate in the middle. They "
                          "share the {obj} fairly, so that everyone gets the same number. How many {obj} does each "
                          "child get?",
                          {{"k", num(k)}, {"x", num(x)}}),
                     {equation(x, "/", k, q)}, q};
       }},

      {"ho_packing_full", 1, {"is packing", "will be full"},
       [](Story& st) {
         const int64_t s = st.n(2, 10), q = st.n(2, 10), x = s * q;
         return Made{st.f("{A} is packing {x} {obj} {into} {boxes}, putting {s} {in} every {box}. How many {boxes} "
                          "will be full?",
                          {{"x", num(x)}, {"s", num(s)}, {"into", into_or_onto(st)}, {"in", in_or_on(st)}}),
                     {equation(x, "/", s, q)}, q};
       }},

      {"ho_homework_minutes", 1, {"before dinner", "after dinner"},
       [](Story& st) {
         const int64_t x = st.n(5, 95), y = st.n(5, 95);
         return Made{st.f("{A} spent {x} minutes on homework before dinner and {y} minutes after dinner. How many "
                          "minutes did {A} spend on homework in total?",
                          {{"x", num(x)}, {"y", num(y)}}),
                     {equation(x, "+", y, x + y)}, x + y};
       }},

      // ---- two steps ----
      {"ho_concert_chairs", 2, {"school concert", "chairs per row", "were carried in"},
       [](Story& st) {
         const int64_t r = st.n(2, 10), c = st.n(3, 10), e = st.n(1, 50), t = r * c;
         return Made{st.f("For the school concert, the chairs in the hall were set out in {r} rows, with {c} chairs "
                          "per row. Just before it started, {e} more chairs were carried in. How many chairs were in "
                          "the hall then?",
                          {{"r", num(r)}, {"c", num(c)}, {"e", num(e)}}),
                     {equation(r, "*", c, t), equation(t, "+", e, t + e)}, t + e};
       }},

      {"ho_note_change", 2, {"pays with a", "dollar note"},
       [](Story& st) {
         const int64_t k = st.n(2, 6), p = st.n(2, 15), cost = k * p;
         // A note bigger than the cost, so that there is always some change.
         std::vector<int64_t> notes;
         for (const int64_t v : {10, 20, 50, 100})
           if (v > cost) notes.push_back(v);
         const int64_t note = st.p.pick(notes);
         return Made{st.f("{A} buys {k} {items} that cost {p} dollars each and pays with a {note}-dollar note. How "
                          "much change does {A} get back?",
                          {{"k", num(k)}, {"p", num(p)}, {"note", num(note)}}),
                     {equation(k, "*", p, cost), equation(note, "-", cost, note - cost)}, note - cost};
       }},

      {"ho_weekend_pages", 2, {"pages less than", "pages of a book on saturday"},
       [](Story& st) {
         const int64_t x = st.n(10, 100), d = st.n(1, x - 1), sun = x - d;
         return Made{st.f("{A} read {x} pages of a book on Saturday. On Sunday, {A} read {d} pages less than on "
                          "Saturday. How many pages did {A} read over the two days?",
                          {{"x", num(x)}, {"d", num(d)}}),
                     {equation(x, "-", d, sun), equation(x, "+", sun, x + sun)}, x + sun};
       }},

      // Hours to minutes: 60 is known, not given, so it is the one number a solver brings.
      {"ho_film_minutes", 2, {"favourite film", "minutes long is"},
       [](Story& st) {
         const int64_t h = st.n(1, 3), m = st.n(5, h == 3 ? 20 : 55), hm = h * 60;
         const std::string hours = h == 1 ? "1 hour" : num(h) + " hours";
         const std::string text =
             st.p.coin() ? "{A}'s favourite film lasts {hours} and {m} minutes. How many minutes long is it?"
                         : "How many minutes long is {A}'s favourite film if it lasts {hours} and {m} minutes?";
         return Made{st.f(text, {{"hours", hours}, {"m", num(m)}}),
                     {equation(h, "*", 60, hm), equation(hm, "+", m, hm + m)}, hm + m};
       }},

      {"ho_split_between_friends", 2, {"decided to split", "all of them equally between"},
       [](Story& st) {
         const int64_t k = st.n(2, 6), q = st.n(2, 20), t = k * q;
         const int64_t x = st.n(t > 100 ? t - 100 : 1, t > 100 ? 100 : t - 1), y = t - x;
         return Made{st.f("{A} had {x} {obj}, and then {B} gave {A} {y} more. {A} decided to split all of them "
                          "equally between {k} friends. How many {obj} did each friend get?",
                          {{"x", num(x)}, {"y", num(y)}, {"k", num(k)}}),
                     {equation(x, "+", y, t), equation(t, "/", k, q)}, q};
       }},

      {"ho_piggy_bank", 2, {"into a piggy bank", "takes the money out"},
       [](Story& st) {
         const int64_t s = st.n(2, 10), w = st.n(2, 10), t = s * w, c = st.n(1, t - 1);
         return Made{st.f("Every week, {A} puts {s} dollars into a piggy bank. After {w} weeks, {A} takes the money "
                          "out and spends {c} dollars on a {item}. How many dollars are left?",
                          {{"s", num(s)}, {"w", num(w)}, {"c", num(c)}}),
                     {equation(s, "*", w, t), equation(t, "-", c, t - c)}, t - c};
       }},
  };
  return templates;
}

}  // namespace loco::datagen
