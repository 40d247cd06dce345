// How an answer is shown: the footer under a streamed answer (who answered, why, votes,
// confidence in plain words) and the --json object.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "loco/assistant.h"

namespace loco::cli {

std::string answer_footer(const QueryResult& r);
nlohmann::json answer_json(const QueryResult& r);

// "5 of 8 sections (812 of 1024 tokens): used a.md [Intro; Methods]; left out a.md [History]"
// ("" when there was no context).
std::string context_summary(const ContextSelection& c);
nlohmann::json context_json(const ContextSelection& c);

}  // namespace loco::cli
