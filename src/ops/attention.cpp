#include "ops/attention.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "loco/quantize.h"
#include "ops/ops.h"

namespace loco::ops {
namespace {

float load(KvType type, const uint8_t* base, int32_t i) {
  if (type == KvType::F32) {
    float v;
    std::memcpy(&v, base + 4 * i, 4);
    return v;
  }
  uint16_t h;
  std::memcpy(&h, base + 2 * i, 2);
  return fp16_to_float(h);
}

}  // namespace

void store_kv(KvType type, const float* src, uint8_t* dst, int32_t n) {
  if (type == KvType::F32) {
    std::memcpy(dst, src, static_cast<size_t>(n) * 4);
    return;
  }
  for (int32_t i = 0; i < n; ++i) {
    uint16_t h = float_to_fp16(src[i]);
    std::memcpy(dst + 2 * i, &h, 2);
  }
}

void attend_head(const KvCache& kv, int32_t layer, int32_t seq, int32_t kv_head, int32_t n_pos,
                 const float* q, int32_t head_dim, float scale, float* scores, float* out) {
  const KvType type = kv.type();
  const int32_t row_bytes = head_dim * kv.element_bytes();
  const int32_t block = KvCache::kBlockSize;
  for (int32_t b0 = 0; b0 < n_pos; b0 += block) {
    const uint8_t* keys = kv.key_block(layer, seq, b0 / block, kv_head);
    const int32_t n = std::min(block, n_pos - b0);
    for (int32_t j = 0; j < n; ++j) {
      const uint8_t* k = keys + j * row_bytes;
      float dot = 0.0f;
      for (int32_t d = 0; d < head_dim; ++d) dot += q[d] * load(type, k, d);
      scores[b0 + j] = dot * scale;
    }
  }
  softmax(scores, n_pos);
  std::fill(out, out + head_dim, 0.0f);
  for (int32_t b0 = 0; b0 < n_pos; b0 += block) {
    const uint8_t* values = kv.value_block(layer, seq, b0 / block, kv_head);
    const int32_t n = std::min(block, n_pos - b0);
    for (int32_t j = 0; j < n; ++j) {
      const uint8_t* v = values + j * row_bytes;
      const float p = scores[b0 + j];
      for (int32_t d = 0; d < head_dim; ++d) out[d] += p * load(type, v, d);
    }
  }
}

}  // namespace loco::ops
