// Evaluation types and the extraction entry point; free-text normalisation.
#include <string>

#include "locollm/answer/answer_text.h"
#include "loco/answer.h"
#include "loco/error.h"

namespace loco {

namespace {

// Lower-cased, whitespace runs collapsed to one space, trimmed. Non-ASCII bytes are kept
// as they are (similarity compares them byte for byte).
std::optional<std::string> normalised_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (char c : text) {
    if (answer_detail::is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += answer_detail::to_lower(c);
  }
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace

std::optional<std::string> extract_answer(EvalType type, std::string_view model_output) {
  switch (type) {
    case EvalType::Numeric: return extract_number(model_output);
    case EvalType::MultipleChoice: return extract_choice(model_output);
    case EvalType::Code: return extract_code(model_output);
    case EvalType::None:
    case EvalType::Analysis:
    case EvalType::FreeText: {
      auto text = normalised_text(answer_detail::after_think(model_output));
      return text ? text : normalised_text(model_output);
    }
  }
  return std::nullopt;
}

}  // namespace loco
