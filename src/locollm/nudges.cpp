#include "loco/nudges.h"

namespace loco {

const std::vector<std::string>& default_nudges(EvalType type) {
  static const std::vector<std::string> numeric = {
      "Check one step yourself: redo its first calculation by hand.",
      "Try a variation: change one number in the question and predict the new answer before asking.",
      "Explain it back: which step would you find hardest to justify, and why?"};
  static const std::vector<std::string> choice = {
      "Check it: say why each of the other options is wrong.",
      "Explain it back: put the reason for this option in one sentence of your own.",
      "Try a variation: which change to the question would make another option right?"};
  static const std::vector<std::string> code = {
      "Check it: what does the function return for an empty or unusual input? Run it and see.",
      "Explain it back: describe what each line does before you use it.",
      "Try a variation: ask for another way to write it and compare the two."};
  static const std::vector<std::string> text = {
      "Check a claim: which sentence would you verify first, and where?",
      "Explain it back: summarise the answer in your own words and ask whether you got it right.",
      "Try a variation: ask the same question from another point of view."};
  switch (type) {
    case EvalType::Numeric: return numeric;
    case EvalType::MultipleChoice: return choice;
    case EvalType::Code: return code;
    default: return text;
  }
}

std::optional<std::string> nudge_for(EvalType type, const std::optional<std::vector<std::string>>& adapter_nudges,
                                     int turn) {
  const std::vector<std::string>& list = adapter_nudges ? *adapter_nudges : default_nudges(type);
  if (list.empty()) return std::nullopt;
  const size_t index = static_cast<size_t>(turn < 0 ? 0 : turn) % list.size();
  return list[index];
}

}  // namespace loco
