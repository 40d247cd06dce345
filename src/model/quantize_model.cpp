// `loco quantize`: every tensor of a model converted to the type its file type asks for,
// rows converted in parallel straight into the output buffer.
#include <fmt/format.h>

#include <cstring>

#include "loco/error.h"
#include "loco/gguf.h"
#include "loco/model_tools.h"
#include "loco/quantize.h"
#include "loco/thread_pool.h"

namespace loco {
namespace {

int layer_of(const std::string& name) {
  if (name.rfind("blk.", 0) != 0) return -1;
  return std::atoi(name.c_str() + 4);
}

// Converts the rows of `src` (any computable type) into `type`, in parallel.
void convert_rows(const GgufTensor& src, GgmlType type, uint8_t* dst, ThreadPool& pool) {
  const int64_t n = src.ne[0];
  const int64_t rows = src.n_rows();
  const int64_t dst_row = row_bytes(type, n);
  const int64_t rows_per_task = std::max<int64_t>(1, 4096 / std::max<int64_t>(1, n / 256));
  std::vector<std::vector<float>> buffers(static_cast<size_t>(pool.size()), std::vector<float>(static_cast<size_t>(n)));
  pool.parallel_for((rows + rows_per_task - 1) / rows_per_task, [&](int64_t task, int thread) {
    std::vector<float>& buf = buffers[static_cast<size_t>(thread)];
    const int64_t r1 = std::min(rows, (task + 1) * rows_per_task);
    for (int64_t r = task * rows_per_task; r < r1; ++r) {
      dequantize_row(src.type, src.row(r), buf.data(), n);
      quantize_row(type, buf.data(), dst + r * dst_row, n);
    }
  });
}

}  // namespace

void quantize_model(const std::string& input, const std::string& output,
                    const QuantizeOptions& options, const Progress& progress) {
  GgufFile in = GgufFile::open(input);
  ThreadPool pool(options.n_threads > 0 ? options.n_threads : ThreadPool::default_threads());
  const std::string arch = in.optional_string("general.architecture").value_or("");
  const int n_layer = static_cast<int>(in.optional_uint(arch + ".block_count").value_or(0));
  const bool has_output = in.find_tensor("output.weight") != nullptr;

  GgufWriter w;
  for (const GgufKV& kv : in.metadata()) w.set_value(kv.key, kv.value);
  w.set_u32("general.file_type", static_cast<uint32_t>(options.type));
  w.set_u32("general.quantization_version", 2);

  const size_t count = in.tensors().size();
  for (size_t i = 0; i < count; ++i) {
    const GgufTensor& t = in.tensors()[i];
    if (!type_info(t.type).computable) {
      throw UnsupportedError(fmt::format("{}: tensor '{}' has type {}, which loco cannot convert",
                                         input, t.name, type_name(t.type)));
    }
    TensorPlace place{t.name, t.n_dims, t.ne[0], layer_of(t.name), n_layer, has_output};
    const GgmlType target = tensor_type_for(options.type, place);
    std::vector<int64_t> ne(t.ne, t.ne + t.n_dims);
    w.add_tensor(t.name, target, ne, [&, i, target](uint8_t* dst, uint64_t nbytes) {
      if (progress) progress(t.name, i, count);
      if (target == t.type) {
        std::memcpy(dst, t.data, nbytes);
      } else {
        convert_rows(t, target, dst, pool);
      }
    });
  }
  w.write(output);
}

}  // namespace loco
