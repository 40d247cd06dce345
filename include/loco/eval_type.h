// How an adapter's answers are judged (the registry's `eval_type`), which decides how a
// final answer is extracted from a response and how votes are counted.
#pragma once

#include <optional>
#include <string_view>

namespace loco {

// Analysis and FreeText are both judged as free text; they stay distinct so a registry
// is written back as it was read. None: the registry does not say (judged as free text).
enum class EvalType { None, Numeric, MultipleChoice, Code, Analysis, FreeText };

// "numeric", "multiple_choice", "code", "analysis", "free_text"; "" for None.
const char* eval_type_name(EvalType type);
// The names above (case-insensitive) and the aliases "mc" and "text"; "" is None.
// nullopt for anything else.
std::optional<EvalType> parse_eval_type(std::string_view name);

}  // namespace loco
