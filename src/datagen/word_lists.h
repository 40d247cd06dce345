// The names, things and places the generators fill their templates with. Names are split:
// the evaluation split uses names the training split never sees, so a score cannot come
// from remembering who had what.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "loco/datagen.h"

namespace loco::datagen {

struct Thing {
  std::string one;   // "apple"
  std::string many;  // "apples"
};

const std::vector<std::string>& person_names(Split split);
const std::vector<Thing>& countable_things();    // marbles, stickers, ...
const std::vector<Thing>& containers();          // boxes, bags, ...
const std::vector<Thing>& priced_items();        // notebooks, sandwiches, ...
const std::vector<std::string>& cities();
const std::vector<std::string>& jobs();
const std::vector<std::string>& colours();
const std::vector<std::string>& pets();
const std::vector<std::string>& hobbies();

// Fills a template: every {key} in text becomes its value; an unknown key is a
// programming error (std::logic_error).
std::string fill(const std::string& text, const std::vector<std::pair<std::string, std::string>>& values);

}  // namespace loco::datagen
