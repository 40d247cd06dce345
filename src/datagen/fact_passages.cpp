// Reading comprehension for loco-nano's analysis adapter: a short passage of generated facts
// about three people and one question whose answer the passage states. The evaluation split
// uses other names and asks in wordings that training never uses.
#include <fmt/format.h>

#include <array>

#include "datagen/picker.h"
#include "datagen/word_lists.h"
#include "loco/datagen.h"
#include "loco/error.h"

namespace loco::datagen {
namespace {

struct Person {
  std::string name, city, job, pet, colour, hobby;
  int64_t age = 0;
};

enum Attr { kCity, kJob, kPet, kColour, kHobby, kAge, kAttrs };

std::string value_of(const Person& p, int a) {
  switch (a) {
    case kCity: return p.city;
    case kJob: return p.job;
    case kPet: return p.pet;
    case kColour: return p.colour;
    case kHobby: return p.hobby;
    default: return std::to_string(p.age);
  }
}

// One sentence stating a fact, in one of several wordings.
std::string state(Picker& pk, const Person& p, int a) {
  const std::string& n = p.name;
  switch (a) {
    case kCity: return pk.pick(std::vector<std::string>{n + " lives in " + p.city + ".", n + "'s home is in " + p.city + ".",
                                                         n + " moved to " + p.city + " years ago."});
    case kJob: return pk.pick(std::vector<std::string>{n + " works as a " + p.job + ".", n + " is a " + p.job + " by trade.",
                                                        "By profession, " + n + " is a " + p.job + "."});
    case kPet: return pk.pick(std::vector<std::string>{n + " has a " + p.pet + ".", n + " keeps a " + p.pet + " as a pet.",
                                                        "At home, " + n + " looks after a " + p.pet + "."});
    case kColour: return pk.pick(std::vector<std::string>{n + "'s favourite colour is " + p.colour + ".",
                                                           n + " likes " + p.colour + " more than any other colour."});
    case kHobby: return pk.pick(std::vector<std::string>{n + " enjoys " + p.hobby + ".", "In free time, " + n + " loves " + p.hobby + ".",
                                                          n + "'s hobby is " + p.hobby + "."});
    default: return pk.pick(std::vector<std::string>{n + " is " + std::to_string(p.age) + " years old.",
                                                      n + " turned " + std::to_string(p.age) + " this year."});
  }
}

// Questions about a person's attribute; the last wording of each is kept for evaluation.
const std::array<std::vector<const char*>, kAttrs>& about_questions() {
  static const std::array<std::vector<const char*>, kAttrs> q = {{
      {"Where does {n} live?", "In which city does {n} live?", "Which city is {n} based in?"},
      {"What is {n}'s job?", "What does {n} do for a living?", "What is {n}'s occupation?"},
      {"What pet does {n} have?", "Which animal does {n} keep?", "What kind of animal lives with {n}?"},
      {"What is {n}'s favourite colour?", "Which colour does {n} like best?", "Name {n}'s preferred colour."},
      {"What is {n}'s hobby?", "What does {n} enjoy doing?", "How does {n} like to spend free time?"},
      {"How old is {n}?", "What age is {n}?", "How many years old is {n}?"},
  }};
  return q;
}

// Questions whose answer is the person (asked by a unique attribute value).
const std::array<std::vector<const char*>, kAttrs>& who_questions() {
  static const std::array<std::vector<const char*>, kAttrs> q = {{
      {"Who lives in {v}?", "Which person lives in {v}?", "Whose home is in {v}?"},
      {"Who works as a {v}?", "Which person is a {v}?", "Who earns a living as a {v}?"},
      {"Who has a {v}?", "Which person keeps a {v}?", "Whose pet is a {v}?"},
      {"Whose favourite colour is {v}?", "Who likes {v} best?", "Which person prefers {v}?"},
      {"Who enjoys {v}?", "Whose hobby is {v}?", "Which person spends free time on {v}?"},
      {"Who is {v} years old?", "Which person is aged {v}?", "Whose age is {v}?"},
  }};
  return q;
}

template <typename T>
std::vector<T> distinct(Picker& pk, const std::vector<T>& from, size_t n) {
  std::vector<T> pool = from, out;
  for (size_t i = 0; i < n; ++i) {
    const auto j = static_cast<size_t>(pk.uniform(0, static_cast<int64_t>(pool.size()) - 1));
    out.push_back(pool[j]);
    pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(j));
  }
  return out;
}

}  // namespace

std::string passage_prompt(const PassageQuestion& item) {
  return "Read the following passage and answer the question.\n\nPassage: " + item.passage +
         "\n\nQuestion: " + item.question;
}

std::vector<PassageQuestion> passage_questions(uint64_t seed, int64_t count, Split split) {
  if (count < 0) throw Error("the number of questions must not be negative");
  if (split == Split::Dev) throw Error("only math problems have a development split");
  Picker pk(seed, split == Split::Train ? 301 : 302);
  std::vector<PassageQuestion> out;
  constexpr size_t kPeople = 3;
  for (int64_t i = 0; i < count; ++i) {
    const auto names = distinct(pk, person_names(split), kPeople);
    const auto cs = distinct(pk, cities(), kPeople);
    const auto js = distinct(pk, jobs(), kPeople);
    const auto ps = distinct(pk, pets(), kPeople);
    const auto cols = distinct(pk, colours(), kPeople);
    const auto hs = distinct(pk, hobbies(), kPeople);
    std::vector<Person> people(kPeople);
    std::vector<int64_t> age_range;
    for (int64_t a = 8; a <= 80; ++a) age_range.push_back(a);
    const auto ages = distinct(pk, age_range, kPeople);
    for (size_t k = 0; k < kPeople; ++k) {
      people[k] = {names[k], cs[k], js[k], ps[k], cols[k], hs[k], ages[k]};
    }
    // Each person gets three of the six facts; the question asks about a stated one.
    std::vector<std::pair<size_t, int>> stated;
    std::string passage;
    for (size_t k = 0; k < kPeople; ++k) {
      const auto attrs = distinct(pk, std::vector<int>{kCity, kJob, kPet, kColour, kHobby, kAge}, 3);
      for (int a : attrs) {
        if (!passage.empty()) passage += ' ';
        passage += state(pk, people[k], a);
        stated.emplace_back(k, a);
      }
    }
    const auto [who, attr] = pk.pick(stated);
    const Person& target = people[who];
    PassageQuestion item;
    item.id = fmt::format("nano-analysis-{}-{}", split == Split::Train ? "train" : "eval", i);
    item.passage = passage;
    const bool ask_who = pk.uniform(0, 2) == 0;
    const auto& wordings = ask_who ? who_questions()[static_cast<size_t>(attr)] : about_questions()[static_cast<size_t>(attr)];
    const char* wording = split == Split::Eval ? wordings.back()
                                               : wordings[static_cast<size_t>(pk.uniform(0, static_cast<int64_t>(wordings.size()) - 2))];
    if (ask_who) {
      item.question = fill(wording, {{"v", value_of(target, attr)}});
      item.answer = target.name;
    } else {
      item.question = fill(wording, {{"n", target.name}});
      item.answer = value_of(target, attr);
    }
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace loco::datagen
