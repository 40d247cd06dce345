#include "loco/eval_type.h"

#include <cctype>
#include <string>

namespace loco {

const char* eval_type_name(EvalType type) {
  switch (type) {
    case EvalType::None: return "";
    case EvalType::Numeric: return "numeric";
    case EvalType::MultipleChoice: return "multiple_choice";
    case EvalType::Code: return "code";
    case EvalType::Analysis: return "analysis";
    case EvalType::FreeText: return "free_text";
  }
  return "";
}

std::optional<EvalType> parse_eval_type(std::string_view name) {
  std::string n;
  for (char c : name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (n.empty()) return EvalType::None;
  if (n == "numeric") return EvalType::Numeric;
  if (n == "multiple_choice" || n == "mc") return EvalType::MultipleChoice;
  if (n == "code") return EvalType::Code;
  if (n == "analysis") return EvalType::Analysis;
  if (n == "free_text" || n == "text") return EvalType::FreeText;
  return std::nullopt;
}

}  // namespace loco
