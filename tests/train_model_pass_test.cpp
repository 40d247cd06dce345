// The whole model as the trainer runs it (src/train/model_pass.h): its forward pass
// against the shared float64 reference logits, packing, recomputation, dropout, and the
// gradient against finite differences of its own loss.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "kernel_random_data.h"
#include "logits_reference.h"
#include "loco/lora.h"
#include "loco/model.h"
#include "test_paths.h"
#include "ops/matmul_transposed.h"
#include "train/model_pass.h"
#include "train_test_support.h"

namespace loco {
namespace {

std::vector<TokenId> sequence(const char* name) {
  return test::manifest()["sequences"][name].get<std::vector<TokenId>>();
}

class TrainerLogits : public ::testing::TestWithParam<test::LogitsCase> {};

TEST_P(TrainerLogits, MatchReferenceWithinTolerance) {
  const test::LogitsCase& c = GetParam();
  auto model = Model::load(test::model_path(c.model));
  std::unique_ptr<train::TrainableAdapter> adapter;
  if (!c.lora.empty()) {
    auto loaded = LoraAdapter::load(test::model_path(c.lora), *model);
    adapter = std::make_unique<train::TrainableAdapter>(train::trainable_from(*loaded, c.lora_scale));
  }
  ThreadPool pool(2);
  const std::vector<float> got = train::model_logits(*model, adapter.get(), train::next_token_batch(c.tokens), pool);
  const std::vector<float> ref = test::read_reference_logits(c);
  ASSERT_EQ(got.size(), ref.size());
  const size_t n_vocab = ref.size() / c.tokens.size();
  for (size_t p = 0; p < c.tokens.size(); ++p) {
    EXPECT_LE(test::relative_rms(got.data() + p * n_vocab, ref.data() + p * n_vocab, n_vocab), c.tolerance)
        << c.name << " position " << p;
  }
}

std::vector<test::LogitsCase> all_cases() {
  std::vector<test::LogitsCase> cases = test::logits_cases(false);
  for (const auto& c : test::logits_cases(true)) cases.push_back(c);
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Manifest, TrainerLogits, ::testing::ValuesIn(all_cases()),
                         [](const auto& param_info) { return test::gtest_name(param_info.param.name); });

// A fresh adapter whose B is random rather than zero, so every pair changes the output.
train::TrainableAdapter nonzero_adapter(const Model& model, int32_t rank, train::TargetMask targets) {
  train::TrainableAdapter a = train::make_trainable_adapter(model, rank, 2.0f * static_cast<float>(rank), targets, 7);
  kernel_test::Rng rng(11);
  a.for_each([&](int32_t, LoraTarget, train::LoraParams& p) {
    for (float& v : p.b) v = 0.05f * rng.normal();
  });
  return a;
}

double pass_loss(const Model& m, const train::TrainableAdapter& a, const train::PackedBatch& b,
                 const train::PassOptions& o, ThreadPool& pool) {
  return train::model_pass(m, &a, b, o, nullptr, pool).loss_sum;
}

TEST(TrainerPass, PackedSequencesEqualSeparatePasses) {
  auto model = Model::load(test::model_path("tiny-qwen3-q4_k_m.gguf"));
  const train::TrainableAdapter a = nonzero_adapter(*model, 4, train::kAttentionTargets | train::kFfnTargets);
  ThreadPool pool(2);
  const train::PackedBatch one = train::next_token_batch(sequence("short"));
  const train::PackedBatch two = train::next_token_batch(sequence("medium"));
  train::PackedBatch packed = one;
  packed.tokens.insert(packed.tokens.end(), two.tokens.begin(), two.tokens.end());
  packed.targets.insert(packed.targets.end(), two.targets.begin(), two.targets.end());
  packed.segments.push_back(two.segments[0]);

  train::AdapterGrads g_sep(a), g_packed(a);
  const train::PassResult r1 = train::model_pass(*model, &a, one, {}, &g_sep, pool);
  const train::PassResult r2 = train::model_pass(*model, &a, two, {}, &g_sep, pool);
  const train::PassResult rp = train::model_pass(*model, &a, packed, {}, &g_packed, pool);
  EXPECT_EQ(rp.n_targets, r1.n_targets + r2.n_targets);
  EXPECT_NEAR(rp.loss_sum, r1.loss_sum + r2.loss_sum, 1e-5 * rp.loss_sum);
  a.for_each([&](int32_t l, LoraTarget t, const train::LoraParams&) {
    const auto& s = *g_sep.find(l, t);
    const auto& p = *g_packed.find(l, t);
    EXPECT_LE(test::relative_rms(p.a.data(), s.a.data(), s.a.size()), 1e-4) << l << " " << lora_target_name(t);
    EXPECT_LE(test::relative_rms(p.b.data(), s.b.data(), s.b.size()), 1e-4) << l << " " << lora_target_name(t);
  });
  // Without the boundary the second sequence would see the first: the loss must change.
  train::PackedBatch joined = packed;
  joined.segments = {static_cast<int64_t>(joined.tokens.size())};
  EXPECT_GT(std::fabs(pass_loss(*model, a, joined, {}, pool) - rp.loss_sum), 1e-3);
}

TEST(TrainerPass, RecomputationGivesTheSameBits) {
  auto model = Model::load(test::model_path("tiny-llama-q8_0.gguf"));
  const train::TrainableAdapter a = nonzero_adapter(*model, 4, train::kAttentionTargets | train::kFfnTargets);
  ThreadPool pool(2);
  const train::PackedBatch b = train::next_token_batch(sequence("medium"));
  train::PassOptions keep, redo;
  keep.dropout = redo.dropout = 0.25f;
  keep.dropout_key = redo.dropout_key = 99;
  redo.recompute = true;
  train::AdapterGrads g1(a), g2(a);
  const double l1 = train::model_pass(*model, &a, b, keep, &g1, pool).loss_sum;
  const double l2 = train::model_pass(*model, &a, b, redo, &g2, pool).loss_sum;
  EXPECT_EQ(l1, l2);
  a.for_each([&](int32_t l, LoraTarget t, const train::LoraParams&) {
    EXPECT_EQ(g1.find(l, t)->a, g2.find(l, t)->a) << l << " " << lora_target_name(t);
    EXPECT_EQ(g1.find(l, t)->b, g2.find(l, t)->b) << l << " " << lora_target_name(t);
  });
}

// The int8 transposed products (ops/matmul_transposed.h) against the float32 ones through
// a whole model on a quantized base: the same loss (the forward pass is the same), adapter
// gradients within a few % (most of the tiny model's matrices have whole runs of 256 rows).
TEST(TrainerPass, Int8BackwardKeepsTheGradientsWithinAFewPercent) {
  auto model = Model::load(test::model_path("tiny-qwen3-q4_k_m.gguf"));
  const train::TrainableAdapter a = nonzero_adapter(*model, 4, train::kAttentionTargets | train::kFfnTargets);
  ThreadPool pool(2);
  const train::PackedBatch b = train::next_token_batch(sequence("medium"));
  train::PassOptions exact, int8;
  int8.backward = ops::Precision::int8;
  train::AdapterGrads g_exact(a), g_int8(a);
  const double l_exact = train::model_pass(*model, &a, b, exact, &g_exact, pool).loss_sum;
  const double l_int8 = train::model_pass(*model, &a, b, int8, &g_int8, pool).loss_sum;
  EXPECT_EQ(l_exact, l_int8);
  const bool used = ops::uses_int8(model->weights().layers[0].w_gate);
  double worst = 0;
  a.for_each([&](int32_t l, LoraTarget t, const train::LoraParams&) {
    const auto& e = *g_exact.find(l, t);
    const auto& q = *g_int8.find(l, t);
    const double ra = test::relative_rms(q.a.data(), e.a.data(), e.a.size());
    const double rb = test::relative_rms(q.b.data(), e.b.data(), e.b.size());
    EXPECT_LE(ra, 0.05) << l << " " << lora_target_name(t);
    EXPECT_LE(rb, 0.05) << l << " " << lora_target_name(t);
    if (!used) {
      EXPECT_EQ(q.a, e.a);
      EXPECT_EQ(q.b, e.b);
    }
    worst = std::max({worst, ra, rb});
  });
  if (used) {
    EXPECT_GT(worst, 0.0) << "the int8 products were not used";
  }
  std::printf("worst relative RMS difference of a pair's gradient: %.4f\n", worst);
}

TEST(TrainerPass, DropoutMasksDependOnTheKeyOnly) {
  auto model = Model::load(test::model_path("tiny-qwen3-f32.gguf"));
  const train::TrainableAdapter a = nonzero_adapter(*model, 4, train::kAttentionTargets);
  ThreadPool pool(2);
  const train::PackedBatch b = train::next_token_batch(sequence("short"));
  train::PassOptions o;
  const double plain = pass_loss(*model, a, b, o, pool);
  o.dropout = 0.5f;
  o.dropout_key = 1;
  const double k1 = pass_loss(*model, a, b, o, pool);
  EXPECT_EQ(k1, pass_loss(*model, a, b, o, pool));
  o.dropout_key = 2;
  const double k2 = pass_loss(*model, a, b, o, pool);
  EXPECT_NE(k1, plain);
  EXPECT_NE(k1, k2);
}

// The whole model's gradient against central differences of its own loss along random
// directions, tensor by tensor (one float32 coordinate moves the loss too little to
// measure; a whole tensor moved along v changes it by ε·⟨g, v⟩), on F32 and F16 bases with
// attention and feed-forward pairs and dropout on. The float64 reference of every tensor
// is tests/reference/lora_grad_reference.py (TrainGradCli).
TEST(TrainerPass, GradientMatchesDirectionalDifferences) {
  for (const char* file : {"tiny-qwen3-f32.gguf", "tiny-llama-f16.gguf"}) {
    SCOPED_TRACE(file);
    auto model = Model::load(test::model_path(file));
    train::TrainableAdapter a = nonzero_adapter(*model, 2, train::kAttentionTargets | train::kFfnTargets);
    ThreadPool pool(2);
    const train::PackedBatch b = train::next_token_batch(sequence("short"));
    train::PassOptions o;
    o.dropout = 0.2f;
    o.dropout_key = 5;
    o.loss_weight = 1.0f / static_cast<float>(b.n_targets());
    train::AdapterGrads g(a);
    train::model_pass(*model, &a, b, o, &g, pool);
    auto loss = [&] { return pass_loss(*model, a, b, o, pool) / static_cast<double>(b.n_targets()); };
    kernel_test::Rng rng(3);
    for (int32_t l : {0, model->config().n_layer - 1}) {
      for (int t = 0; t < kLoraTargets; ++t) {
        train::LoraParams* p = a.find(l, static_cast<LoraTarget>(t));
        const train::LoraGrads* gp = g.find(l, static_cast<LoraTarget>(t));
        for (int which = 0; which < 2; ++which) {
          std::vector<float>& param = which == 0 ? p->a : p->b;
          const std::vector<float>& grad = which == 0 ? gp->a : gp->b;
          std::vector<float> v(param.size()), kept = param;
          double norm2 = 0.0, predicted = 0.0;
          for (float& x : v) {
            x = rng.normal();
            norm2 += static_cast<double>(x) * x;
          }
          // A step of 5 % of the tensor in length: large enough that the loss change stands
          // well above float32 rounding of the loss, small enough that the central
          // difference stays accurate (its error is of second order in the step).
          double param2 = 0.0;
          for (float x : param) param2 += static_cast<double>(x) * x;
          const double eps = 5e-2 * std::sqrt(param2 / norm2);
          for (size_t i = 0; i < v.size(); ++i) predicted += static_cast<double>(grad[i]) * v[i];
          for (size_t i = 0; i < v.size(); ++i) param[i] = kept[i] + static_cast<float>(eps) * v[i];
          const double up = loss();
          for (size_t i = 0; i < v.size(); ++i) param[i] = kept[i] - static_cast<float>(eps) * v[i];
          const double down = loss();
          param = kept;
          const double numeric = (up - down) / (2.0 * eps);
          EXPECT_NEAR(predicted, numeric, 2e-2 * std::fabs(numeric) + 1e-4)
              << l << " " << lora_target_name(static_cast<LoraTarget>(t)) << (which == 0 ? " A" : " B");
        }
      }
    }
  }
}

}  // namespace
}  // namespace loco
