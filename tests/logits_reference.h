// Access to the reference logits of ../shared/testdata/manifest.json.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "loco/session.h"

namespace loco::test {

struct LogitsCase {
  std::string name;  // the logits file name without extension
  std::string model;
  std::string lora;  // empty when none
  float lora_scale = 1.0f;
  std::string seq;
  std::vector<TokenId> tokens;
  std::string logits_file;
  double tolerance = 0.0;
};

// gtest prints parameters with this instead of dumping their bytes.
inline void PrintTo(const LogitsCase& c, std::ostream* os) { *os << c.name; }

const nlohmann::json& manifest();
std::vector<LogitsCase> logits_cases(bool with_lora);
std::vector<float> read_reference_logits(const LogitsCase& c);
double relative_rms(const float* x, const float* ref, size_t n);
std::string gtest_name(const std::string& s);  // letters, digits and _ only
// Attaches the case's LoRA adapter to the session (no-op when the case has none), from the
// GGUF file or from the PEFT directory beside it.
void apply_lora_if_any(Session& session, const LogitsCase& c, bool peft = false);

}  // namespace loco::test
