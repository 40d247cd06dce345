#include "loco/kv_cache.h"

#include <fmt/format.h>

#include <cstring>

#include "loco/error.h"

namespace loco {

GgmlType kv_ggml_type(KvType type) {
  switch (type) {
    case KvType::F32: return GgmlType::F32;
    case KvType::F16: return GgmlType::F16;
    case KvType::Q8_0: return GgmlType::Q8_0;
  }
  return GgmlType::F16;
}

KvCache::KvCache(const ModelConfig& config, const KvCacheOptions& options)
    : n_layer_(config.n_layer),
      n_head_kv_(config.n_head_kv),
      head_dim_(config.head_dim),
      n_ctx_(options.n_ctx),
      n_seq_(options.n_seq),
      type_(options.type) {
  if (n_ctx_ < 1 || n_seq_ < 1 || n_seq_ > 4096) {
    throw Error(fmt::format("invalid KV cache size: context {}, sequences {}", n_ctx_, n_seq_));
  }
  if (type_ == KvType::Q8_0 && head_dim_ % 32 != 0) {
    throw Error(fmt::format("a Q8_0 KV cache needs a head dimension that is a multiple of 32, not {}", head_dim_));
  }
  head_bytes_ = row_bytes(kv_ggml_type(type_), head_dim_);
  int64_t total = options.n_ctx_total > 0 ? options.n_ctx_total : n_ctx_;
  if (total < n_ctx_) total = n_ctx_;
  n_blocks_ = static_cast<int32_t>((total + kBlockSize - 1) / kBlockSize);
  const uint64_t head_bytes = static_cast<uint64_t>(head_bytes_);
  layer_stride_ = static_cast<uint64_t>(n_blocks_) * static_cast<uint64_t>(n_head_kv_) *
                  kBlockSize * head_bytes;
  pool_bytes_ = 2 * layer_stride_ * static_cast<uint64_t>(n_layer_);
  try {
    keys_.reset(new uint8_t[layer_stride_ * static_cast<uint64_t>(n_layer_)]);
    values_.reset(new uint8_t[layer_stride_ * static_cast<uint64_t>(n_layer_)]);
  } catch (const std::bad_alloc&) {
    throw Error(fmt::format("cannot allocate a KV cache of {:.1f} MiB for {} positions; "
                            "lower the context size",
                            static_cast<double>(pool_bytes_) / (1 << 20), total));
  }
  refs_.assign(static_cast<size_t>(n_blocks_), 0);
  free_blocks_.reserve(static_cast<size_t>(n_blocks_));
  for (int32_t b = n_blocks_ - 1; b >= 0; --b) free_blocks_.push_back(b);
  seqs_.resize(static_cast<size_t>(n_seq_));
}

void KvCache::check_seq(int32_t seq) const {
  if (seq < 0 || seq >= n_seq_) {
    throw Error(fmt::format("sequence {} does not exist (the cache holds {})", seq, n_seq_));
  }
}

int32_t KvCache::length(int32_t seq) const {
  check_seq(seq);
  return seqs_[static_cast<size_t>(seq)].length;
}

int32_t KvCache::allocate_block() {
  if (free_blocks_.empty()) {
    throw Error(fmt::format("KV cache full: all {} positions are in use; raise the context size",
                            n_blocks_ * kBlockSize));
  }
  int32_t b = free_blocks_.back();
  free_blocks_.pop_back();
  refs_[static_cast<size_t>(b)] = 1;
  return b;
}

void KvCache::release_block(int32_t block) {
  if (--refs_[static_cast<size_t>(block)] == 0) free_blocks_.push_back(block);
}

uint64_t KvCache::offset(int32_t layer, int32_t block, int32_t head, int32_t slot) const {
  const uint64_t head_bytes = static_cast<uint64_t>(head_bytes_);
  return static_cast<uint64_t>(layer) * layer_stride_ +
         ((static_cast<uint64_t>(block) * static_cast<uint64_t>(n_head_kv_) +
           static_cast<uint64_t>(head)) * kBlockSize + static_cast<uint64_t>(slot)) * head_bytes;
}

void KvCache::copy_block(int32_t from, int32_t to) {
  const uint64_t bytes = offset(0, 1, 0, 0);  // one block, all heads, one layer
  for (int32_t l = 0; l < n_layer_; ++l) {
    std::memcpy(keys_.get() + offset(l, to, 0, 0), keys_.get() + offset(l, from, 0, 0), bytes);
    std::memcpy(values_.get() + offset(l, to, 0, 0), values_.get() + offset(l, from, 0, 0), bytes);
  }
}

void KvCache::clear(int32_t seq) { truncate(seq, 0); }

void KvCache::truncate(int32_t seq, int32_t length) {
  check_seq(seq);
  Sequence& s = seqs_[static_cast<size_t>(seq)];
  if (length < 0 || length > s.length) {
    throw Error(fmt::format("cannot truncate sequence {} of length {} to {}", seq, s.length, length));
  }
  const size_t keep = static_cast<size_t>((length + kBlockSize - 1) / kBlockSize);
  while (s.blocks.size() > keep) {
    release_block(s.blocks.back());
    s.blocks.pop_back();
  }
  s.length = length;
}

void KvCache::fork(int32_t src, int32_t dst) {
  check_seq(src);
  check_seq(dst);
  if (src == dst) return;
  clear(dst);
  const Sequence& from = seqs_[static_cast<size_t>(src)];
  Sequence& to = seqs_[static_cast<size_t>(dst)];
  const size_t full = static_cast<size_t>(from.length / kBlockSize);
  for (size_t i = 0; i < from.blocks.size(); ++i) {
    int32_t b = from.blocks[i];
    if (i < full) {
      ++refs_[static_cast<size_t>(b)];
      to.blocks.push_back(b);
    } else {  // the partial last block will be written by both: give dst its own copy
      int32_t copy = allocate_block();
      copy_block(b, copy);
      to.blocks.push_back(copy);
    }
  }
  to.length = from.length;
}

int32_t KvCache::append(int32_t seq) {
  check_seq(seq);
  Sequence& s = seqs_[static_cast<size_t>(seq)];
  if (s.length >= n_ctx_) {
    throw Error(fmt::format("context full: sequence {} reached the context limit of {} tokens",
                            seq, n_ctx_));
  }
  const int32_t pos = s.length;
  const size_t block_index = static_cast<size_t>(pos / kBlockSize);
  if (block_index == s.blocks.size()) {
    s.blocks.push_back(allocate_block());
  } else if (refs_[static_cast<size_t>(s.blocks[block_index])] > 1) {
    // Writing into a shared block (after a truncate): copy it first.
    int32_t copy = allocate_block();
    copy_block(s.blocks[block_index], copy);
    release_block(s.blocks[block_index]);
    s.blocks[block_index] = copy;
  }
  s.length = pos + 1;
  return pos;
}

uint8_t* KvCache::key(int32_t layer, int32_t seq, int32_t pos, int32_t head) {
  const Sequence& s = seqs_[static_cast<size_t>(seq)];
  return keys_.get() + offset(layer, s.blocks[static_cast<size_t>(pos / kBlockSize)], head,
                              pos % kBlockSize);
}
uint8_t* KvCache::value(int32_t layer, int32_t seq, int32_t pos, int32_t head) {
  const Sequence& s = seqs_[static_cast<size_t>(seq)];
  return values_.get() + offset(layer, s.blocks[static_cast<size_t>(pos / kBlockSize)], head,
                                pos % kBlockSize);
}
const uint8_t* KvCache::key(int32_t layer, int32_t seq, int32_t pos, int32_t head) const {
  return const_cast<KvCache*>(this)->key(layer, seq, pos, head);
}
const uint8_t* KvCache::value(int32_t layer, int32_t seq, int32_t pos, int32_t head) const {
  return const_cast<KvCache*>(this)->value(layer, seq, pos, head);
}
const uint8_t* KvCache::key_block(int32_t layer, int32_t seq, int32_t block_index,
                                  int32_t head) const {
  const Sequence& s = seqs_[static_cast<size_t>(seq)];
  return keys_.get() + offset(layer, s.blocks[static_cast<size_t>(block_index)], head, 0);
}
const uint8_t* KvCache::value_block(int32_t layer, int32_t seq, int32_t block_index,
                                    int32_t head) const {
  const Sequence& s = seqs_[static_cast<size_t>(seq)];
  return values_.get() + offset(layer, s.blocks[static_cast<size_t>(block_index)], head, 0);
}

int32_t KvCache::blocks_in_use() const {
  return n_blocks_ - static_cast<int32_t>(free_blocks_.size());
}

}  // namespace loco
