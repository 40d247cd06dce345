// Training word problems written by author a of four, writing independently, without
// reading the held-out set or the other generators. Theme: home, shopping and the kitchen:
// prices, totals, change from a payment, saving up, pocket money, recipes and baking (cups,
// eggs, cookies on trays), and time at home (chores in minutes, hours of sleep, how much
// longer until something is ready). Each template picks one of several phrasings.
#include <algorithm>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "datagen/math_story.h"

namespace loco::datagen {
namespace {

std::string one_of(Story& st, std::initializer_list<const char*> options) {
  const std::vector<std::string> v(options.begin(), options.end());
  return st.p.pick(v);
}

std::string word(Story& st, const std::vector<std::string>& words) { return st.p.pick(words); }

std::string capital(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string hours_word(int64_t h) { return h == 1 ? "hour" : "hours"; }

Made one(std::string q, int64_t x, const char* op, int64_t y, int64_t r) {
  return {std::move(q), {equation(x, op, y, r)}, r};
}

Made two(std::string q, std::string first, std::string second, int64_t r) {
  return {std::move(q), {std::move(first), std::move(second)}, r};
}

// Things baked on trays and shared out.
const std::vector<std::string>& baked() {
  static const std::vector<std::string> v = {"cookies", "muffins", "cupcakes", "buns", "bread rolls", "biscuits"};
  return v;
}

// Things bought at the market and kept in the kitchen.
const std::vector<std::string>& produce() {
  static const std::vector<std::string> v = {"apples", "potatoes", "carrots", "onions",
                                             "tomatoes", "oranges", "lemons",  "peppers"};
  return v;
}

// Groceries, written after "a" (none starts with a vowel).
const std::vector<std::string>& groceries() {
  static const std::vector<std::string> v = {"bottle of milk",  "loaf of bread",   "bag of rice",
                                             "box of tea",      "jar of jam",      "bag of flour",
                                             "block of cheese", "carton of juice", "pack of pasta"};
  return v;
}

// Bigger things to save up for, written after "a".
const std::vector<std::string>& goals() {
  static const std::vector<std::string> v = {"bike",     "board game", "pair of shoes", "toy robot",
                                             "backpack", "watch",      "scooter",       "guitar"};
  return v;
}

// Chores, as what someone spends time doing.
const std::vector<std::string>& chores() {
  static const std::vector<std::string> v = {"washing the dishes",  "vacuuming the floor",  "folding the laundry",
                                             "tidying the bedroom", "sweeping the kitchen", "watering the plants",
                                             "making the beds",     "dusting the shelves"};
  return v;
}

// ---------------------------------------------------------------------------------------
// One step.

Made item_cost_many(Story& st) {
  const int64_t p = st.n(2, 12), k = st.n(2, 9);
  const std::string q = st.f(one_of(st, {"A {item} costs {p} dollars. {A} buys {k} {items}. How much does {A} pay in total?",
                                         "{A} wants {k} {items}. Each one costs ${p}. How much money is that altogether?",
                                         "How many dollars do {k} {items} cost if one {item} costs {p} dollars?",
                                         "At the shop, {items} are {p} dollars apiece. {A} picked up {k} of them. What was the total cost?",
                                         "{A} bought {k} {items} for {p} dollars each. How much did {A} spend?"}),
                             {{"p", num(p)}, {"k", num(k)}});
  return one(q, k, "*", p, k * p);
}

Made change_from_note(Story& st) {
  const int64_t pay = st.p.pick(std::vector<int64_t>{10, 20, 50, 100});
  const int64_t c = st.n(2, pay - 1);
  const std::string thing = c > 20 ? word(st, goals()) : st.item.one;
  const std::string q = st.f(one_of(st, {"{A} buys a {thing} for {c} dollars and pays using a {pay}-dollar bill. How much change does {A} get?",
                                         "A {thing} costs ${c}. {A} hands the cashier ${pay}. How much change should come back?",
                                         "{A} paid {pay} dollars for a {thing} that cost {c} dollars. What change did {A} receive?",
                                         "How much change will {A} get from {pay} dollars after buying a {thing} that costs {c} dollars?"}),
                             {{"c", num(c)}, {"pay", num(pay)}, {"thing", thing}});
  return one(q, pay, "-", c, pay - c);
}

Made two_groceries(Story& st) {
  const auto [g1, g2] = st.p.pick_two(groceries());
  const int64_t a = st.n(2, 30), b = st.n(2, 30);
  const std::string q =
      st.f(one_of(st, {"At the store, {A} buys a {g1} for {a} dollars and a {g2} for {b} dollars. How much does {A} spend altogether?",
                       "A {g1} costs {a} dollars and a {g2} costs {b} dollars. What do they cost together?",
                       "What is the total cost of a {g1} at {a} dollars and a {g2} at {b} dollars?",
                       "{A} spent {a} dollars on a {g1} and {b} dollars on a {g2}. How much did {A} spend in all?",
                       "A {g1} is ${a}. A {g2} is ${b}. If {A} buys both, how much is that combined?"}),
           {{"g1", g1}, {"g2", g2}, {"a", num(a)}, {"b", num(b)}});
  return one(q, a, "+", b, a + b);
}

Made save_each_week(Story& st) {
  const int64_t s = st.n(2, 15), w = st.n(2, 10);
  const std::string q = st.f(one_of(st, {"{A} saves {s} dollars every week. How much has {A} saved after {w} weeks?",
                                         "Each week {A} puts {s} dollars into an empty piggy bank. How many dollars are in it after {w} weeks?",
                                         "For {w} weeks in a row, {A} saved ${s} a week. How much money did {A} save in total?",
                                         "If {A} sets aside {s} dollars of pocket money per week, how much will {A} have saved in {w} weeks?"}),
                             {{"s", num(s)}, {"w", num(w)}});
  return one(q, s, "*", w, s * w);
}

Made more_money_needed(Story& st) {
  const int64_t h = st.n(2, 60), c = st.n(h + 1, h + 40);
  const std::string q = st.f(one_of(st, {"{A} has {h} dollars and wants a {goal} that costs {c} dollars. How much more money does {A} need?",
                                         "A {goal} costs {c} dollars. {A} has saved {h} dollars so far. How many more dollars must {A} save to buy it?",
                                         "{A} is saving up for a {goal} priced at {c} dollars. With {h} dollars in the piggy bank, how much is still missing?",
                                         "How many more dollars does {A} need to buy a {goal} for {c} dollars when {A} has only {h} dollars?"}),
                             {{"h", num(h)}, {"c", num(c)}, {"goal", word(st, goals())}});
  return one(q, c, "-", h, c - h);
}

Made food_used(Story& st) {
  const int64_t e = st.n(6, 40), u = st.n(2, e - 1);
  const std::string q = st.f(one_of(st, {"There were {e} {food} in the kitchen. {A} used {u} of them to cook dinner. How many {food} are left?",
                                         "{A} used {u} {food} for a big pot of soup. The basket had {e} {food} before. How many {food} remain?",
                                         "How many {food} are still in the basket if there were {e} and {A} cooked {u} of them?",
                                         "{A} had {e} {food} and chopped up {u} of them for a salad. How many {food} does {A} have now?"}),
                             {{"e", num(e)}, {"u", num(u)}, {"food", word(st, produce())}});
  return one(q, e, "-", u, e - u);
}

Made trays_of_baking(Story& st) {
  const int64_t t = st.n(2, 6), c = st.n(4, 20);
  const std::string q = st.f(one_of(st, {"{A} bakes {t} trays of {bake} with {c} {bake} on each tray. How many {bake} is that?",
                                         "Each baking tray holds {c} {bake}. How many {bake} fit on {t} trays?",
                                         "There are {t} trays in the oven, and every tray has {c} {bake} on it. How many {bake} are baking in all?",
                                         "If {A} fills {t} trays with {c} {bake} apiece, how many {bake} are there altogether?",
                                         "{A} put {bake} on {t} trays, {c} per tray. How many {bake} did {A} put out?"}),
                             {{"t", num(t)}, {"c", num(c)}, {"bake", word(st, baked())}});
  return one(q, t, "*", c, t * c);
}

Made share_baking(Story& st) {
  const int64_t k = st.n(2, 8), each = st.n(2, 12), n = k * each;
  const std::string q = st.f(one_of(st, {"{A} baked {n} {bake} and shares them equally among {k} friends. How many {bake} does each friend get?",
                                         "{n} {bake} are split evenly between {k} plates. How many {bake} go on each plate?",
                                         "There are {n} {bake} for {k} children. If every child gets the same number, how many does each child get?",
                                         "How many {bake} does each person get when {n} {bake} are divided equally among {k} people?"}),
                             {{"n", num(n)}, {"k", num(k)}, {"bake", word(st, baked())}});
  return one(q, n, "/", k, each);
}

Made two_chores(Story& st) {
  const auto [c1, c2] = st.p.pick_two(chores());
  const int64_t a = st.n(5, 45), b = st.n(5, 45);
  const std::string q = st.f(one_of(st, {"{A} spent {a} minutes {c1} and {b} minutes {c2}. How many minutes did {A} spend on chores in total?",
                                         "On Saturday {A} was {c1} for {a} minutes and then {c2} for {b} minutes. How long did the chores take altogether?",
                                         "If {c1} takes {a} minutes and {c2} takes {b} minutes, how many minutes does {A} need for both?",
                                         "{C1} takes {A} {a} minutes. {C2} takes {b} minutes. How many minutes is that combined?"}),
                             {{"a", num(a)}, {"b", num(b)}, {"c1", c1}, {"c2", c2}, {"C1", capital(c1)}, {"C2", capital(c2)}});
  return one(q, a, "+", b, a + b);
}

Made hours_to_minutes(Story& st) {
  const int64_t h = st.n(1, 3);
  const std::string q = st.f(one_of(st, {"A stew cooks slowly for {h} {hours}. For how many minutes does it cook?",
                                         "{A} spent {h} {hours} cleaning the house. How many minutes is that?",
                                         "How many minutes does the bread dough rest if it rests for {h} {hours}?",
                                         "On Sunday {A} baked for {h} {hours}. How many minutes did {A} spend baking?"}),
                             {{"h", num(h)}, {"hours", hours_word(h)}});
  return one(q, h, "*", 60, h * 60);
}

Made oven_how_much_longer(Story& st) {
  const int64_t total = st.n(20, 90), done = st.n(5, total - 1);
  const std::string q = st.f(one_of(st, {"A cake needs {T} minutes in the oven. It has been baking for {t} minutes. How many more minutes does it need?",
                                         "The chicken must roast for {T} minutes. After {t} minutes, how much longer does it have to cook?",
                                         "{A} put a pie in the oven. The recipe says {T} minutes, and {t} minutes have passed. How many minutes are left?",
                                         "How much longer until the bread is ready if it bakes for {T} minutes and has already baked for {t} minutes?"}),
                             {{"T", num(total)}, {"t", num(done)}});
  return one(q, total, "-", done, total - done);
}

Made half_of(Story& st) {
  const bool money = st.p.coin();
  const int64_t n = money ? 2 * st.n(3, 50) : 2 * st.n(3, 20);
  std::string text;
  if (money) {
    text = one_of(st, {"{A} had {n} dollars and spent half of it on groceries. How many dollars did {A} spend?",
                       "{A} has {n} dollars of pocket money and puts half of it in a piggy bank. How much goes in the piggy bank?",
                       "{A} and {B} split a grocery bill of {n} dollars in half. How much does each of them pay?"});
  } else {
    text = one_of(st, {"There are {n} {bake} in a jar. {A} takes half of them to a party. How many {bake} does {A} take?",
                       "{A} baked {n} {bake} and gave half to the neighbours. How many {bake} did the neighbours get?",
                       "{A} wants to keep half of {n} {bake} for later. How many {bake} does {A} keep?"});
  }
  const std::string q = st.f(text, {{"n", num(n)}, {"bake", word(st, baked())}});
  return one(q, n, "/", 2, n / 2);
}

Made pocket_money_compare(Story& st) {
  const int64_t y = st.n(3, 40), x = st.n(y + 1, 50);
  const std::string q = st.f(one_of(st, {"{A} gets {x} dollars of pocket money a week and {B} gets {y} dollars. How much more does {A} get than {B}?",
                                         "Each week {B} gets {y} dollars and {A} gets {x} dollars. How many dollars less does {B} get?",
                                         "How much more pocket money does {A} get than {B} if {A} gets {x} dollars and {B} gets {y} dollars?",
                                         "{A} has {x} dollars in a piggy bank. {B} has {y} dollars. What is the difference between their savings?"}),
                             {{"x", num(x)}, {"y", num(y)}});
  return one(q, x, "-", y, x - y);
}

Made pack_in_groups(Story& st) {
  const int64_t s = st.n(2, 12), k = st.n(2, 8), n = s * k;
  const std::string q = st.f(one_of(st, {"{A} baked {n} {bake} and packs them into boxes of {s}. How many boxes does {A} fill?",
                                         "{n} {bake} are put on plates, {s} on each plate. How many plates are used?",
                                         "How many bags does {A} need to pack {n} {bake} if each bag holds {s}?",
                                         "{A} put {n} {bake} into equal groups of {s}. How many groups are there?"}),
                             {{"n", num(n)}, {"s", num(s)}, {"bake", word(st, baked())}});
  return one(q, n, "/", s, k);
}

Made sleep_nights(Story& st) {
  const int64_t h = st.n(7, 11), d = st.n(2, 7);
  const std::string q = st.f(one_of(st, {"{A} sleeps {h} hours every night. How many hours does {A} sleep in {d} nights?",
                                         "For {d} nights, {A} slept {h} hours each night. How many hours of sleep is that in total?",
                                         "If {A} gets {h} hours of sleep per night, how many hours is that over {d} nights?",
                                         "Every night {A} goes to bed and sleeps for {h} hours. How many hours of sleep does {A} get in {d} nights?"}),
                             {{"h", num(h)}, {"d", num(d)}});
  return one(q, h, "*", d, h * d);
}

Made times_as_many(Story& st) {
  const int64_t x = st.n(3, 20), m = st.n(2, 5);
  std::string text = one_of(st, {"{A} baked {x} {bake}. {B} baked {m} times as many. How many {bake} did {B} bake?",
                                 "{B} made {m} times as many {bake} as {A}, who made {x}. How many {bake} did {B} make?",
                                 "If {A} has {x} {bake} and {B} has {m} times as many, how many {bake} does {B} have?"});
  if (m == 2 && st.p.coin()) {
    text = one_of(st, {"{A} ate {x} {bake}. {B} ate twice as many. How many {bake} did {B} eat?",
                       "{B} bought twice as many {bake} as {A}. {A} bought {x}. How many did {B} buy?"});
  }
  const std::string q = st.f(text, {{"x", num(x)}, {"m", num(m)}, {"bake", word(st, baked())}});
  return one(q, x, "*", m, x * m);
}

Made fewer_than(Story& st) {
  const int64_t x = st.n(10, 60), d = st.n(2, x - 1);
  const std::string q = st.f(one_of(st, {"{A} bought {x} {food} at the market. {B} bought {d} fewer. How many {food} did {B} buy?",
                                         "{B} has {d} fewer {food} than {A}. {A} has {x}. How many does {B} have?",
                                         "How many {food} are in {B}'s basket if {A}'s basket holds {x} and {B}'s holds {d} fewer?",
                                         "{A} spent {x} dollars at the supermarket. {B} spent {d} dollars less. How much did {B} spend?"}),
                             {{"x", num(x)}, {"d", num(d)}, {"food", word(st, produce())}});
  return one(q, x, "-", d, x - d);
}

Made price_of_one(Story& st) {
  const int64_t k = st.n(2, 8), p = st.n(2, 12), total = k * p;
  const std::string q = st.f(one_of(st, {"{k} {items} cost {T} dollars together. Each one costs the same. How much is one {item}?",
                                         "{A} paid {T} dollars for {k} {items}, all the same price. What did each {item} cost?",
                                         "How much does one {item} cost if {k} of them cost {T} dollars?",
                                         "A pack of {k} {items} sells for ${T}. What is the price per {item}?"}),
                             {{"k", num(k)}, {"T", num(total)}});
  return one(q, total, "/", k, p);
}

// ---------------------------------------------------------------------------------------
// Two steps.

Made buy_many_change(Story& st) {
  const int64_t p = st.n(2, 12), k = st.n(2, 8), cost = k * p;
  std::vector<int64_t> notes;
  for (int64_t v : {20, 50, 100})
    if (v > cost) notes.push_back(v);
  const int64_t pay = st.p.pick(notes);
  const std::string q = st.f(one_of(st, {"{A} buys {k} {items} at {p} dollars each and pays with {pay} dollars. How much change does {A} get?",
                                         "Each {item} costs {p} dollars. {A} takes {k} of them to the till and hands over {pay} dollars. What change comes back?",
                                         "How much change is left from {pay} dollars after buying {k} {items} that cost {p} dollars apiece?",
                                         "{A} had {pay} dollars. After buying {k} {items} for {p} dollars each, how much money did {A} have left?"}),
                             {{"p", num(p)}, {"k", num(k)}, {"pay", num(pay)}});
  return two(q, equation(k, "*", p, cost), equation(pay, "-", cost, pay - cost), pay - cost);
}

Made groceries_change(Story& st) {
  const auto [g1, g2] = st.p.pick_two(groceries());
  const int64_t a = st.n(2, 30), b = st.n(2, 30), sum = a + b;
  const int64_t pay = sum < 50 && st.p.coin() ? 50 : 100;
  const std::string q =
      st.f(one_of(st, {"{A} buys a {g1} for {a} dollars and a {g2} for {b} dollars, paying with a {pay}-dollar bill. How much change does {A} get?",
                       "A {g1} costs {a} dollars and a {g2} costs {b} dollars. {A} pays {pay} dollars for both. What is the change?",
                       "{A} went shopping with {pay} dollars and spent {a} dollars on a {g1} and {b} dollars on a {g2}. How much money is left?",
                       "How much change from {pay} dollars will {A} get after buying a {g1} at {a} dollars and a {g2} at {b} dollars?"}),
           {{"g1", g1}, {"g2", g2}, {"a", num(a)}, {"b", num(b)}, {"pay", num(pay)}});
  return two(q, equation(a, "+", b, sum), equation(pay, "-", sum, pay - sum), pay - sum);
}

Made saving_goal(Story& st) {
  const int64_t s = st.n(2, 10), w = st.n(2, 8), saved = s * w;
  const int64_t c = st.n(saved + 1, std::min<int64_t>(100, saved + 40));
  const std::string q = st.f(one_of(st, {"{A} saves {s} dollars a week for {w} weeks and wants a {goal} that costs {c} dollars. How much more money does {A} need?",
                                         "A {goal} costs {c} dollars. {A} has put aside {s} dollars every week for {w} weeks. How many more dollars are needed to buy it?",
                                         "If {A} saves {s} dollars each week, how much will still be missing after {w} weeks to buy a {goal} priced at {c} dollars?",
                                         "{A} is saving for a {goal} that costs {c} dollars, putting {s} dollars in a jar every week. After {w} weeks, how much more does {A} have to save?"}),
                             {{"s", num(s)}, {"w", num(w)}, {"c", num(c)}, {"goal", word(st, goals())}});
  return two(q, equation(s, "*", w, saved), equation(c, "-", saved, c - saved), c - saved);
}

Made eggs_for_cooking(Story& st) {
  const int64_t e = st.n(2, 4), k = st.n(2, 6), used = e * k, have = used + st.n(1, 20);
  const std::string q = st.f(one_of(st, {"A cake needs {e} eggs. {A} had {E} eggs and bakes {k} cakes. How many eggs are left?",
                                         "{A} has {E} eggs. Each batch of pancakes uses {e} eggs. After making {k} batches, how many eggs remain?",
                                         "There are {E} eggs in the fridge. If {A} makes {k} omelettes with {e} eggs in each, how many eggs will still be in the fridge?",
                                         "How many eggs are left from {E} after {A} bakes {k} loaves of bread using {e} eggs per loaf?"}),
                             {{"e", num(e)}, {"k", num(k)}, {"E", num(have)}});
  return two(q, equation(e, "*", k, used), equation(have, "-", used, have - used), have - used);
}

Made trays_give_away(Story& st) {
  const int64_t t = st.n(2, 5), c = st.n(5, 20), total = t * c, g = st.n(2, total - 1);
  const std::string q = st.f(one_of(st, {"{A} bakes {t} trays of {bake} with {c} on each tray, then gives {g} to the neighbours. How many {bake} are left?",
                                         "There are {c} {bake} on each of {t} trays. The family eats {g} of them. How many {bake} remain?",
                                         "{A} made {t} trays of {bake}, {c} per tray, and sold {g} at the school fair. How many {bake} does {A} still have?",
                                         "How many {bake} are left if {A} baked {t} trays of {c} {bake} and {B} took {g} of them to school?"}),
                             {{"t", num(t)}, {"c", num(c)}, {"g", num(g)}, {"bake", word(st, baked())}});
  return two(q, equation(t, "*", c, total), equation(total, "-", g, total - g), total - g);
}

Made share_then_eat(Story& st) {
  const int64_t k = st.n(2, 6), each = st.n(3, 15), n = k * each, e = st.n(1, each - 1);
  const std::string q = st.f(one_of(st, {"{A} shares {n} {bake} equally among {k} friends. Each friend eats {e} of them right away. How many {bake} does each friend have left?",
                                         "{n} {bake} are divided equally onto {k} plates. Then {e} of them are taken from each plate. How many are left on each plate?",
                                         "There are {n} {bake} for {k} children to share equally. If every child eats {e} of theirs, how many does each child still have?",
                                         "How many {bake} does each of {k} people keep if they split {n} {bake} evenly and each gives {e} of them away?"}),
                             {{"n", num(n)}, {"k", num(k)}, {"e", num(e)}, {"bake", word(st, baked())}});
  return two(q, equation(n, "/", k, each), equation(each, "-", e, each - e), each - e);
}

Made three_chores(Story& st) {
  const auto& all = chores();
  const auto size = static_cast<int64_t>(all.size());
  const int64_t i = st.n(0, size - 1), j = (i + st.n(1, size - 1)) % size;
  int64_t k = st.n(0, size - 1);
  while (k == i || k == j) k = (k + 1) % size;
  const std::string c1 = all[static_cast<size_t>(i)], c2 = all[static_cast<size_t>(j)], c3 = all[static_cast<size_t>(k)];
  const int64_t a = st.n(5, 40), b = st.n(5, 40), c = st.n(5, 40);
  const std::string q = st.f(one_of(st, {"{A} spends {a} minutes {c1}, {b} minutes {c2} and {c} minutes {c3}. How many minutes is that in total?",
                                         "On Sunday {A} did three chores. {C1} took {a} minutes, {c2} took {b} minutes and {c3} took {c} minutes. How long did all the chores take?",
                                         "If {c1} takes {a} minutes, {c2} takes {b} minutes and {c3} takes {c} minutes, how long does {A} need for all three?",
                                         "How many minutes of housework did {A} do after {a} minutes {c1}, {b} minutes {c2} and {c} minutes {c3}?"}),
                             {{"a", num(a)}, {"b", num(b)}, {"c", num(c)}, {"c1", c1}, {"c2", c2}, {"c3", c3}, {"C1", capital(c1)}});
  return two(q, equation(a, "+", b, a + b), equation(a + b, "+", c, a + b + c), a + b + c);
}

Made hours_minus_minutes(Story& st) {
  const int64_t h = st.n(1, 3), total = h * 60, m = st.n(5, std::min<int64_t>(100, total - 5));
  const std::string q = st.f(one_of(st, {"The slow cooker needs {h} {hours} to cook the soup. It has been cooking for {m} minutes. How many more minutes does it need?",
                                         "{A} has {h} {hours} to clean the house before the guests arrive and has already cleaned for {m} minutes. How many minutes are left?",
                                         "Bread dough must rise for {h} {hours}. After {m} minutes, how much longer, in minutes, must it rise?",
                                         "How many minutes until the chicken is done if it roasts for {h} {hours} and has been in the oven for {m} minutes?"}),
                             {{"h", num(h)}, {"hours", hours_word(h)}, {"m", num(m)}});
  return two(q, equation(h, "*", 60, total), equation(total, "-", m, total - m), total - m);
}

Made hours_plus_minutes(Story& st) {
  const int64_t h = st.n(1, 2), total = h * 60, m = st.n(5, 59);
  const std::string q = st.f(one_of(st, {"Dough rises for {h} {hours}, then bakes for {m} minutes. How many minutes does it take in all?",
                                         "{A} cleaned the house for {h} {hours} and then cooked dinner for {m} minutes. How many minutes was {A} busy altogether?",
                                         "A stew simmers for {h} {hours} and {m} minutes. How many minutes is that?",
                                         "How many minutes did {A} spend in the kitchen if {A} baked for {h} {hours} and washed up for {m} minutes?"}),
                             {{"h", num(h)}, {"hours", hours_word(h)}, {"m", num(m)}});
  return two(q, equation(h, "*", 60, total), equation(total, "+", m, total + m), total + m);
}

Made pocket_money_spent(Story& st) {
  const int64_t x = st.n(2, 15), w = st.n(2, 8), total = x * w, s = st.n(2, std::min<int64_t>(100, total - 1));
  const std::string thing = s > 20 ? word(st, goals()) : st.item.one;
  const std::string q = st.f(one_of(st, {"{A} gets {x} dollars of pocket money every week. After {w} weeks, {A} spends {s} dollars on a {thing}. How much money is left?",
                                         "Each week {A} is given {x} dollars. {A} keeps it all for {w} weeks, then buys a {thing} for {s} dollars. How many dollars does {A} have now?",
                                         "If {A} earns {x} dollars a week for doing chores, how much is left after {w} weeks if {A} spends {s} dollars?",
                                         "{A} collected {x} dollars a week for {w} weeks and then spent {s} dollars at the shop. How much money remains?"}),
                             {{"x", num(x)}, {"w", num(w)}, {"s", num(s)}, {"thing", thing}});
  return two(q, equation(x, "*", w, total), equation(total, "-", s, total - s), total - s);
}

Made unit_price_then_more(Story& st) {
  const int64_t p = st.n(2, 12), k = st.n(2, 6), total = k * p;
  int64_t m = st.n(2, 7);  // 2..8 without k; p <= 12 keeps m * p <= 96
  if (m >= k) ++m;
  const std::string q = st.f(one_of(st, {"{k} {items} cost {T} dollars. How much would {m} {items} cost?",
                                         "{A} paid {T} dollars for {k} {items}. {B} wants {m} of the same {items}. How much will {B} pay?",
                                         "If {T} dollars buys {k} {items}, how many dollars do {m} {items} cost?",
                                         "A pack of {k} {items} is ${T}. What do {m} {items} cost at the same price each?"}),
                             {{"k", num(k)}, {"T", num(total)}, {"m", num(m)}});
  return two(q, equation(total, "/", k, p), equation(p, "*", m, p * m), p * m);
}

Made half_then_more(Story& st) {
  const int64_t half = st.n(4, 20), n = 2 * half, e = st.n(2, half - 1);
  const int64_t kind = st.n(0, 3);
  std::string text;
  if (kind == 0) {
    text = "A big pizza has {n} slices. The family eats half of it at lunch and {e} more slices in the afternoon. How many slices are left?";
  } else if (kind == 1) {
    text = one_of(st, {"There are {n} {bake} in a jar. {A} gives half of them to {B}, then eats {e}. How many {bake} does {A} have left?",
                       "{A} baked {n} {bake}, gave half of them away and ate {e} more. How many {bake} were left?"});
  } else if (kind == 2) {
    text = one_of(st, {"{A} had {n} dollars, spent half of it on groceries and then {e} dollars on a snack. How much money does {A} have now?",
                       "With {n} dollars in a purse, {A} puts half in the bank and spends {e} dollars of the rest. How many dollars are left in the purse?"});
  } else {
    text = "{A} bought {n} {food}. Half of them went into a soup, and {e} more went into a salad. How many {food} are left?";
  }
  const std::string q = st.f(text, {{"n", num(n)}, {"e", num(e)}, {"bake", word(st, baked())}, {"food", word(st, produce())}});
  return two(q, equation(n, "/", 2, half), equation(half, "-", e, half - e), half - e);
}

Made recipe_batches(Story& st) {
  const int64_t c = st.n(2, 5), b = st.n(2, 6), need = c * b, have = st.n(2, need - 1);
  const std::string q = st.f(one_of(st, {"One batch of bread uses {c} cups of flour. {A} wants to make {b} batches but has only {h} cups. How many more cups of flour does {A} need?",
                                         "A muffin recipe needs {c} cups of flour. {A} has {h} cups in the cupboard and plans to bake {b} batches. How many more cups are needed?",
                                         "How many more cups of sugar must {A} buy to make {b} cakes, each needing {c} cups, if {A} already has {h} cups?",
                                         "{A} is making pancakes for a party: {b} batches, with {c} cups of milk for each batch. There are {h} cups of milk in the fridge. How many more cups are needed?"}),
                             {{"c", num(c)}, {"b", num(b)}, {"h", num(have)}});
  return two(q, equation(c, "*", b, need), equation(need, "-", have, need - have), need - have);
}

Made boxes_give_away(Story& st) {
  const int64_t s = st.n(2, 10), k = st.n(3, std::min<int64_t>(10, 100 / s)), n = s * k, g = st.n(2, k - 1);
  const std::string q = st.f(one_of(st, {"{A} packs {n} {bake} into boxes of {s}, then gives {g} boxes to friends. How many boxes does {A} keep?",
                                         "{n} eggs are put into cartons, {s} in each carton. If {A} sells {g} cartons, how many cartons are left?",
                                         "How many bags are left if {A} puts {n} {food} into bags of {s} and gives {g} bags to {B}?",
                                         "{A} baked {n} {bake} and put them in bags of {s} each. {B} took {g} of the bags. How many bags remain?"}),
                             {{"n", num(n)}, {"s", num(s)}, {"g", num(g)}, {"bake", word(st, baked())}, {"food", word(st, produce())}});
  return two(q, equation(n, "/", s, k), equation(k, "-", g, k - g), k - g);
}

Made times_as_many_total(Story& st) {
  const int64_t x = st.n(3, 25), m = st.n(2, std::min<int64_t>(4, 100 / x)), y = x * m;
  std::string text = one_of(st, {"{A} baked {x} {bake} and {B} baked {m} times as many. How many {bake} did they bake together?",
                                 "{B} has saved {m} times as many dollars as {A}. {A} has {x} dollars. How much have they saved altogether?",
                                 "How many {food} did {A} and {B} buy in total if {A} bought {x} and {B} bought {m} times as many?"});
  if (m == 2 && st.p.coin()) {
    text = one_of(st, {"{A} peeled {x} {food}, and {B} peeled twice as many. How many {food} did they peel in all?",
                       "{B} spent twice as much as {A} at the bakery. {A} spent {x} dollars. How much did the two of them spend combined?"});
  }
  const std::string q = st.f(text, {{"x", num(x)}, {"m", num(m)}, {"bake", word(st, baked())}, {"food", word(st, produce())}});
  return two(q, equation(x, "*", m, y), equation(x, "+", y, x + y), x + y);
}

Made fewer_then_total(Story& st) {
  const int64_t x = st.n(10, 60), d = st.n(2, x - 1), y = x - d;
  const std::string q = st.f(one_of(st, {"{A} bought {x} {food}, and {B} bought {d} fewer. How many {food} did they buy altogether?",
                                         "{A} spent {x} dollars on groceries. {B} spent {d} dollars less. How much did they spend in total?",
                                         "{B} baked {d} fewer {bake} than {A}. {A} baked {x}. How many {bake} did the two of them bake combined?",
                                         "If {A} has {x} {bake} and {B} has {d} fewer, how many {bake} are there in all?"}),
                             {{"x", num(x)}, {"d", num(d)}, {"bake", word(st, baked())}, {"food", word(st, produce())}});
  return two(q, equation(x, "-", d, y), equation(x, "+", y, x + y), x + y);
}

Made coupon(Story& st) {
  const int64_t p = st.n(3, 12), k = st.n(2, 8), cost = k * p, d = st.n(2, std::min<int64_t>(20, cost / 2));
  const std::string q = st.f(one_of(st, {"{A} buys {k} {items} at {p} dollars each and uses a coupon for {d} dollars off. How much does {A} pay?",
                                         "Each {item} costs {p} dollars. {A} gets {k} of them, and the shop takes {d} dollars off the total. What does {A} pay?",
                                         "How much do {k} {items} cost at {p} dollars apiece after a discount of {d} dollars?",
                                         "{A} picks up {k} {items}, which cost {p} dollars each. A coupon saves {d} dollars. How much does {A} spend?"}),
                             {{"p", num(p)}, {"k", num(k)}, {"d", num(d)}});
  return two(q, equation(k, "*", p, cost), equation(cost, "-", d, cost - d), cost - d);
}

Made split_bill(Story& st) {
  const int64_t k = st.n(2, 5), each = st.n(3, 20), total = k * each, a = st.n(2, total - 2), b = total - a;
  const std::string q = st.f(one_of(st, {"A family buys a pizza for {a} dollars and drinks for {b} dollars. The {k} of them split the cost equally. How much does each person pay?",
                                         "{A} and some friends spend {a} dollars on food and {b} dollars on dessert. If the bill is shared equally among {k} people, how much does each pay?",
                                         "{k} friends share a grocery bill: {a} dollars for fruit and {b} dollars for bread. Each pays the same amount. How much does each friend pay?",
                                         "How much does each of {k} friends pay if they split a bill of {a} dollars for lunch and {b} dollars for snacks evenly?"}),
                             {{"a", num(a)}, {"b", num(b)}, {"k", num(k)}});
  return two(q, equation(a, "+", b, total), equation(total, "/", k, each), each);
}

}  // namespace

const std::vector<StoryTemplate>& written_math_templates_a() {
  static const std::vector<StoryTemplate> v = {
      {"wa_item_cost_many", 1, item_cost_many},
      {"wa_change_from_note", 1, change_from_note},
      {"wa_two_groceries", 1, two_groceries},
      {"wa_save_each_week", 1, save_each_week},
      {"wa_more_money_needed", 1, more_money_needed},
      {"wa_food_used", 1, food_used},
      {"wa_trays_of_baking", 1, trays_of_baking},
      {"wa_share_baking", 1, share_baking},
      {"wa_two_chores", 1, two_chores},
      {"wa_hours_to_minutes", 1, hours_to_minutes},
      {"wa_oven_how_much_longer", 1, oven_how_much_longer},
      {"wa_half_of", 1, half_of},
      {"wa_pocket_money_compare", 1, pocket_money_compare},
      {"wa_pack_in_groups", 1, pack_in_groups},
      {"wa_sleep_nights", 1, sleep_nights},
      {"wa_times_as_many", 1, times_as_many},
      {"wa_fewer_than", 1, fewer_than},
      {"wa_price_of_one", 1, price_of_one},
      {"wa_buy_many_change", 2, buy_many_change},
      {"wa_groceries_change", 2, groceries_change},
      {"wa_saving_goal", 2, saving_goal},
      {"wa_eggs_for_cooking", 2, eggs_for_cooking},
      {"wa_trays_give_away", 2, trays_give_away},
      {"wa_share_then_eat", 2, share_then_eat},
      {"wa_three_chores", 2, three_chores},
      {"wa_hours_minus_minutes", 2, hours_minus_minutes},
      {"wa_hours_plus_minutes", 2, hours_plus_minutes},
      {"wa_pocket_money_spent", 2, pocket_money_spent},
      {"wa_unit_price_then_more", 2, unit_price_then_more},
      {"wa_half_then_more", 2, half_then_more},
      {"wa_recipe_batches", 2, recipe_batches},
      {"wa_boxes_give_away", 2, boxes_give_away},
      {"wa_times_as_many_total", 2, times_as_many_total},
      {"wa_fewer_then_total", 2, fewer_then_total},
      {"wa_coupon", 2, coupon},
      {"wa_split_bill", 2, split_bill},
  };
  return v;
}

}  // namespace loco::datagen
