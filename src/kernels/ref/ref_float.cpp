// Reference kernels of the float formats F32, F16 and BF16. Their activations stay
// float32; dot products accumulate in double so the reference carries no noticeable
// rounding of its own.
#include <cstring>

#include "kernels/ref/ref.h"
#include "tensor/fp16.h"

namespace loco::kernels::ref {

void dequantize_f32(const void* src, float* dst, int64_t n) {
  std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
}

void quantize_f32(const float* src, void* dst, int64_t n) {
  std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
}

float vec_dot_f32(int64_t n, const void* w, const void* act) {
  const auto* x = static_cast<const float*>(w);
  const auto* y = static_cast<const float*>(act);
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i]) * y[i];
  return static_cast<float>(sum);
}

void dequantize_f16(const void* src, float* dst, int64_t n) {
  const auto* h = static_cast<const uint16_t*>(src);
  for (int64_t i = 0; i < n; ++i) dst[i] = half_to_float(h[i]);
}

void quantize_f16(const float* src, void* dst, int64_t n) {
  auto* h = static_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; ++i) h[i] = float_to_half(src[i]);
}

float vec_dot_f16(int64_t n, const void* w, const void* act) {
  const auto* h = static_cast<const uint16_t*>(w);
  const auto* y = static_cast<const float*>(act);
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(half_to_float(h[i])) * y[i];
  return static_cast<float>(sum);
}

void dequantize_bf16(const void* src, float* dst, int64_t n) {
  const auto* h = static_cast<const uint16_t*>(src);
  for (int64_t i = 0; i < n; ++i) dst[i] = bf16_bits_to_float(h[i]);
}

void quantize_bf16(const float* src, void* dst, int64_t n) {
  auto* h = static_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; ++i) h[i] = float_to_bf16_bits(src[i]);
}

float vec_dot_bf16(int64_t n, const void* w, const void* act) {
  const auto* h = static_cast<const uint16_t*>(w);
  const auto* y = static_cast<const float*>(act);
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(bf16_bits_to_float(h[i])) * y[i];
  return static_cast<float>(sum);
}

}  // namespace loco::kernels::ref
