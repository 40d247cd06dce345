// Evaluation sets: the questions `loco eval` asks and the references it scores against.
// One JSONL file per set; the item kinds and their fields are in docs/eval.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loco/eval_type.h"

namespace loco::eval {

struct EvalItem {
  std::string id;        // the item's "id" / "task_id", else its line number
  size_t line = 0;       // 1-based line in the file
  EvalType type = EvalType::None;
  std::string question;  // what the model is asked
  // Numeric: the canonical number ("18"); multiple choice: the letter; analysis and free
  // text: the reference text; code: empty.
  std::string reference;
  // Code (HumanEval): the function header the answer completes, the tests that define
  // check(), and the name check() is called with. LocoLLM v1 code items have no tests: the
  // entry point comes from the question and `keywords` must occur in the answer's code.
  std::string code_prompt, code_test, entry_point;
  std::vector<std::string> keywords;
};

struct EvalSet {
  std::string name;    // as the user named it (a bundled name, an adapter, a path)
  std::string path;
  std::string sha256;  // of the file's bytes
  bool is_private = false;  // a "surprise set": results keep only ids' hashes and scores
  std::vector<EvalItem> items;
  // The set's type: all items share it (mixed sets are refused at load).
  EvalType type() const { return items.empty() ? EvalType::None : items.front().type; }
};

// Reads and checks a JSONL set. Errors name the file and line: malformed JSON, a missing
// field, an unknown eval_type, a numeric answer that is not a number, a repeated id, items
// of different types, an empty set.
EvalSet load_eval_set(const std::string& path, const std::string& name);

// The bundled sets' directory: $LOCO_EVAL_DATA when set, else data/eval in the source
// tree loco was built from.
std::string bundled_sets_dir();
// "gsm8k", "humaneval", "locollm-v1/math", "locollm-v1/code", "locollm-v1/analysis".
std::vector<std::string> bundled_set_names();
// The file of a bundled set, nullopt for other names.
std::optional<std::string> bundled_set_path(std::string_view name);

// The text a code item is asked as: its header, with the request to complete it.
std::string code_question(std::string_view code_prompt);

// The text of the reference answer of a numeric GSM8K-style answer: the number after the
// last "####" (or the number itself), canonical. nullopt when there is none.
std::optional<std::string> reference_number(std::string_view answer);

}  // namespace loco::eval
