// Runtime LoRA: the shared reference cases through both adapter layouts, mixed batches,
// swapping without reloading the base, cache keying, and the adapters that must be refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "logits_reference.h"
#include "lora/safetensors.h"
#include "loco/error.h"
#include "loco/gguf.h"
#include "loco/lora.h"
#include "loco/model.h"
#include "loco/session.h"
#include "test_paths.h"

namespace loco {
namespace {

struct LoraCase {
  test::LogitsCase c;
  bool peft;
};
void PrintTo(const LoraCase& lc, std::ostream* os) { *os << lc.c.name << (lc.peft ? " (peft)" : " (gguf)"); }

std::vector<LoraCase> lora_cases() {
  std::vector<LoraCase> out;
  for (const auto& c : test::logits_cases(true)) {
    out.push_back({c, false});
    out.push_back({c, true});
  }
  return out;
}

class LoraReference : public ::testing::TestWithParam<LoraCase> {};

TEST_P(LoraReference, MatchesTheReferenceLogits) {
  const LoraCase& lc = GetParam();
  const auto ref = test::read_reference_logits(lc.c);
  const size_t n_vocab = ref.size() / lc.c.tokens.size();
  for (bool one_at_a_time : {false, true}) {
    SessionOptions so;
    so.n_ctx = 128;
    Session s(Model::load(test::model_path(lc.c.model)), so);
    test::apply_lora_if_any(s, lc.c, lc.peft);
    std::vector<std::vector<float>> rows;
    if (one_at_a_time) {
      for (TokenId t : lc.c.tokens) {
        s.decode_sequence(0, std::span<const TokenId>(&t, 1));
        rows.emplace_back(s.logits(0).begin(), s.logits(0).end());
      }
    } else {
      s.decode_sequence(0, lc.c.tokens, true);
      for (int32_t i = 0; i < s.n_logits(); ++i) rows.emplace_back(s.logits(i).begin(), s.logits(i).end());
    }
    for (size_t p = 0; p < rows.size(); ++p) {
      EXPECT_LE(test::relative_rms(rows[p].data(), ref.data() + p * n_vocab, n_vocab), lc.c.tolerance)
          << (one_at_a_time ? "one at a time" : "batch") << ", position " << p;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Manifest, LoraReference, ::testing::ValuesIn(lora_cases()),
                         [](const auto& param_info) {
                           return test::gtest_name(param_info.param.c.name) + (param_info.param.peft ? "_peft" : "_gguf");
                         });

std::vector<float> copy(std::span<const float> s) { return {s.begin(), s.end()}; }

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, double(std::abs(a[i] - b[i])));
  return m;
}

struct LoraFixture : ::testing::Test {
  std::shared_ptr<const Model> model = Model::load(test::model_path("tiny-qwen3-q8_0.gguf"));
  std::shared_ptr<const LoraAdapter> attn = LoraAdapter::load(test::model_path("tiny-qwen3-lora-attn.gguf"), *model);
  std::shared_ptr<const LoraAdapter> all = LoraAdapter::load(test::model_path("tiny-qwen3-lora-all.gguf"), *model);
  std::vector<TokenId> tokens = {4097, 882, 198, 3838, 374, 220, 17, 10, 17, 30, 4098};

  SessionOptions options(int n_seq) {
    SessionOptions so;
    so.n_ctx = 64;
    so.n_seq = n_seq;
    so.n_ctx_total = 64 * n_seq;
    return so;
  }
  std::vector<float> last_logits(std::shared_ptr<const LoraAdapter> a, float scale) {
    Session s(model, options(1));
    s.set_adapter(0, std::move(a), scale);
    s.decode_sequence(0, tokens);
    return copy(s.logits(0));
  }
};

TEST_F(LoraFixture, MixedAdaptersInOneBatchMatchSeparateRuns) {
  const auto none = last_logits(nullptr, 1.0f), with_attn = last_logits(attn, 1.0f),
             with_all = last_logits(all, 0.5f);
  EXPECT_GT(max_abs_diff(none, with_attn), 1e-2);  // the adapters really change the output
  EXPECT_GT(max_abs_diff(with_attn, with_all), 1e-2);

  Session s(model, options(3));
  s.set_adapter(0, attn, 1.0f);
  s.set_adapter(1, nullptr);
  s.set_adapter(2, all, 0.5f);
  std::vector<BatchToken> batch;
  for (size_t i = 0; i < tokens.size(); ++i) {
    for (int32_t seq = 0; seq < 3; ++seq) batch.push_back({tokens[i], seq, i + 1 == tokens.size()});
  }
  s.decode(batch);
  // The kernels are batch-invariant: the same bits, not just close values.
  EXPECT_EQ(copy(s.logits(0)), with_attn);
  EXPECT_EQ(copy(s.logits(1)), none);
  EXPECT_EQ(copy(s.logits(2)), with_all);
}

// Mappings of `path` in this process, from /proc/self/maps.
int mappings_of(const std::string& path) {
  std::ifstream maps("/proc/self/maps");
  const std::string canonical = std::filesystem::canonical(path).string();
  int n = 0;
  for (std::string line; std::getline(maps, line);) n += line.find(canonical) != std::string::npos;
  return n;
}

uint64_t checksum(const Matrix& m) {
  uint64_t h = 1469598103934665603ull;
  for (int64_t i = 0; i < m.row_bytes * m.n_out; ++i) h = (h ^ m.data[i]) * 1099511628211ull;
  return h;
}

TEST_F(LoraFixture, SwappingAdaptersNeverReloadsOrTouchesTheBase) {
  const std::string path = test::model_path("tiny-qwen3-q8_0.gguf");
  const int maps_before = mappings_of(path);
  const uint64_t wq_before = checksum(model->weights().layers[0].wq);
  const uint8_t* data_before = model->weights().layers[0].wq.data;

  Session s(model, options(1));
  for (int round = 0; round < 4; ++round) {
    s.set_adapter(0, round % 2 ? attn : all, 1.0f);
    s.decode_sequence(0, tokens);
  }
  EXPECT_EQ(mappings_of(path), maps_before);
  EXPECT_EQ(&s.model(), model.get());
  EXPECT_EQ(model->weights().layers[0].wq.data, data_before);
  EXPECT_EQ(checksum(model->weights().layers[0].wq), wq_before);
  EXPECT_EQ(s.adapter(0), attn);
}

TEST_F(LoraFixture, CachedStateIsKeyedByAdapterAndScale) {
  Session s(model, options(2));
  s.set_adapter(0, attn, 1.0f);
  s.decode_sequence(0, tokens);
  const auto len = static_cast<int32_t>(tokens.size());
  s.set_adapter(0, attn, 1.0f);  // same binding: state kept
  EXPECT_EQ(s.length(0), len);
  s.set_adapter(0, attn, 0.5f);  // another scale: cleared
  EXPECT_EQ(s.length(0), 0);
  s.decode_sequence(0, tokens);
  s.set_adapter(0, all, 0.5f);  // another adapter: cleared
  EXPECT_EQ(s.length(0), 0);
  s.decode_sequence(0, tokens);
  s.fork(0, 1);  // a fork carries the binding with the state
  EXPECT_EQ(s.adapter(1), all);
  EXPECT_EQ(s.length(1), len);
}

// --- Adapters that must be refused ---------------------------------------------------------

std::string copy_peft_dir(const std::string& name, const std::function<void(nlohmann::json&)>& edit) {
  const std::string src = test::model_path(name);
  const std::string dir = test::temp_dir() + "/adapter";
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(src + "/adapter_model.safetensors", dir + "/adapter_model.safetensors");
  std::ifstream in(src + "/adapter_config.json");
  nlohmann::json cfg = nlohmann::json::parse(in);
  edit(cfg);
  std::ofstream(dir + "/adapter_config.json") << cfg.dump(2);
  return dir;
}

void expect_refused(const std::string& path, const Model& base, const std::string& needle) {
  try {
    (void)LoraAdapter::load(path, base);
    FAIL() << "expected refusal mentioning " << needle;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST_F(LoraFixture, RefusesAdaptersForAnotherModel) {
  auto llama = Model::load(test::model_path("tiny-llama-f16.gguf"));
  expect_refused(test::model_path("tiny-qwen3-lora-attn.gguf"), *llama, "architecture 'qwen3'");
  // PEFT files carry no architecture; the name of the model they were trained on does.
  expect_refused(test::model_path("tiny-qwen3-lora-attn-peft"), *llama, "a qwen3 model");
  // Same architecture, other shape: a qwen3 base with a wider feed-forward.
  GgufFile f = GgufFile::open(test::model_path("tiny-qwen3-lora-all.gguf"));
  GgufWriter w;
  for (const GgufKV& kv : f.metadata()) w.set_value(kv.key, kv.value);
  std::vector<std::vector<float>> keep;
  for (const GgufTensor& t : f.tensors()) {
    std::vector<int64_t> ne(t.ne, t.ne + t.n_dims);
    if (t.name == "blk.1.ffn_up.weight.lora_b") {
      ne[1] = 512;  // n_out 512 instead of 768
      keep.emplace_back(static_cast<size_t>(ne[0] * ne[1]), 0.01f);
      w.add_tensor(t.name, GgmlType::F32, ne, keep.back().data());
    } else {
      w.add_tensor(t.name, t.type, ne, t.data);
    }
  }
  const std::string bad = test::temp_dir() + "/bad.gguf";
  w.write(bad);
  expect_refused(bad, *model, "blk.1.ffn_up.weight.lora_a");
}

TEST_F(LoraFixture, RefusesWhatItCannotHonour) {
  expect_refused(copy_peft_dir("tiny-qwen3-lora-attn-peft", [](auto& c) { c["use_dora"] = true; }), *model, "DoRA");
  expect_refused(copy_peft_dir("tiny-qwen3-lora-attn-peft",
                               [](auto& c) { c["modules_to_save"] = nlohmann::json::array({"lm_head"}); }),
                 *model, "modules_to_save");
  expect_refused(copy_peft_dir("tiny-qwen3-lora-attn-peft", [](auto& c) { c["r"] = 16; }), *model,
                 "adapter_config.json says 16");
  // A model is not an adapter, and a directory without safetensors is not a PEFT adapter.
  expect_refused(test::model_path("tiny-qwen3-q8_0.gguf"), *model, "not a LoRA adapter");
  const std::string empty = test::temp_dir() + "/empty";
  std::filesystem::create_directories(empty);
  expect_refused(empty, *model, "adapter_config.json");
  // Missing lora_b.
  GgufFile f = GgufFile::open(test::model_path("tiny-qwen3-lora-attn.gguf"));
  GgufWriter w;
  for (const GgufKV& kv : f.metadata()) w.set_value(kv.key, kv.value);
  for (const GgufTensor& t : f.tensors()) {
    if (t.name == "blk.2.attn_v.weight.lora_b") continue;
    w.add_tensor(t.name, t.type, std::vector<int64_t>(t.ne, t.ne + t.n_dims), t.data);
  }
  const std::string missing = test::temp_dir() + "/missing.gguf";
  w.write(missing);
  expect_refused(missing, *model, "no matching lora_b");
}

TEST_F(LoraFixture, RsLoraAndAlphaPatternScaling) {
  // r = 8, alpha = 16: plain scaling 16/8 = 2, rsLoRA 16/sqrt(8).
  auto plain = LoraAdapter::load(test::model_path("tiny-qwen3-lora-attn-peft"), *model);
  auto rs = LoraAdapter::load(copy_peft_dir("tiny-qwen3-lora-attn-peft", [](auto& c) { c["use_rslora"] = true; }), *model);
  EXPECT_FLOAT_EQ(plain->find(0, LoraTarget::Q)->scale, 2.0f);
  EXPECT_NEAR(rs->find(0, LoraTarget::Q)->scale, 16.0 / std::sqrt(8.0), 1e-5);
  auto patterned = LoraAdapter::load(
      copy_peft_dir("tiny-qwen3-lora-attn-peft",
                    [](auto& c) { c["alpha_pattern"] = {{"q_proj", 32}, {"layers.1.self_attn.k_proj", 4}}; }),
      *model);
  EXPECT_FLOAT_EQ(patterned->find(0, LoraTarget::Q)->scale, 4.0f);
  EXPECT_FLOAT_EQ(patterned->find(0, LoraTarget::K)->scale, 2.0f);
  EXPECT_FLOAT_EQ(patterned->find(1, LoraTarget::K)->scale, 0.5f);
  // The scaling reaches the output: rsLoRA equals the plain adapter at scale 16/sqrt(8)/2.
  EXPECT_LT(max_abs_diff(last_logits(rs, 1.0f), last_logits(plain, static_cast<float>(8.0 / std::sqrt(8.0)))), 1e-3);
}

// A PEFT adapter for a llama model needs lora_B's q/k rows permuted as the converter
// permuted the base weights: a GGUF adapter and its PEFT export must agree.
TEST(LoraLlama, PeftQueryKeyRowsArePermuted) {
  auto model = Model::load(test::model_path("tiny-llama-f16.gguf"));
  const ModelConfig& c = model->config();
  std::mt19937 rng(11);
  std::normal_distribution<float> nd(0.0f, 0.05f);
  const int rank = 4;
  std::vector<std::vector<float>> store;
  GgufWriter g;
  g.set_string("general.architecture", "llama");
  g.set_string("general.type", "adapter");
  g.set_string("adapter.type", "lora");
  g.set_f32("adapter.lora.alpha", 8.0f);
  nlohmann::json header = nlohmann::json::object();
  std::string blob;
  auto add_st = [&](const std::string& name, const std::vector<float>& v, int64_t rows, int64_t cols) {
    header[name] = {{"dtype", "F32"}, {"shape", {rows, cols}}, {"data_offsets", {blob.size(), blob.size() + v.size() * 4}}};
    blob.append(reinterpret_cast<const char*>(v.data()), v.size() * 4);
  };
  for (int l = 0; l < c.n_layer; ++l) {
    for (auto [target, n_out, n_head, peft] : {std::tuple{"attn_q", c.q_dim(), c.n_head, "q_proj"},
                                               std::tuple{"attn_k", c.kv_dim(), c.n_head_kv, "k_proj"}}) {
      std::vector<float> a(static_cast<size_t>(rank * c.n_embd)), b(static_cast<size_t>(n_out * rank));
      for (float& v : a) v = nd(rng);
      for (float& v : b) v = nd(rng);
      store.push_back(a);
      const std::string base = "blk." + std::to_string(l) + "." + target + ".weight";
      g.add_tensor(base + ".lora_a", GgmlType::F32, {c.n_embd, rank}, store.back().data());
      store.push_back(b);
      g.add_tensor(base + ".lora_b", GgmlType::F32, {rank, n_out}, store.back().data());
      // PEFT holds the Hugging Face row order: undo the converter's permutation.
      const int64_t hd = n_out / n_head;
      std::vector<float> hf(b.size());
      for (int h = 0; h < n_head; ++h) {
        for (int64_t j = 0; j < hd / 2; ++j) {
          for (int64_t s = 0; s < 2; ++s) {
            std::copy_n(&b[static_cast<size_t>((h * hd + j * 2 + s) * rank)], rank,
                        &hf[static_cast<size_t>((h * hd + s * (hd / 2) + j) * rank)]);
          }
        }
      }
      const std::string pname = "base_model.model.model.layers." + std::to_string(l) + ".self_attn." + peft;
      add_st(pname + ".lora_A.weight", a, rank, c.n_embd);
      add_st(pname + ".lora_B.weight", hf, n_out, rank);
    }
  }
  const std::string dir = test::temp_dir();
  g.write(dir + "/adapter.gguf");
  std::filesystem::create_directories(dir + "/peft");
  std::string h = header.dump();
  const uint64_t hl = h.size();
  std::ofstream st(dir + "/peft/adapter_model.safetensors", std::ios::binary);
  st.write(reinterpret_cast<const char*>(&hl), 8);
  st << h << blob;
  st.close();
  std::ofstream(dir + "/peft/adapter_config.json")
      << R"({"peft_type":"LORA","r":4,"lora_alpha":8,"target_modules":["q_proj","k_proj"]})";

  std::vector<TokenId> tokens = {1, 50, 300, 7, 2000, 41};
  auto run = [&](const std::string& path) {
    Session s(model, SessionOptions{});
    s.set_adapter(0, LoraAdapter::load(path, *model), 1.0f);
    s.decode_sequence(0, tokens);
    return copy(s.logits(0));
  };
  Session base(model, SessionOptions{});
  base.decode_sequence(0, tokens);
  const auto from_gguf = run(dir + "/adapter.gguf"), from_peft = run(dir + "/peft");
  EXPECT_GT(max_abs_diff(from_gguf, copy(base.logits(0))), 1e-3);
  EXPECT_LT(max_abs_diff(from_gguf, from_peft), 1e-4);
}

}  // namespace
}  // namespace loco

namespace loco {
namespace {

TEST(LoraMerge, MergedFileMatchesTheReference) {
  for (const auto& c : test::logits_cases(true)) {
    if (c.name != "np-tiny-qwen3-f32+tiny-qwen3-lora-all@0.5-medium") continue;
    const std::string out = test::temp_dir() + "/merged.gguf";
    merge_lora(test::model_path(c.model), test::model_path(c.lora), c.lora_scale, out, 2);
    Session s(Model::load(out), SessionOptions{});
    s.decode_sequence(0, c.tokens, true);
    const auto ref = test::read_reference_logits(c);
    const size_t n_vocab = ref.size() / c.tokens.size();
    for (size_t p = 0; p < c.tokens.size(); ++p) {
      EXPECT_LE(test::relative_rms(s.logits(static_cast<int32_t>(p)).data(), ref.data() + p * n_vocab, n_vocab),
                c.tolerance);
    }
  }
}

}  // namespace
}  // namespace loco

namespace loco {
namespace {

// A hostile PEFT file: a layer number far beyond int is a clear error naming it, not an
// internal error from the conversion; a safetensors file beyond any adapter's size is
// refused before it is read (a sparse file: no disk is used).
TEST(LoraPeftHostile, HugeLayerNumberAndHugeFileAreClearErrors) {
  auto model = Model::load(test::model_path("tiny-qwen3-f32.gguf"));
  const std::string dir = test::temp_dir() + "/peft";
  std::filesystem::create_directories(dir);
  const std::string name = "base_model.model.model.layers.99999999999999999999.self_attn.q_proj.lora_";
  const int64_t n = model->config().n_embd;
  const uint64_t a_bytes = 4 * static_cast<uint64_t>(n) * 4, b_bytes = static_cast<uint64_t>(n) * 4 * 4;
  nlohmann::json header = {
      {name + "A.weight", {{"dtype", "F32"}, {"shape", {4, n}}, {"data_offsets", {0, a_bytes}}}},
      {name + "B.weight", {{"dtype", "F32"}, {"shape", {n, 4}}, {"data_offsets", {a_bytes, a_bytes + b_bytes}}}}};
  const std::string h = header.dump();
  const uint64_t hl = h.size();
  {
    std::ofstream st(dir + "/adapter_model.safetensors", std::ios::binary);
    st.write(reinterpret_cast<const char*>(&hl), 8);
    st << h << std::string(a_bytes + b_bytes, '\0');
  }
  std::ofstream(dir + "/adapter_config.json")
      << R"({"peft_type":"LORA","r":4,"lora_alpha":8,"target_modules":["q_proj"]})";
  try {
    LoraAdapter::load(dir, *model);
    FAIL() << "a huge layer number was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("names layer 99999999999999999999"), std::string::npos) << e.what();
  }

  const std::string huge = dir + "/huge.safetensors";
  std::ofstream(huge).put('x');
  std::filesystem::resize_file(huge, (uint64_t{4} << 30) + 1);
  try {
    SafetensorsFile::open(huge);
    FAIL() << "a 4 GiB safetensors file was read";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("larger than the 4 GiB"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace loco
