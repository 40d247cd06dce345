// Answer extraction for self-consistency voting: turns one sampled model output into the
// key that votes are counted on. Two outputs vote for the same answer exactly when their
// keys are equal, so every rule here is about making equal answers produce equal strings
// ("1,000", "$1000.00" and "\boxed{1000}" all give "1000"). docs/voting.md lists the rules.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "loco/eval_type.h"

namespace loco {

// How an adapter's answers are compared (the registry's `eval_type`).

// "numeric", "multiple_choice" / "mc", "code", "analysis" / "free_text" / "text"

// The canonical answer key of `model_output`, or nullopt when it holds no answer of that
// type. Text after the last "</think>" is preferred when it holds an answer.
//   Numeric:        "18", "-3", "0.75", "1000"   (see extract_number)
//   MultipleChoice: one upper-case letter "A".."E"
//   Code:           the Python source (see extract_code)
//   FreeText:       lower-cased text with runs of whitespace collapsed to one space
std::optional<std::string> extract_answer(EvalType type, std::string_view model_output);

// Numeric rules, in order: the number after the last "####"; else the number of the last
// answer statement ("answer is", "answer:", "answer =", "\boxed{...}"); else the last
// number in the text. GSM8K calculator annotations "<<48/2=24>>" are ignored.
std::optional<std::string> extract_number(std::string_view model_output);

// The canonical form of a number: integers without a fraction ("1000"), others as the
// shortest decimal that reads back to the same double ("0.75", "-2.5"). -0 becomes "0".
std::string canonical_number(double value);

// The chosen letter "A".."E" (see docs/voting.md for the forms and their precedence).
std::optional<std::string> extract_choice(std::string_view model_output);

// The Python code of the output: the first complete fenced python block that defines a
// function or class, else the first complete python block, else an unterminated final
// block (a truncated answer), else unfenced code starting at a top-level def/class/import.
std::optional<std::string> extract_code(std::string_view model_output);

// The first `identifier` in backticks of a question ("Write a function called
// `is_even` ..." gives "is_even"): the entry point a code answer must define.
std::optional<std::string> code_entry_point(std::string_view question);

}  // namespace loco
