#include "ops/attention.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/kernels.h"
#include "loco/quantize.h"
#include "ops/ops.h"

namespace loco::ops {

void store_kv(KvType type, const float* src, uint8_t* dst, int32_t n) {
  if (type == KvType::F32) {
    std::memcpy(dst, src, static_cast<size_t>(n) * 4);
    return;
  }
  kernels::active_kernels().of(kv_ggml_type(type)).from_float(src, dst, n);
}

void attend_group(const KvCache& kv, int32_t layer, int32_t seq, int32_t kv_head, int32_t n_pos,
                  const float* q, int32_t group, int32_t head_dim, float scale, float* scratch,
                  float* out) {
  const kernels::KernelTable& k = kernels::active_kernels();
  const kernels::TypeKernels& f32 = k.of(GgmlType::F32);
  const kernels::TypeKernels& elem = k.of(kv_ggml_type(kv.type()));
  const int64_t row_bytes = kv.head_bytes();
  const int32_t block = KvCache::kBlockSize;
  float* scores = scratch;                            // [group][n_pos]
  float* row = scratch + static_cast<int64_t>(group) * n_pos;  // one key or value as floats

  for (int32_t b0 = 0; b0 < n_pos; b0 += block) {
    const uint8_t* keys = kv.key_block(layer, seq, b0 / block, kv_head);
    const int32_t n = std::min(block, n_pos - b0);
    for (int32_t j = 0; j < n; ++j) {
      elem.to_float(keys + j * row_bytes, row, head_dim);
      for (int32_t g = 0; g < group; ++g) {
        scores[static_cast<int64_t>(g) * n_pos + b0 + j] =
            f32.vec_dot(head_dim, row, q + static_cast<int64_t>(g) * head_dim) * scale;
      }
    }
  }
  for (int32_t g = 0; g < group; ++g) softmax(scores + static_cast<int64_t>(g) * n_pos, n_pos);

  std::fill(out, out + static_cast<int64_t>(group) * head_dim, 0.0f);
  for (int32_t b0 = 0; b0 < n_pos; b0 += block) {
    const uint8_t* values = kv.value_block(layer, seq, b0 / block, kv_head);
    const int32_t n = std::min(block, n_pos - b0);
    for (int32_t j = 0; j < n; ++j) {
      elem.to_float(values + j * row_bytes, row, head_dim);
      for (int32_t g = 0; g < group; ++g) {
        const float p = scores[static_cast<int64_t>(g) * n_pos + b0 + j];
        float* o = out + static_cast<int64_t>(g) * head_dim;
        for (int32_t d = 0; d < head_dim; ++d) o[d] += p * row[d];
      }
    }
  }
}

}  // namespace loco::ops
