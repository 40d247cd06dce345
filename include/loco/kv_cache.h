// The attention key/value cache, shared by several independent sequences.
//
// Positions are stored in blocks of kBlockSize from one pool; each sequence owns a list of
// blocks. fork() lets a sequence start as a copy of another by sharing its full blocks
// (reference-counted, copied on write), so N samples of one prompt keep one copy of it.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "loco/model.h"

namespace loco {

// Element type of cached keys and values. Q8_0 halves the memory of F16 at a small cost
// in fidelity; it needs a head dimension that is a multiple of 32.
enum class KvType { F32, F16, Q8_0 };
GgmlType kv_ggml_type(KvType type);

struct KvCacheOptions {
  int32_t n_ctx = 4096;         // most positions one sequence may hold
  int32_t n_seq = 1;            // sequences (slots) 0 .. n_seq-1
  int32_t n_ctx_total = 0;      // positions in the pool across sequences; 0 = n_ctx
  KvType type = KvType::F16;
};

class KvCache {
 public:
  static constexpr int32_t kBlockSize = 32;

  KvCache(const ModelConfig& config, const KvCacheOptions& options);

  int32_t n_seq() const { return n_seq_; }
  int32_t n_ctx() const { return n_ctx_; }
  KvType type() const { return type_; }
  // Bytes of one head's key or value vector.
  int64_t head_bytes() const { return head_bytes_; }
  int32_t length(int32_t seq) const;

  void clear(int32_t seq);
  void truncate(int32_t seq, int32_t length);
  // dst becomes a copy of src (full blocks shared, the partial last block copied).
  void fork(int32_t src, int32_t dst);

  // Extends seq by one position and returns it; throws Error when the sequence reached
  // n_ctx or the pool is exhausted.
  int32_t append(int32_t seq);

  // Storage of one head's key or value vector (head_dim elements of type()).
  uint8_t* key(int32_t layer, int32_t seq, int32_t pos, int32_t head);
  uint8_t* value(int32_t layer, int32_t seq, int32_t pos, int32_t head);
  const uint8_t* key(int32_t layer, int32_t seq, int32_t pos, int32_t head) const;
  const uint8_t* value(int32_t layer, int32_t seq, int32_t pos, int32_t head) const;
  // Keys of positions [block_index * kBlockSize, ...) are contiguous per head.
  const uint8_t* key_block(int32_t layer, int32_t seq, int32_t block_index, int32_t head) const;
  const uint8_t* value_block(int32_t layer, int32_t seq, int32_t block_index, int32_t head) const;

  int32_t blocks_in_use() const;
  int32_t n_blocks_total() const { return n_blocks_; }
  uint64_t bytes_reserved() const { return pool_bytes_; }

 private:
  struct Sequence {
    std::vector<int32_t> blocks;
    int32_t length = 0;
  };
  int32_t allocate_block();
  void release_block(int32_t block);
  void copy_block(int32_t from, int32_t to);
  uint64_t offset(int32_t layer, int32_t block, int32_t head, int32_t slot) const;
  void check_seq(int32_t seq) const;

  int32_t n_layer_, n_head_kv_, head_dim_;
  int32_t n_ctx_, n_seq_, n_blocks_;
  KvType type_;
  int64_t head_bytes_ = 0;
  uint64_t layer_stride_ = 0;  // bytes of one layer's keys (or values) over all blocks
  uint64_t pool_bytes_ = 0;
  std::unique_ptr<uint8_t[]> keys_, values_;  // left uninitialised: pages are touched on use
  std::vector<int32_t> refs_;
  std::vector<int32_t> free_blocks_;
  std::vector<Sequence> seqs_;
};

}  // namespace loco
