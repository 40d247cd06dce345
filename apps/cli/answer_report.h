// How an answer is shown: the footer under a streamed answer (who answered, why, votes,
// confidence in plain words) and the --json object.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "loco/assistant.h"

namespace loco::cli {

std::string answer_footer(const QueryResult& r);
nlohmann::json answer_json(const QueryResult& r);

}  // namespace loco::cli
