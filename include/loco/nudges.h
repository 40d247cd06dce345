// "Conversation, not delegation": after an answer, chat suggests one way to engage with
// it (check a step, try a variation, explain it back), as the original LocoLLM chat did.
// Each adapter may list its own (registry `nudges:`; an empty list turns them off for it);
// otherwise the defaults of its eval type apply.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "loco/eval_type.h"

namespace loco {

// The default suggestions for answers of this eval type (never empty).
const std::vector<std::string>& default_nudges(EvalType type);

// The suggestion for the answer of turn `turn` (0-based): the adapter's list when given,
// else the eval type's defaults, taken in turn. nullopt when the adapter's list is empty.
std::optional<std::string> nudge_for(EvalType type, const std::optional<std::vector<std::string>>& adapter_nudges,
                                     int turn);

}  // namespace loco
