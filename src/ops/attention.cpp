#include "ops/attention.h"

#include <algorithm>
#include <cstring>

#include "kernels/kernels.h"

namespace loco::ops {

void store_kv(KvType type, const float* src, uint8_t* dst, int32_t n) {
  if (type == KvType::F32) {
    std::memcpy(dst, src, static_cast<size_t>(n) * 4);
    return;
  }
  kernels::active_kernels().of(kv_ggml_type(type)).from_float(src, dst, n);
}

namespace {

// Cached rows are plain arrays of the element type, at multiples of their own size in
// the cache's allocation, so aligned for it.
const uint16_t* as_half(const uint8_t* p) { return reinterpret_cast<const uint16_t*>(p); }
const float* as_float(const uint8_t* p) { return reinterpret_cast<const float*>(p); }

}  // namespace

void attend_group(const KvCache& kv, int32_t layer, int32_t seq, int32_t kv_head, int32_t n_pos,
                  const float* q, int32_t group, int32_t head_dim, float scale, float* scratch,
                  float* out) {
  const kernels::KernelTable& k = kernels::active_kernels();
  const kernels::RowKernels& rows = k.rows;
  const KvType type = kv.type();
  const kernels::TypeKernels& elem = k.of(kv_ggml_type(type));
  const int64_t row_bytes = kv.head_bytes();
  const int32_t block = KvCache::kBlockSize;
  float* scores = scratch;                                      // [group][n_pos]
  float* row = scratch + static_cast<int64_t>(group) * n_pos;  // a Q8_0 row as floats
  // A cached row as floats, for the types that are not float16.
  auto floats = [&](const uint8_t* cached) {
    if (type == KvType::F32) return as_float(cached);
    elem.to_float(cached, row, head_dim);
    return static_cast<const float*>(row);
  };

  // scores[g][p] = q[g] · key[p] · scale
  for (int32_t b0 = 0; b0 < n_pos; b0 += block) {
    const uint8_t* keys = kv.key_block(layer, seq, b0 / block, kv_head);
    const int32_t n = std::min(block, n_pos - b0);
    if (type == KvType::F16) {
      rows.dot_f16_rows(head_dim, as_half(keys), row_bytes / 2, n, q, group, scale, scores + b0, n_pos);
      continue;
    }
    for (int32_t j = 0; j < n; ++j) {
      const float* kf = floats(keys + j * row_bytes);
      float* s = scores + b0 + j;
      for (int32_t g = 0; g < group; ++g) {
        s[static_cast<int64_t>(g) * n_pos] = rows.dot_f32(head_dim, kf, q + static_cast<int64_t>(g) * head_dim) * scale;
      }
    }
  }
  for (int32_t g = 0; g < group; ++g) rows.softmax(scores + static_cast<int64_t>(g) * n_pos, n_pos);

  // out[g] = Σ_p scores[g][p] · value[p]
  std::fill(out, out + static_cast<int64_t>(group) * head_dim, 0.0f);
  for (int32_t b0 = 0; b0 < n_pos; b0 += block) {
    const uint8_t* values = kv.value_block(layer, seq, b0 / block, kv_head);
    const int32_t n = std::min(block, n_pos - b0);
    if (type == KvType::F16) {
      rows.axpy_f16_rows(head_dim, as_half(values), row_bytes / 2, n, scores + b0, n_pos, group, out);
      continue;
    }
    for (int32_t j = 0; j < n; ++j) {
      const float* vf = floats(values + j * row_bytes);
      const float* p = scores + b0 + j;
      for (int32_t g = 0; g < group; ++g) {
        rows.axpy_f32(head_dim, p[static_cast<int64_t>(g) * n_pos], vf, out + static_cast<int64_t>(g) * head_dim);
      }
    }
  }
}

}  // namespace loco::ops
