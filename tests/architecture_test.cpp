// Architecture variants the shared files do not cover, checked against the naive float64
// reference (itself first checked against the shared logits), and models whose metadata
// and tensors disagree.
#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "logits_reference.h"
#include "loco/error.h"
#include "loco/model.h"
#include "loco/session.h"
#include "reference_forward.h"
#include "test_paths.h"

namespace loco {
namespace {

double rel_rms(const std::vector<double>& ref, std::span<const float> got) {
  double err = 0.0, norm = 0.0;
  for (size_t i = 0; i < ref.size(); ++i) {
    err += (got[i] - ref[i]) * (got[i] - ref[i]);
    norm += ref[i] * ref[i];
  }
  return std::sqrt(err / norm);
}

// Rewrites a GGUF file: every key and tensor passes through the edit callbacks.
struct Rewrite {
  std::function<std::string(const std::string&)> rename_key = [](const std::string& k) { return k; };
  std::function<bool(const GgufTensor&)> keep_tensor = [](const GgufTensor&) { return true; };
  std::function<void(GgufWriter&)> extra;
};

std::string rewrite(const std::string& src_name, const Rewrite& r) {
  GgufFile src = GgufFile::open(test::model_path(src_name));
  GgufWriter w;
  for (const GgufKV& kv : src.metadata()) {
    const std::string key = r.rename_key(kv.key);
    if (!key.empty()) w.set_value(key, kv.value);
  }
  for (const GgufTensor& t : src.tensors()) {
    if (!r.keep_tensor(t)) continue;
    std::vector<int64_t> ne(t.ne, t.ne + t.n_dims);
    w.add_tensor(t.name, t.type, ne, t.data);
  }
  if (r.extra) r.extra(w);
  const std::string path = test::temp_dir() + "/model.gguf";
  w.write(path);
  return path;
}

std::vector<TokenId> some_tokens() { return test::manifest()["sequences"]["medium"].get<std::vector<TokenId>>(); }

void expect_engine_matches_reference(const std::string& path, double tolerance) {
  GgufFile file = GgufFile::open(path);
  const auto tokens = some_tokens();
  const auto ref = test::reference_forward(file, tokens);
  SessionOptions so;
  so.n_ctx = 128;
  so.kv_type = KvType::F32;
  Session session(Model::from_gguf(std::move(file)), so);
  session.decode_sequence(0, tokens, /*all_logits=*/true);
  for (size_t p = 0; p < tokens.size(); ++p) {
    EXPECT_LE(rel_rms(ref[p], session.logits(static_cast<int32_t>(p))), tolerance) << "position " << p;
  }
}

TEST(ReferenceForward, AgreesWithTheSharedLogits) {
  for (const test::LogitsCase& c : test::logits_cases(false)) {
    if (c.name != "np-tiny-qwen3-f32-short" && c.name != "np-tiny-llama-f16-short") continue;
    const auto ref = test::reference_forward(GgufFile::open(test::model_path(c.model)), c.tokens);
    const auto shared = test::read_reference_logits(c);
    const size_t n_vocab = ref[0].size();
    for (size_t p = 0; p < c.tokens.size(); ++p) {
      std::vector<float> row(shared.begin() + static_cast<long>(p * n_vocab),
                             shared.begin() + static_cast<long>((p + 1) * n_vocab));
      EXPECT_LE(rel_rms(ref[p], row), 1e-5) << c.name << " position " << p;
    }
  }
}

TEST(Architectures, Qwen2WithBiases) {
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 0.5f);
  auto bias = [&](int n) {
    std::vector<float> b(static_cast<size_t>(n));
    for (float& v : b) v = normal(rng);
    return b;
  };
  std::vector<std::vector<float>> biases;
  Rewrite r;
  r.rename_key = [](const std::string& k) {
    if (k == "general.architecture") return k;
    return k.rfind("qwen3.", 0) == 0 ? "qwen2." + k.substr(6) : k;
  };
  r.keep_tensor = [](const GgufTensor& t) {
    return t.name.find("attn_q_norm") == std::string::npos &&
           t.name.find("attn_k_norm") == std::string::npos;
  };
  r.extra = [&](GgufWriter& w) {
    w.set_string("general.architecture", "qwen2");
    for (int il = 0; il < 4; ++il) {
      for (auto [name, n] : {std::pair{"attn_q.bias", 256}, {"attn_k.bias", 128}, {"attn_v.bias", 128}}) {
        biases.push_back(bias(n));
        w.add_tensor("blk." + std::to_string(il) + "." + name, GgmlType::F32, {n}, biases.back().data());
      }
    }
  };
  biases.reserve(12);
  const std::string path = rewrite("tiny-qwen3-f32.gguf", r);
  auto model = Model::load(path);
  EXPECT_EQ(model->config().arch, Arch::Qwen2);
  EXPECT_TRUE(model->config().has_qkv_bias);
  EXPECT_FALSE(model->config().has_qk_norm);
  expect_engine_matches_reference(path, 2e-4);
}

TEST(Architectures, LlamaRopeFrequencyFactors) {
  std::vector<float> factors(32);
  for (size_t i = 0; i < factors.size(); ++i) factors[i] = 1.0f + static_cast<float>(i % 8);
  Rewrite r;
  r.extra = [&](GgufWriter& w) { w.add_tensor("rope_freqs.weight", GgmlType::F32, {32}, factors.data()); };
  const std::string path = rewrite("tiny-llama-f16.gguf", r);
  EXPECT_EQ(Model::load(path)->weights().rope_freq_factors.size(), 32u);
  expect_engine_matches_reference(path, 2e-4);
}

TEST(Architectures, LinearRopeScaling) {
  Rewrite r;
  r.extra = [](GgufWriter& w) {
    w.set_string("qwen3.rope.scaling.type", "linear");
    w.set_f32("qwen3.rope.scaling.factor", 4.0f);
  };
  const std::string path = rewrite("tiny-qwen3-f32.gguf", r);
  EXPECT_FLOAT_EQ(Model::load(path)->config().rope_freq_scale, 0.25f);
  expect_engine_matches_reference(path, 2e-4);
}

void expect_load_error(const std::string& path, const std::string& needle) {
  try {
    (void)Model::load(path);
    FAIL() << "expected an error mentioning " << needle;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(Architectures, InconsistentMetadataIsRefusedByName) {
  {
    Rewrite r;
    r.extra = [](GgufWriter& w) { w.set_u32("qwen3.feed_forward_length", 1024); };
    expect_load_error(rewrite("tiny-qwen3-q8_0.gguf", r), "blk.0.ffn_gate.weight");
  }
  {
    Rewrite r;
    r.extra = [](GgufWriter& w) { w.set_u32("qwen3.attention.head_count_kv", 3); };
    expect_load_error(rewrite("tiny-qwen3-q8_0.gguf", r), "head_count_kv");
  }
  {
    Rewrite r;
    r.keep_tensor = [](const GgufTensor& t) { return t.name != "blk.2.ffn_up.weight"; };
    expect_load_error(rewrite("tiny-qwen3-q8_0.gguf", r), "missing tensor 'blk.2.ffn_up.weight'");
  }
  {
    Rewrite r;
    r.extra = [](GgufWriter& w) { w.set_string("general.architecture", "mamba"); };
    expect_load_error(rewrite("tiny-qwen3-q8_0.gguf", r), "'mamba' is not supported");
  }
  {
    Rewrite r;
    r.extra = [](GgufWriter& w) { w.set_u32("qwen3.block_count", 2000000); };
    expect_load_error(rewrite("tiny-qwen3-q8_0.gguf", r), "block_count");
  }
}

TEST(Architectures, UnsupportedTensorTypeNamesTypeAndTensor) {
  // Relabel one 2-row tensor as IQ4_NL (same 18-byte blocks of 32 as Q4_0) to get a file
  // the reader accepts but the engine cannot compute with.
  Rewrite r;
  r.keep_tensor = [](const GgufTensor& t) { return t.name != "blk.1.attn_k.weight"; };
  std::vector<uint8_t> bytes(128 * 256 / 32 * 18, 0);
  r.extra = [&](GgufWriter& w) { w.add_tensor("blk.1.attn_k.weight", GgmlType::IQ4_NL, {256, 128}, bytes.data()); };
  const std::string path = rewrite("tiny-qwen3-q4_0.gguf", r);
  expect_load_error(path, "'blk.1.attn_k.weight' has type IQ4_NL");
}

}  // namespace
}  // namespace loco
