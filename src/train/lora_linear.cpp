#include "train/lora_linear.h"

#include <algorithm>
#include <cmath>

#include "loco/error.h"
#include "loco/rng.h"
#include "ops/gemm_acc.h"
#include "ops/matmul.h"
#include "ops/matmul_transposed.h"
#include "ops/outer_product.h"

namespace loco::train {
namespace {

void check_shapes(const Matrix& w, const LoraParams& p) {
  if (p.n_in != w.n_in || p.n_out != w.n_out || p.rank < 1 ||
      p.a.size() != static_cast<size_t>(p.rank * p.n_in) || p.b.size() != static_cast<size_t>(p.n_out * p.rank)) {
    throw Error("LoRA pair does not fit its matrix: A is " + std::to_string(p.rank) + "x" + std::to_string(p.n_in) +
                ", B is " + std::to_string(p.n_out) + "x" + std::to_string(p.rank) + ", the matrix is " +
                std::to_string(w.n_out) + "x" + std::to_string(w.n_in));
  }
}

// The hash whose four 16-bit parts decide inputs 4·(i/4) .. 4·(i/4)+3 of token t.
uint64_t mask_hash(uint64_t key, int64_t t, int64_t i) {
  return mix64(key ^ mix64(static_cast<uint64_t>(t) * 0x9e3779b97f4a7c15ULL + static_cast<uint64_t>(i / 4)));
}

uint32_t drop_threshold(float p) { return static_cast<uint32_t>(std::lround(static_cast<double>(p) * 65536.0)); }

// f(i, keeps(t, i)) for i < n in order, one hash for every four inputs (keeps() one at a time).
template <class F>
void for_each_input(const LoraDropout& drop, uint32_t threshold, int64_t t, int64_t n, F f) {
  for (int64_t i0 = 0; i0 < n; i0 += 4) {
    const uint64_t h = mask_hash(drop.key, t, i0);
    for (int64_t j = 0; j < 4 && i0 + j < n; ++j) f(i0 + j, ((h >> (16 * j)) & 0xffff) >= threshold);
  }
}

// The LoRA path's inputs: x itself, or x with dropout applied (into buf), tokens in parallel.
const float* dropped_inputs(const LoraDropout& drop, const float* x, int64_t n_tokens, int64_t n, std::vector<float>& buf,
                            ThreadPool& pool) {
  if (drop.p <= 0.0f) return x;
  buf.resize(static_cast<size_t>(n_tokens * n));
  const float keep_scale = drop.keep_scale();
  const uint32_t threshold = drop_threshold(drop.p);
  pool.parallel_for(n_tokens, [&](int64_t t, int) {
    const float* xt = x + t * n;
    float* out = buf.data() + t * n;
    for_each_input(drop, threshold, t, n, [&](int64_t i, bool keep) { out[i] = keep ? xt[i] * keep_scale : 0.0f; });
  });
  return buf.data();
}

}  // namespace

bool LoraDropout::keeps(int64_t t, int64_t i) const {
  const uint64_t h = mask_hash(key, t, i);
  return ((h >> (16 * (i % 4))) & 0xffff) >= drop_threshold(p);
}

float LoraDropout::keep_scale() const {
  return static_cast<float>(65536.0 / (65536.0 - static_cast<double>(drop_threshold(p))));
}

namespace {

// h = drop(x)·Aᵀ (n_tokens × rank).
void lora_hidden(const LoraParams& p, const float* x, int64_t n_tokens, float* h, ThreadPool& pool,
                 const LoraDropout& drop) {
  std::vector<float> xd_buf;
  const float* xd = dropped_inputs(drop, x, n_tokens, p.n_in, xd_buf, pool);
  std::vector<float> a_t(static_cast<size_t>(p.n_in * p.rank));
  ops::transpose(p.rank, p.n_in, p.a.data(), p.n_in, a_t.data(), p.rank);
  std::fill(h, h + n_tokens * p.rank, 0.0f);
  ops::gemm_acc(n_tokens, p.rank, p.n_in, xd, p.n_in, a_t.data(), p.rank, h, p.rank, pool);
}

}  // namespace

void lora_linear_forward(const Matrix& w, const LoraParams& p, float scale, const float* x, int64_t n_tokens,
                         float* y, float* h, ThreadPool& pool, const LoraDropout& drop) {
  check_shapes(w, p);
  ops::Activations acts;
  acts.reset(x, n_tokens, w.n_in, w.n_in);
  ops::matmul(w, acts, y, w.n_out, pool);
  // h = drop(x)·Aᵀ, then y += (s·h)·Bᵀ: two thin products.
  lora_hidden(p, x, n_tokens, h, pool, drop);
  std::vector<float> b_t(static_cast<size_t>(p.rank * p.n_out));
  ops::transpose(p.n_out, p.rank, p.b.data(), p.rank, b_t.data(), p.n_out);
  std::vector<float> hs(h, h + n_tokens * p.rank);
  for (float& v : hs) v *= scale;
  ops::gemm_acc(n_tokens, p.n_out, p.rank, hs.data(), p.rank, b_t.data(), p.n_out, y, p.n_out, pool);
}

void lora_linear_backward(const Matrix& w, const LoraParams& p, float scale, const float* x, const float* h,
                          const float* dy, int64_t n_tokens, LoraGrads& grads, float* dx, ThreadPool& pool,
                          const LoraDropout& drop, ops::Precision precision) {
  check_shapes(w, p);
  const int64_t t = n_tokens, r = p.rank;
  std::vector<float> xd_buf;
  const float* xd = dropped_inputs(drop, x, t, p.n_in, xd_buf, pool);
  // dB += dyᵀ·(s·h), computed as its transpose (s·h)ᵀ·dy so that only the thin factor is
  // transposed (dy is tokens × n_out): each element is the same chain of products.
  std::vector<float> hs(h, h + t * r), hs_t(static_cast<size_t>(r * t)), db_t(static_cast<size_t>(r * p.n_out), 0.0f);
  for (float& v : hs) v *= scale;
  ops::transpose(t, r, hs.data(), r, hs_t.data(), t);
  ops::gemm_acc(r, p.n_out, t, hs_t.data(), t, dy, p.n_out, db_t.data(), p.n_out, pool);
  for (int64_t o = 0; o < p.n_out; ++o) {
    for (int64_t k = 0; k < r; ++k) grads.b[static_cast<size_t>(o * r + k)] += db_t[static_cast<size_t>(k * p.n_out + o)];
  }
  // dh = s·(dy·B)
  std::vector<float> dh(static_cast<size_t>(t * r), 0.0f);
  ops::gemm_acc(t, r, p.n_out, dy, p.n_out, p.b.data(), r, dh.data(), r, pool);
  for (float& v : dh) v *= scale;
  // dA += dhᵀ·drop(x)
  std::vector<float> dh_t(static_cast<size_t>(r * t));
  ops::transpose(t, r, dh.data(), r, dh_t.data(), t);
  ops::gemm_acc(r, p.n_in, t, dh_t.data(), t, xd, p.n_in, grads.a.data(), p.n_in, pool);
  if (dx == nullptr) return;
  // dx += dropᵀ(dh·A) + Wᵀ·dy
  if (drop.p > 0.0f) {
    std::vector<float> dxl(static_cast<size_t>(t * p.n_in), 0.0f);
    ops::gemm_acc(t, p.n_in, r, dh.data(), r, p.a.data(), p.n_in, dxl.data(), p.n_in, pool);
    const float keep_scale = drop.keep_scale();
    const uint32_t threshold = drop_threshold(drop.p);
    pool.parallel_for(t, [&](int64_t tok, int) {
      float* dxt = dx + tok * p.n_in;
      const float* lt = dxl.data() + tok * p.n_in;
      for_each_input(drop, threshold, tok, p.n_in, [&](int64_t i, bool keep) {
        if (keep) dxt[i] += lt[i] * keep_scale;
      });
    });
  } else {
    ops::gemm_acc(t, p.n_in, r, dh.data(), r, p.a.data(), p.n_in, dx, p.n_in, pool);
  }
  ops::matmul_transposed_add(w, dy, p.n_out, n_tokens, dx, p.n_in, pool, precision);
}

void linear_forward(const Matrix& w, const LoraParams* p, float scale, const float* x, int64_t n_tokens, float* y,
                    float* h, ThreadPool& pool, const LoraDropout& drop) {
  if (y == nullptr) {
    // Only what the backward pass needs: the pair's hidden values.
    if (p != nullptr) {
      check_shapes(w, *p);
      lora_hidden(*p, x, n_tokens, h, pool, drop);
    }
    return;
  }
  if (p != nullptr) {
    lora_linear_forward(w, *p, scale * p->scale, x, n_tokens, y, h, pool, drop);
    return;
  }
  ops::Activations acts;
  acts.reset(x, n_tokens, w.n_in, w.n_in);
  ops::matmul(w, acts, y, w.n_out, pool);
}

void linear_backward(const Matrix& w, const LoraParams* p, float scale, const float* x, const float* h,
                     const float* dy, int64_t n_tokens, LoraGrads* grads, float* dx, float* dw, ThreadPool& pool,
                     const LoraDropout& drop, ops::Precision precision) {
  if (dw != nullptr) ops::outer_product_add(dy, w.n_out, x, w.n_in, n_tokens, w.n_out, w.n_in, dw, pool);
  if (p != nullptr) {
    if (grads == nullptr) throw Error("internal: a LoRA pair without its gradient");
    lora_linear_backward(w, *p, scale * p->scale, x, h, dy, n_tokens, *grads, dx, pool, drop, precision);
    return;
  }
  if (dx != nullptr) ops::matmul_transposed_add(w, dy, w.n_out, n_tokens, dx, w.n_in, pool, precision);
}

}  // namespace loco::train
