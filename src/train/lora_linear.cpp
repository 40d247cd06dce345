#include "train/lora_linear.h"

#include "kernels/kernels.h"
#include "loco/error.h"
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

// splitmix64's finaliser: a well-mixed 64-bit hash of the position.
uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// The LoRA path's input for token t: x itself, or x with dropout applied.
const float* dropped_input(const LoraDropout& drop, const float* xt, int64_t t, int64_t n, std::vector<float>& buf) {
  if (drop.p <= 0.0f) return xt;
  buf.resize(static_cast<size_t>(n));
  const float keep_scale = 1.0f / (1.0f - drop.p);
  for (int64_t i = 0; i < n; ++i) buf[static_cast<size_t>(i)] = drop.keeps(t, i) ? xt[i] * keep_scale : 0.0f;
  return buf.data();
}

}  // namespace

bool LoraDropout::keeps(int64_t t, int64_t i) const {
  const uint64_t h = mix(key ^ mix(static_cast<uint64_t>(t) * 0x9e3779b97f4a7c15ULL + static_cast<uint64_t>(i)));
  return static_cast<double>(h >> 11) * 0x1.0p-53 >= static_cast<double>(p);
}

void lora_linear_forward(const Matrix& w, const LoraParams& p, float scale, const float* x, int64_t n_tokens,
                         float* y, float* h, ThreadPool& pool, const LoraDropout& drop) {
  check_shapes(w, p);
  ops::Activations acts;
  acts.reset(x, n_tokens, w.n_in, w.n_in);
  ops::matmul(w, acts, y, w.n_out, pool);
  const kernels::RowKernels& k = kernels::active_kernels().rows;
  std::vector<float> buf;
  for (int64_t t = 0; t < n_tokens; ++t) {
    const float* xt = dropped_input(drop, x + t * p.n_in, t, p.n_in, buf);
    float* ht = h + t * p.rank;
    for (int64_t j = 0; j < p.rank; ++j) ht[j] = k.dot_f32(p.n_in, p.a.data() + j * p.n_in, xt);
    float* yt = y + t * p.n_out;
    for (int64_t o = 0; o < p.n_out; ++o) yt[o] += scale * k.dot_f32(p.rank, p.b.data() + o * p.rank, ht);
  }
}

void lora_linear_backward(const Matrix& w, const LoraParams& p, float scale, const float* x, const float* h,
                          const float* dy, int64_t n_tokens, LoraGrads& grads, float* dx, ThreadPool& pool,
                          const LoraDropout& drop) {
  check_shapes(w, p);
  const kernels::RowKernels& k = kernels::active_kernels().rows;
  std::vector<float> dh(static_cast<size_t>(p.rank)), buf, dx_lora;
  if (drop.p > 0.0f) dx_lora.resize(static_cast<size_t>(p.n_in));
  const float keep_scale = drop.p > 0.0f ? 1.0f / (1.0f - drop.p) : 1.0f;
  for (int64_t t = 0; t < n_tokens; ++t) {
    const float* dyt = dy + t * p.n_out;
    const float* ht = h + t * p.rank;
    const float* xt = dropped_input(drop, x + t * p.n_in, t, p.n_in, buf);
    // dB[o][j] += s·dy[o]·h[j];  dh[j] = s·Σ_o B[o][j]·dy[o]
    std::fill(dh.begin(), dh.end(), 0.0f);
    for (int64_t o = 0; o < p.n_out; ++o) {
      k.axpy_f32(p.rank, scale * dyt[o], ht, grads.b.data() + o * p.rank);
      k.axpy_f32(p.rank, scale * dyt[o], p.b.data() + o * p.rank, dh.data());
    }
    // dA[j][i] += dh[j]·x[i];  dx[i] += Σ_j A[j][i]·dh[j] (through the dropout mask)
    float* dxt = dx == nullptr ? nullptr : (drop.p > 0.0f ? dx_lora.data() : dx + t * p.n_in);
    if (dxt != nullptr && drop.p > 0.0f) std::fill(dx_lora.begin(), dx_lora.end(), 0.0f);
    for (int64_t j = 0; j < p.rank; ++j) {
      k.axpy_f32(p.n_in, dh[static_cast<size_t>(j)], xt, grads.a.data() + j * p.n_in);
      if (dxt != nullptr) k.axpy_f32(p.n_in, dh[static_cast<size_t>(j)], p.a.data() + j * p.n_in, dxt);
    }
    if (dxt != nullptr && drop.p > 0.0f) {
      float* out = dx + t * p.n_in;
      for (int64_t i = 0; i < p.n_in; ++i) {
        if (drop.keeps(t, i)) out[i] += dx_lora[static_cast<size_t>(i)] * keep_scale;
      }
    }
  }
  if (dx != nullptr) ops::matmul_transposed_add(w, dy, p.n_out, n_tokens, dx, p.n_in, pool);
}

void linear_forward(const Matrix& w, const LoraParams* p, float scale, const float* x, int64_t n_tokens, float* y,
                    float* h, ThreadPool& pool, const LoraDropout& drop) {
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
                     const LoraDropout& drop) {
  if (dw != nullptr) ops::outer_product_add(dy, w.n_out, x, w.n_in, n_tokens, w.n_out, w.n_in, dw, pool);
  if (p != nullptr) {
    if (grads == nullptr) throw Error("internal: a LoRA pair without its gradient");
    lora_linear_backward(w, *p, scale * p->scale, x, h, dy, n_tokens, *grads, dx, pool, drop);
    return;
  }
  if (dx != nullptr) ops::matmul_transposed_add(w, dy, w.n_out, n_tokens, dx, w.n_in, pool);
}

}  // namespace loco::train
