// Training word problems by author d of four, written independently: without reading the
// held-out sets or the other generators (math_problems.cpp, math_stories.cpp,
// math_varied.cpp, the other math_written_*.cpp). Theme: everyday stories told by a child or
// a parent, events in sequence over days and weeks: every day, each week, per, times as many,
// twice as many, half of, rows and groups, pocket money and minutes mixed, and chatty
// two-step stories ("On Monday ... then on Tuesday ...", "Mum gives ...").
//
// Every template picks one of several phrasings of its story at random. Numbers written in a
// question are at most 100, every result lies in [0, 200], divisions are exact, and the only
// outside fact a step uses is 1 hour = 60 minutes.

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "datagen/math_story.h"

namespace loco::datagen {

namespace {

// One of the phrasings, chosen at random.
const char* one_of(Story& st, std::initializer_list<const char*> texts) {
  const std::vector<const char*> v(texts);
  return st.p.pick(v);
}

std::string word(Story& st, std::initializer_list<const char*> words) { return one_of(st, words); }

const char* hours_word(int64_t h) { return h == 1 ? "hour" : "hours"; }

// Things a child saves up for (always "a ...").
std::string wish(Story& st) {
  return word(st, {"bike", "skateboard", "board game", "scooter", "watch", "guitar", "telescope", "tent"});
}

// A container that things go in ("in the tin", "into each basket").
Thing holder(Story& st) {
  static const std::vector<Thing> v = {{"box", "boxes"},   {"bag", "bags"},   {"jar", "jars"},
                                       {"basket", "baskets"}, {"tin", "tins"}, {"crate", "crates"},
                                       {"bucket", "buckets"}};
  return st.p.pick(v);
}

// The story's text filled in: the story's people and things, a container ({bin}, {bins}),
// and the template's own keys.
std::string tell(Story& st, const char* t, std::vector<std::pair<std::string, std::string>> extra) {
  const Thing h = holder(st);
  extra.emplace_back("bin", h.one);
  extra.emplace_back("bins", h.many);
  return st.f(t, std::move(extra));
}

// A divisor of t in [2, t / 2] (t is composite here).
int64_t divisor_of(Story& st, int64_t t) {
  std::vector<int64_t> ds;
  for (int64_t d = 2; d <= t / 2; ++d)
    if (t % d == 0) ds.push_back(d);
  return st.p.pick(ds);
}

// ---------------------------------------------------------------------------------------
// One step.
// ---------------------------------------------------------------------------------------

Made pages_every_day(Story& st) {
  const int64_t p = st.n(3, 12), d = st.n(2, 9);
  const char* t = one_of(st, {
      "I read {p} pages of my book every day. How many pages do I read in {d} days?",
      "Every night before bed, Mum reads {p} pages to me. After {d} nights, how many pages has she read?",
      "{A} reads {p} pages a day. How many pages will {A} have read after {d} days?",
      "How many pages is that altogether if I read {p} pages each day for {d} days?",
      "My little brother reads {p} pages per day. He kept it up for {d} days. How many pages did he read in all?",
  });
  return {tell(st, t, {{"p", num(p)}, {"d", num(d)}}), {equation(p, "*", d, p * d)}, p * d};
}

Made weekly_pocket_money(Story& st) {
  const int64_t m = st.n(2, 12), w = st.n(2, 10);
  const char* t = one_of(st, {
      "Mum gives me {m} dollars of pocket money each week. I save all of it for {w} weeks. How many dollars "
      "have I saved?",
      "Every Saturday, Dad gives {A} {m} dollars. How much money does {A} get in {w} weeks?",
      "My piggy bank was empty. Then Grandma put {m} dollars in it every week for {w} weeks. How many dollars "
      "are in it now?",
      "How much pocket money does {A} get in {w} weeks at {m} dollars per week?",
  });
  return {tell(st, t, {{"m", num(m)}, {"w", num(w)}}), {equation(m, "*", w, m * w)}, m * w};
}

Made monday_tuesday(Story& st) {
  const int64_t x = st.n(5, 60), y = st.n(5, 60);
  const char* t = one_of(st, {
      "On Monday I collected {x} {obj}, and on Tuesday I collected {y}. How many {obj} did I collect on the "
      "two days together?",
      "{A} got {x} {obj} last week and {y} {obj} this week. How many {obj} did {A} get altogether?",
      "How many {obj} did our class bring in total, if we brought {x} on Monday and {y} on Tuesday?",
      "Yesterday {A} had {x} {obj}. Today {B} gave {A} {y} more. How many {obj} does {A} have now?",
  });
  return {tell(st, t, {{"x", num(x)}, {"y", num(y)}}), {equation(x, "+", y, x + y)}, x + y};
}

Made eaten_left(Story& st) {
  const int64_t x = st.n(10, 60), y = st.n(2, x - 1);
  const std::string food = word(st, {"cookies", "muffins", "buns", "biscuits", "cupcakes"});
  const char* t = one_of(st, {
      "We baked {x} {food} on Saturday. By Sunday night we had eaten {y} of them. How many {food} are left?",
      "Mum made {x} {food} for the week. The family ate {y} of them. How many {food} remain?",
      "There were {x} {food} in the tin on Monday. Now {y} are gone. How many are still in the tin?",
      "How many {food} are left if Dad baked {x} and we ate {y}?",
  });
  return {tell(st, t, {{"x", num(x)}, {"y", num(y)}, {"food", food}}), {equation(x, "-", y, x - y)}, x - y};
}

Made compare_more(Story& st) {
  const int64_t x = st.n(15, 90), y = st.n(5, x - 1);
  const char* t = one_of(st, {
      "{A} has {x} {obj}. {B} has {y} {obj}. How many more {obj} does {A} have than {B}?",
      "I have {x} {obj} and my little sister has {y}. How many more do I have?",
      "{B} has {y} {obj} and {A} has {x}. How many fewer {obj} does {B} have than {A}?",
      "My brother counted {x} {obj} in his {bin} and I counted {y} in mine. How many more {obj} are in his "
      "{bin} than in mine?",
  });
  return {tell(st, t, {{"x", num(x)}, {"y", num(y)}}), {equation(x, "-", y, x - y)}, x - y};
}

Made fewer_than(Story& st) {
  const int64_t y = st.n(15, 90), d = st.n(2, y - 1);
  const char* t = one_of(st, {
      "My sister has {y} {obj}. I have {d} fewer than she does. How many {obj} do I have?",
      "{A} has {y} {obj}. {B} has {d} fewer {obj} than {A}. How many {obj} does {B} have?",
      "How many {obj} does {B} have, if {A} has {y} and {B} has {d} less than {A}?",
      "Dad keeps {y} {obj} in a {bin}. Mum has {d} fewer in her {bin}. How many {obj} are in Mum's {bin}?",
  });
  return {tell(st, t, {{"y", num(y)}, {"d", num(d)}}), {equation(y, "-", d, y - d)}, y - d};
}

Made need_more(Story& st) {
  const int64_t goal = st.n(20, 100), have = st.n(2, goal - 1);
  const char* t = one_of(st, {
      "{A} wants to have {t} {obj} by the end of the month. Right now {A} has {h}. How many more {obj} does "
      "{A} need?",
      "I need {t} {obj} for my school project. I only have {h} so far. How many more do I need to find?",
      "Our class is collecting {obj}. The goal is {t}, and we have {h}. How many more {obj} do we still need?",
      "How many more {obj} must {A} get to reach {t}, if {A} already has {h}?",
  });
  return {tell(st, t, {{"t", num(goal)}, {"h", num(have)}}), {equation(goal, "-", have, goal - have)}, goal - have};
}

Made share_equally(Story& st) {
  const int64_t k = st.n(2, 8), q = st.n(2, 12), total = k * q;
  const char* t = one_of(st, {
      "Dad bought {n} {obj} and shared them equally among his {k} children. How many {obj} did each child get?",
      "{A} has {n} {obj} and shares them equally among {k} friends. How many {obj} does each friend get?",
      "Mum split {n} {obj} evenly into {k} {bins}. How many {obj} went into each {bin}?",
      "If {n} {obj} are divided equally among {k} kids, how many does each kid get?",
  });
  return {tell(st, t, {{"n", num(total)}, {"k", num(k)}}), {equation(total, "/", k, q)}, q};
}

Made half_of(Story& st) {
  const int64_t h = st.n(2, 50), x = 2 * h;
  const char* t = one_of(st, {
      "{A} had {x} {obj} and gave half of them to {B}. How many {obj} did {B} get?",
      "Mum baked {x} cookies and put half of them in the freezer. How many cookies went in the freezer?",
      "Half of the {x} children at my school party played outside. How many children played outside?",
      "I had {x} {obj}. I gave half to my brother. How many {obj} did my brother get?",
      "{A} shared {x} {obj} equally with {B}, so each of them got half. How many {obj} did {B} get?",
  });
  return {tell(st, t, {{"x", num(x)}}), {equation(x, "/", 2, h)}, h};
}

Made rows(Story& st) {
  const int64_t r = st.n(2, 12), c = st.n(2, 15);
  const char* t = one_of(st, {
      "For the school play we set out {r} rows of chairs with {c} chairs in each row. How many chairs did we "
      "set out?",
      "Grandpa planted {r} rows of carrots in the garden, {c} carrots in every row. How many carrots did he "
      "plant?",
      "My sticker page has {r} rows with {c} stickers per row. How many stickers fit on the page?",
      "How many eggs are in the big box if there are {r} rows of {c} eggs?",
      "In our classroom the desks stand in {r} rows, {c} desks to a row. How many desks are there?",
  });
  return {tell(st, t, {{"r", num(r)}, {"c", num(c)}}), {equation(r, "*", c, r * c)}, r * c};
}

Made teams_of(Story& st) {
  const int64_t s = st.n(2, 10), q = st.n(2, 10), n = s * q;
  const char* t = one_of(st, {
      "At sports day, the teacher split {n} children into teams of {s}. How many teams were there?",
      "Mum has {n} {obj} and puts {s} in each {bin}. How many {bins} does she fill?",
      "How many groups of {s} can we make from {n} children?",
      "{A} packs {n} {obj} into bags of {s}. How many bags will {A} fill?",
  });
  return {tell(st, t, {{"n", num(n)}, {"s", num(s)}}), {equation(n, "/", s, q)}, q};
}

Made twice(Story& st) {
  const int64_t x = st.n(2, 60);
  const char* t = one_of(st, {
      "{A} picked {x} strawberries. {B} picked twice as many. How many strawberries did {B} pick?",
      "I have {x} {obj}. My big brother has twice as many as I do. How many {obj} does he have?",
      "On Monday it rained for {x} minutes. On Tuesday it rained twice as long. How many minutes did it rain "
      "on Tuesday?",
      "{A} has {x} {obj}, and {B} has double that number. How many {obj} does {B} have?",
  });
  return {tell(st, t, {{"x", num(x)}}), {equation(x, "*", 2, 2 * x)}, 2 * x};
}

Made times_as_many(Story& st) {
  const int64_t x = st.n(2, 20), k = st.n(3, 6);
  const char* t = one_of(st, {
      "{A} has {x} {obj}. {B} has {k} times as many. How many {obj} does {B} have?",
      "Last week I saved {x} dollars. This week I saved {k} times as much. How many dollars did I save this "
      "week?",
      "Our garden had {x} tulips last spring. This spring it has {k} times as many. How many tulips are there "
      "this spring?",
      "How many {obj} are in the big {bin}, if it holds {k} times as many as the small {bin}, which holds {x}?",
  });
  return {tell(st, t, {{"x", num(x)}, {"k", num(k)}}), {equation(x, "*", k, x * k)}, x * k};
}

Made price_total(Story& st) {
  const int64_t p = st.n(2, 20), k = st.n(2, 9);
  const char* t = one_of(st, {
      "A {item} costs {p} dollars. Mum buys {k} of them. How much does she spend?",
      "I want to buy {k} {items} for my friends. Each one costs {p} dollars. How much money do I need?",
      "At the fair, {items} cost {p} dollars apiece. How much does {A} pay for {k} of them?",
      "How many dollars do {k} {items} cost at {p} dollars each?",
  });
  return {tell(st, t, {{"p", num(p)}, {"k", num(k)}}), {equation(k, "*", p, k * p)}, k * p};
}

Made change(Story& st) {
  const int64_t pay = st.p.pick(std::vector<int64_t>{10, 20, 50, 100});
  const int64_t p = st.n(2, pay - 1);
  const char* t = one_of(st, {
      "I paid for a {item} with a {pay}-dollar bill. The {item} cost {p} dollars. How much change did I get?",
      "{A} buys a {item} for {p} dollars and pays with {pay} dollars. How much change should {A} get back?",
      "Mum gave the shopkeeper {pay} dollars for a {item} that costs {p} dollars. What change did she get?",
      "How much change do you get from {pay} dollars if a {item} costs {p} dollars?",
  });
  return {tell(st, t, {{"pay", num(pay)}, {"p", num(p)}}), {equation(pay, "-", p, pay - p)}, pay - p};
}

Made minutes_longer(Story& st) {
  const int64_t a = st.n(20, 90), b = st.n(5, a - 1);
  const char* t = one_of(st, {
      "I practise the piano for {a} minutes, and my sister practises for {b} minutes. How much longer do I "
      "practise, in minutes?",
      "{A}'s walk to school takes {a} minutes. {B}'s walk takes {b} minutes. How many minutes longer is {A}'s "
      "walk?",
      "The film was {a} minutes long and the cartoon before it was {b} minutes long. How many more minutes did "
      "the film last?",
      "On Saturday we stayed at the park for {a} minutes, and on Sunday for {b} minutes. How many fewer minutes "
      "did we stay on Sunday?",
  });
  return {tell(st, t, {{"a", num(a)}, {"b", num(b)}}), {equation(a, "-", b, a - b)}, a - b};
}

Made hours_to_minutes(Story& st) {
  const int64_t h = st.n(1, 3);
  const char* t = one_of(st, {
      "The drive to Grandma's house takes {h} {hours}. How many minutes is that?",
      "{A} slept for {h} {hours} on the plane. How many minutes did {A} sleep?",
      "Our football practice lasts {h} {hours}. How many minutes does practice last?",
      "How many minutes are there in {h} {hours}?",
  });
  return {tell(st, t, {{"h", num(h)}, {"hours", hours_word(h)}}), {equation(h, "*", 60, h * 60)}, h * 60};
}

Made save_weeks(Story& st) {
  const int64_t s = st.n(2, 20), w = st.n(2, 100 / s), c = s * w;
  const char* t = one_of(st, {
      "I want a {wish} that costs {c} dollars. I save {s} dollars every week. How many weeks will it take me?",
      "{A} is saving up for a {wish}. It costs {c} dollars, and {A} puts away {s} dollars each week. After how "
      "many weeks will {A} have enough?",
      "How many weeks does it take to save {c} dollars at {s} dollars a week?",
      "Mum says I can have a {wish} for {c} dollars if I save for it. I get {s} dollars per week. How many "
      "weeks must I save?",
  });
  return {tell(st, t, {{"c", num(c)}, {"s", num(s)}, {"wish", wish(st)}}), {equation(c, "/", s, w)}, w};
}

// ---------------------------------------------------------------------------------------
// Two steps.
// ---------------------------------------------------------------------------------------

Made picked_then_used(Story& st) {
  const int64_t x = st.n(10, 60), y = st.n(10, 60), s = x + y, z = st.n(2, std::min<int64_t>(100, s - 1));
  const char* t = one_of(st, {
      "On Monday we picked {x} apples, and on Tuesday we picked {y} more. Then Mum used {z} apples for a pie. "
      "How many apples are left?",
      "On Saturday {A} got {x} {obj}, and on Sunday {y} more. On Monday {A} gave {z} of them to {B}. How many "
      "{obj} does {A} have now?",
      "I had {x} {obj}. Grandma gave me {y} more. Then I lost {z}. How many {obj} do I have left?",
      "How many {obj} are left in the {bin} if {A} put in {x}, then {B} added {y}, and then {z} were taken "
      "out?",
  });
  return {tell(st, t, {{"x", num(x)}, {"y", num(y)}, {"z", num(z)}}),
          {equation(x, "+", y, s), equation(s, "-", z, s - z)},
          s - z};
}

Made pocket_then_spend(Story& st) {
  const int64_t m = st.n(2, 10), w = st.n(2, 10), got = m * w, s = st.n(2, got - 1);
  const char* t = one_of(st, {
      "Mum gives me {m} dollars every week. After {w} weeks I spent {s} dollars on a {item}. How much money do "
      "I have left?",
      "{A} gets {m} dollars of pocket money each week. {A} saved it for {w} weeks, then bought a {item} for {s} "
      "dollars. How many dollars are left?",
      "Every Friday Dad pays me {m} dollars for helping in the garden. I helped for {w} weeks and then spent "
      "{s} dollars. How much do I still have?",
      "How much money does {A} have left, if {A} saves {m} dollars a week for {w} weeks and then spends {s} "
      "dollars?",
  });
  return {tell(st, t, {{"m", num(m)}, {"w", num(w)}, {"s", num(s)}}),
          {equation(m, "*", w, got), equation(got, "-", s, got - s)},
          got - s};
}

Made twice_together(Story& st) {
  const int64_t x = st.n(2, 60), d = 2 * x;
  const char* t = one_of(st, {
      "{A} has {x} {obj}. {B} has twice as many. How many {obj} do they have together?",
      "I picked {x} strawberries and my dad picked twice as many. How many strawberries did we pick "
      "altogether?",
      "On Monday I read {x} pages. On Tuesday I read twice as many. How many pages did I read on the two days?",
      "How many {obj} are there in all, if the small {bin} holds {x} and the big {bin} holds twice as many?",
  });
  return {tell(st, t, {{"x", num(x)}}), {equation(x, "*", 2, d), equation(x, "+", d, x + d)}, x + d};
}

Made half_then_used(Story& st) {
  const int64_t h = st.n(3, 50), x = 2 * h, y = st.n(2, h - 1);
  const char* t = one_of(st, {
      "{A} had {x} {obj} and gave half of them to {B}. Later {A} lost {y} of the rest. How many {obj} does {A} have "
      "now?",
      "Mum baked {x} cookies. Half of them went to the school sale. We ate {y} of the rest. How many cookies "
      "are left at home?",
      "I had {x} {obj}. I gave half to my brother and {y} to my friend. How many {obj} do I have left?",
      "How many {obj} are left if {A} starts with {x}, gives away half, and then uses {y}?",
  });
  return {tell(st, t, {{"x", num(x)}, {"y", num(y)}}), {equation(x, "/", 2, h), equation(h, "-", y, h - y)}, h - y};
}

Made buy_change(Story& st) {
  const int64_t k = st.n(2, 6), p = st.n(2, 15), cost = k * p;
  std::vector<int64_t> notes;
  for (int64_t v : {10, 20, 50, 100})
    if (v > cost) notes.push_back(v);
  const int64_t pay = st.p.pick(notes);
  const char* t = one_of(st, {
      "I bought {k} {items} at {p} dollars each and paid with a {pay}-dollar bill. How much change did I get?",
      "Mum buys {k} {items}. Each one costs {p} dollars. She pays with {pay} dollars. How much change does she "
      "get?",
      "{A} has {pay} dollars and buys {k} {items} for {p} dollars apiece. How much money is left?",
      "How much change is there from {pay} dollars for {k} {items} costing {p} dollars each?",
  });
  return {tell(st, t, {{"k", num(k)}, {"p", num(p)}, {"pay", num(pay)}}),
          {equation(k, "*", p, cost), equation(pay, "-", cost, pay - cost)},
          pay - cost};
}

Made book_pages_left(Story& st) {
  const int64_t p = st.n(3, 12), d = st.n(2, 90 / p), done = p * d, n = st.n(done + 5, 100);
  const char* t = one_of(st, {
      "My book has {n} pages. I read {p} pages every day for {d} days. How many pages do I still have to read?",
      "{A} is reading a book with {n} pages. {A} reads {p} pages a day. How many pages are left after {d} "
      "days?",
      "How many pages are left to read in a {n}-page book after reading {p} pages per day for {d} days?",
      "Dad reads me {p} pages each night. The book is {n} pages long. After {d} nights, how many pages remain?",
  });
  return {tell(st, t, {{"n", num(n)}, {"p", num(p)}, {"d", num(d)}}),
          {equation(p, "*", d, done), equation(n, "-", done, n - done)},
          n - done};
}

Made rows_plus_extra(Story& st) {
  const int64_t r = st.n(2, 8), c = st.n(2, 12), e = st.n(2, 30), g = r * c;
  const char* t = one_of(st, {
      "Dad planted {r} rows of tulips with {c} tulips in each row. Then he planted {e} more by the gate. How "
      "many tulips did he plant?",
      "For the party we put out {r} rows of {c} chairs, and later {e} more chairs for the grown-ups. How many "
      "chairs were there in all?",
      "{A} laid out {obj} in {r} rows of {c}, and there were {e} {obj} left over. How many {obj} did {A} have?",
      "How many cupcakes are there altogether if the tray has {r} rows of {c} cupcakes and there are {e} more "
      "on a plate?",
  });
  return {tell(st, t, {{"r", num(r)}, {"c", num(c)}, {"e", num(e)}}),
          {equation(r, "*", c, g), equation(g, "+", e, g + e)},
          g + e};
}

Made gift_then_share(Story& st) {
  const int64_t k = st.n(2, 6), q = st.n(2, 20), total = k * q;
  const int64_t x = st.n(std::max<int64_t>(2, total - 100), std::min<int64_t>(100, total - 2)), y = total - x;
  const char* t = one_of(st, {
      "Mum bought {x} {obj} and Grandma brought {y} more. Mum shared them all equally among us {k} children. "
      "How many {obj} did each of us get?",
      "{A} had {x} {obj} and {B} had {y}. They put them together and split them into {k} equal groups. How "
      "many {obj} were in each group?",
      "On Saturday we picked {x} cherries and on Sunday {y} cherries. We packed them equally into {k} bags. How "
      "many cherries went in each bag?",
      "If {x} {obj} and {y} more {obj} are put together and shared equally among {k} friends, how many does "
      "each friend get?",
  });
  return {tell(st, t, {{"x", num(x)}, {"y", num(y)}, {"k", num(k)}}),
          {equation(x, "+", y, total), equation(total, "/", k, q)},
          q};
}

Made ride_plus_walk(Story& st) {
  const int64_t h = st.n(1, 2), m = st.n(5, 55), hm = h * 60;
  const char* t = one_of(st, {
      "The bus ride to the lake takes {h} {hours}, and then we walk for {m} minutes. How many minutes does the "
      "whole trip take?",
      "{A} played football for {h} {hours} and then rode home for {m} minutes. How many minutes was that in "
      "total?",
      "How many minutes in all is a trip of {h} {hours} by train plus {m} minutes on foot?",
      "Mum baked bread for {h} {hours} and then let it cool for {m} minutes. How many minutes did it take "
      "altogether?",
  });
  return {tell(st, t, {{"h", num(h)}, {"hours", hours_word(h)}, {"m", num(m)}}),
          {equation(h, "*", 60, hm), equation(hm, "+", m, hm + m)},
          hm + m};
}

Made two_savers(Story& st) {
  const int64_t a = st.n(2, 10), b = st.n(2, 10), s = a + b, w = st.n(2, std::min<int64_t>(10, 200 / s));
  const char* t = one_of(st, {
      "I save {a} dollars each week and my brother saves {b} dollars each week. How much do we save together "
      "in {w} weeks?",
      "The jar was empty. Every week {A} puts {a} dollars in it and {B} puts in {b} dollars. How many dollars "
      "are in the jar after {w} weeks?",
      "Every week Mum gives {a} dollars and Dad gives {b} dollars for my savings. How much have I got after "
      "{w} weeks?",
      "How many dollars do {A} and {B} save in {w} weeks if {A} saves {a} dollars and {B} saves {b} dollars every "
      "week?",
  });
  return {tell(st, t, {{"a", num(a)}, {"b", num(b)}, {"w", num(w)}}),
          {equation(a, "+", b, s), equation(s, "*", w, s * w)},
          s * w};
}

Made times_more_than(Story& st) {
  const int64_t x = st.n(2, 20), k = st.n(3, 5), big = x * k;
  const char* t = one_of(st, {
      "On Monday we saw {x} birds at the feeder. On Tuesday we saw {k} times as many. How many more birds did "
      "we see on Tuesday than on Monday?",
      "{A} has {x} {obj}. {B} has {k} times as many. How many more {obj} does {B} have than {A}?",
      "How many more {obj} does {B} have than {A}, if {A} has {x} and {B} has {k} times as many?",
      "My little brother got {x} {obj} for his birthday, and I got {k} times as many for mine. How many more "
      "{obj} did I get than he did?",
  });
  return {tell(st, t, {{"x", num(x)}, {"k", num(k)}}),
          {equation(x, "*", k, big), equation(big, "-", x, big - x)},
          big - x};
}

Made eggs_boxes(Story& st) {
  const int64_t e = st.n(2, 12), d = st.n(2, 10), all = e * d, s = divisor_of(st, all);
  const char* t = one_of(st, {
      "Our hens lay {e} eggs every day. After {d} days, Dad packs all the eggs into boxes of {s}. How many "
      "boxes does he fill?",
      "I make {e} paper stars each day for {d} days. Then I put them in bags of {s}. How many bags do I use?",
      "{A} picks {e} strawberries a day for {d} days and puts them all in bowls of {s}. How many bowls are "
      "filled?",
      "How many packs of {s} can be made from the {obj} {A} collects in {d} days, at {e} {obj} a day?",
  });
  return {tell(st, t, {{"e", num(e)}, {"d", num(d)}, {"s", num(s)}}),
          {equation(e, "*", d, all), equation(all, "/", s, all / s)},
          all / s};
}

Made earn_then_buy(Story& st) {
  const int64_t e = st.n(2, 10), c = st.n(2, 10), pay = e * c, p = divisor_of(st, pay);
  const char* t = one_of(st, {
      "I earn {e} dollars for every car I wash. On Saturday I washed {c} cars. I want to spend it all on "
      "{items} that cost {p} dollars each. How many can I buy?",
      "{A} gets {e} dollars for each dog walk. {A} did {c} walks this week and wants to buy {items} at {p} "
      "dollars apiece. How many {items} can {A} buy with the money?",
      "Grandpa pays me {e} dollars for every hour I help in his garden. I helped for {c} hours. How many "
      "{items} at {p} dollars each can I buy with my pay?",
      "How many {items} at {p} dollars each can {A} buy after earning {e} dollars a day for {c} days?",
  });
  return {tell(st, t, {{"e", num(e)}, {"c", num(c)}, {"p", num(p)}}),
          {equation(e, "*", c, pay), equation(pay, "/", p, pay / p)},
          pay / p};
}

Made film_left(Story& st) {
  const int64_t h = st.n(1, 3), hm = h * 60, m = st.n(5, std::min<int64_t>(100, hm - 5));
  const char* t = one_of(st, {
      "The film is {h} {hours} long. We have watched {m} minutes so far. How many minutes are left?",
      "{A}'s flight takes {h} {hours}. After {m} minutes in the air, how many minutes are still to go?",
      "Our car trip takes {h} {hours}. We have been driving for {m} minutes. How much longer, in minutes, until "
      "we arrive?",
      "How many minutes of the game remain, if the game lasts {h} {hours} and {m} minutes have been played?",
  });
  return {tell(st, t, {{"h", num(h)}, {"hours", hours_word(h)}, {"m", num(m)}}),
          {equation(h, "*", 60, hm), equation(hm, "-", m, hm - m)},
          hm - m};
}

Made hand_out_left(Story& st) {
  const int64_t k = st.n(2, 8), q = st.n(2, std::min<int64_t>(10, 90 / k)), given = k * q,
                n = st.n(given + 1, 100);
  const char* t = one_of(st, {
      "Mum had {n} stickers. She gave {q} stickers to each of my {k} friends at my party. How many stickers "
      "does she have left?",
      "{A} has {n} {obj} and gives {q} to each of {k} friends. How many {obj} does {A} keep?",
      "There are {n} {obj} in the {bin}. Each of the {k} children takes {q}. How many {obj} are still in the "
      "{bin}?",
      "How many {obj} are left if {A} starts with {n} and hands out {q} to each of {k} cousins?",
  });
  return {tell(st, t, {{"n", num(n)}, {"q", num(q)}, {"k", num(k)}}),
          {equation(k, "*", q, given), equation(n, "-", given, n - given)},
          n - given};
}

Made fewer_then_weekend(Story& st) {
  const int64_t x = st.n(10, 90), d = st.n(2, x - 1), y = x - d;
  const char* t = one_of(st, {
      "On Saturday I scored {x} points in my game. On Sunday I scored {d} fewer. How many points did I score "
      "over the weekend?",
      "{A} read {x} pages on Monday and {d} fewer pages on Tuesday. How many pages did {A} read on both days?",
      "Last week our class collected {x} {obj}. This week we collected {d} fewer. How many {obj} did we collect "
      "in the two weeks?",
      "How many {obj} do {A} and {B} have together, if {A} has {x} and {B} has {d} fewer than {A}?",
  });
  return {tell(st, t, {{"x", num(x)}, {"d", num(d)}}),
          {equation(x, "-", d, y), equation(x, "+", y, x + y)},
          x + y};
}

Made half_price(Story& st) {
  const int64_t q = st.n(2, 15), p = 2 * q, k = st.n(2, std::min<int64_t>(8, 120 / q));
  const char* t = one_of(st, {
      "A {item} usually costs {p} dollars. Today everything is half price. How much do {k} {items} cost today?",
      "Mum found {items} on sale for half of the usual {p} dollars. She bought {k}. How much did she pay?",
      "{A} buys {k} {items} at half price. The normal price is {p} dollars each. How much does {A} spend?",
      "How much do {k} {items} cost at half price, if one normally costs {p} dollars?",
  });
  return {tell(st, t, {{"p", num(p)}, {"k", num(k)}}),
          {equation(p, "/", 2, q), equation(q, "*", k, q * k)},
          q * k};
}

Made save_rest_weeks(Story& st) {
  const int64_t s = st.n(2, 10), w = st.n(2, std::min<int64_t>(10, 90 / s)), need = s * w,
                h = st.n(2, 100 - need), c = h + need;
  const char* t = one_of(st, {
      "I want a {wish} that costs {c} dollars. I already have {h} dollars, and I save {s} dollars a week. How "
      "many weeks until I can buy it?",
      "{A} has {h} dollars and wants a {wish} for {c} dollars. If {A} saves {s} dollars every week, how many "
      "weeks will it take?",
      "A {wish} costs {c} dollars. Grandma gave me {h} dollars for my birthday, and I will save {s} dollars per "
      "week for the rest. How many weeks do I need?",
      "How many weeks of saving {s} dollars a week does {A} need to buy a {c}-dollar {wish}, with {h} dollars "
      "saved already?",
  });
  return {tell(st, t, {{"c", num(c)}, {"h", num(h)}, {"s", num(s)}, {"wish", wish(st)}}),
          {equation(c, "-", h, need), equation(need, "/", s, w)},
          w};
}

}  // namespace

const std::vector<StoryTemplate>& written_math_templates_d() {
  static const std::vector<StoryTemplate> v = {
      {"wd_pages_every_day", 1, pages_every_day},
      {"wd_weekly_pocket_money", 1, weekly_pocket_money},
      {"wd_monday_tuesday", 1, monday_tuesday},
      {"wd_eaten_left", 1, eaten_left},
      {"wd_compare_more", 1, compare_more},
      {"wd_fewer_than", 1, fewer_than},
      {"wd_need_more", 1, need_more},
      {"wd_share_equally", 1, share_equally},
      {"wd_half_of", 1, half_of},
      {"wd_rows", 1, rows},
      {"wd_teams_of", 1, teams_of},
      {"wd_twice", 1, twice},
      {"wd_times_as_many", 1, times_as_many},
      {"wd_price_total", 1, price_total},
      {"wd_change", 1, change},
      {"wd_minutes_longer", 1, minutes_longer},
      {"wd_hours_to_minutes", 1, hours_to_minutes},
      {"wd_save_weeks", 1, save_weeks},
      {"wd_picked_then_used", 2, picked_then_used},
      {"wd_pocket_then_spend", 2, pocket_then_spend},
      {"wd_twice_together", 2, twice_together},
      {"wd_half_then_used", 2, half_then_used},
      {"wd_buy_change", 2, buy_change},
      {"wd_book_pages_left", 2, book_pages_left},
      {"wd_rows_plus_extra", 2, rows_plus_extra},
      {"wd_gift_then_share", 2, gift_then_share},
      {"wd_ride_plus_walk", 2, ride_plus_walk},
      {"wd_two_savers", 2, two_savers},
      {"wd_times_more_than", 2, times_more_than},
      {"wd_eggs_boxes", 2, eggs_boxes},
      {"wd_earn_then_buy", 2, earn_then_buy},
      {"wd_film_left", 2, film_left},
      {"wd_hand_out_left", 2, hand_out_left},
      {"wd_fewer_then_weekend", 2, fewer_then_weekend},
      {"wd_half_price", 2, half_price},
      {"wd_save_rest_weeks", 2, save_rest_weeks},
  };
  return v;
}

}  // namespace loco::datagen
