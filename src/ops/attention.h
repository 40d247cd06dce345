// Causal attention of one query head over a sequence's cached keys and values.
#pragma once

#include <cstdint>

#include "loco/kv_cache.h"

namespace loco::ops {

// out (head_dim floats) = softmax(q · K[0..n_pos) * scale) · V[0..n_pos), reading the keys
// and values of `kv_head` of `seq` in `layer`. `scores` has room for n_pos floats.
void attend_head(const KvCache& kv, int32_t layer, int32_t seq, int32_t kv_head, int32_t n_pos,
                 const float* q, int32_t head_dim, float scale, float* scores, float* out);

// Converts a head vector to the cache's element type.
void store_kv(KvType type, const float* src, uint8_t* dst, int32_t n);

}  // namespace loco::ops
