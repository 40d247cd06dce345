// `loco train grad` against an independent float64 reference written in Python with numpy
// (tests/reference/lora_grad_reference.py: its own GGUF reader, dequantization and forward
// pass, and central finite differences of its float64 loss), on F32, F16, Q8_0 and Q4_K_M
// bases with an attention-only and an all-matrix adapter.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "cli_runner.h"
#include "logits_reference.h"
#include "test_paths.h"

namespace loco {
namespace {

// Debian's interpreter, which setup.sh gives numpy (a python3 earlier on PATH, such as a
// pyenv one, may lack it).
std::string python() { return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3"; }

struct GradCase {
  const char* base;
  const char* adapter;
  double max_rel;   // the worst tensor's relative RMS error
  double loss_rel;  // the loss's relative difference
  bool quantized;   // the whole gradient must then be within the forward pass's tolerance
};

// The manifest's logits tolerance for this model on the same ("medium") sequence.
double forward_tolerance(const std::string& model) {
  for (const test::LogitsCase& c : test::logits_cases(false)) {
    if (c.model == model && c.seq == "medium") return c.tolerance;
  }
  ADD_FAILURE() << "no medium case for " << model;
  return 0.0;
}

void PrintTo(const GradCase& c, std::ostream* os) { *os << c.base << " + " << c.adapter; }

class TrainGradReference : public ::testing::TestWithParam<GradCase> {};

TEST(TrainGradReference, NumpyIsInstalled) {
  const test::CliResult r = test::run_program({python(), "-c", "import numpy"});
  ASSERT_EQ(r.exit_code, 0) << "numpy is missing (scripts/setup.sh installs python3-numpy): " << r.err;
}

TEST_P(TrainGradReference, GradientMatchesFloat64FiniteDifferences) {
  const GradCase& c = GetParam();
  const std::vector<TokenId> seq = test::manifest()["sequences"]["medium"].get<std::vector<TokenId>>();
  std::string tokens;
  for (size_t i = 0; i < 12 && i < seq.size(); ++i) {
    if (i > 0) tokens.push_back(',');
    tokens.append(std::to_string(seq[i]));
  }
  const std::string out = test::temp_dir() + "/grad.gguf";
  const test::CliResult g = test::run_loco({"train", "grad", "-m", test::model_path(c.base), "--lora",
                                            test::model_path(c.adapter), "--tokens", tokens, "-o", out, "-t", "2"});
  ASSERT_EQ(g.exit_code, 0) << g.err;
  ASSERT_EQ(g.out.rfind("loss ", 0), 0u) << g.out;
  const std::string loss = g.out.substr(5, g.out.find('\n') - 5);
  const test::CliResult r = test::run_program(
      {python(), std::string(LOCO_SOURCE_DIR) + "/tests/reference/lora_grad_reference.py", "--model",
       test::model_path(c.base), "--lora", test::model_path(c.adapter), "--tokens", tokens, "--grad", out, "--loss",
       loss});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const size_t at = r.out.find("max_rel=");
  ASSERT_NE(at, std::string::npos) << r.out;
  const double max_rel = std::stod(r.out.substr(at + 8));
  const size_t lat = r.out.find("loss_rel_diff=");
  ASSERT_NE(lat, std::string::npos) << r.out;
  const double loss_rel = std::stod(r.out.substr(lat + 14));
  const size_t wat = r.out.find("whole_rel=");
  ASSERT_NE(wat, std::string::npos) << r.out;
  const double whole_rel = std::stod(r.out.substr(wat + 10));
  EXPECT_LE(max_rel, c.max_rel) << r.out;
  EXPECT_LE(loss_rel, c.loss_rel) << r.out;
  if (c.quantized) {
    EXPECT_LE(whole_rel, forward_tolerance(c.base)) << r.out;
  }
  RecordProperty("max_rel", std::to_string(max_rel));
  RecordProperty("whole_rel", std::to_string(whole_rel));
}

// Float bases: the bar, 2e-3 for every tensor (measured about 5e-6). Quantized
// bases: the engine's products quantize activations to 8 bits, as inference does, so the
// gradient is that of a slightly different function. The whole gradient must then be
// within the forward pass's own tolerance on the model (the manifest's, 4.5 % for Q8_0
// and 5.9 % for Q4_K_M here; measured 2.3–5.6 %), every tensor within 0.25 (measured
// 0.06–0.16; a wrong gradient measures 1.0 or more), and the loss within 0.5 %.
INSTANTIATE_TEST_SUITE_P(Bases, TrainGradReference,
                         ::testing::Values(GradCase{"tiny-qwen3-f32.gguf", "tiny-qwen3-lora-attn.gguf", 2e-3, 1e-6, false},
                                           GradCase{"tiny-qwen3-f32.gguf", "tiny-qwen3-lora-all.gguf", 2e-3, 1e-6, false},
                                           GradCase{"tiny-qwen3-f16.gguf", "tiny-qwen3-lora-attn.gguf", 2e-3, 1e-6, false},
                                           GradCase{"tiny-qwen3-f16.gguf", "tiny-qwen3-lora-all.gguf", 2e-3, 1e-6, false},
                                           GradCase{"tiny-qwen3-q8_0.gguf", "tiny-qwen3-lora-attn.gguf", 0.25, 5e-3, true},
                                           GradCase{"tiny-qwen3-q8_0.gguf", "tiny-qwen3-lora-all.gguf", 0.25, 5e-3, true},
                                           GradCase{"tiny-qwen3-q4_k_m.gguf", "tiny-qwen3-lora-attn.gguf", 0.25, 5e-3, true},
                                           GradCase{"tiny-qwen3-q4_k_m.gguf", "tiny-qwen3-lora-all.gguf", 0.25, 5e-3, true}),
                         [](const auto& param_info) {
                           std::string name = param_info.param.base;
                           name.push_back('_');
                           name.append(param_info.param.adapter);
                           return test::gtest_name(name);
                         });

}  // namespace
}  // namespace loco
