// Training stories composed from interchangeable clauses. The fixed templates of
// math_problems.cpp taught the adapter whole sentences: it solved new numbers in them
// (93.5 %) and read nothing else ("Sam has 12 marbles and gives 5 to Ana" came out as a
// sum, because "has ... how many now" was always a sum in training). Here each story is
// built from a start, events and a question drawn separately, in the present or the
// past, as separate sentences, joined by "and", or asked as "If ..., how many ...?", so
// that the same question follows gains and losses alike and only the event's verb says
// which operation it is.
//
// None of the evaluation templates' sentence frames is used (DataGen.ComposedStories-
// AvoidTheEvaluationFrames checks their telling fragments): the held-out score still measures
// wording the model never saw.
#include <array>
#include <string>
#include <vector>

#include "datagen/math_story.h"

namespace loco::datagen {
namespace {

struct Clause {
  const char* present;
  const char* past;
};

const char* tensed(const Clause& c, bool past) { return past ? c.past : c.present; }

// What A has at the start, as a verb phrase ("{A} " + it, or "... and " + it).
const std::vector<Clause> kStarts = {
    {"has {x} {obj}", "had {x} {obj}"},
    {"starts with {x} {obj}", "started with {x} {obj}"},
    {"keeps {x} {obj} in a {box}", "kept {x} {obj} in a {box}"},
    {"has a {box} with {x} {obj} in it", "had a {box} with {x} {obj} in it"},
    {"has {x} {obj} at home", "had {x} {obj} at home"},
    {"is holding {x} {obj}", "was holding {x} {obj}"},
    {"collects {x} {obj}", "collected {x} {obj}"},
    {"gets {x} {obj} for a birthday", "got {x} {obj} for a birthday"},
};

// Events done by A that add {y}, or take {y} away.
const std::vector<Clause> kGains = {
    {"gets {y} more {obj} from {B}", "got {y} more {obj} from {B}"},
    {"finds {y} more", "found {y} more"},
    {"buys {y} more {obj}", "bought {y} more {obj}"},
    {"picks up {y} more {obj}", "picked up {y} more {obj}"},
    {"wins {y} {obj}", "won {y} {obj}"},
    {"gets {y} {obj} as a present", "got {y} {obj} as a present"},
    {"makes {y} more {obj}", "made {y} more {obj}"},
    {"adds {y} {obj} to them", "added {y} {obj} to them"},
    {"is given {y} more", "was given {y} more"},
};
const std::vector<Clause> kLosses = {
    {"gives {y} to {B}", "gave {y} to {B}"},
    {"gives {y} of them to {B}", "gave {y} of them to {B}"},
    {"gives away {y} {obj}", "gave away {y} {obj}"},
    {"loses {y} of them", "lost {y} of them"},
    {"loses {y} {obj}", "lost {y} {obj}"},
    {"sells {y} {obj}", "sold {y} {obj}"},
    {"uses {y} of them", "used {y} of them"},
    {"drops {y} {obj}", "dropped {y} {obj}"},
    {"throws away {y}", "threw away {y}"},
    {"lends {y} {obj} to {B}", "lent {y} {obj} to {B}"},
    {"hands {B} {y} {obj}", "handed {B} {y} {obj}"},
    {"puts {y} of them back", "put {y} of them back"},
};
// Events told about someone else, as whole sentences.
const std::vector<Clause> kOtherGains = {
    {"{B} gives {A} {y} more {obj}.", "{B} gave {A} {y} more {obj}."},
    {"{B} gives {A} {y} {obj}.", "{B} gave {A} {y} {obj}."},
    {"{B} brings {A} {y} more.", "{B} brought {A} {y} more."},
};
const std::vector<Clause> kOtherLosses = {
    {"{B} takes {y} of them.", "{B} took {y} of them."},
    {"{B} borrows {y} {obj}.", "{B} borrowed {y} {obj}."},
    {"{y} of the {obj} get lost.", "{y} of the {obj} got lost."},
};
const std::vector<std::string> kThen = {"Then", "Later,", "After that,", "Next,", "Then"};

// Questions after any events, after a loss last, after gains only.
const std::vector<Clause> kAskNow = {
    {"How many {obj} does {A} have now?", "How many {obj} did {A} have then?"},
    {"How many {obj} does {A} have in the end?", "How many {obj} did {A} have in the end?"},
    {"How many {obj} does {A} have after that?", "How many {obj} did {A} have after that?"},
    {"Now how many {obj} does {A} have?", "How many {obj} did {A} end up with?"},
    {"How many {obj} is {A} holding now?", "How many {obj} was {A} holding then?"},
};
const std::vector<Clause> kAskLeft = {
    {"How many {obj} does {A} have left?", "How many {obj} did {A} have left?"},
    {"How many {obj} are left?", "How many {obj} were left?"},
    {"How many {obj} does {A} still have?", "How many {obj} did {A} still have?"},
    {"How many {obj} remain?", "How many {obj} remained?"},
};
const std::vector<Clause> kAskGained = {
    {"How many {obj} does {A} have altogether?", "How many {obj} did {A} have altogether?"},
    {"How many {obj} does {A} have in all?", "How many {obj} did {A} have in all?"},
};

struct Event {
  bool gain;
  bool by_other;  // a whole sentence about someone else
  const Clause* clause;
  int64_t y;
};

// A start, one to three gains or losses, a question: x ± y ± z, never below zero.
Made change_story(Story& st) {
  const bool past = st.p.coin();
  const int n_events = static_cast<int>(st.p.pick(std::vector<int64_t>{1, 1, 1, 2, 2, 3}));
  int64_t have = st.n(3, 90);
  const int64_t x = have;
  std::vector<Event> events;
  Event last{true, false, nullptr, 0};
  Made m;
  for (int i = 0; i < n_events; ++i) {
    bool gain = st.p.coin() || have < 2;
    if (have > 150) gain = false;
    const int64_t y = gain ? st.n(1, 50) : st.n(1, have - 1 < 60 ? have - 1 : 60);
    const bool by_other = st.p.uniform(0, 3) == 0;
    const auto& bank = by_other ? (gain ? kOtherGains : kOtherLosses) : (gain ? kGains : kLosses);
    last = {gain, by_other, &st.p.pick(bank), y};
    events.push_back(last);
    m.steps.push_back(equation(have, gain ? "+" : "-", y, gain ? have + y : have - y));
    have = gain ? have + y : have - y;
  }
  m.answer = have;
  const Clause& start = st.p.pick(kStarts);
  bool all_gains = true;
  for (const Event& e : events) all_gains = all_gains && e.gain;
  const auto& asks = !last.gain && st.p.coin() ? kAskLeft : all_gains && st.p.coin() ? kAskGained : kAskNow;
  const std::string ask = st.f(tensed(st.p.pick(asks), past));
  auto event_text = [&](const Event& e, bool tense_past) {
    return st.f(tensed(*e.clause, tense_past), {{"y", num(e.y)}});
  };
  const std::string x_text = st.f(tensed(start, past), {{"x", num(x)}});
  // "If Sam has 12 marbles and gives 5 to Ana, how many marbles does Sam have now?"
  if (events.size() == 1 && !last.by_other && !past && st.p.uniform(0, 3) == 0) {
    std::string q = st.f(tensed(st.p.pick(last.gain ? kAskGained : kAskNow), false));
    q[0] = static_cast<char>(q[0] - 'A' + 'a');
    m.question = st.f("If {A} ") + x_text + " and " + event_text(last, false) + ", " + q;
    return m;
  }
  std::string text;
  size_t first = 0;
  if (!events[0].by_other && st.p.coin()) {  // "Sam has 12 marbles and gives 5 to Ana."
    text = st.f("{A} ") + x_text + " and " + event_text(events[0], past) + ".";
    first = 1;
  } else {
    text = st.f("{A} ") + x_text + ".";
  }
  for (size_t i = first; i < events.size(); ++i) {
    const Event& e = events[i];
    const std::string then = i == 0 && st.p.coin() ? std::string() : st.p.pick(kThen) + " ";
    if (e.by_other) {
      text += " " + then + event_text(e, past);
    } else {
      text += " " + then + st.f("{A} ") + event_text(e, past) + ".";
    }
  }
  m.question = text + " " + ask;
  return m;
}

// Two amounts put together: x + y.
Made combine_story(Story& st) {
  const int64_t x = st.n(2, 70), y = st.n(2, 70);
  struct Frame {
    const char* setup;
    std::vector<const char*> asks;
  };
  static const std::vector<Frame> frames = {
      {"{A} has {x} {obj} and {B} has {y} {obj}.",
       {"How many {obj} do they have altogether?", "How many {obj} do they have together?",
        "How many {obj} do the two of them have?"}},
      {"{A} has {x} {obj}. {B} has {y} {obj}.",
       {"How many {obj} do they have in all?", "How many {obj} do {A} and {B} have together?"}},
      {"{A} picked {x} {obj} and {B} picked {y}.",
       {"How many {obj} did they pick altogether?", "How many {obj} did the two of them pick?"}},
      {"There are {x} red {obj} and {y} blue {obj} in a {box}.",
       {"How many {obj} are in the {box}?", "How many {obj} are there in all?"}},
      {"{A} found {x} {obj} on Monday and {y} on Tuesday.",
       {"How many {obj} did {A} find in all?", "How many {obj} did {A} find over the two days?"}},
      {"One {box} holds {x} {obj} and a second {box} holds {y}.",
       {"How many {obj} are in the two {boxes}?", "How many {obj} do the {boxes} hold together?"}},
      {"{A} made {x} {obj} and {B} made {y} {obj} for the fair.",
       {"How many {obj} did they make for the fair?", "How many {obj} were made in all?"}},
  };
  const Frame& fr = st.p.pick(frames);
  Made m;
  m.question = st.f(std::string(fr.setup) + " " + st.p.pick(fr.asks), {{"x", num(x)}, {"y", num(y)}});
  m.steps = {equation(x, "+", y, x + y)};
  m.answer = x + y;
  return m;
}

// How many more: x − y; or "d more than", then both together (two steps).
Made compare_story(Story& st) {
  Made m;
  if (st.p.uniform(0, 2) == 0) {
    const int64_t x = st.n(2, 45), d = st.n(1, 40);
    const char* setup = st.p.pick(std::vector<const char*>{
        "{A} has {x} {obj}. {B} has {d} more {obj} than {A}.", "{A} has {x} {obj}, and {B} has {d} more than {A}.",
        "{B} has {d} more {obj} than {A}, who has {x}."});
    const bool both = st.p.coin();
    const char* ask = both ? "How many {obj} do they have together?" : "How many {obj} does {B} have?";
    m.question = st.f(std::string(setup) + " " + ask, {{"x", num(x)}, {"d", num(d)}});
    m.steps = {equation(x, "+", d, x + d)};
    if (both) m.steps.push_back(equation(x, "+", x + d, 2 * x + d));
    m.answer = both ? 2 * x + d : x + d;
    return m;
  }
  const int64_t y = st.n(1, 60), x = y + st.n(1, 39);
  const char* setup = st.p.pick(std::vector<const char*>{"{A} has {x} {obj} and {B} has {y} {obj}.",
                                                           "{A} has {x} {obj}. {B} has {y}.",
                                                           "{B} has {y} {obj}, and {A} has {x}."});
  const char* ask = st.p.pick(std::vector<const char*>{
      "How many more {obj} does {A} have than {B}?", "How many more {obj} does {A} have?",
      "How many {obj} would {B} need to get to have as many as {A}?",
      "What is the difference between the numbers of {obj} they have?"});
  m.question = st.f(std::string(setup) + " " + ask, {{"x", num(x)}, {"y", num(y)}});
  m.steps = {equation(x, "-", y, x - y)};
  m.answer = x - y;
  return m;
}

// k groups of per: k × per, sometimes with m more or u taken away after (two steps).
Made groups_story(Story& st) {
  const int64_t k = st.n(2, 9), per = st.n(2, 10);
  const char* setup = st.p.pick(std::vector<const char*>{
      "{A} has {k} {boxes} with {per} {obj} in each.", "There are {k} {boxes}, and each {box} holds {per} {obj}.",
      "Each {box} has {per} {obj} in it. {A} has {k} {boxes}.",
      "{A} buys {k} {boxes} of {obj}, and every {box} has {per} {obj}.",
      "{A} makes {k} piles of {obj} with {per} in every pile.",
      "{A} gets {per} {obj} every day for {k} days.", "{A} put {per} {obj} in each of {k} {boxes}."});
  Made m;
  m.steps = {equation(k, "*", per, k * per)};
  const int64_t total = k * per;
  const int64_t extra_kind = st.p.uniform(0, 3);  // 0: plus m, 1: minus u, else one step
  std::string text = st.f(setup, {{"k", num(k)}, {"per", num(per)}});
  if (extra_kind == 0) {
    const int64_t more = st.n(1, 30);
    text += st.f(st.p.pick(std::vector<const char*>{" {A} also has {m} loose {obj}.", " {B} gives {A} {m} more.",
                                                      " There are {m} more {obj} on the table."}),
                 {{"m", num(more)}});
    m.steps.push_back(equation(total, "+", more, total + more));
    m.answer = total + more;
    m.question = text + " " + st.f(st.p.pick(std::vector<const char*>{"How many {obj} are there in all?",
                                                                     "How many {obj} is that altogether?"}));
    return m;
  }
  if (extra_kind == 1) {
    const int64_t used = st.n(1, total - 1);
    text += st.f(st.p.pick(std::vector<const char*>{" {A} gives away {u} of them.", " {A} uses {u} {obj}.",
                                                      " Then {u} of the {obj} are sold."}),
                 {{"u", num(used)}});
    m.steps.push_back(equation(total, "-", used, total - used));
    m.answer = total - used;
    m.question = text + " " + st.f(st.p.pick(std::vector<const char*>{"How many {obj} are left?",
                                                                     "How many {obj} remain?"}));
    return m;
  }
  m.answer = total;
  m.question = text + " " + st.f(st.p.pick(std::vector<const char*>{
                              "How many {obj} are there in all?", "How many {obj} does {A} have?",
                              "How many {obj} is that altogether?", "How many {obj} are there?"}));
  return m;
}

// Sharing equally (x ÷ k) or filling groups of per (x ÷ per); sometimes after a loss.
Made sharing_story(Story& st) {
  const int64_t k = st.n(2, 9), q = st.n(2, 10), x = k * q;
  Made m;
  if (st.p.uniform(0, 3) == 0) {  // lost some first: (x + lost − lost) ÷ k
    const int64_t lost = st.n(1, 10);
    m.question = st.f(st.p.pick(std::vector<const char*>{
                          "{A} had {t} {obj} and lost {l} of them. {A} shared the rest equally among {k} friends. "
                          "How many {obj} did each friend get?",
                          "{A} has {t} {obj}, gives {l} to {B}, and puts the others into {k} {boxes} with the same "
                          "number in each. How many {obj} are in each {box}?"}),
                      {{"t", num(x + lost)}, {"l", num(lost)}, {"k", num(k)}});
    m.steps = {equation(x + lost, "-", lost, x), equation(x, "/", k, q)};
    m.answer = q;
    return m;
  }
  const bool by_groups = st.p.coin();
  if (by_groups) {
    m.question = st.f(st.p.pick(std::vector<const char*>{
                          "{A} packs {x} {obj} into {boxes} of {k}. How many {boxes} does {A} fill?",
                          "{A} has {x} {obj} and puts {k} in each {box}. How many {boxes} does {A} need?",
                          "There are {x} {obj}, and a {box} holds {k}. How many {boxes} are filled?"}),
                      {{"x", num(x)}, {"k", num(k)}});
  } else {
    m.question = st.f(st.p.pick(std::vector<const char*>{
                          "{A} has {x} {obj} and shares them equally among {k} friends. How many {obj} does each "
                          "friend get?",
                          "{x} {obj} are shared equally by {k} children. How many {obj} does each child get?",
                          "{A} puts {x} {obj} into {k} {boxes}, the same number in each {box}. How many {obj} are "
                          "in each {box}?",
                          "{A} gave {x} {obj} to {k} friends, the same number to each. How many {obj} did each "
                          "friend get?"}),
                      {{"x", num(x)}, {"k", num(k)}});
  }
  m.steps = {equation(x, "/", k, q)};
  m.answer = q;
  return m;
}

// Prices and change: k × p; paid − price; k × p, then change from paid.
Made money_story(Story& st) {
  const int64_t kind = st.p.uniform(0, 2);
  Made m;
  if (kind == 0) {
    const int64_t p = st.n(2, 15), k = st.n(2, 8);
    m.question = st.f(std::string(st.p.pick(std::vector<const char*>{
                          "A {item} costs ${p}. {A} buys {k} {items}.", "{A} buys {k} {items} for ${p} each.",
                          "{A} buys {k} {items}, and each one costs ${p}."})) +
                          " " +
                          st.p.pick(std::vector<const char*>{"How much does {A} spend?", "How many dollars does {A} pay?",
                                                             "How much money does {A} need?",
                                                             "How much do the {items} cost in all?"}),
                      {{"p", num(p)}, {"k", num(k)}});
    m.steps = {equation(k, "*", p, k * p)};
    m.answer = k * p;
    return m;
  }
  if (kind == 1) {
    const int64_t price = st.n(3, 60), paid = price + st.n(1, 40);
    m.question = st.f(std::string(st.p.pick(std::vector<const char*>{
                          "{A} has ${x} and spends ${y} on a {item}.", "{A} had ${x}. Then {A} bought a {item} for ${y}.",
                          "A {item} costs ${y}, and {A} pays with ${x}."})) +
                          " " +
                          st.p.pick(std::vector<const char*>{"How much money does {A} have left?",
                                                             "How much change does {A} get?",
                                                             "How many dollars does {A} have now?"}),
                      {{"x", num(paid)}, {"y", num(price)}});
    m.steps = {equation(paid, "-", price, paid - price)};
    m.answer = paid - price;
    return m;
  }
  const int64_t p = st.n(2, 9), k = st.n(2, 6), paid = k * p + st.n(1, 30);
  m.question = st.f(st.p.pick(std::vector<const char*>{
                        "{A} buys {k} {items} at ${p} each and pays with ${paid}. How much change does {A} get?",
                        "{A} has ${paid} and buys {k} {items} for ${p} each. How much money does {A} have left?"}),
                    {{"p", num(p)}, {"k", num(k)}, {"paid", num(paid)}});
  m.steps = {equation(k, "*", p, k * p), equation(paid, "-", k * p, paid - k * p)};
  m.answer = paid - k * p;
  return m;
}

// Minutes: a sum, what is left, hours to minutes.
Made time_story(Story& st) {
  const int64_t kind = st.p.uniform(0, 2);
  Made m;
  if (kind == 0) {
    const int64_t x = st.n(5, 60), y = st.n(5, 60);
    m.question = st.f(st.p.pick(std::vector<const char*>{
                          "{A} spends {x} minutes on homework and {y} minutes reading. How many minutes is that in all?",
                          "{A} swam for {x} minutes and then ran for {y} minutes. How many minutes did {A} exercise?",
                          "A cake bakes for {x} minutes and cools for {y} minutes. How many minutes does it take "
                          "altogether?"}),
                      {{"x", num(x)}, {"y", num(y)}});
    m.steps = {equation(x, "+", y, x + y)};
    m.answer = x + y;
    return m;
  }
  if (kind == 1) {
    const int64_t y = st.n(5, 50), x = y + st.n(5, 50);
    m.question = st.f(st.p.pick(std::vector<const char*>{
                          "A game lasts {x} minutes. {A} has played for {y} minutes. How many minutes are left?",
                          "{A} needs {x} minutes to finish a puzzle and has worked on it for {y} minutes. How many "
                          "more minutes does {A} need?"}),
                      {{"x", num(x)}, {"y", num(y)}});
    m.steps = {equation(x, "-", y, x - y)};
    m.answer = x - y;
    return m;
  }
  const int64_t h = st.n(2, 5);
  m.question = st.f(st.p.pick(std::vector<const char*>{"{A} slept for {h} hours. How many minutes is that?",
                                                       "How many minutes are there in {h} hours?"}),
                    {{"h", num(h)}});
  m.steps = {equation(h, "*", 60, h * 60)};
  m.answer = h * 60;
  return m;
}

}  // namespace

Made composed_story(Story& st) {
  // Gains and losses most often: they are where wording decides the operation.
  const int64_t roll = st.p.uniform(0, 99);
  if (roll < 40) return change_story(st);
  if (roll < 52) return combine_story(st);
  if (roll < 62) return compare_story(st);
  if (roll < 74) return groups_story(st);
  if (roll < 84) return sharing_story(st);
  if (roll < 94) return money_story(st);
  return time_story(st);
}

}  // namespace loco::datagen
