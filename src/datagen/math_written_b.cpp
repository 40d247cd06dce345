// Training word problems by author b of four, writing independently, without reading the
// held-out set or the other generators. Theme: school, sport and trips (classes and
// students, teams and players, games and points, library books and pages, buses and
// seats, school trips, races and laps, comparisons between children, sharing among groups,
// timetables in minutes). Each template picks one of several phrasings of its story.

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "datagen/math_story.h"

namespace loco::datagen {

namespace {

using Fill = std::vector<std::pair<std::string, std::string>>;

// One of the phrasings, filled in.
std::string say(Story& st, const std::vector<const char*>& forms, Fill values) {
  return st.f(st.p.pick(forms), std::move(values));
}

Made one_step(std::string question, int64_t x, const char* op, int64_t y, int64_t r) {
  return Made{std::move(question), {equation(x, op, y, r)}, r};
}

Made two_steps(std::string question, std::string first, std::string second, int64_t answer) {
  return Made{std::move(question), {std::move(first), std::move(second)}, answer};
}

std::string hours_word(int64_t h) { return h == 1 ? "hour" : "hours"; }

// "twice", "2 times", "3 times", ...
std::string times_word(Story& st, int64_t k) {
  if (k == 2 && st.p.coin()) return "twice";
  return num(k) + " times";
}

// Things a child might buy for school or sport (each starts with a consonant: "a ...").
const std::vector<const char*>& cheap_gear() {
  static const std::vector<const char*> v = {"water bottle", "sun hat",   "lunch box",      "pair of socks",
                                             "school cap",   "pencil case", "skipping rope", "swimming cap"};
  return v;
}
const std::vector<const char*>& dear_gear() {
  static const std::vector<const char*> v = {"football",       "tennis racket", "school bag",
                                             "pair of running shoes", "skateboard", "baseball glove"};
  return v;
}
const std::vector<const char*>& games() {
  static const std::vector<const char*> v = {"basketball game", "class quiz",   "spelling game",
                                             "ring toss game",  "board game",   "video game"};
  return v;
}
const std::vector<const char*>& clubs() {
  static const std::vector<const char*> v = {"class", "swimming club", "school choir", "chess club", "art class",
                                             "running club"};
  return v;
}

const std::vector<StoryTemplate>& make_templates() {
  static const std::vector<StoryTemplate> templates = {
      // ---------------------------------------------------------------- one step
      {"wb_class_total", 1,
       [](Story& st) {
         const int64_t x = st.n(6, 20), y = st.n(6, 20);
         const bool girls_first = st.p.coin();
         const std::string g1 = girls_first ? "girls" : "boys", g2 = girls_first ? "boys" : "girls";
         const std::string q = say(st,
                                   {"In {A}'s {club} there are {x} {g1} and {y} {g2}. How many children are in the "
                                    "{club}?",
                                    "{A}'s {club} has {x} {g1} and {y} {g2}. How many children is that altogether?",
                                    "How many children are in {A}'s {club} if it has {x} {g1} and {y} {g2}?",
                                    "{x} {g1} and {y} {g2} belong to {A}'s {club}. How many children belong to it in "
                                    "total?",
                                    "There are {x} {g1} in {A}'s {club}, and there are {y} {g2}. How many children "
                                    "are there in all?"},
                                   {{"x", num(x)}, {"y", num(y)}, {"g1", g1}, {"g2", g2}, {"club", st.p.pick(clubs())}});
         return one_step(q, x, "+", y, x + y);
       }},
      {"wb_pages_left", 1,
       [](Story& st) {
         const int64_t p = st.n(30, 100), r = st.n(5, p - 5);
         const std::string q = say(st,
                                   {"{A} borrowed a library book with {p} pages and has read {r} of them. How many "
                                    "pages are left to read?",
                                    "A library book has {p} pages. {A} has read {r} pages so far. How many pages does "
                                    "{A} still have to read?",
                                    "How many pages are left if {A} has read {r} pages of a {p}-page book?",
                                    "{A} has read {r} pages of a {p}-page book from the school library. How many "
                                    "pages remain?",
                                    "There are {p} pages in the book {A} is reading for class. {A} has finished {r} "
                                    "of them. How many pages has {A} not read yet?"},
                                   {{"p", num(p)}, {"r", num(r)}});
         return one_step(q, p, "-", r, p - r);
       }},
      {"wb_points_more", 1,
       [](Story& st) {
         const int64_t x = st.n(15, 100), y = st.n(3, x - 1);
         const std::string q = say(st,
                                   {"In the {game}, {A} scored {x} points and {B} scored {y} points. How many more "
                                    "points did {A} score than {B}?",
                                    "{B} got {y} points in the {game}. {A} got {x} points. How many more points did "
                                    "{A} get?",
                                    "How many more points did {A} score than {B} in the {game}, if {A} scored {x} "
                                    "and {B} scored {y}?",
                                    "{A} scored {x} points in the {game}, and {B} scored {y}. By how many points did "
                                    "{A} beat {B}?",
                                    "{A} finished the {game} with {x} points. {B} finished with {y} points. How many "
                                    "fewer points did {B} have?"},
                                   {{"x", num(x)}, {"y", num(y)}, {"game", st.p.pick(games())}});
         return one_step(q, x, "-", y, x - y);
       }},
      {"wb_players_needed", 1,
       [](Story& st) {
         const int64_t need = st.n(8, 40), have = st.n(2, need - 1);
         const std::string q = say(st,
                                   {"The coach needs {n} players for the tournament. {h} players have signed up so "
                                    "far. How many more players are needed?",
                                    "{h} children have joined the school choir, but the music teacher wants {n} "
                                    "singers. How many more singers are needed?",
                                    "For the school play, the class needs {n} helpers. Only {h} have offered to help. "
                                    "How many more helpers does the class need?",
                                    "The relay race needs {n} runners. {h} runners are ready. How many more runners "
                                    "must join?",
                                    "The school trip needs {n} children to fill the bus. {h} children have signed "
                                    "up. How many more children must sign up?"},
                                   {{"n", num(need)}, {"h", num(have)}});
         return one_step(q, need, "-", have, need - have);
       }},
      {"wb_laps_days", 1,
       [](Story& st) {
         const int64_t l = st.n(2, 12), d = st.n(2, 12);
         const std::string q = say(st,
                                   {"{A} runs {l} laps of the track every day. How many laps does {A} run in {d} days?",
                                    "Every morning for {d} days, {A} swam {l} laps of the pool. How many laps did {A} "
                                    "swim in all?",
                                    "How many laps will {A} ride in {d} days if {A} rides {l} laps each day?",
                                    "{A} does {l} laps a day at training. After {d} days, how many laps has {A} done "
                                    "altogether?",
                                    "At sports camp, {A} ran {l} laps per day. Camp went on for {d} days. What was "
                                    "the total number of laps {A} ran?"},
                                   {{"l", num(l)}, {"d", num(d)}});
         return one_step(q, l, "*", d, l * d);
       }},
      {"wb_rows_of_seats", 1,
       [](Story& st) {
         const int64_t r = st.n(3, 12), c = st.n(4, 15);
         const std::string q = say(st,
                                   {"The school hall has {r} rows of chairs with {c} chairs in each row. How many "
                                    "chairs are there in the hall?",
                                    "For the school show, the teachers set out {r} rows of {c} chairs. How many "
                                    "chairs did they set out?",
                                    "The stands at the sports field have {r} rows, and each row seats {c} people. How "
                                    "many people can sit in the stands?",
                                    "How many desks are in the exam room if there are {r} rows with {c} desks per "
                                    "row?",
                                    "In the classroom the desks stand in {r} rows. Every row has {c} desks. How many "
                                    "desks are there?"},
                                   {{"r", num(r)}, {"c", num(c)}});
         return one_step(q, r, "*", c, r * c);
       }},
      {"wb_groups_of", 1,
       [](Story& st) {
         const int64_t g = st.n(2, 8), k = st.n(2, 12), total = g * k;
         const std::string q = say(st,
                                   {"There are {n} students in the gym. The teacher puts them in groups of {g}. How "
                                    "many groups are there?",
                                    "The coach splits {n} players into teams of {g}. How many teams does the coach "
                                    "make?",
                                    "{n} children are going on the nature walk, in groups of {g}. How many groups "
                                    "will there be?",
                                    "How many teams of {g} can be made from {n} students?",
                                    "{A}'s class of {n} students sits at tables, {g} students to a table. How many "
                                    "tables are used?"},
                                   {{"n", num(total)}, {"g", num(g)}});
         return one_step(q, total, "/", g, k);
       }},
      {"wb_share_equally", 1,
       [](Story& st) {
         const int64_t k = st.n(2, 10), each = st.n(2, 10), total = k * each;
         const std::string q = say(st,
                                   {"The teacher shares {n} {obj} equally among {k} tables. How many {obj} does each "
                                    "table get?",
                                    "{n} {obj} are split equally between {k} teams. How many {obj} is that per team?",
                                    "{A} hands out {n} {obj} to {k} classmates, the same number to each. How many "
                                    "{obj} does each classmate get?",
                                    "If {k} groups of students share {n} {obj} equally, how many {obj} does each group "
                                    "get?",
                                    "On the school trip, {n} {obj} were divided equally among {k} children. How many "
                                    "{obj} did each child get?"},
                                   {{"n", num(total)}, {"k", num(k)}});
         return one_step(q, total, "/", k, each);
       }},
      {"wb_half_of", 1,
       [](Story& st) {
         const int64_t total = 2 * st.n(4, 50);
         const std::string q = say(st,
                                   {"There are {n} students in the school year. Half of them play football. How many "
                                    "students play football?",
                                    "Half of the {n} children on the trip brought a packed lunch. How many children "
                                    "brought a packed lunch?",
                                    "{A} has a book with {n} pages and has read half of it. How many pages has {A} "
                                    "read?",
                                    "The team scored {n} points in the game. Half of the points came from {A}. How "
                                    "many points did {A} score?",
                                    "The library cart holds {n} books. Half of them are storybooks. How many "
                                    "storybooks are on the cart?"},
                                   {{"n", num(total)}});
         return one_step(q, total, "/", 2, total / 2);
       }},
      {"wb_ticket_cost", 1,
       [](Story& st) {
         const int64_t p = st.n(2, 15), k = st.n(2, 12);
         const std::string q = say(st,
                                   {"Tickets to the science museum cost {p} dollars each. How much do {k} tickets "
                                    "cost?",
                                    "{A} buys {k} tickets for the school play at {p} dollars apiece. How much does {A} "
                                    "spend?",
                                    "A swimming lesson costs {p} dollars. How much do {k} lessons cost in all?",
                                    "How many dollars do {k} match tickets cost if one ticket costs {p} dollars?",
                                    "The class buys {k} team shirts. Every shirt costs {p} dollars. What is the total "
                                    "cost?"},
                                   {{"p", num(p)}, {"k", num(k)}});
         return one_step(q, p, "*", k, p * k);
       }},
      {"wb_change", 1,
       [](Story& st) {
         const int64_t pay = st.p.pick(std::vector<int64_t>{10, 20, 50, 100});
         const int64_t price = st.n(2, std::min<int64_t>(pay - 1, 45));
         const std::string q = say(st,
                                   {"{A} buys a {gear} for {p} dollars and pays using a {pay}-dollar bill. How much "
                                    "change does {A} get?",
                                    "A {gear} costs {p} dollars. {A} hands the shopkeeper {pay} dollars. How much "
                                    "change should {A} get back?",
                                    "How much change does {A} get from {pay} dollars after paying {p} dollars for a "
                                    "{gear}?",
                                    "At the school fair, {A} paid for a {gear} that cost {p} dollars with {pay} "
                                    "dollars. What change did {A} receive?",
                                    "{A} gave {pay} dollars for a {gear}. The {gear} was {p} dollars. How much money "
                                    "came back to {A}?"},
                                   {{"p", num(price)}, {"pay", num(pay)}, {"gear", st.p.pick(cheap_gear())}});
         return one_step(q, pay, "-", price, pay - price);
       }},
      {"wb_hours_to_minutes", 1,
       [](Story& st) {
         const int64_t h = st.n(1, 3);
         const std::string q = say(st,
                                   {"The school trip to the farm lasts {h} {hrs}. How many minutes is that?",
                                    "{A}'s football practice went on for {h} {hrs}. How many minutes did it last?",
                                    "How many minutes does a {h}-hour bus ride take?",
                                    "The races on sports day ran for {h} {hrs}. For how many minutes did they run?",
                                    "{A} spent {h} {hrs} reading in the library. How many minutes did {A} spend "
                                    "there?"},
                                   {{"h", num(h)}, {"hrs", hours_word(h)}});
         return one_step(q, h, "*", 60, h * 60);
       }},
      {"wb_how_much_longer", 1,
       [](Story& st) {
         const int64_t x = st.n(5, 50), y = x + st.n(1, 25);
         const std::string q = say(st,
                                   {"{A} finished the cross-country race in {y} minutes. {B} took {x} minutes. How "
                                    "many minutes longer did {A} take?",
                                    "The bus ride to the zoo took {y} minutes. The ride back took {x} minutes. How "
                                    "many more minutes did the ride there take?",
                                    "How much longer is a {y}-minute lesson than a {x}-minute lesson?",
                                    "{B}'s homework took {x} minutes and {A}'s took {y} minutes. How many minutes "
                                    "longer did {A} spend on homework than {B}?",
                                    "The art lesson lasts {y} minutes and the music lesson lasts {x} minutes. How "
                                    "much longer is the art lesson?"},
                                   {{"x", num(x)}, {"y", num(y)}});
         return one_step(q, y, "-", x, y - x);
       }},
      {"wb_fewer_than", 1,
       [](Story& st) {
         const int64_t y = st.n(10, 70), d = st.n(2, y - 2);
         const std::string q = say(st,
                                   {"{A} read {y} books this year. {B} read {d} fewer books than {A}. How many books "
                                    "did {B} read?",
                                    "{B} scored {d} fewer points than {A} in the quiz. {A} scored {y}. How many points "
                                    "did {B} score?",
                                    "In the race, {A} ran {y} laps and {B} ran {d} laps fewer. How many laps did {B} "
                                    "run?",
                                    "{A} raised {y} dollars for the school trip. {B} raised {d} dollars less. How "
                                    "much did {B} raise?",
                                    "How many goals did {B} score this season if {A} scored {y} and {B} scored {d} "
                                    "fewer?"},
                                   {{"y", num(y)}, {"d", num(d)}});
         return one_step(q, y, "-", d, y - d);
       }},
      {"wb_times_as_many", 1,
       [](Story& st) {
         const int64_t k = st.n(2, 5), x = st.n(2, 100 / k);
         const std::string q = say(st,
                                   {"{A} scored {x} goals this season. {B} scored {times} as many. How many goals did "
                                    "{B} score?",
                                    "{B} has read {times} as many library books as {A}. {A} has read {x}. How many "
                                    "has {B} read?",
                                    "The blue team ran {x} laps. The red team ran {times} as many laps. How many laps "
                                    "did the red team run?",
                                    "How many points did {B} get if {A} got {x} points and {B} got {times} as many?",
                                    "On the class trip {A} took {x} photos, and {B} took {times} as many. How many "
                                    "photos did {B} take?"},
                                   {{"x", num(x)}, {"times", times_word(st, k)}});
         return one_step(q, x, "*", k, x * k);
       }},
      {"wb_saving_weeks", 1,
       [](Story& st) {
         const int64_t s = st.n(2, 12), w = st.n(2, 12);
         const std::string q = say(st,
                                   {"{A} saves {s} dollars every week for the school trip. How much has {A} saved "
                                    "after {w} weeks?",
                                    "To pay for football camp, {A} puts away {s} dollars a week. How many dollars "
                                    "will {A} have after {w} weeks?",
                                    "For {w} weeks, {A} saved {s} dollars each week. How much money did {A} save in "
                                    "total?",
                                    "How much will {A} have saved for the class trip after {w} weeks, saving {s} "
                                    "dollars per week?",
                                    "{A} earns {s} dollars a week helping the coach. How much does {A} earn in {w} "
                                    "weeks?"},
                                   {{"s", num(s)}, {"w", num(w)}});
         return one_step(q, s, "*", w, s * w);
       }},
      {"wb_more_than", 1,
       [](Story& st) {
         const int64_t x = st.n(10, 80), d = st.n(2, 20);
         const std::string q = say(st,
                                   {"The red team has {x} points. The blue team has {d} more points than the red "
                                    "team. How many points does the blue team have?",
                                    "{A} skipped {x} times without stopping. {B} skipped {d} more times than {A}. How "
                                    "many times did {B} skip?",
                                    "{B} read {d} more pages than {A}. {A} read {x} pages. How many pages did {B} "
                                    "read?",
                                    "How many students are on the other bus if one bus has {x} students and "
                                    "the other has {d} more?",
                                    "{A}'s class collected {x} cans for the school fair. {B}'s class collected {d} "
                                    "more. How many cans did {B}'s class collect?"},
                                   {{"x", num(x)}, {"d", num(d)}});
         return one_step(q, x, "+", d, x + d);
       }},
      {"wb_buses_needed", 1,
       [](Story& st) {
         const int64_t c = st.n(8, 30), k = st.n(2, 100 / c), total = c * k;
         const std::string q = say(st,
                                   {"Each bus holds {c} students. {n} students are going on the trip. How many buses "
                                    "are needed?",
                                    "{n} students are going to the museum. Each van can carry {c} students. How many "
                                    "vans does the school need?",
                                    "How many minibuses are needed to take {n} players to the match if each minibus "
                                    "seats {c}?",
                                    "For a trip on the lake, {n} children get into boats, {c} children in every boat. "
                                    "How many boats are filled?",
                                    "The school sends {n} runners to the race in cars that take {c} runners each, "
                                    "with every car full. How many cars go?"},
                                   {{"n", num(total)}, {"c", num(c)}});
         return one_step(q, total, "/", c, k);
       }},

      // ---------------------------------------------------------------- two steps
      {"wb_classes_and_teachers", 2,
       [](Story& st) {
         const int64_t c = st.n(2, 5), s = st.n(15, 30), t = st.n(2, 8);
         const std::string q = say(st,
                                   {"{c} classes go on a trip to the zoo. Each class has {s} students, and {t} "
                                    "teachers go along too. How many people go on the trip?",
                                    "There are {s} students in each of {c} classes. All of them, with {t} teachers, "
                                    "go to the museum. How many people is that in all?",
                                    "How many people go on the school trip if {c} classes of {s} students and {t} "
                                    "teachers go?",
                                    "The school sends {c} classes to the farm. Every class has {s} children. {t} "
                                    "parents come to help. How many people go to the farm altogether?",
                                    "On sports day, {c} classes of {s} children each march onto the field, followed "
                                    "by {t} teachers. How many people march onto the field?"},
                                   {{"c", num(c)}, {"s", num(s)}, {"t", num(t)}});
         const int64_t kids = c * s;
         return two_steps(q, equation(c, "*", s, kids), equation(kids, "+", t, kids + t), kids + t);
       }},
      {"wb_empty_seats", 2,
       [](Story& st) {
         const int64_t b = st.n(2, 4), s = st.n(20, 45), seats = b * s;
         const int64_t on = st.n(10, std::min<int64_t>(100, seats - 2));
         const std::string q = say(st,
                                   {"The school hired {b} buses with {s} seats each. {n} students got on. How many "
                                    "seats were empty?",
                                    "{b} buses each have {s} seats. If {n} students are on board, how many seats are "
                                    "still free?",
                                    "For the trip there are {b} buses, and each has {s} seats. {n} children take a "
                                    "seat. How many seats are left over?",
                                    "How many empty seats are there if {n} students sit in {b} buses that each have "
                                    "{s} seats?",
                                    "{n} fans ride to the match in {b} minibuses. Every minibus has {s} seats. How many "
                                    "seats are not used?"},
                                   {{"b", num(b)}, {"s", num(s)}, {"n", num(on)}});
         return two_steps(q, equation(b, "*", s, seats), equation(seats, "-", on, seats - on), seats - on);
       }},
      {"wb_reading_days", 2,
       [](Story& st) {
         const int64_t r = st.n(3, 12), d = st.n(2, 7), read = r * d;
         const int64_t p = read + st.n(2, 100 - read);
         const std::string q = say(st,
                                   {"A library book has {p} pages. {A} reads {r} pages every day for {d} days. How "
                                    "many pages are left to read?",
                                    "{A} is reading a {p}-page book and reads {r} pages a day. How many pages remain "
                                    "after {d} days?",
                                    "How many pages does {A} still have to read in a {p}-page book after reading {r} "
                                    "pages each day for {d} days?",
                                    "For {d} days, {A} read {r} pages of a library book each night. The book has {p} "
                                    "pages. How many pages has {A} not read yet?",
                                    "{A}'s class reading book is {p} pages long. {A} has read {r} pages on each of "
                                    "{d} days. How many pages are still to go?"},
                                   {{"p", num(p)}, {"r", num(r)}, {"d", num(d)}});
         return two_steps(q, equation(r, "*", d, read), equation(p, "-", read, p - read), p - read);
       }},
      {"wb_game_halves", 2,
       [](Story& st) {
         const int64_t x = st.n(10, 50), y = st.n(10, 50), sum = x + y;
         const int64_t z = st.n(5, std::min<int64_t>(100, sum - 1));
         const std::string q = say(st,
                                   {"In the basketball game, {A} scored {x} points in the first half and {y} points "
                                    "in the second half. {B} scored {z} points in the whole game. How many more "
                                    "points did {A} score than {B}?",
                                    "{B} scored {z} points in the quiz. {A} scored {x} points in round one and {y} "
                                    "points in round two. How many more points did {A} get than {B}?",
                                    "How many more points did {A} score than {B}, if {A} scored {x} points and then "
                                    "{y} points, and {B} scored {z} points in all?",
                                    "{A} got {x} points in Monday's game and {y} points in Tuesday's game. {B} got "
                                    "{z} points over both days. How many fewer points did {B} get than {A}?",
                                    "In two rounds of the spelling game {A} won {x} and {y} points. {B} won {z} "
                                    "points altogether. By how many points did {A} beat {B}?"},
                                   {{"x", num(x)}, {"y", num(y)}, {"z", num(z)}});
         return two_steps(q, equation(x, "+", y, sum), equation(sum, "-", z, sum - z), sum - z);
       }},
      {"wb_laps_and_rest", 2,
       [](Story& st) {
         const int64_t l = st.n(2, 10), m = st.n(2, 9), r = st.n(2, 20), run = l * m;
         const std::string q = say(st,
                                   {"{A} runs {l} laps, and each lap takes {m} minutes. Then {A} stretches for {r} "
                                    "minutes. How many minutes is that in total?",
                                    "At swim practice {A} swims {l} laps at {m} minutes per lap, then rests for {r} "
                                    "minutes. How long is practice altogether, in minutes?",
                                    "How many minutes does {A} spend at the track if {A} runs {l} laps of {m} minutes "
                                    "each and then walks for {r} minutes?",
                                    "Every lap of the bike course takes {A} {m} minutes. {A} rides {l} laps and then "
                                    "spends {r} minutes packing up. How many minutes does that take in all?",
                                    "{A} skated {l} laps of the rink. Each lap took {m} minutes, and after that {A} "
                                    "waited {r} minutes for the bus. How many minutes passed in total?"},
                                   {{"l", num(l)}, {"m", num(m)}, {"r", num(r)}});
         return two_steps(q, equation(l, "*", m, run), equation(run, "+", r, run + r), run + r);
       }},
      {"wb_hours_and_minutes", 2,
       [](Story& st) {
         const int64_t h = st.n(1, 2), m = st.n(5, 55), hm = h * 60;
         const std::string q = say(st,
                                   {"The bus ride to the beach took {h} {hrs} and {m} minutes. How many minutes was "
                                    "the ride?",
                                    "Sports day lasted {h} {hrs} and {m} minutes. How long was it in minutes?",
                                    "How many minutes does a school trip of {h} {hrs} and {m} minutes take?",
                                    "{A} spent {h} {hrs} and {m} minutes at the library. How many minutes is that?",
                                    "The school show went on for {h} {hrs} and then {m} more minutes. For how "
                                    "many minutes did it go on?"},
                                   {{"h", num(h)}, {"hrs", hours_word(h)}, {"m", num(m)}});
         return two_steps(q, equation(h, "*", 60, hm), equation(hm, "+", m, hm + m), hm + m);
       }},
      {"wb_tickets_change", 2,
       [](Story& st) {
         const int64_t k = st.n(2, 6), p = st.n(2, 15), cost = k * p;
         std::vector<int64_t> notes;
         for (int64_t v : {20, 50, 100})
           if (v > cost) notes.push_back(v);
         const int64_t pay = st.p.pick(notes);
         const std::string q = say(st,
                                   {"{A} buys {k} tickets for the school show at {p} dollars each and pays with {pay} "
                                    "dollars. How much change does {A} get?",
                                    "Each swimming pass costs {p} dollars. {A} buys {k} passes and hands over {pay} "
                                    "dollars. How much change comes back?",
                                    "How much change does {A} get from {pay} dollars after buying {k} team shirts at "
                                    "{p} dollars apiece?",
                                    "{A} has {pay} dollars and buys {k} notebooks for school, each costing {p} "
                                    "dollars. How much money does {A} have left?",
                                    "Bus tickets for the trip are {p} dollars each. {A} pays for {k} tickets with "
                                    "{pay} dollars. What change should {A} get?"},
                                   {{"k", num(k)}, {"p", num(p)}, {"pay", num(pay)}});
         return two_steps(q, equation(k, "*", p, cost), equation(pay, "-", cost, pay - cost), pay - cost);
       }},
      {"wb_share_after_adding", 2,
       [](Story& st) {
         const int64_t g = st.n(2, 6), each = st.n(3, 15), total = g * each;
         const int64_t x = st.n(2, total - 2), y = total - x;
         const std::string q = say(st,
                                   {"The coach has {x} balls. The school buys {y} more balls. The coach then shares "
                                    "all the balls equally among {g} teams. How many balls does each team get?",
                                    "{A} collected {x} {obj} and {B} collected {y}. They share them all equally among "
                                    "{g} groups. How many {obj} does each group get?",
                                    "There are {x} girls and {y} boys in the gym. The teacher puts them into {g} "
                                    "equal teams. How many children are in each team?",
                                    "If {x} red bibs and {y} blue bibs are shared equally between {g} teams, how many "
                                    "bibs does each team get?",
                                    "{x} students from one class and {y} from another go on a trip and split into {g} "
                                    "groups of the same size. How many students are in each group?"},
                                   {{"x", num(x)}, {"y", num(y)}, {"g", num(g)}});
         return two_steps(q, equation(x, "+", y, total), equation(total, "/", g, each), each);
       }},
      {"wb_absent_then_teams", 2,
       [](Story& st) {
         const int64_t t = st.n(2, 6), k = st.n(2, 8), here = t * k, a = st.n(2, 8), all = here + a;
         const std::string q = say(st,
                                   {"There are {n} students in the class, but {a} are away today. The rest make teams "
                                    "of {t}. How many teams are there?",
                                    "{n} children signed up for the match, and {a} did not come. The others were put "
                                    "into teams of {t}. How many teams were made?",
                                    "How many groups of {t} does the teacher make from {n} students when {a} of them "
                                    "are away?",
                                    "Of {n} children on the trip, {a} stay on the bus. The rest walk in groups of "
                                    "{t}. How many groups walk?",
                                    "The swimming club has {n} members. {a} of them are ill, and the others swim in "
                                    "lanes with {t} swimmers in each lane. How many lanes are used?"},
                                   {{"n", num(all)}, {"a", num(a)}, {"t", num(t)}});
         return two_steps(q, equation(all, "-", a, here), equation(here, "/", t, k), k);
       }},
      {"wb_more_then_together", 2,
       [](Story& st) {
         const int64_t x = st.n(5, 60), d = st.n(2, 20), y = x + d;
         const std::string q = say(st,
                                   {"{A} read {x} books this year. {B} read {d} more than {A}. How many books did "
                                    "they read together?",
                                    "The red team scored {x} points. The blue team scored {d} points more. How many "
                                    "points did both teams score in all?",
                                    "{A} ran {x} laps. {B} ran {d} more laps than {A}. How many laps did the two of "
                                    "them run altogether?",
                                    "How many {obj} do {A} and {B} have combined if {A} has {x} and {B} has {d} more "
                                    "than {A}?",
                                    "The first bus carries {x} students and the second bus carries {d} more than the "
                                    "first. How many students ride on the two buses in total?"},
                                   {{"x", num(x)}, {"d", num(d)}});
         return two_steps(q, equation(x, "+", d, y), equation(x, "+", y, x + y), x + y);
       }},
      {"wb_fewer_then_together", 2,
       [](Story& st) {
         const int64_t x = st.n(10, 60), d = st.n(2, x - 2), y = x - d;
         const std::string q = say(st,
                                   {"The girls' team scored {x} goals this season. The boys' team scored {d} fewer. "
                                    "How many goals did the two teams score altogether?",
                                    "{A} has read {x} pages. {B} has read {d} pages fewer than {A}. How many pages "
                                    "have they read in total?",
                                    "How many students are on both buses if one bus has {x} students and the "
                                    "other has {d} fewer?",
                                    "On the school trip, {A} took {x} photos. {B} took {d} fewer photos than {A}. How "
                                    "many photos did they take together?",
                                    "{A} has {x} {obj}, and {B} has {d} fewer {obj} than {A}. How many {obj} do "
                                    "they have combined?"},
                                   {{"x", num(x)}, {"d", num(d)}});
         return two_steps(q, equation(x, "-", d, y), equation(x, "+", y, x + y), x + y);
       }},
      {"wb_times_then_together", 2,
       [](Story& st) {
         const int64_t k = st.n(2, 4), x = st.n(2, std::min<int64_t>(30, 100 / k)), y = x * k;
         const std::string q = say(st,
                                   {"{A} scored {x} points. {B} scored {times} as many. How many points did they score "
                                    "together?",
                                    "The small bus holds {x} children. The big bus holds {times} as many. How many "
                                    "children can the two buses carry in all?",
                                    "{A} swam {x} laps, and {B} swam {times} as many laps. How many laps did they swim "
                                    "altogether?",
                                    "How many books did {A} and {B} borrow in total if {A} borrowed {x} and {B} "
                                    "borrowed {times} as many?",
                                    "{A}'s team won {x} games. {B}'s team won {times} as many games. How many games "
                                    "did the two teams win combined?"},
                                   {{"x", num(x)}, {"times", times_word(st, k)}});
         return two_steps(q, equation(x, "*", k, y), equation(x, "+", y, x + y), x + y);
       }},
      {"wb_save_for_gear", 2,
       [](Story& st) {
         const int64_t s = st.n(2, 10), w = st.n(2, 8), saved = s * w;
         const int64_t c = saved + st.n(2, 100 - saved);
         const std::string q = say(st,
                                   {"{A} wants a {gear} that costs {c} dollars. {A} saves {s} dollars a week for {w} "
                                    "weeks. How much more money does {A} need?",
                                    "A {gear} costs {c} dollars. {A} has saved {s} dollars each week for {w} weeks. "
                                    "How many more dollars does {A} need to buy it?",
                                    "How much more does {A} need for a {c}-dollar {gear} after saving {s} dollars a "
                                    "week for {w} weeks?",
                                    "For {w} weeks, {A} put {s} dollars a week toward the school trip, which costs {c} "
                                    "dollars. How much is still needed?",
                                    "{A} earns {s} dollars every week by walking a neighbour's dog. After {w} weeks, "
                                    "how much more does {A} need to buy a {gear} for {c} dollars?"},
                                   {{"s", num(s)}, {"w", num(w)}, {"c", num(c)}, {"gear", st.p.pick(dear_gear())}});
         return two_steps(q, equation(s, "*", w, saved), equation(c, "-", saved, c - saved), c - saved);
       }},
      {"wb_half_then_less", 2,
       [](Story& st) {
         const int64_t total = 2 * st.n(6, 50), half = total / 2, k = st.n(2, half - 1);
         const std::string q = say(st,
                                   {"The library got {n} new books. Half of them are about animals, and {k} of the "
                                    "animal books are already out on loan. How many animal books are still on the "
                                    "shelf?",
                                    "There are {n} children at sports camp. Half of them signed up for swimming, but "
                                    "{k} of those swimmers are ill today. How many swimmers are at the pool?",
                                    "{A} had {n} dollars. {A} spent half of it on the school trip and then {k} "
                                    "dollars on lunch. How many dollars does {A} have left?",
                                    "{A}'s library book has {n} pages. {A} read half of the book on Monday and {k} "
                                    "more pages on Tuesday. How many pages are left to read?",
                                    "Half of the {n} students in the year group go to the museum. {k} of them ride "
                                    "in cars and the rest take the bus. How many take the bus?"},
                                   {{"n", num(total)}, {"k", num(k)}});
         return two_steps(q, equation(total, "/", 2, half), equation(half, "-", k, half - k), half - k);
       }},
      {"wb_same_price", 2,
       [](Story& st) {
         const int64_t k = st.n(2, 8), u = st.n(2, 12), total = k * u;
         int64_t m = st.n(2, 10);
         if (m == k) m = k + 1;
         const std::string q = say(st,
                                   {"{k} match tickets cost {t} dollars. How much do {m} tickets cost?",
                                    "{A} paid {t} dollars for {k} swimming lessons. At the same price, how much would "
                                    "{m} lessons cost?",
                                    "If {k} school caps cost {t} dollars altogether, how much do {m} caps cost?",
                                    "The class bought {k} footballs for {t} dollars, and each ball cost the same. How "
                                    "much would {m} balls cost?",
                                    "How much do {m} museum tickets cost when {k} of them cost {t} dollars?"},
                                   {{"k", num(k)}, {"t", num(total)}, {"m", num(m)}});
         return two_steps(q, equation(total, "/", k, u), equation(u, "*", m, u * m), u * m);
       }},
      {"wb_trip_minutes_left", 2,
       [](Story& st) {
         const int64_t h = st.n(1, 3), hm = h * 60, m = st.n(5, std::min<int64_t>(100, hm - 5));
         const std::string q = say(st,
                                   {"The bus trip to the lake takes {h} {hrs}. The bus has been driving for {m} "
                                    "minutes. How many minutes are left?",
                                    "{A}'s day at swimming camp lasts {h} {hrs}. After {m} minutes, how many minutes "
                                    "of camp remain?",
                                    "The school play is {h} {hrs} long. {m} minutes have gone by. How much longer is "
                                    "the play, in minutes?",
                                    "How many more minutes must {A} wait if the museum visit lasts {h} {hrs} and {m} "
                                    "minutes have already passed?",
                                    "The football match lasts {h} {hrs}, and {m} minutes have been played. How many "
                                    "minutes of the match are still to come?"},
                                   {{"h", num(h)}, {"hrs", hours_word(h)}, {"m", num(m)}});
         return two_steps(q, equation(h, "*", 60, hm), equation(hm, "-", m, hm - m), hm - m);
       }},
      {"wb_laps_to_go", 2,
       [](Story& st) {
         const int64_t l = st.n(4, 20), done = st.n(2, l - 2), left = l - done, m = st.n(2, 9);
         const std::string q = say(st,
                                   {"A race is {l} laps long. {A} has finished {d} laps, and each lap takes {m} "
                                    "minutes. How many more minutes until {A} finishes?",
                                    "{A} must swim {l} laps and has already swum {d}. If every lap takes {m} minutes, "
                                    "how many minutes of swimming are left?",
                                    "Each lap of the track takes {A} {m} minutes. {A} plans to run {l} laps and has "
                                    "run {d} so far. How many minutes are still to go?",
                                    "How many minutes will {A} need to finish a {l}-lap bike race after riding {d} "
                                    "laps, at {m} minutes a lap?",
                                    "{A} is walking {l} laps of the field for a school charity walk. {d} laps are "
                                    "done. One lap takes {m} minutes. How many more minutes of walking does {A} "
                                    "have?"},
                                   {{"l", num(l)}, {"d", num(done)}, {"m", num(m)}});
         return two_steps(q, equation(l, "-", done, left), equation(left, "*", m, left * m), left * m);
       }},
      {"wb_teams_on_buses", 2,
       [](Story& st) {
         const int64_t b = st.n(2, 4), j = st.n(1, 4), teams = b * j, p = st.n(5, 12), players = teams * p;
         const std::string q = say(st,
                                   {"{t} teams come to the tournament, and each team has {p} players. The players "
                                    "ride in {b} buses with the same number on each. How many players are on each "
                                    "bus?",
                                    "There are {t} teams of {p} players at sports day. They are split equally into "
                                    "{b} groups for lunch. How many players are in each group?",
                                    "How many players sit in each bus if {t} teams of {p} players share {b} buses "
                                    "equally?",
                                    "A school brings {t} teams with {p} children in each team to the swim meet. The "
                                    "children ride in {b} vans, each holding the same number. How many children are "
                                    "in each van?",
                                    "At the end of the season, {t} teams of {p} players each line up in {b} equal "
                                    "rows for a photo. How many players stand in each row?"},
                                   {{"t", num(teams)}, {"p", num(p)}, {"b", num(b)}});
         return two_steps(q, equation(teams, "*", p, players), equation(players, "/", b, j * p), j * p);
       }},
  };
  return templates;
}

}  // namespace

const std::vector<StoryTemplate>& written_math_templates_b() { return make_templates(); }

}  // namespace loco::datagen
