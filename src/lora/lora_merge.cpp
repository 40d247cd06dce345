// `loco lora merge`: one GGUF file with an adapter folded into the base weights, for users
// who want a single file; each merged tensor keeps its original type (requantized).
#include <fmt/format.h>

#include <cstring>

#include "loco/error.h"
#include "loco/gguf.h"
#include "loco/lora.h"
#include "loco/quantize.h"
#include "loco/thread_pool.h"

namespace loco {
namespace {

// The adapter pair that modifies tensor `name`, if any.
const LoraPair* pair_for(const LoraAdapter& a, const std::string& name) {
  int layer = -1;
  char kind[64] = {0};
  if (std::sscanf(name.c_str(), "blk.%d.%63[a-z_].weight", &layer, kind) != 2) return nullptr;
  if (layer < 0 || layer >= a.n_layer()) return nullptr;
  for (int t = 0; t < kLoraTargets; ++t) {
    if (std::string(kind) == lora_target_name(static_cast<LoraTarget>(t)) &&
        name == fmt::format("blk.{}.{}.weight", layer, kind)) {
      return a.find(layer, static_cast<LoraTarget>(t));
    }
  }
  return nullptr;
}

}  // namespace

void merge_lora(const std::string& base_path, const std::string& adapter_path, float scale,
                const std::string& output, int n_threads) {
  auto model = Model::load(base_path);
  auto adapter = LoraAdapter::load(adapter_path, *model);
  const GgufFile& f = model->file();
  ThreadPool pool(n_threads > 0 ? n_threads : ThreadPool::default_threads());

  GgufWriter w;
  for (const GgufKV& kv : f.metadata()) w.set_value(kv.key, kv.value);
  w.set_string("general.name", f.optional_string("general.name").value_or("model") + " + LoRA");
  for (const GgufTensor& t : f.tensors()) {
    const LoraPair* p = pair_for(*adapter, t.name);
    std::vector<int64_t> ne(t.ne, t.ne + t.n_dims);
    if (p == nullptr) {
      w.add_tensor(t.name, t.type, ne, t.data);
      continue;
    }
    w.add_tensor(t.name, t.type, ne, [&t, p, scale, &pool](uint8_t* dst, uint64_t) {
      const int64_t n_in = p->n_in, rank = p->rank;
      std::vector<float> a(static_cast<size_t>(rank * n_in));
      for (int64_t r = 0; r < rank; ++r) dequantize_row(p->type, p->a_row(r), &a[static_cast<size_t>(r * n_in)], n_in);
      const float s = scale * p->scale;
      const int64_t out_row = row_bytes(t.type, n_in);
      std::vector<std::vector<float>> bufs(static_cast<size_t>(pool.size()),
                                           std::vector<float>(static_cast<size_t>(n_in + rank)));
      pool.parallel_for(p->n_out, [&](int64_t r, int thread) {
        float* row = bufs[static_cast<size_t>(thread)].data();
        float* b = row + n_in;
        dequantize_row(t.type, t.row(r), row, n_in);
        dequantize_row(p->type, p->b_row(r), b, rank);
        for (int64_t k = 0; k < rank; ++k) {
          const float coef = s * b[k];
          const float* ak = &a[static_cast<size_t>(k * n_in)];
          for (int64_t i = 0; i < n_in; ++i) row[i] += coef * ak[i];
        }
        quantize_row(t.type, row, dst + r * out_row, n_in);
      });
    });
  }
  w.write(output);
}

}  // namespace loco
