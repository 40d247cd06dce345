// The attention sublayer with LoRA on q, k, v and o: every trainable gradient and the
// input's gradient (through the norm, the per-head q/k norms, RoPE, grouped-query
// attention and the residual) against central finite differences of the whole sublayer,
// in Qwen3's form (q/k norms, NeoX RoPE) and Llama's (neither).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernel_random_data.h"
#include "train_test_support.h"
#include "train/attention_block.h"

namespace loco {
namespace {

using namespace kernel_test;
using train_test::random_pair;

void check_sublayer(bool qwen3) {
  Rng rng{qwen3 ? 41u : 43u};
  const int64_t n_embd = 32, n_head = 4, n_head_kv = 2, head_dim = 8, rank = 2, tokens = 3;
  const int64_t dq = n_head * head_dim, dkv = n_head_kv * head_dim;
  RandomMatrix wq = random_matrix(rng, GgmlType::F32, n_embd, dq), wk = random_matrix(rng, GgmlType::F32, n_embd, dkv),
               wv = random_matrix(rng, GgmlType::F32, n_embd, dkv), wo = random_matrix(rng, GgmlType::F32, dq, n_embd);
  std::vector<float> norm(static_cast<size_t>(n_embd)), qn(static_cast<size_t>(head_dim)), kn(qn.size());
  for (float& v : norm) v = 1.0f + 0.2f * rng.normal();
  for (float& v : qn) v = 1.0f + 0.2f * rng.normal();
  for (float& v : kn) v = 1.0f + 0.2f * rng.normal();
  train::LoraParams lq = random_pair(rng, n_embd, dq, rank), lk = random_pair(rng, n_embd, dkv, rank),
                    lv = random_pair(rng, n_embd, dkv, rank), lo = random_pair(rng, dq, n_embd, rank);
  train::AttentionWeights w;
  w.wq = wq.m;
  w.wk = wk.m;
  w.wv = wv.m;
  w.wo = wo.m;
  w.norm = norm.data();
  w.q_norm = qwen3 ? qn.data() : nullptr;
  w.k_norm = qwen3 ? kn.data() : nullptr;
  w.n_head = n_head;
  w.n_head_kv = n_head_kv;
  w.head_dim = head_dim;
  w.rope_neox = qwen3;
  w.rope_base = 100.0f;  // visible rotations at positions 0..2
  w.lora_q = &lq;
  w.lora_k = &lk;
  w.lora_v = &lv;
  w.lora_o = &lo;
  w.scale = 0.8f;
  std::vector<float> x(static_cast<size_t>(tokens * n_embd)), c(x.size());
  for (float& v : x) v = rng.normal();
  for (float& v : c) v = rng.normal();

  ThreadPool pool(2);
  auto loss = [&] {
    train::AttentionActivations keep;
    std::vector<float> out(x.size());
    train::attention_block_forward(w, x.data(), tokens, out.data(), keep, pool);
    double s = 0;
    for (size_t i = 0; i < out.size(); ++i) s += static_cast<double>(c[i]) * out[i];
    return s;
  };
  train::AttentionActivations keep;
  std::vector<float> out(x.size());
  train::attention_block_forward(w, x.data(), tokens, out.data(), keep, pool);
  train::LoraGrads gq(lq), gk(lk), gv(lv), go(lo);
  std::vector<float> dx(x.size(), 0.0f);
  train::attention_block_backward(w, x.data(), tokens, keep, c.data(), &gq, &gk, &gv, &go, dx.data(), pool);

  auto check = [&](std::vector<float>& param, const std::vector<float>& grad, const std::string& what) {
    train_test::expect_gradient(param, grad, loss, std::string(qwen3 ? "qwen3 " : "llama ") + what, 11);
  };
  check(lq.a, gq.a, "q A");
  check(lq.b, gq.b, "q B");
  check(lk.a, gk.a, "k A");
  check(lk.b, gk.b, "k B");
  check(lv.a, gv.a, "v A");
  check(lv.b, gv.b, "v B");
  check(lo.a, go.a, "o A");
  check(lo.b, go.b, "o B");
  check(x, dx, "x");
}

TEST(AttentionBlock, Qwen3FormGradientsMatchFiniteDifferences) { check_sublayer(true); }
TEST(AttentionBlock, LlamaFormGradientsMatchFiniteDifferences) { check_sublayer(false); }

}  // namespace
}  // namespace loco
