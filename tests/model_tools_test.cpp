// Files written by `loco quantize` and `loco synth` are ordinary GGUF (checked by an
// independent Python reader, tests/data/gguf_check.py), load, and keep fidelity.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "logits_reference.h"
#include "loco/error.h"
#include "loco/gguf.h"
#include "loco/model.h"
#include "loco/model_tools.h"
#include "loco/sandbox.h"
#include "loco/session.h"
#include "test_paths.h"

namespace loco {
namespace {

// The independent reader's view of a file; skipped when no python3 is available.
nlohmann::json python_view(const std::string& path) {
  std::string python;
  try {
    python = find_python3();
  } catch (const Error&) {
    return nullptr;
  }
  const std::string cmd = python + " " + std::string(LOCO_SOURCE_DIR) + "/tests/data/gguf_check.py '" + path + "'";
  std::FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (p != nullptr && std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  const int status = p != nullptr ? pclose(p) : -1;
  EXPECT_EQ(status, 0) << out;
  return nlohmann::json::parse(out);
}

TEST(ModelTools, QuantizedFilesAreOrdinaryGgufAndKeepFidelity) {
  const std::string out = test::temp_dir() + "/q.gguf";
  QuantizeOptions qo;
  qo.type = FileType::Q4_K_M;
  qo.n_threads = 2;
  quantize_model(test::model_path("tiny-qwen3-f32.gguf"), out, qo);
  GgufFile f = GgufFile::open(out);
  EXPECT_EQ(f.get_uint("general.file_type"), static_cast<uint64_t>(FileType::Q4_K_M));
  EXPECT_EQ(f.find_tensor("blk.0.attn_q.weight")->type, GgmlType::Q4_K);
  EXPECT_EQ(f.find_tensor("token_embd.weight")->type, GgmlType::Q6_K);  // tied output: Q6_K
  EXPECT_EQ(f.find_tensor("blk.3.ffn_down.weight")->type, GgmlType::Q6_K);  // last eighth: more bits
  EXPECT_EQ(f.find_tensor("blk.0.attn_norm.weight")->type, GgmlType::F32);
  if (nlohmann::json j = python_view(out); !j.is_null()) {
    EXPECT_EQ(j["tensors"], f.tensors().size());
    EXPECT_EQ(j["architecture"], "qwen3");
  }
  // Our Q4_K_M of the F32 weights is about as faithful to the F32 model as the shared
  // Q4_K_M file (made by another quantizer from the same weights).
  for (const test::LogitsCase& c : test::logits_cases(false)) {
    if (c.name != "np-tiny-qwen3-f32-medium") continue;
    const auto ref = test::read_reference_logits(c);
    const size_t n_vocab = ref.size() / c.tokens.size();
    auto mean_error = [&](const std::string& path) {
      Session s(Model::load(path), SessionOptions{});
      s.decode_sequence(0, c.tokens, true);
      double sum = 0;
      for (size_t p = 0; p < c.tokens.size(); ++p) {
        sum += test::relative_rms(s.logits(static_cast<int32_t>(p)).data(), ref.data() + p * n_vocab, n_vocab);
      }
      return sum / static_cast<double>(c.tokens.size());
    };
    const double ours = mean_error(out), shared = mean_error(test::model_path("tiny-qwen3-q4_k_m.gguf"));
    EXPECT_GT(ours, 0.0);
    EXPECT_LE(ours, 1.25 * shared) << "ours " << ours << ", shared file " << shared;
  }
}

TEST(ModelTools, SynthesizedAdapterLoadsAgainstItsShape) {
  // A synthesized adapter for the tiny shape does not exist; use the CLI on a real shape
  // only for the writer (no model of that shape is needed to write the adapter).
  const std::string out = test::temp_dir() + "/lora.gguf";
  synthesize_lora(*synth_shape("qwen3-0.6b"), 4, out, 1);
  GgufFile f = GgufFile::open(out);
  EXPECT_EQ(f.get_string("general.type"), "adapter");
  EXPECT_EQ(f.tensors().size(), 28u * 7u * 2u);
  EXPECT_EQ(f.find_tensor("blk.5.ffn_down.weight.lora_a")->ne[0], 3072);
  if (nlohmann::json j = python_view(out); !j.is_null()) {
    EXPECT_EQ(j["tensors"], f.tensors().size());
  }
}

TEST(ModelTools, QuantizeRefusesBadTypesAndInputs) {
  test::CliResult r = test::run_loco({"quantize", test::model_path("tiny-qwen3-f32.gguf"), test::temp_dir() + "/x.gguf", "Q9_9"});
  test::expect_one_line_error(r, "unknown type 'Q9_9'");
  r = test::run_loco({"quantize", "/nonexistent.gguf", test::temp_dir() + "/x.gguf", "Q8_0"});
  test::expect_one_line_error(r, "/nonexistent.gguf");
}

}  // namespace
}  // namespace loco
