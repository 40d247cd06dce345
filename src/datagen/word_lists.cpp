#include "datagen/word_lists.h"

#include <stdexcept>


namespace loco::datagen {

const std::vector<std::string>& person_names(Split split) {
  static const std::vector<std::string> train = {
      "Sam",   "Ana",    "Liam",  "Maya",  "Omar",  "Lena",  "Noah",   "Zoe",   "Ravi",  "Emma",
      "Jack",  "Sofia",  "Leo",   "Nina",  "Ben",   "Aisha", "Tom",    "Mia",   "Kenji", "Lucy",
      "Diego", "Hana",   "Ethan", "Chloe", "Ivan",  "Priya", "Oscar",  "Ella",  "Yusuf", "Grace",
      "Max",   "Amara",  "Hugo",  "Iris",  "Felix", "Jade",  "Mateo",  "Rosa",  "Theo",  "Lily"};
  static const std::vector<std::string> eval = {
      "Carmen", "Dmitri", "Fatima", "Gustav", "Ingrid", "Kofi",  "Lars",  "Mirela", "Nadia", "Pablo",
      "Quinn",  "Rohan",  "Sven",   "Tariq",  "Ulla",   "Vera",  "Wendy", "Xavier", "Yara",  "Zane"};
  return split == Split::Train ? train : eval;
}

const std::vector<Thing>& countable_things() {
  static const std::vector<Thing> v = {
      {"marble", "marbles"},   {"apple", "apples"},       {"sticker", "stickers"}, {"pencil", "pencils"},
      {"cookie", "cookies"},   {"book", "books"},         {"card", "cards"},       {"stamp", "stamps"},
      {"shell", "shells"},     {"balloon", "balloons"},   {"orange", "oranges"},   {"crayon", "crayons"},
      {"toy car", "toy cars"}, {"bead", "beads"},         {"egg", "eggs"},         {"flower", "flowers"},
      {"candy", "candies"},    {"button", "buttons"},     {"rock", "rocks"},       {"cupcake", "cupcakes"},
      {"ribbon", "ribbons"},   {"puzzle", "puzzles"},     {"lemon", "lemons"},     {"feather", "feathers"},
      {"photo", "photos"},     {"comic", "comics"},       {"plum", "plums"},       {"paper clip", "paper clips"}};
  return v;
}

const std::vector<Thing>& containers() {
  static const std::vector<Thing> v = {{"box", "boxes"},     {"bag", "bags"},     {"jar", "jars"},
                                       {"basket", "baskets"}, {"pack", "packs"},   {"tray", "trays"},
                                       {"shelf", "shelves"}, {"crate", "crates"}, {"bucket", "buckets"}};
  return v;
}

const std::vector<Thing>& priced_items() {
  static const std::vector<Thing> v = {
      {"notebook", "notebooks"}, {"sandwich", "sandwiches"}, {"ticket", "tickets"}, {"pen", "pens"},
      {"cup of tea", "cups of tea"}, {"kite", "kites"},      {"ball", "balls"},     {"poster", "posters"},
      {"plant", "plants"},       {"mug", "mugs"},            {"scarf", "scarves"},  {"lamp", "lamps"}};
  return v;
}

const std::vector<std::string>& cities() {
  static const std::vector<std::string> v = {"Lisbon", "Oslo",   "Nairobi", "Lima",   "Hanoi",  "Dublin",
                                             "Cairo",  "Quito",  "Seoul",   "Vienna", "Accra",  "Perth",
                                             "Milan",  "Denver", "Madrid",  "Osaka",  "Bergen", "Tunis"};
  return v;
}

const std::vector<std::string>& jobs() {
  static const std::vector<std::string> v = {"nurse",  "baker",   "pilot",    "teacher", "farmer",
                                             "lawyer", "painter", "engineer", "chef",    "dentist",
                                             "writer", "plumber", "florist",  "tailor",  "librarian"};
  return v;
}

const std::vector<std::string>& colours() {
  static const std::vector<std::string> v = {"red",  "blue",   "green", "yellow", "purple",
                                             "orange", "black", "white", "grey",   "pink"};
  return v;
}

const std::vector<std::string>& pets() {
  static const std::vector<std::string> v = {"cat", "dog", "parrot", "rabbit", "hamster", "turtle", "goldfish", "horse"};
  return v;
}

const std::vector<std::string>& hobbies() {
  static const std::vector<std::string> v = {"chess",    "swimming", "painting", "cycling", "singing",
                                             "climbing", "knitting", "running",  "fishing", "dancing"};
  return v;
}

std::string fill(const std::string& text, const std::vector<std::pair<std::string, std::string>>& values) {
  std::string out;
  out.reserve(text.size() + 32);
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '{') {
      const size_t end = text.find('}', i);
      if (end == std::string::npos) throw std::logic_error("unclosed placeholder in: " + text);
      const std::string key = text.substr(i + 1, end - i - 1);
      bool found = false;
      for (const auto& [k, v] : values) {
        if (k == key) {
          out += v;
          found = true;
          break;
        }
      }
      if (!found) throw std::logic_error("no value for {" + key + "} in: " + text);
      i = end + 1;
    } else {
      out += text[i++];
    }
  }
  return out;
}

}  // namespace loco::datagen
