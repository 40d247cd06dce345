// The feed-forward sublayer with LoRA on gate, up and down: every trainable gradient and
// the input's gradient (through the norm, SwiGLU and the residual) against central finite
// differences of the whole sublayer's forward pass.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernel_random_data.h"
#include "train_test_support.h"
#include "train/ffn_block.h"

namespace loco {
namespace {

using namespace kernel_test;
using train_test::random_pair;

TEST(FfnBlock, GradientsMatchFiniteDifferences) {
  Rng rng{31};
  const int64_t n_embd = 32, n_ff = 48, rank = 3, tokens = 2;
  RandomMatrix gate = random_matrix(rng, GgmlType::F32, n_embd, n_ff);
  RandomMatrix up = random_matrix(rng, GgmlType::F32, n_embd, n_ff);
  RandomMatrix down = random_matrix(rng, GgmlType::F32, n_ff, n_embd);
  std::vector<float> norm(static_cast<size_t>(n_embd));
  for (float& v : norm) v = 1.0f + 0.2f * rng.normal();
  train::LoraParams lg = random_pair(rng, n_embd, n_ff, rank), lu = random_pair(rng, n_embd, n_ff, rank),
                    ld = random_pair(rng, n_ff, n_embd, rank);
  train::FfnWeights w;
  w.gate = gate.m;
  w.up = up.m;
  w.down = down.m;
  w.norm = norm.data();
  w.lora_gate = &lg;
  w.lora_up = &lu;
  w.lora_down = &ld;
  w.scale = 0.7f;
  std::vector<float> x(static_cast<size_t>(tokens * n_embd));
  for (float& v : x) v = rng.normal();
  std::vector<float> c(x.size());
  for (float& v : c) v = rng.normal();

  ThreadPool pool(2);
  auto loss = [&] {
    train::FfnActivations keep;
    std::vector<float> out(x.size());
    train::ffn_forward(w, x.data(), tokens, out.data(), keep, pool);
    double s = 0;
    for (size_t i = 0; i < out.size(); ++i) s += static_cast<double>(c[i]) * out[i];
    return s;
  };
  train::FfnActivations keep;
  std::vector<float> out(x.size());
  train::ffn_forward(w, x.data(), tokens, out.data(), keep, pool);
  train::LoraGrads gg(lg), gu(lu), gd(ld);
  std::vector<float> dx(x.size(), 0.0f);
  train::ffn_backward(w, x.data(), tokens, keep, c.data(), &gg, &gu, &gd, dx.data(), pool);

  auto check = [&](std::vector<float>& param, const std::vector<float>& grad, const std::string& what) {
    train_test::expect_gradient(param, grad, loss, what, 13);
  };
  check(lg.a, gg.a, "gate A");
  check(lg.b, gg.b, "gate B");
  check(lu.a, gu.a, "up A");
  check(lu.b, gu.b, "up B");
  check(ld.a, gd.a, "down A");
  check(ld.b, gd.b, "down B");
  check(x, dx, "x");
}

}  // namespace
}  // namespace loco
