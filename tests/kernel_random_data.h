// Random kernel inputs shared by the SIMD tests (tests/kernels_simd_test.cpp) and the
// cross-built NEON checker (tests/neon/neon_kernels_check.cpp, which cannot use
// GoogleTest): weight rows of every type with finite scales, activations in each format
// with their exact values, and the float rounding a dot product may differ by.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "kernels/kernels.h"
#include "loco/ggml_type.h"
#include "loco/model.h"
#include "tensor/blocks.h"
#include "tensor/fp16.h"

namespace loco::kernel_test {

using kernels::ActFormat;
using kernels::KernelTable;
using kernels::TypeKernels;

struct Rng {
  uint64_t state;
  uint32_t next() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(state >> 32);
  }
  float uniform() { return (static_cast<float>(next() >> 8) + 0.5f) / 16777216.0f; }
  float normal() {
    const float u = uniform();
    const float v = uniform();
    return std::sqrt(-2.0f * std::log(u)) * std::cos(6.2831853f * v);
  }
};

// Random weight rows.

// Where the float16 scale fields of a block type are: `d` always, `second` (dmin or m,
// the offset part) for the types that have one.
struct Layout {
  GgmlType type;
  int d;
  int second;  // -1: none
};

constexpr Layout kQuantLayouts[] = {
    {GgmlType::Q8_0, 0, -1}, {GgmlType::Q4_0, 0, -1}, {GgmlType::Q4_1, 0, 2},
    {GgmlType::Q5_0, 0, -1}, {GgmlType::Q5_1, 0, 2},  {GgmlType::Q2_K, 80, 82},
    {GgmlType::Q3_K, 108, -1}, {GgmlType::Q4_K, 0, 2}, {GgmlType::Q5_K, 0, 2},
    {GgmlType::Q6_K, 208, -1},
};

inline bool is_float_type(GgmlType t) { return t == GgmlType::F32 || t == GgmlType::F16 || t == GgmlType::BF16; }

inline const Layout& layout_of(GgmlType type) {
  for (const Layout& l : kQuantLayouts) {
    if (l.type == type) return l;
  }
  throw std::logic_error("no layout");
}

inline void put_half(uint8_t* p, float v) {
  const uint16_t h = float_to_half(v);
  std::memcpy(p, &h, 2);
}

// Quantized blocks: random bytes everywhere (every level, scale and high-bit pattern,
// including the extremes such as -128 scales), with finite random scale fields.
// Float types: random normal values. `rows` rows of n values, `stride` bytes apart.
inline std::vector<uint8_t> random_rows(Rng& rng, GgmlType type, int64_t n, int64_t rows, int64_t stride) {
  std::vector<uint8_t> bytes(static_cast<size_t>(stride * rows));
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng.next());
  const TypeInfo& info = type_info(type);
  for (int64_t r = 0; r < rows; ++r) {
    uint8_t* row = bytes.data() + r * stride;
    if (is_float_type(type)) {
      for (int64_t i = 0; i < n; ++i) {
        const float v = rng.normal() * 0.1f;
        if (type == GgmlType::F32) std::memcpy(row + 4 * i, &v, 4);
        if (type == GgmlType::F16) put_half(row + 2 * i, v);
        if (type == GgmlType::BF16) {
          const uint16_t h = float_to_bf16_bits(v);
          std::memcpy(row + 2 * i, &h, 2);
        }
      }
      continue;
    }
    const Layout& l = layout_of(type);
    for (int64_t b = 0; b < n / info.block_size; ++b) {
      uint8_t* block = row + b * info.type_size;
      put_half(block + l.d, (rng.uniform() - 0.3f) * 0.01f);
      if (l.second >= 0) put_half(block + l.second, (rng.uniform() - 0.3f) * 0.02f);
    }
  }
  return bytes;
}

// The main and offset parts of each weight of a row (offset all zero for one-scale types).
inline void weight_parts(GgmlType type, const uint8_t* row, int64_t n, std::vector<float>& main,
                  std::vector<float>& offset) {
  const TypeKernels& ref = kernels::ref_kernels().of(type);
  main.assign(static_cast<size_t>(n), 0.0f);
  offset.assign(static_cast<size_t>(n), 0.0f);
  if (is_float_type(type) || layout_of(type).second < 0) {
    ref.to_float(row, main.data(), n);
    return;
  }
  const TypeInfo& info = type_info(type);
  const Layout& l = layout_of(type);
  std::vector<uint8_t> copy(row, row + row_bytes(type, n));
  for (int64_t b = 0; b < n / info.block_size; ++b) put_half(copy.data() + b * info.type_size + l.second, 0.0f);
  ref.to_float(copy.data(), main.data(), n);
  copy.assign(row, row + row_bytes(type, n));
  for (int64_t b = 0; b < n / info.block_size; ++b) put_half(copy.data() + b * info.type_size + l.d, 0.0f);
  ref.to_float(copy.data(), offset.data(), n);
}

// Activations.

// `tokens` activation rows of n values in the type's format, `stride` bytes apart,
// and their dequantized values.
struct Acts {
  std::vector<uint8_t> bytes;
  std::vector<std::vector<float>> values;
  int64_t stride;
};

inline Acts random_acts(Rng& rng, ActFormat format, int64_t n, int64_t tokens) {
  Acts a;
  a.stride = kernels::act_bytes(format, n) + 8;  // padded: the stride must be honoured
  a.bytes.assign(static_cast<size_t>(a.stride * tokens), 0xA5);
  const KernelTable& ref = kernels::ref_kernels();
  for (int64_t t = 0; t < tokens; ++t) {
    std::vector<float> x(static_cast<size_t>(n));
    for (float& v : x) v = rng.normal() * (0.5f + rng.uniform());
    uint8_t* dst = a.bytes.data() + t * a.stride;
    std::vector<float> values(static_cast<size_t>(n));
    switch (format) {
      case ActFormat::F32:
        std::memcpy(dst, x.data(), x.size() * 4);
        values = x;
        break;
      case ActFormat::Q8A: {
        ref.quantize_q8a(x.data(), dst, n);
        const auto* blocks = reinterpret_cast<const BlockQ8A*>(dst);
        for (int64_t i = 0; i < n; ++i) values[i] = blocks[i / kQK].d * blocks[i / kQK].qs[i % kQK];
        break;
      }
      case ActFormat::Q8K: {
        ref.quantize_q8k(x.data(), dst, n);
        const auto* blocks = reinterpret_cast<const BlockQ8K*>(dst);
        for (int64_t i = 0; i < n; ++i) values[i] = blocks[i / kQK_K].d * blocks[i / kQK_K].qs[i % kQK_K];
        break;
      }
    }
    a.values.push_back(values);
  }
  return a;
}

// The float rounding allowed for one dot product: 1e-5 of M, the scale of the terms summed (see tests/kernels_simd_test.cpp).
inline double tolerance(const std::vector<float>& main, const std::vector<float>& offset,
                 const std::vector<float>& act) {
  double m = 0.0;
  for (size_t i = 0; i < act.size(); ++i) {
    m += (std::fabs(static_cast<double>(main[i])) + std::fabs(static_cast<double>(offset[i]))) * std::fabs(act[i]);
  }
  return 1e-5 * m + 1e-30;
}

// A weight matrix of random rows (random_rows) with the Matrix view the ops take.
struct RandomMatrix {
  std::vector<uint8_t> bytes;
  Matrix m;
};

inline RandomMatrix random_matrix(Rng& rng, GgmlType type, int64_t n_in, int64_t n_out) {
  RandomMatrix r;
  const int64_t stride = row_bytes(type, n_in);
  r.bytes = random_rows(rng, type, n_in, n_out, stride);
  r.m.type = type;
  r.m.n_in = n_in;
  r.m.n_out = n_out;
  r.m.row_bytes = stride;
  r.m.data = r.bytes.data();
  return r;
}

}  // namespace loco::kernel_test
