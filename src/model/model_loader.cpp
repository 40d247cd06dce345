// Reads a model's configuration from GGUF metadata and binds its tensors, checking every
// shape against the configuration so that an inconsistent file fails at load, by name.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

#include "kernels/kernels.h"
#include "loco/error.h"
#include "loco/model.h"
#include "loco/quantize.h"
#include "model/arch.h"
#include "tensor/blocks.h"

namespace loco {
namespace {

int32_t bounded(const GgufFile& file, const std::string& key, uint64_t value, uint64_t lo,
                uint64_t hi) {
  if (value < lo || value > hi) {
    throw FormatError(fmt::format("{}: metadata '{}' = {} is outside the plausible range {}..{}",
                                  file.path(), key, value, lo, hi));
  }
  return static_cast<int32_t>(value);
}

class TensorBinder {
 public:
  TensorBinder(const GgufFile& file, const ModelConfig& config) : file_(file), config_(config) {}

  const GgufTensor* find(const std::string& name) const { return file_.find_tensor(name); }

  const GgufTensor& require(const std::string& name) const {
    const GgufTensor* t = find(name);
    if (t == nullptr) {
      throw FormatError(fmt::format("{}: missing tensor '{}' required by architecture {}",
                                    file_.path(), name, config_.arch_name));
    }
    return *t;
  }

  void check_shape(const GgufTensor& t, std::initializer_list<int64_t> expected) const {
    bool ok = static_cast<size_t>(t.n_dims) == expected.size();
    int d = 0;
    for (int64_t e : expected) {
      if (ok && t.ne[d] != e) ok = false;
      ++d;
    }
    if (!ok) {
      std::string want = "[";
      for (int64_t e : expected) want += (want.size() > 1 ? ", " : "") + std::to_string(e);
      want += "]";
      throw FormatError(fmt::format(
          "{}: tensor '{}' has shape {}, but the metadata implies {} (metadata and tensors "
          "disagree)",
          file_.path(), t.name, t.shape_string(), want));
    }
  }

  Matrix matrix(const std::string& name, int64_t n_in, int64_t n_out) const {
    return bind_matrix(require(name), n_in, n_out);
  }

  Matrix bind_matrix(const GgufTensor& t, int64_t n_in, int64_t n_out) const {
    check_shape(t, {n_in, n_out});
    const TypeInfo& info = type_info(t.type);
    if (!info.computable || kernels::ref_kernels().of(t.type).vec_dot == nullptr) {
      throw UnsupportedError(fmt::format(
          "{}: tensor '{}' has type {}, which loco cannot compute with (supported: F32, F16, "
          "BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K)",
          file_.path(), t.name, info.name));
    }
    Matrix m;
    m.tensor = &t;
    m.type = t.type;
    m.n_in = n_in;
    m.n_out = n_out;
    m.row_bytes = row_bytes(t.type, n_in);
    m.data = t.data;
    return m;
  }

  // Small vectors (norm weights, biases) are converted to float once.
  std::vector<float> vector(const std::string& name, int64_t n) const {
    return to_floats(require(name), n);
  }
  std::vector<float> optional_vector(const std::string& name, int64_t n) const {
    const GgufTensor* t = find(name);
    return t == nullptr ? std::vector<float>{} : to_floats(*t, n);
  }

 private:
  std::vector<float> to_floats(const GgufTensor& t, int64_t n) const {
    check_shape(t, {n});
    const TypeInfo& info = type_info(t.type);
    if (!info.computable || kernels::ref_kernels().of(t.type).to_float == nullptr) {
      throw UnsupportedError(fmt::format("{}: tensor '{}' has unsupported type {}", file_.path(),
                                         t.name, info.name));
    }
    std::vector<float> out(static_cast<size_t>(n));
    dequantize_row(t.type, t.data, out.data(), n);
    for (float v : out) {
      if (!std::isfinite(v)) {
        throw FormatError(
            fmt::format("{}: tensor '{}' holds a non-finite value", file_.path(), t.name));
      }
    }
    return out;
  }

  const GgufFile& file_;
  const ModelConfig& config_;
};

}  // namespace

ModelConfig read_model_config(const GgufFile& file) {
  ModelConfig c;
  c.arch_name = file.get_string("general.architecture");
  const ArchSpec* spec = find_arch(c.arch_name);
  if (spec == nullptr) {
    throw UnsupportedError(fmt::format("{}: architecture '{}' is not supported (supported: {})",
                                       file.path(), c.arch_name, supported_arch_names()));
  }
  c.arch = spec->arch;
  c.rope_style = spec->rope_style;
  c.has_qk_norm = spec->qk_norm;
  c.name = file.optional_string("general.name").value_or("");

  const std::string a = c.arch_name + ".";
  auto key = [&](const char* suffix) { return a + suffix; };
  c.n_embd = bounded(file, key("embedding_length"), file.get_uint(key("embedding_length")), 1, 65536);
  c.n_layer = bounded(file, key("block_count"), file.get_uint(key("block_count")), 1, 1024);
  c.n_ff = bounded(file, key("feed_forward_length"), file.get_uint(key("feed_forward_length")), 1,
                   1 << 20);
  c.n_head = bounded(file, key("attention.head_count"), file.get_uint(key("attention.head_count")),
                     1, 1024);
  c.n_head_kv = bounded(file, key("attention.head_count_kv"),
                        file.optional_uint(key("attention.head_count_kv")).value_or(c.n_head), 1,
                        1024);
  if (c.n_head % c.n_head_kv != 0) {
    throw FormatError(fmt::format("{}: head_count {} is not a multiple of head_count_kv {}",
                                  file.path(), c.n_head, c.n_head_kv));
  }
  uint64_t default_head_dim = static_cast<uint64_t>(c.n_embd / c.n_head);
  c.head_dim = bounded(file, key("attention.key_length"),
                       file.optional_uint(key("attention.key_length")).value_or(default_head_dim),
                       2, 1024);
  if (c.head_dim % 2 != 0) {
    throw FormatError(fmt::format("{}: head dimension {} is odd; rope needs pairs", file.path(),
                                  c.head_dim));
  }
  if (auto v = file.optional_uint(key("attention.value_length")); v && *v != uint64_t(c.head_dim)) {
    throw UnsupportedError(fmt::format("{}: value_length {} differs from key_length {}",
                                       file.path(), *v, c.head_dim));
  }
  if (auto rope_dims = file.optional_uint(key("rope.dimension_count"));
      rope_dims && *rope_dims != uint64_t(c.head_dim)) {
    throw UnsupportedError(fmt::format(
        "{}: partial rope ({} of {} head dimensions) is not supported", file.path(), *rope_dims,
        c.head_dim));
  }
  c.n_ctx_train = bounded(file, key("context_length"),
                          file.optional_uint(key("context_length")).value_or(4096), 1, 1 << 24);
  c.rms_eps = static_cast<float>(
      file.optional_float(key("attention.layer_norm_rms_epsilon")).value_or(1e-6));
  c.rope_base = static_cast<float>(file.optional_float(key("rope.freq_base")).value_or(10000.0));
  if (!(c.rms_eps > 0 && c.rms_eps < 1) || !(c.rope_base > 1)) {
    throw FormatError(fmt::format("{}: implausible rms epsilon {} or rope base {}", file.path(),
                                  c.rms_eps, c.rope_base));
  }

  std::string scaling = file.optional_string(key("rope.scaling.type")).value_or("none");
  double factor = file.optional_float(key("rope.scaling.factor")).value_or(1.0);
  if (scaling == "linear" && factor > 0) {
    c.rope_freq_scale = static_cast<float>(1.0 / factor);
  } else if (scaling != "none" && !(scaling == "yarn" && factor <= 1.0)) {
    throw UnsupportedError(fmt::format("{}: rope scaling '{}' (factor {}) is not supported",
                                       file.path(), scaling, factor));
  }
  if (auto scale = file.optional_float(key("rope.scale_linear")); scale && *scale > 0) {
    c.rope_freq_scale = static_cast<float>(1.0 / *scale);
  }

  const GgufTensor* embd = file.find_tensor("token_embd.weight");
  if (embd == nullptr) {
    throw FormatError(file.path() + ": missing tensor 'token_embd.weight'");
  }
  if (embd->n_dims != 2 || embd->ne[0] != c.n_embd) {
    throw FormatError(fmt::format("{}: tensor 'token_embd.weight' has shape {}, expected [{}, n_vocab]",
                                  file.path(), embd->shape_string(), c.n_embd));
  }
  c.n_vocab = static_cast<int32_t>(embd->ne[1]);
  c.tied_embeddings = file.find_tensor("output.weight") == nullptr;
  c.has_qkv_bias = spec->qkv_bias_required || file.find_tensor("blk.0.attn_q.bias") != nullptr;
  return c;
}

std::shared_ptr<const Model> Model::load(const std::string& path) {
  return from_gguf(GgufFile::open(path));
}

std::shared_ptr<const Model> Model::from_gguf(GgufFile file) {
  std::shared_ptr<Model> model(new Model(std::move(file)));
  const GgufFile& f = model->file_;
  ModelConfig& c = model->config_;
  if (auto type = f.optional_string("general.type"); type && *type == "adapter") {
    throw Error(f.path() + ": this is a LoRA adapter, not a model; pass it with --lora");
  }
  c = read_model_config(f);

  TensorBinder bind(f, c);
  ModelWeights& w = model->weights_;
  w.token_embd = bind.matrix("token_embd.weight", c.n_embd, c.n_vocab);
  w.output_norm = bind.vector("output_norm.weight", c.n_embd);
  w.output = c.tied_embeddings ? w.token_embd : bind.matrix("output.weight", c.n_embd, c.n_vocab);
  w.rope_freq_factors = bind.optional_vector("rope_freqs.weight", c.head_dim / 2);

  w.layers.resize(static_cast<size_t>(c.n_layer));
  for (int il = 0; il < c.n_layer; ++il) {
    LayerWeights& l = w.layers[static_cast<size_t>(il)];
    auto name = [il](const char* suffix) { return fmt::format("blk.{}.{}", il, suffix); };
    l.attn_norm = bind.vector(name("attn_norm.weight"), c.n_embd);
    l.wq = bind.matrix(name("attn_q.weight"), c.n_embd, c.q_dim());
    l.wk = bind.matrix(name("attn_k.weight"), c.n_embd, c.kv_dim());
    l.wv = bind.matrix(name("attn_v.weight"), c.n_embd, c.kv_dim());
    l.wo = bind.matrix(name("attn_output.weight"), c.q_dim(), c.n_embd);
    if (c.has_qkv_bias) {
      l.bq = bind.vector(name("attn_q.bias"), c.q_dim());
      l.bk = bind.vector(name("attn_k.bias"), c.kv_dim());
      l.bv = bind.vector(name("attn_v.bias"), c.kv_dim());
    }
    if (c.has_qk_norm) {
      l.q_norm = bind.vector(name("attn_q_norm.weight"), c.head_dim);
      l.k_norm = bind.vector(name("attn_k_norm.weight"), c.head_dim);
    }
    l.ffn_norm = bind.vector(name("ffn_norm.weight"), c.n_embd);
    l.w_gate = bind.matrix(name("ffn_gate.weight"), c.n_embd, c.n_ff);
    l.w_up = bind.matrix(name("ffn_up.weight"), c.n_embd, c.n_ff);
    l.w_down = bind.matrix(name("ffn_down.weight"), c.n_ff, c.n_embd);
  }
  model->pack_weights();
  return model;
}

void Model::Unmap::operator()(uint8_t* p) const { munmap(p, bytes); }

namespace {

// The mapped file's pages of a repacked matrix leave this process's memory (they stay in
// the page cache and come back if something reads the rows, e.g. training's transposed
// products): the packed copy takes their place instead of doubling the model's footprint.
void release_file_pages(const uint8_t* data, int64_t bytes) {
  const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + page - 1) / page * page;
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + static_cast<uintptr_t>(bytes)) / page * page;
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

}  // namespace

void Model::pack_weights() {
  // $LOCO_PACK: unset or 1 packs every type that has a packed product, 0 none, and a list
  // of type names ("Q4_K" or "Q4_K,Q6_K") only those (to measure one type's packing).
  const char* env = std::getenv("LOCO_PACK");
  const std::string_view setting = env == nullptr ? "1" : env;
  if (setting == "0") return;
  std::vector<std::string_view> only;  // empty: every type
  for (size_t begin = 0; setting != "1" && begin <= setting.size();) {
    const size_t end = std::min(setting.find(',', begin), setting.size());
    only.push_back(setting.substr(begin, end - begin));
    begin = end + 1;
  }
  const kernels::KernelTable& table = kernels::active_kernels();
  std::vector<Matrix*> todo;
  for (LayerWeights& l : weights_.layers) {
    for (Matrix* m : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_gate, &l.w_up, &l.w_down}) todo.push_back(m);
  }
  // A tied output is packed too (a copy of token_embd's Matrix): the embedding lookup
  // keeps reading the file's rows, a few per token, which come back from the page cache.
  todo.push_back(&weights_.output);
  std::erase_if(todo, [&](const Matrix* m) {
    const kernels::TypeKernels& k = table.of(m->type);
    if (!only.empty() && std::find(only.begin(), only.end(), type_name(m->type)) == only.end()) return true;
    return k.packed_gemm == nullptr || k.pack_rows == 0 || m->n_out % k.pack_rows != 0 || m->n_in % kQK_K != 0;
  });
  std::vector<uint8_t*> dst;
  for (Matrix* m : todo) {
    const size_t bytes = static_cast<size_t>(table.of(m->type).packed_bytes(m->n_in, m->n_out));
    // Mapped rather than allocated: page aligned, and in huge pages where the kernel allows
    // (fewer page faults while packing, fewer TLB misses while computing).
    void* buf = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED) {
      throw Error(fmt::format("{}: out of memory repacking {} ({} bytes)", file_.path(), m->tensor->name, bytes));
    }
    madvise(buf, bytes, MADV_HUGEPAGE);
    packed_.emplace_back(static_cast<uint8_t*>(buf), Unmap{bytes});
    dst.push_back(static_cast<uint8_t*>(buf));
    m->packed = dst.back();
  }
  // The matrices are packed by all cores, in runs of rows so that one large matrix (a
  // tied output) is shared out too: reading the file is most of the work.
  struct Run {
    size_t matrix;
    int64_t r0, r1;
  };
  std::vector<Run> runs;
  for (size_t i = 0; i < todo.size(); ++i) {
    const int64_t group = table.of(todo[i]->type).pack_rows;
    const int64_t step = std::max<int64_t>(1, 1024 / group) * group;
    for (int64_t r0 = 0; r0 < todo[i]->n_out; r0 += step) runs.push_back({i, r0, std::min(todo[i]->n_out, r0 + step)});
  }
  const size_t n_threads = std::max<size_t>(1, std::min<size_t>(runs.size(), std::thread::hardware_concurrency()));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < runs.size(); i = next++) {
      const Run& run = runs[i];
      const Matrix& m = *todo[run.matrix];
      const kernels::TypeKernels& k = table.of(m.type);
      const uint8_t* rows = m.data + run.r0 * m.row_bytes;
      k.pack(rows, m.row_bytes, m.n_in, run.r1 - run.r0, dst[run.matrix] + k.packed_bytes(m.n_in, run.r0));
      // Only a file's pages can be dropped and read back; an in-memory image's would be lost.
      if (file_.mapped()) release_file_pages(rows, (run.r1 - run.r0) * m.row_bytes);
    }
  };
  std::vector<std::thread> threads;
  for (size_t t = 1; t < n_threads; ++t) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
}

uint64_t Model::weight_bytes() const {
  uint64_t total = 0;
  for (const GgufTensor& t : file_.tensors()) total += t.nbytes;
  return total;
}

uint64_t Model::kv_bytes_per_token(GgmlType kv_type) const {
  return 2ull * static_cast<uint64_t>(config_.n_layer) * static_cast<uint64_t>(config_.n_head_kv) *
         static_cast<uint64_t>(row_bytes(kv_type, config_.head_dim));
}

}  // namespace loco
