#include "logits_reference.h"

#include <cmath>
#include <fstream>
#include <stdexcept>

#include "test_paths.h"

namespace loco::test {

const nlohmann::json& manifest() {
  static const nlohmann::json m = [] {
    std::ifstream in(testdata_dir() + "/manifest.json");
    if (!in) throw std::runtime_error("cannot read " + testdata_dir() + "/manifest.json");
    return nlohmann::json::parse(in);
  }();
  return m;
}

std::vector<LogitsCase> logits_cases(bool with_lora) {
  std::vector<LogitsCase> out;
  for (const auto& j : manifest()["cases"]) {
    LogitsCase c;
    c.model = j["model"].get<std::string>();
    if (!j["lora"].is_null()) {
      c.lora = j["lora"].get<std::string>();
      c.lora_scale = j["lora_scale"].get<float>();
    }
    if (c.lora.empty() == with_lora) continue;
    c.seq = j["seq"].get<std::string>();
    c.tokens = manifest()["sequences"][c.seq].get<std::vector<TokenId>>();
    c.logits_file = j["logits"].get<std::string>();
    c.name = c.logits_file.substr(0, c.logits_file.size() - 4);
    c.tolerance = j["tolerance_rel_rms"].get<double>();
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<float> read_reference_logits(const LogitsCase& c) {
  std::ifstream in(testdata_dir() + "/logits/" + c.logits_file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read logits " + c.logits_file);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<float> values(bytes.size() / 4);
  std::memcpy(values.data(), bytes.data(), values.size() * 4);
  return values;
}

double relative_rms(const float* x, const float* ref, size_t n) {
  double err = 0.0, norm = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(x[i]) - ref[i];
    err += d * d;
    norm += static_cast<double>(ref[i]) * ref[i];
  }
  return std::sqrt(err / static_cast<double>(n)) / std::sqrt(norm / static_cast<double>(n));
}

std::string gtest_name(const std::string& s) {
  std::string out;
  for (char ch : s) out += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return out;
}

void apply_lora_if_any(Session& session, const LogitsCase& c, bool peft) {
  if (c.lora.empty()) return;
  std::string path = model_path(c.lora);
  if (peft) path = path.substr(0, path.size() - 5) + "-peft";  // tiny-qwen3-lora-attn-peft/
  session.set_adapter(0, LoraAdapter::load(path, session.model()), c.lora_scale);
}

}  // namespace loco::test
