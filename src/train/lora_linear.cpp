#include "train/lora_linear.h"

#include "kernels/kernels.h"
#include "loco/error.h"
#include "ops/matmul.h"
#include "ops/matmul_transposed.h"

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

}  // namespace

void lora_linear_forward(const Matrix& w, const LoraParams& p, float scale, const float* x, int64_t n_tokens,
                         float* y, float* h, ThreadPool& pool) {
  check_shapes(w, p);
  ops::Activations acts;
  acts.reset(x, n_tokens, w.n_in, w.n_in);
  ops::matmul(w, acts, y, w.n_out, pool);
  const kernels::RowKernels& k = kernels::active_kernels().rows;
  for (int64_t t = 0; t < n_tokens; ++t) {
    const float* xt = x + t * p.n_in;
    float* ht = h + t * p.rank;
    for (int64_t j = 0; j < p.rank; ++j) ht[j] = k.dot_f32(p.n_in, p.a.data() + j * p.n_in, xt);
    float* yt = y + t * p.n_out;
    for (int64_t o = 0; o < p.n_out; ++o) yt[o] += scale * k.dot_f32(p.rank, p.b.data() + o * p.rank, ht);
  }
}

void lora_linear_backward(const Matrix& w, const LoraParams& p, float scale, const float* x, const float* h,
                          const float* dy, int64_t n_tokens, LoraGrads& grads, float* dx, ThreadPool& pool) {
  check_shapes(w, p);
  const kernels::RowKernels& k = kernels::active_kernels().rows;
  std::vector<float> dh(static_cast<size_t>(p.rank));
  for (int64_t t = 0; t < n_tokens; ++t) {
    const float* dyt = dy + t * p.n_out;
    const float* ht = h + t * p.rank;
    const float* xt = x + t * p.n_in;
    // dB[o][j] += s·dy[o]·h[j];  dh[j] = s·Σ_o B[o][j]·dy[o]
    std::fill(dh.begin(), dh.end(), 0.0f);
    for (int64_t o = 0; o < p.n_out; ++o) {
      k.axpy_f32(p.rank, scale * dyt[o], ht, grads.b.data() + o * p.rank);
      k.axpy_f32(p.rank, scale * dyt[o], p.b.data() + o * p.rank, dh.data());
    }
    // dA[j][i] += dh[j]·x[i];  dx[i] += Σ_j A[j][i]·dh[j]
    for (int64_t j = 0; j < p.rank; ++j) {
      k.axpy_f32(p.n_in, dh[static_cast<size_t>(j)], xt, grads.a.data() + j * p.n_in);
      if (dx != nullptr) k.axpy_f32(p.n_in, dh[static_cast<size_t>(j)], p.a.data() + j * p.n_in, dx + t * p.n_in);
    }
  }
  if (dx != nullptr) ops::matmul_transposed_add(w, dy, p.n_out, n_tokens, dx, p.n_in, pool);
}

}  // namespace loco::train
