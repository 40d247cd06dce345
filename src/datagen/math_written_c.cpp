// Training math word problems by author C of four, writing independently, without reading
// the held-out set or the other generators. Theme: nature and collections in a textbook
// voice: farms and animals, gardens and rows of plants, fruit picking, bird watching,
// collections of stamps, shells and cards. The wording is formal ("A farmer has ...",
// "What is the total number of ...", "Find how many ..."), and the question often comes
// first. 36 templates (18 of one step, 18 of two), each with 4 or 5 phrasings.
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "datagen/math_story.h"

namespace loco::datagen {

namespace {

using Texts = std::vector<const char*>;

const char* one_of(Story& st, const Texts& texts) { return st.p.pick(texts); }

std::string hours_word(int64_t h) { return h == 1 ? "hour" : "hours"; }

// "3 times" or, for 2, sometimes "twice".
std::string times_word(Story& st, int64_t k) { return k == 2 && st.p.coin() ? "twice" : num(k) + " times"; }

const std::vector<Thing>& farm_animals() {
  static const std::vector<Thing> v = {{"cow", "cows"},     {"sheep", "sheep"},   {"goat", "goats"},
                                       {"pig", "pigs"},     {"hen", "hens"},      {"duck", "ducks"},
                                       {"horse", "horses"}, {"goose", "geese"},   {"rabbit", "rabbits"},
                                       {"donkey", "donkeys"}};
  return v;
}

const std::vector<Thing>& birds() {
  static const std::vector<Thing> v = {{"sparrow", "sparrows"}, {"robin", "robins"},   {"pigeon", "pigeons"},
                                       {"crow", "crows"},       {"swan", "swans"},     {"duck", "ducks"},
                                       {"goose", "geese"},      {"finch", "finches"},  {"blackbird", "blackbirds"},
                                       {"seagull", "seagulls"}};
  return v;
}

// Birds that sit in trees and on fences and roofs.
const std::vector<Thing>& perching_birds() {
  static const std::vector<Thing> v = {{"sparrow", "sparrows"}, {"robin", "robins"},     {"pigeon", "pigeons"},
                                       {"crow", "crows"},       {"finch", "finches"},    {"blackbird", "blackbirds"},
                                       {"starling", "starlings"}};
  return v;
}

const std::vector<Thing>& water_birds() {
  static const std::vector<Thing> v = {{"duck", "ducks"}, {"goose", "geese"}, {"swan", "swans"}};
  return v;
}

const std::vector<Thing>& plants() {
  static const std::vector<Thing> v = {
      {"tomato plant", "tomato plants"}, {"cabbage", "cabbages"},     {"carrot", "carrots"},
      {"sunflower", "sunflowers"},       {"rose bush", "rose bushes"}, {"bean plant", "bean plants"},
      {"lettuce", "lettuces"},           {"tulip", "tulips"},         {"onion", "onions"},
      {"pepper plant", "pepper plants"}, {"strawberry plant", "strawberry plants"}};
  return v;
}

const std::vector<Thing>& flowers() {
  static const std::vector<Thing> v = {
      {"rose", "roses"}, {"tulip", "tulips"}, {"daisy", "daisies"}, {"sunflower", "sunflowers"}, {"lily", "lilies"}};
  return v;
}

const std::vector<Thing>& fruit() {
  static const std::vector<Thing> v = {{"apple", "apples"},   {"pear", "pears"},     {"plum", "plums"},
                                       {"peach", "peaches"},  {"cherry", "cherries"}, {"lemon", "lemons"},
                                       {"orange", "oranges"}, {"apricot", "apricots"}, {"strawberry", "strawberries"}};
  return v;
}

const std::vector<Thing>& collection() {
  static const std::vector<Thing> v = {{"stamp", "stamps"},       {"shell", "shells"},   {"card", "cards"},
                                       {"coin", "coins"},         {"postcard", "postcards"}, {"badge", "badges"},
                                       {"sticker", "stickers"},   {"feather", "feathers"},   {"pebble", "pebbles"}};
  return v;
}

const std::vector<Thing>& found_outdoors() {
  static const std::vector<Thing> v = {{"shell", "shells"},   {"pebble", "pebbles"},       {"feather", "feathers"},
                                       {"acorn", "acorns"},   {"pine cone", "pine cones"}, {"leaf", "leaves"},
                                       {"stone", "stones"}};
  return v;
}

const std::vector<Thing>& trees() {
  static const std::vector<Thing> v = {{"apple tree", "apple trees"},   {"pear tree", "pear trees"},
                                       {"plum tree", "plum trees"},     {"cherry tree", "cherry trees"},
                                       {"orange tree", "orange trees"}, {"oak tree", "oak trees"}};
  return v;
}

const std::vector<Thing>& fruit_holders() {
  static const std::vector<Thing> v = {
      {"basket", "baskets"}, {"crate", "crates"}, {"bag", "bags"}, {"box", "boxes"}, {"bowl", "bowls"}};
  return v;
}

const std::vector<Thing>& garden_goods() {
  static const std::vector<Thing> v = {
      {"packet of seeds", "packets of seeds"}, {"bag of bird seed", "bags of bird seed"},
      {"flower pot", "flower pots"},           {"bird feeder", "bird feeders"},
      {"bag of soil", "bags of soil"},         {"watering can", "watering cans"},
      {"stamp album", "stamp albums"},         {"sack of hen feed", "sacks of hen feed"},
      {"rose bush", "rose bushes"},            {"bird box", "bird boxes"}};
  return v;
}

// Three different entries of a list.
std::vector<Thing> pick_three(Story& st, const std::vector<Thing>& v) {
  const auto n = static_cast<int64_t>(v.size());
  const int64_t i = st.p.uniform(0, n - 1);
  const int64_t j = (i + st.p.uniform(1, n - 1)) % n;
  // The third: the k-th of the entries that are neither i nor j, in index order.
  int64_t left = st.p.uniform(0, n - 3);
  int64_t pick = -1;
  for (int64_t m = 0; m < n; ++m) {
    if (m == i || m == j) continue;
    if (left == 0) {
      pick = m;
      break;
    }
    --left;
  }
  return {v[static_cast<size_t>(i)], v[static_cast<size_t>(j)], v[static_cast<size_t>(pick)]};
}

Made one(std::string q, int64_t x, const char* op, int64_t y, int64_t r) {
  return {std::move(q), {equation(x, op, y, r)}, r};
}

Made two(std::string q, std::string first, int64_t x, const char* op, int64_t y, int64_t r) {
  return {std::move(q), {std::move(first), equation(x, op, y, r)}, r};
}

// ---------------------------------------------------------------- one step

Made farm_two_animals(Story& st) {
  const auto [a1, a2] = st.p.pick_two(farm_animals());
  const int64_t x = st.n(12, 90), y = st.n(5, 90);
  const char* t = one_of(st, {
      "A farmer has {x} {a1} and {y} {a2}. What is the total number of animals on the farm?",
      "What is the total number of animals on a farm with {x} {a1} and {y} {a2}?",
      "Find how many animals live on {A}'s farm altogether. There are {x} {a1} and {y} {a2}.",
      "On a farm there are {x} {a1}. There are also {y} {a2}. How many animals are there in all?",
      "{A} keeps {x} {a1} and {y} {a2} on the farm. How many animals does {A} keep in total?",
  });
  return one(st.f(t, {{"x", num(x)}, {"y", num(y)}, {"a1", a1.many}, {"a2", a2.many}}), x, "+", y, x + y);
}

Made found_more(Story& st) {
  const Thing c = st.p.pick(found_outdoors());
  const int64_t x = st.n(10, 90), y = st.n(3, 60);
  const char* t = one_of(st, {
      "{A} has a collection of {x} {c}. On a walk, {A} finds {y} more. What is the total number of {c} in the "
      "collection now?",
      "Find how many {c} {A} has now. {A} had {x} {c} and then collected {y} more {c} by the river.",
      "How many {c} does {A} have after finding {y} more? At first {A} had {x} {c}.",
      "There were {x} {c} in {A}'s box. {A} added {y} {c} found in the park. How many {c} are in the box "
      "altogether?",
  });
  return one(st.f(t, {{"x", num(x)}, {"y", num(y)}, {"c", c.many}}), x, "+", y, x + y);
}

Made fruit_sold_left(Story& st) {
  const Thing f = st.p.pick(fruit());
  const int64_t x = st.n(30, 100), y = st.n(2, x - 1);
  const char* t = one_of(st, {
      "A farmer picked {x} {f} in the orchard and sold {y} of them at the market. How many {f} remain?",
      "How many {f} are left? A farmer had {x} {f} and sold {y} of them.",
      "Find the number of {f} the farmer still has after selling {y} of the {x} {f} picked this morning.",
      "{A} picked {x} {f}. {A} gave {y} {f} to the neighbours. How many {f} does {A} have left?",
  });
  return one(st.f(t, {{"x", num(x)}, {"y", num(y)}, {"f", f.many}}), x, "-", y, x - y);
}

Made birds_fly_away(Story& st) {
  const Thing b = st.p.pick(perching_birds());
  const int64_t x = st.n(12, 80), y = st.n(2, x - 1);
  const char* t = one_of(st, {
      "There are {x} {b} in a tree. {y} of them fly away. How many {b} are still in the tree?",
      "How many {b} remain on the roof? At first there were {x} {b}, and then {y} flew off.",
      "{x} {b} were sitting on a fence. When a dog barked, {y} {b} flew away. Find how many {b} stayed on the "
      "fence.",
      "A flock of {x} {b} landed in a field. Later {y} of the {b} left. How many {b} are in the field now?",
  });
  return one(st.f(t, {{"x", num(x)}, {"y", num(y)}, {"b", b.many}}), x, "-", y, x - y);
}

Made collections_compare(Story& st) {
  const Thing c = st.p.pick(collection());
  const int64_t x = st.n(20, 100), y = st.n(5, x - 1);
  const char* t = one_of(st, {
      "{A} has {x} {c} and {B} has {y} {c}. How many more {c} does {A} have than {B}?",
      "How many more {c} does {A} have than {B}, if {A} has {x} {c} and {B} has {y}?",
      "Find how many fewer {c} {B} has than {A}. {A} owns {x} {c}; {B} owns {y} {c}.",
      "{A}'s collection holds {x} {c}. {B}'s collection holds {y} {c}. What is the difference between the two "
      "collections?",
      "By how many {c} is {B}'s collection smaller than {A}'s? {A} has {x} {c} and {B} has {y}.",
  });
  return one(st.f(t, {{"x", num(x)}, {"y", num(y)}, {"c", c.many}}), x, "-", y, x - y);
}

Made garden_fewer_than(Story& st) {
  const auto [p1, p2] = st.p.pick_two(plants());
  const int64_t y = st.n(20, 100), d = st.n(2, y - 1);
  const char* t = one_of(st, {
      "A garden has {y} {p1}. There are {d} fewer {p2} than {p1}. How many {p2} are in the garden?",
      "How many {p2} did {A} plant? {A} planted {y} {p1} and {d} fewer {p2} than {p1}.",
      "Find the number of {p2} in the school garden if there are {y} {p1} and the number of {p2} is {d} less "
      "than that.",
      "There are {y} {p1} growing in a field. The field has {d} fewer {p2} than {p1}. How many {p2} are "
      "growing there?",
  });
  return one(st.f(t, {{"y", num(y)}, {"d", num(d)}, {"p1", p1.many}, {"p2", p2.many}}), y, "-", d, y - d);
}

Made album_needed(Story& st) {
  const Thing c = st.p.pick(collection());
  const int64_t x = st.n(30, 100), y = st.n(5, x - 2);
  const char* t = one_of(st, {
      "An album has space for {x} {c}. {A} has put {y} {c} in it. How many more {c} are needed to fill the "
      "album?",
      "How many more {c} does {A} need to fill an album that holds {x} {c}? {A} already has {y}.",
      "{A} wants to collect {x} {c}. So far {A} has {y}. Find how many more {c} {A} needs.",
      "A display board holds {x} {c}. There are {y} {c} on it now. How many more {c} are needed to fill the "
      "board?",
  });
  return one(st.f(t, {{"x", num(x)}, {"y", num(y)}, {"c", c.many}}), x, "-", y, x - y);
}

Made rows_of_plants(Story& st) {
  const Thing p = st.p.pick(plants());
  const int64_t r = st.n(2, 10), c = st.n(3, 15);
  const char* t = one_of(st, {
      "A gardener plants {r} rows of {p} with {c} {p} in each row. What is the total number of {p}?",
      "How many {p} are in the garden? There are {r} rows, and each row has {c} {p}.",
      "Find how many {p} {A} planted. {A} made {r} rows with {c} {p} in every row.",
      "{A}'s garden bed has {c} {p} in each of its {r} rows. How many {p} are there in all?",
  });
  return one(st.f(t, {{"r", num(r)}, {"c", num(c)}, {"p", p.many}}), r, "*", c, r * c);
}

Made eggs_each_day(Story& st) {
  const int64_t e = st.n(3, 15), d = st.n(2, 10);
  const char* t = one_of(st, {
      "The hens on a farm lay {e} eggs each day. How many eggs do they lay in {d} days?",
      "How many eggs does {A} collect in {d} days if the hens lay {e} eggs every day?",
      "Find the total number of eggs collected in {d} days. Each day the farmer collects {e} eggs.",
      "A farmer collects {e} eggs every morning. What is the number of eggs collected after {d} mornings?",
      "A cow gives {e} litres of milk per day. How many litres of milk does it give in {d} days?",
  });
  return one(st.f(t, {{"e", num(e)}, {"d", num(d)}}), e, "*", d, e * d);
}

Made times_as_many(Story& st) {
  const Thing c = st.p.pick(collection());
  const int64_t x = st.n(3, 20), k = st.n(2, 9);
  const std::string times = times_word(st, k);
  const char* t = one_of(st, {
      "{A} has {x} {c}. {B} has {times} as many {c} as {A}. How many {c} does {B} have?",
      "How many {c} has {B} collected, if {B} has {times} as many as {A} and {A} has {x}?",
      "Find the number of {c} in {B}'s collection. It is {times} the number in {A}'s collection, which has {x} "
      "{c}.",
      "A small pond has {x} frogs. A large pond has {times} as many frogs. How many frogs live in the large "
      "pond?",
  });
  return one(st.f(t, {{"x", num(x)}, {"times", times}, {"c", c.many}}), x, "*", k, x * k);
}

Made share_fruit(Story& st) {
  const Thing f = st.p.pick(fruit());
  const Thing h = st.p.pick(fruit_holders());
  const int64_t k = st.n(2, 9), q = st.n(2, 100 / k), x = k * q;
  const char* t = one_of(st, {
      "{x} {f} are shared equally among {k} {hs}. How many {f} go in each {h}?",
      "How many {f} does each child get if {A} shares {x} {f} equally among {k} children?",
      "Find how many {f} are in each {h}. A farmer puts {x} {f} into {k} {hs}, with the same number in every "
      "{h}.",
      "A farmer divides {x} {f} equally into {k} {hs}. What is the number of {f} in each {h}?",
  });
  return one(st.f(t, {{"x", num(x)}, {"k", num(k)}, {"f", f.many}, {"h", h.one}, {"hs", h.many}}), x, "/", k, q);
}

Made groups_of_size(Story& st) {
  const Thing p = st.p.pick(plants());
  const Thing c = st.p.pick(collection());
  const Thing fl = st.p.pick(flowers());
  const int64_t s = st.n(2, 10), g = st.n(2, 100 / s), x = s * g;
  const char* t = one_of(st, {
      "A gardener has {x} {p}. They are planted in rows of {s}. How many rows are there?",
      "How many rows of {s} can be made from {x} {p}?",
      "Find the number of bunches. {A} picked {x} {fl} and tied them in bunches of {s}.",
      "{A} puts {x} {c} into an album, {s} on each page. How many pages does {A} fill?",
      "{A} has {x} seeds and plants {s} seeds in each pot. How many pots does {A} use?",
  });
  return one(st.f(t, {{"x", num(x)}, {"s", num(s)}, {"p", p.many}, {"c", c.many}, {"fl", fl.many}}), x, "/", s,
             g);
}

Made half_of(Story& st) {
  const Thing an = st.p.pick(farm_animals());
  const Thing b = st.p.pick(water_birds());
  const Thing c = st.p.pick(collection());
  const Thing f = st.p.pick(fruit());
  const int64_t h = st.n(5, 50), x = 2 * h;
  const char* t = one_of(st, {
      "A farmer has {x} {an}. Half of them are in the barn. How many {an} are in the barn?",
      "Half of the {x} {b} at the lake are swimming. How many {b} are swimming?",
      "How many {c} does {B} get if {A} gives half of {x} {c} to {B}?",
      "{A} picked {x} {f} and kept half of them. Find how many {f} {A} kept.",
  });
  return one(st.f(t, {{"x", num(x)}, {"an", an.many}, {"b", b.many}, {"c", c.many}, {"f", f.many}}), x, "/", 2,
             h);
}

Made goods_cost(Story& st) {
  const Thing g = st.p.pick(garden_goods());
  const int64_t n = st.n(2, 10), p = st.n(2, 15);
  const char* t = one_of(st, {
      "A {g1} costs {p} dollars. What is the cost of {n} {g}?",
      "How much do {n} {g} cost if each one costs {p} dollars?",
      "{A} buys {n} {g} at {p} dollars each. Find the total cost.",
      "Find how many dollars {A} spends on {n} {g}. The price of one {g1} is {p} dollars.",
      "A garden shop sells {g} for {p} dollars apiece. How much does a farmer pay for {n} of them?",
  });
  return one(st.f(t, {{"n", num(n)}, {"p", num(p)}, {"g", g.many}, {"g1", g.one}}), n, "*", p, n * p);
}

Made change_from_payment(Story& st) {
  const Thing g = st.p.pick(garden_goods());
  const int64_t pay = st.p.pick(std::vector<int64_t>{10, 20, 50, 100});
  const int64_t c = st.n(std::max<int64_t>(2, pay / 5), pay - 1);
  const char* t = one_of(st, {
      "{A} buys a {g} for {c} dollars and pays using a {pay}-dollar bill. How much change does {A} get?",
      "How much change should {A} receive? {A} pays {pay} dollars for a {g} that costs {c} dollars.",
      "A {g} costs {c} dollars. {A} gives the seller {pay} dollars. Find the change.",
      "What is the change from {pay} dollars when {A} buys a {g} priced at {c} dollars?",
  });
  return one(st.f(t, {{"pay", num(pay)}, {"c", num(c)}, {"g", g.one}}), pay, "-", c, pay - c);
}

Made savings_sum(Story& st) {
  const int64_t x = st.n(5, 60), y = st.n(5, 60);
  const char* t = one_of(st, {
      "{A} saved {x} dollars for a book about birds. Then {A} earned {y} dollars by weeding gardens. How much "
      "money does {A} have now?",
      "How many dollars has {A} saved in total? {A} saved {x} dollars in spring and {y} dollars in summer.",
      "Find the total amount of money {A} earned. {A} earned {x} dollars picking berries and {y} dollars "
      "feeding a neighbour's hens.",
      "{A} has {x} dollars in a piggy bank and puts in {y} dollars more from selling eggs. What is the total "
      "in the piggy bank?",
  });
  return one(st.f(t, {{"x", num(x)}, {"y", num(y)}}), x, "+", y, x + y);
}

Made hours_to_minutes(Story& st) {
  const int64_t h = st.n(1, 3);
  const char* t = one_of(st, {
      "{A} worked in the garden for {h} {hours}. How many minutes is that?",
      "How many minutes did {A} spend bird watching if {A} watched for {h} {hours}?",
      "A farmer spent {h} {hours} milking the cows. Find the time in minutes.",
      "The school trip to the farm lasted {h} {hours}. What is that time in minutes?",
  });
  return one(st.f(t, {{"h", num(h)}, {"hours", hours_word(h)}}), h, "*", 60, h * 60);
}

Made time_longer(Story& st) {
  const Thing f = st.p.pick(fruit());
  const int64_t x = st.n(20, 100), y = st.n(5, x - 1);
  const char* t = one_of(st, {
      "{A} watched birds for {x} minutes. {B} watched for {y} minutes. How much longer did {A} watch than "
      "{B}?",
      "How many minutes longer is the walk to the orchard than the walk to the pond? The orchard walk takes "
      "{x} minutes and the pond walk takes {y} minutes.",
      "Find how much longer it took {A} to pick the {f} than to water the plants. Picking took {x} minutes; "
      "watering took {y} minutes.",
      "It takes {x} minutes to feed all the animals and {y} minutes to clean the barn. How many more minutes "
      "does feeding take?",
  });
  return one(st.f(t, {{"x", num(x)}, {"y", num(y)}, {"f", f.many}}), x, "-", y, x - y);
}

// ---------------------------------------------------------------- two steps

Made three_kinds_total(Story& st) {
  struct Kind {
    const std::vector<Thing>& (*list)();
    const char* kind;
    const char* place;
  };
  static const std::vector<Kind> kinds = {{farm_animals, "animals", "on the farm"},
                                          {birds, "birds", "in the park"},
                                          {plants, "plants", "in the garden"},
                                          {trees, "trees", "in the orchard"}};
  const Kind& kd = st.p.pick(kinds);
  const std::vector<Thing> th = pick_three(st, kd.list());
  const int64_t a = st.n(5, 60), b = st.n(5, 60), c = st.n(5, 60);
  const char* t = one_of(st, {
      "There are {a} {x1}, {b} {x2} and {c} {x3} {place}. What is the total number of {kind}?",
      "Find how many {kind} there are {place} altogether: {a} {x1}, {b} {x2} and {c} {x3}.",
      "{A} counted {a} {x1} {place}, then {b} {x2} and {c} {x3}. How many {kind} did {A} count in all?",
      "How many {kind} are {place} in total if there are {a} {x1}, {b} {x2} and {c} {x3}?",
  });
  return two(st.f(t, {{"a", num(a)}, {"b", num(b)}, {"c", num(c)}, {"x1", th[0].many}, {"x2", th[1].many},
                      {"x3", th[2].many}, {"kind", kd.kind}, {"place", kd.place}}),
             equation(a, "+", b, a + b), a + b, "+", c, a + b + c);
}

Made picked_gave_picked(Story& st) {
  const Thing f = st.p.pick(fruit());
  const int64_t x = st.n(20, 90), y = st.n(2, x - 1), z = st.n(5, 60);
  const char* t = one_of(st, {
      "{A} picked {x} {f} in the morning and gave {y} of them to {B}. In the afternoon {A} picked {z} more. How "
      "many {f} does {A} have now?",
      "How many {f} does {A} have at the end of the day? {A} picked {x} {f}, gave {y} away, and then picked {z} "
      "more.",
      "Find the number of {f} in the basket. The basket had {x} {f}. {y} {f} were eaten, and then {z} more {f} "
      "were added.",
      "A farmer had {x} {f}. The farmer sold {y} {f} and then picked another {z}. What is the number of {f} the "
      "farmer has now?",
  });
  return two(st.f(t, {{"x", num(x)}, {"y", num(y)}, {"z", num(z)}, {"f", f.many}}), equation(x, "-", y, x - y),
             x - y, "+", z, x - y + z);
}

Made rows_then_eaten(Story& st) {
  const Thing p = st.p.pick(plants());
  const int64_t r = st.n(2, 10), c = st.n(3, 15), e = st.n(2, std::min<int64_t>(r * c - 1, 30));
  const char* t = one_of(st, {
      "A gardener planted {r} rows of {p} with {c} in each row. Rabbits ate {e} of them. How many {p} are "
      "left?",
      "How many {p} remain? {A} planted {c} {p} in each of {r} rows, but {e} {p} did not grow.",
      "Find how many {p} are still in the garden. There were {r} rows of {c} {p}, and {A} gave away {e} {p}.",
      "There are {r} rows in a field and {c} {p} in every row. If birds eat {e} {p}, how many {p} are left?",
  });
  return two(st.f(t, {{"r", num(r)}, {"c", num(c)}, {"e", num(e)}, {"p", p.many}}), equation(r, "*", c, r * c),
             r * c, "-", e, r * c - e);
}

Made rows_plus_extra(Story& st) {
  const Thing tr = st.p.pick(trees());
  const Thing p = st.p.pick(plants());
  const Thing cl = st.p.pick(collection());
  const int64_t r = st.n(2, 9), c = st.n(3, 12), m = st.n(3, 40);
  const char* t = one_of(st, {
      "A farmer planted {r} rows of {tr} with {c} trees in each row. Then the farmer planted {m} more {tr}. How "
      "many {tr} are there in all?",
      "How many {p} are in the garden? There are {r} rows of {c} {p}, and {m} more {p} grow by the fence.",
      "Find the total number of {cl} in {A}'s collection. {A} has {r} pages with {c} {cl} on each page, and {m} "
      "loose {cl} in a box.",
      "{A} set out {c} {p} in each of {r} rows and put {m} {p} by the gate. What is the total number of {p}?",
  });
  return two(st.f(t, {{"r", num(r)}, {"c", num(c)}, {"m", num(m)}, {"tr", tr.many}, {"p", p.many}, {"cl", cl.many}}),
             equation(r, "*", c, r * c), r * c, "+", m, r * c + m);
}

Made pack_then_price(Story& st) {
  const Thing f = st.p.pick(fruit());
  const int64_t s = st.p.pick(std::vector<int64_t>{5, 6, 10, 12});
  const int64_t k = st.n(2, 100 / s), x = s * k, p = st.n(2, 9);
  const char* t = one_of(st, {
      "A farmer collects {x} eggs and packs them in cartons of {s}. Each carton sells for {p} dollars. How much "
      "money does the farmer get for all the cartons?",
      "How many dollars does {A} earn? {A} packs {x} eggs into boxes of {s} and sells each box for {p} dollars.",
      "Find the money made from selling {x} {f} in bags of {s}, if one bag costs {p} dollars.",
      "{A} picked {x} {f} and put them in bags of {s}. {A} sold every bag for {p} dollars. What is the total "
      "amount {A} received?",
  });
  return two(st.f(t, {{"x", num(x)}, {"s", num(s)}, {"p", num(p)}, {"f", f.many}}), equation(x, "/", s, k), k, "*",
             p, k * p);
}

Made found_then_share(Story& st) {
  const Thing c = st.p.pick(found_outdoors());
  const Thing f = st.p.pick(fruit());
  const Thing h = st.p.pick(fruit_holders());
  const int64_t k = st.n(2, 6), q = st.n(3, 150 / k), total = k * q;
  const int64_t x = st.n(std::max<int64_t>(2, total - 100), std::min<int64_t>(100, total - 2)), y = total - x;
  const char* t = one_of(st, {
      "{A} has {x} {c} and {B} has {y} {c}. They put them together into {k} jars, with the same number in each "
      "jar. How many {c} are in each jar?",
      "How many {f} go into each {h}? {A} picked {x} {f} and {B} picked {y} {f}, and all of them are split "
      "equally into {k} {hs}.",
      "Find how many {c} are on each shelf. A nature club had {x} {c} and was given {y} more. The {c} are placed "
      "equally on {k} shelves.",
      "{A} found {x} {c} on Monday and {y} {c} on Tuesday. {A} divides all of them equally into {k} boxes. What "
      "is the number of {c} in each box?",
  });
  return two(st.f(t, {{"x", num(x)}, {"y", num(y)}, {"k", num(k)}, {"c", c.many}, {"f", f.many}, {"h", h.one},
                      {"hs", h.many}}),
             equation(x, "+", y, total), total, "/", k, q);
}

Made times_as_many_total(Story& st) {
  const Thing c = st.p.pick(collection());
  const Thing b = st.p.pick(birds());
  const auto [a1, a2] = st.p.pick_two(farm_animals());
  const int64_t x = st.n(3, 20), k = st.n(2, 5);
  const std::string times = times_word(st, k);
  const char* t = one_of(st, {
      "{A} has {x} {c}. {B} has {times} as many {c} as {A}. How many {c} do they have altogether?",
      "What is the total number of {c} that {A} and {B} have, if {A} has {x} and {B} has {times} as many?",
      "Find how many {b} were seen in all. On Monday {A} saw {x} {b}, and on Tuesday {A} saw {times} as many "
      "{b}.",
      "A farm has {x} {a1} and {times} as many {a2} as {a1}. How many {a1} and {a2} are there in total?",
  });
  return two(st.f(t, {{"x", num(x)}, {"times", times}, {"c", c.many}, {"b", b.many}, {"a1", a1.many},
                      {"a2", a2.many}}),
             equation(x, "*", k, x * k), x, "+", x * k, x + x * k);
}

Made fewer_then_total(Story& st) {
  const Thing b = st.p.pick(birds());
  const Thing c = st.p.pick(collection());
  const Thing p = st.p.pick(plants());
  const Thing f = st.p.pick(fruit());
  const int64_t x = st.n(20, 100), d = st.n(2, x - 1), y = x - d;
  const char* t = one_of(st, {
      "{A} saw {x} {b} in the park. {B} saw {d} fewer {b} than {A}. How many {b} did they see altogether?",
      "How many {c} do {A} and {B} have together? {A} has {x} {c} and {B} has {d} fewer {c} than {A}.",
      "Find the total number of {p} in two gardens. The first garden has {x} {p}. The second garden has {d} "
      "fewer {p} than the first.",
      "A farmer picked {x} {f} on Saturday and {d} fewer {f} on Sunday. What is the total number of {f} picked "
      "on the two days?",
  });
  return two(st.f(t, {{"x", num(x)}, {"d", num(d)}, {"b", b.many}, {"c", c.many}, {"p", p.many}, {"f", f.many}}),
             equation(x, "-", d, y), x, "+", y, x + y);
}

Made half_then_more(Story& st) {
  const Thing b = st.p.pick(water_birds());
  const Thing c = st.p.pick(collection());
  const Thing f = st.p.pick(fruit());
  const Thing fl = st.p.pick(flowers());
  const int64_t h = st.n(5, 50), x = 2 * h, y = st.n(2, 50);
  const char* t = one_of(st, {
      "Half of the {x} {b} on a farm are on the pond. Then {y} more {b} land on the pond. How many {b} are on "
      "the pond now?",
      "{A} had {x} {c} and gave half of them to {B}. {B} already had {y} {c}. How many {c} does {B} have now?",
      "Find how many {f} {A} has now. {A} picked {x} {f} and kept half of them. Then {B} gave {A} {y} more {f}.",
      "There are {x} {fl} in a garden. Half of them are open today, and {y} more open tomorrow. How many {fl} "
      "will be open tomorrow?",
  });
  return two(st.f(t, {{"x", num(x)}, {"y", num(y)}, {"b", b.many}, {"c", c.many}, {"f", f.many}, {"fl", fl.many}}),
             equation(x, "/", 2, h), h, "+", y, h + y);
}

Made buy_then_add(Story& st) {
  const auto [g, j] = st.p.pick_two(garden_goods());
  const int64_t n = st.n(2, 8), p = st.n(2, 12), c = st.n(3, 60);
  const char* t = one_of(st, {
      "{A} buys {n} {g} at {p} dollars each and a {j} for {c} dollars. What is the total cost?",
      "How much does {A} spend in all? {A} buys {n} {g}, each costing {p} dollars, and one {j} that costs {c} "
      "dollars.",
      "Find the total amount a farmer pays for {n} {g} at {p} dollars apiece and a {j} at {c} dollars.",
      "A {g1} costs {p} dollars and a {j} costs {c} dollars. What do {n} {g} and one {j} cost together?",
  });
  return two(st.f(t, {{"n", num(n)}, {"p", num(p)}, {"c", num(c)}, {"g", g.many}, {"g1", g.one}, {"j", j.one}}),
             equation(n, "*", p, n * p), n * p, "+", c, n * p + c);
}

Made several_then_change(Story& st) {
  const Thing g = st.p.pick(garden_goods());
  const int64_t n = st.n(2, 8), p = st.n(2, 12), cost = n * p;
  std::vector<int64_t> notes;
  for (const int64_t v : {20, 50, 100})
    if (v > cost) notes.push_back(v);
  const int64_t pay = st.p.pick(notes);
  const char* t = one_of(st, {
      "{A} buys {n} {g} at {p} dollars each and pays with {pay} dollars. How much change does {A} get?",
      "How much change does {A} receive from {pay} dollars after buying {n} {g} that cost {p} dollars each?",
      "A {g1} costs {p} dollars. {A} buys {n} of them and hands over a {pay}-dollar bill. Find the change.",
      "What is the change from {pay} dollars if a farmer buys {n} {g} for {p} dollars apiece?",
  });
  return two(st.f(t, {{"n", num(n)}, {"p", num(p)}, {"pay", num(pay)}, {"g", g.many}, {"g1", g.one}}),
             equation(n, "*", p, cost), pay, "-", cost, pay - cost);
}

Made save_weeks_then_spend(Story& st) {
  const Thing j = st.p.pick(garden_goods());
  const int64_t s = st.n(2, 12), w = st.n(2, 10), saved = s * w;
  const int64_t c = st.n(std::max<int64_t>(2, saved / 4), std::min<int64_t>(saved - 1, 100));
  const char* t = one_of(st, {
      "{A} saves {s} dollars every week for {w} weeks. Then {A} spends {c} dollars on a book about birds. How "
      "much money is left?",
      "How much money does {A} have left? For {w} weeks {A} saved {s} dollars a week, and then {A} bought a {j} "
      "for {c} dollars.",
      "Find how many dollars {A} still has. {A} earned {s} dollars each week for {w} weeks by selling eggs and "
      "spent {c} dollars on seeds.",
      "{A} puts {s} dollars each week into a jar for {w} weeks. After that {A} spends {c} dollars at the garden "
      "shop. What amount remains in the jar?",
  });
  return two(st.f(t, {{"s", num(s)}, {"w", num(w)}, {"c", num(c)}, {"j", j.one}}), equation(s, "*", w, saved),
             saved, "-", c, saved - c);
}

Made hours_and_minutes(Story& st) {
  const Thing f = st.p.pick(fruit());
  const int64_t h = st.n(1, 2), m = st.n(5, 59);
  const char* t = one_of(st, {
      "{A} worked in the garden for {h} {hours} and {m} minutes. How many minutes did {A} work in all?",
      "How many minutes long was the bird walk if it lasted {h} {hours} and {m} minutes?",
      "Find the total time in minutes. A farmer spent {h} {hours} picking {f} and then {m} minutes packing "
      "them.",
      "The trip to the farm took {h} {hours}, and the visit to the orchard took another {m} minutes. What is "
      "the total time in minutes?",
  });
  return two(st.f(t, {{"h", num(h)}, {"m", num(m)}, {"hours", hours_word(h)}, {"f", f.many}}),
             equation(h, "*", 60, h * 60), h * 60, "+", m, h * 60 + m);
}

Made hours_vs_minutes(Story& st) {
  const Thing f = st.p.pick(fruit());
  const int64_t h = st.n(1, 2), all = h * 60, m = st.n(10, std::min<int64_t>(100, all - 1));
  const char* t = one_of(st, {
      "{A} watched birds for {h} {hours}. {B} watched for {m} minutes. How many minutes longer did {A} watch?",
      "How many minutes longer is a nature walk of {h} {hours} than a walk of {m} minutes?",
      "Find how many more minutes {A} spent in the garden than {B}. {A} spent {h} {hours} there and {B} spent "
      "{m} minutes.",
      "Picking the {f} took {h} {hours} and washing them took {m} minutes. How many more minutes did picking "
      "take than washing?",
  });
  return two(st.f(t, {{"h", num(h)}, {"m", num(m)}, {"hours", hours_word(h)}, {"f", f.many}}),
             equation(h, "*", 60, all), all, "-", m, all - m);
}

Made plant_rows_left(Story& st) {
  const Thing p = st.p.pick(plants());
  const Thing cl = st.p.pick(collection());
  const int64_t r = st.n(2, 8), c = st.n(3, 12), used = r * c, x = st.n(used + 1, 100);
  const char* t = one_of(st, {
      "{A} has {x} {p}. {A} plants {r} rows with {c} {p} in each row. How many {p} are left over?",
      "How many {p} are not planted? A gardener had {x} {p} and planted {r} rows of {c}.",
      "Find how many {cl} are left in the box. {A} had {x} {cl} and put {c} on each of {r} pages of an album.",
      "There are {x} bulbs in a bag. {A} plants {r} rows of {c} bulbs. How many bulbs remain in the bag?",
  });
  return two(st.f(t, {{"x", num(x)}, {"r", num(r)}, {"c", num(c)}, {"p", p.many}, {"cl", cl.many}}),
             equation(r, "*", c, used), x, "-", used, x - used);
}

Made album_after_gift(Story& st) {
  const Thing c = st.p.pick(collection());
  const int64_t x = st.n(40, 100), y = st.n(3, x - 6), z = st.n(2, x - y - 2), have = y + z;
  const char* t = one_of(st, {
      "An album holds {x} {c}. {A} has {y} {c}, and {B} gives {A} {z} more. How many more {c} does {A} need to "
      "fill the album?",
      "How many more {c} are needed to fill an album with room for {x} {c}, if {A} has {y} {c} and buys {z} "
      "more?",
      "Find how many more {c} {A} must collect to reach {x}. {A} collected {y} {c} last year and {z} {c} this "
      "year.",
      "A farmer wants to plant {x} trees. The farmer planted {y} trees in spring and {z} in autumn. How many "
      "more trees must be planted?",
  });
  return two(st.f(t, {{"x", num(x)}, {"y", num(y)}, {"z", num(z)}, {"c", c.many}}), equation(y, "+", z, have), x,
             "-", have, x - have);
}

Made minutes_per_day(Story& st) {
  const Thing f = st.p.pick(fruit());
  const int64_t m = st.n(5, 20), e = st.n(5, 20), sum = m + e, d = st.n(2, std::min<int64_t>(7, 200 / sum));
  const char* t = one_of(st, {
      "{A} waters the garden for {m} minutes each morning and {e} minutes each evening. How many minutes does "
      "{A} spend watering in {d} days?",
      "How many minutes does a farmer spend feeding the animals in {d} days, if feeding takes {m} minutes in "
      "the morning and {e} minutes at night?",
      "Each day {A} walks to the lake to watch birds: {m} minutes there and {e} minutes back. Find the total "
      "walking time in minutes over {d} days.",
      "Every day {A} spends {m} minutes weeding and {e} minutes picking {f}. What is the total number of "
      "minutes {A} spends on these jobs in {d} days?",
  });
  return two(st.f(t, {{"m", num(m)}, {"e", num(e)}, {"d", num(d)}, {"f", f.many}}), equation(m, "+", e, sum), sum,
             "*", d, sum * d);
}

Made share_then_eat(Story& st) {
  const Thing f = st.p.pick(fruit());
  const Thing c = st.p.pick(collection());
  const Thing h = st.p.pick(fruit_holders());
  const int64_t k = st.n(2, 6), q = st.n(3, 100 / k), x = k * q, e = st.n(2, std::min<int64_t>(q - 1, 12));
  const char* t = one_of(st, {
      "{A} shares {x} {f} equally among {k} children. Each child eats {e} {f}. How many {f} does each child have "
      "left?",
      "How many {f} are left in each {h}? {x} {f} are put equally into {k} {hs}, and then {e} {f} are taken "
      "from every {h}.",
      "Find how many {c} each friend still has. {A} divides {x} {c} equally among {k} friends, and each friend "
      "gives {e} away.",
      "A farmer puts {x} carrots equally into {k} rabbit hutches. The rabbits in each hutch eat {e} carrots. How "
      "many carrots are left in each hutch?",
  });
  return two(st.f(t, {{"x", num(x)}, {"k", num(k)}, {"e", num(e)}, {"f", f.many}, {"c", c.many}, {"h", h.one},
                      {"hs", h.many}}),
             equation(x, "/", k, q), q, "-", e, q - e);
}

}  // namespace

const std::vector<StoryTemplate>& written_math_templates_c() {
  static const std::vector<StoryTemplate> v = {
      // one step
      {"wc_farm_two_animals", 1, farm_two_animals},
      {"wc_found_more", 1, found_more},
      {"wc_fruit_sold_left", 1, fruit_sold_left},
      {"wc_birds_fly_away", 1, birds_fly_away},
      {"wc_collections_compare", 1, collections_compare},
      {"wc_garden_fewer_than", 1, garden_fewer_than},
      {"wc_album_needed", 1, album_needed},
      {"wc_rows_of_plants", 1, rows_of_plants},
      {"wc_eggs_each_day", 1, eggs_each_day},
      {"wc_times_as_many", 1, times_as_many},
      {"wc_share_fruit", 1, share_fruit},
      {"wc_groups_of_size", 1, groups_of_size},
      {"wc_half_of", 1, half_of},
      {"wc_goods_cost", 1, goods_cost},
      {"wc_change_from_payment", 1, change_from_payment},
      {"wc_savings_sum", 1, savings_sum},
      {"wc_hours_to_minutes", 1, hours_to_minutes},
      {"wc_time_longer", 1, time_longer},
      // two steps
      {"wc_three_kinds_total", 2, three_kinds_total},
      {"wc_picked_gave_picked", 2, picked_gave_picked},
      {"wc_rows_then_eaten", 2, rows_then_eaten},
      {"wc_rows_plus_extra", 2, rows_plus_extra},
      {"wc_pack_then_price", 2, pack_then_price},
      {"wc_found_then_share", 2, found_then_share},
      {"wc_times_as_many_total", 2, times_as_many_total},
      {"wc_fewer_then_total", 2, fewer_then_total},
      {"wc_half_then_more", 2, half_then_more},
      {"wc_buy_then_add", 2, buy_then_add},
      {"wc_several_then_change", 2, several_then_change},
      {"wc_save_weeks_then_spend", 2, save_weeks_then_spend},
      {"wc_hours_and_minutes", 2, hours_and_minutes},
      {"wc_hours_vs_minutes", 2, hours_vs_minutes},
      {"wc_plant_rows_left", 2, plant_rows_left},
      {"wc_album_after_gift", 2, album_after_gift},
      {"wc_minutes_per_day", 2, minutes_per_day},
      {"wc_share_then_eat", 2, share_then_eat},
  };
  return v;
}

}  // namespace loco::datagen
