// AdamW and the learning-rate schedule against hand-computed values.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "loco/error.h"
#include "train/optimizer.h"

namespace loco::train {
namespace {

TEST(LearningRate, WarmupThenCosineOrLinearDecay) {
  ScheduleOptions o;
  o.lr = 1.0;
  o.warmup_steps = 4;
  o.total_steps = 12;
  EXPECT_DOUBLE_EQ(learning_rate(o, 0), 0.25);
  EXPECT_DOUBLE_EQ(learning_rate(o, 3), 1.0);
  EXPECT_DOUBLE_EQ(learning_rate(o, 4), 1.0);                                // decay starts at 1
  EXPECT_NEAR(learning_rate(o, 8), 0.5, 1e-12);                              // half way: cos(π/2)
  EXPECT_NEAR(learning_rate(o, 10), 0.5 * (1.0 - std::sqrt(0.5)), 1e-12);   // cos(3π/4)
  EXPECT_DOUBLE_EQ(learning_rate(o, 12), 0.0);
  EXPECT_DOUBLE_EQ(learning_rate(o, 100), 0.0);
  o.schedule = Schedule::Linear;
  o.min_lr = 0.1;
  EXPECT_NEAR(learning_rate(o, 8), 0.55, 1e-12);  // 0.1 + 0.9 · 0.5
  EXPECT_DOUBLE_EQ(learning_rate(o, 12), 0.1);
  o.schedule = Schedule::Constant;
  EXPECT_DOUBLE_EQ(learning_rate(o, 11), 1.0);
}

TEST(AdamW, FirstTwoStepsByHand) {
  std::vector<float> w = {1.0f, -2.0f}, g = {2.0f, -0.5f};
  const std::vector<ParamRef> params = {{w, g}};
  AdamWOptions o;
  o.weight_decay = 0.01;
  AdamW opt(params, o);
  // Step 1: m̂ = g and v̂ = g², so the step is lr·g/(|g| + eps) = lr·sign(g), after the
  // decoupled decay w -= lr·wd·w.
  EXPECT_NEAR(opt.step(params, 0.1), std::sqrt(4.25), 1e-12);
  EXPECT_NEAR(w[0], 1.0 - 0.1 * 0.01 * 1.0 - 0.1, 1e-6);
  EXPECT_NEAR(w[1], -2.0 + 0.1 * 0.01 * 2.0 + 0.1, 1e-6);
  // Step 2 with gradient 1 on w[0]: m = 0.9·0.2 + 0.1·1 = 0.28, v = 0.999·0.004 + 0.001·1
  // = 0.004996; m̂ = 0.28 / 0.19, v̂ = 0.004996 / 0.001999.
  const double w0 = w[0];
  g = {1.0f, 0.0f};
  opt.step(params, 0.1);
  const double m_hat = 0.28 / (1 - 0.81), v_hat = 0.004996 / (1 - 0.999 * 0.999);
  EXPECT_NEAR(w[0], w0 - 0.1 * 0.01 * w0 - 0.1 * m_hat / (std::sqrt(v_hat) + 1e-8), 1e-5);
  EXPECT_EQ(opt.steps_taken(), 2);
}

TEST(AdamW, ClipsTheGlobalNorm) {
  std::vector<float> a = {3.0f}, ga = {3.0f}, b = {0.0f}, gb = {4.0f};
  const std::vector<ParamRef> params = {{a, ga}, {b, gb}};
  AdamWOptions o;
  o.clip_norm = 1.0;
  AdamW opt(params, o);
  EXPECT_DOUBLE_EQ(opt.step(params, 0.0), 5.0);  // the norm before clipping
  EXPECT_FLOAT_EQ(ga[0], 0.6f);
  EXPECT_FLOAT_EQ(gb[0], 0.8f);
  EXPECT_FLOAT_EQ(a[0], 3.0f);  // lr 0: nothing moves
}

TEST(AdamW, MinimisesAQuadratic) {
  std::vector<float> w = {5.0f, -3.0f, 0.5f}, g(3);
  const std::vector<float> target = {1.0f, 2.0f, -1.0f};
  const std::vector<ParamRef> params = {{w, g}};
  AdamW opt(params, AdamWOptions{});
  ScheduleOptions s;
  s.lr = 0.1;
  s.warmup_steps = 10;
  s.total_steps = 600;
  for (int64_t step = 0; step < 600; ++step) {
    for (size_t i = 0; i < w.size(); ++i) g[i] = 2.0f * (w[i] - target[i]);
    opt.step(params, learning_rate(s, step));
  }
  for (size_t i = 0; i < w.size(); ++i) EXPECT_NEAR(w[i], target[i], 1e-2) << i;
}

TEST(AdamW, MismatchedShapesAreClearErrors) {
  std::vector<float> w(3), g(2);
  EXPECT_THROW(AdamW({{w, g}}, AdamWOptions{}), Error);
}

}  // namespace
}  // namespace loco::train
