// Causal attention over a sequence's cached keys and values.
#pragma once

#include <cstdint>

#include "loco/kv_cache.h"

namespace loco::ops {

// Attention of the `group` query heads that share key/value head `kv_head` (grouped-query
// attention): each key and value row is read once and used for all of them.
//   out[g] (head_dim floats) = softmax(q[g] · K[0..n_pos) * scale) · V[0..n_pos)
// q and out hold the group's heads one after another. `scratch` has room for
// group * n_pos + 2 * head_dim floats.
void attend_group(const KvCache& kv, int32_t layer, int32_t seq, int32_t kv_head, int32_t n_pos,
                  const float* q, int32_t group, int32_t head_dim, float scale, float* scratch,
                  float* out);

// Converts a head vector to the cache's element type.
void store_kv(KvType type, const float* src, uint8_t* dst, int32_t n);

}  // namespace loco::ops
