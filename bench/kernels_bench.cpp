// Kernel throughput at Qwen3-4B shapes, single thread, per instruction set and type.
//
//   decode/<isa>/<type>/<n_in>      one token through a weight matrix bigger than the L3
//                                   cache (the memory-bound case of generation)
//   decode/<isa>/<type>-packed/<n_in>[/5]
//                                   the same through the packed weights, one token or five
//                                   (the voting batch: memory and arithmetic both count)
//   gemm/<isa>/<type>/<n_in>x<n_out>/<tokens>
//                                   a matrix times `tokens` activation rows, in calls of
//                                   64 rows as ops::matmul makes them
//   packed/<isa>/<type>/<n_in>x<n_out>/<tokens>
//                                   the same through the weights repacked at load
//                                   (kernels.h packed_gemm), in calls of 64 rows
//   quantize/<isa>/<q8a|q8k>        activation quantizers
//   rows/<isa>/<op>/<n>             row operations of the forward pass (RowKernels)
//   gemm_acc/<isa>/<m>x<n>x<k>      the float product of training's backward pass, as
//                                   ops::matmul_transposed_add calls it (tokens × a slice of
//                                   columns × a run of rows)
//   gemm_acc_int8/<isa>/<m>x<n>x<k> the same in int8 (kernels/int8_gemm.h), the tile's
//                                   quantization included
//   packed_to_float/<isa>/<type>    the packed layouts' dequantization for that product
//
// Counters: bytes/s of weights streamed, MAC/s (multiply-adds), both per second of CPU
// time: the benchmarks are single-threaded and CPU time keeps the figures meaningful on
// a machine shared with other work (real time counts the time the process waits).
// The reference table only runs the small cases (it is ~100x slower).
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

#include "kernels/int8_gemm.h"
#include "kernels/kernels.h"
#include "loco/ggml_type.h"
#include "tensor/blocks.h"
#include "tensor/fp16.h"

namespace {

using loco::GgmlType;
using loco::kernels::ActFormat;
using loco::kernels::KernelTable;

struct Isa {
  const char* name;
  const KernelTable* table;
};

std::vector<Isa> available_isas() {
  std::vector<Isa> isas{{"ref", &loco::kernels::ref_kernels()}};
  if (const KernelTable* t = loco::kernels::avx2_kernels()) isas.push_back({"avx2", t});
  if (const KernelTable* t = loco::kernels::avx512_kernels()) isas.push_back({"avx512", t});
  if (const KernelTable* t = loco::kernels::neon_kernels()) isas.push_back({"neon", t});
  if (const KernelTable* t = loco::kernels::neon_dotprod_kernels()) isas.push_back({"neon_dotprod", t});
  return isas;
}

// Offsets of the float16 scale fields per block, set to small finite values so the
// random blocks hold ordinary numbers.
std::vector<int> half_fields(GgmlType type) {
  switch (type) {
    case GgmlType::Q8_0: case GgmlType::Q4_0: case GgmlType::Q5_0: return {0};
    case GgmlType::Q4_1: case GgmlType::Q5_1: case GgmlType::Q4_K: case GgmlType::Q5_K: return {0, 2};
    case GgmlType::Q2_K: return {80, 82};
    case GgmlType::Q3_K: return {108};
    case GgmlType::Q6_K: return {208};
    default: return {};
  }
}

uint64_t g_rng = 88172645463325252ull;
uint64_t next_random() {
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 7;
  g_rng ^= g_rng << 17;
  return g_rng;
}

std::vector<uint8_t> random_matrix(GgmlType type, int64_t n_in, int64_t n_out) {
  const loco::TypeInfo& info = loco::type_info(type);
  std::vector<uint8_t> w(static_cast<size_t>(loco::row_bytes(type, n_in) * n_out));
  if (type == GgmlType::F32 || type == GgmlType::F16 || type == GgmlType::BF16) {
    const int64_t count = n_in * n_out;
    for (int64_t i = 0; i < count; ++i) {
      const float v = static_cast<float>(static_cast<int64_t>(next_random() % 2001) - 1000) * 1e-4f;
      if (type == GgmlType::F32) std::memcpy(w.data() + 4 * i, &v, 4);
      if (type == GgmlType::F16) {
        const uint16_t h = loco::float_to_half(v);
        std::memcpy(w.data() + 2 * i, &h, 2);
      }
      if (type == GgmlType::BF16) {
        const uint16_t h = loco::float_to_bf16_bits(v);
        std::memcpy(w.data() + 2 * i, &h, 2);
      }
    }
    return w;
  }
  for (size_t i = 0; i < w.size(); i += 8) {
    const uint64_t r = next_random();
    std::memcpy(w.data() + i, &r, std::min<size_t>(8, w.size() - i));
  }
  const uint16_t small = loco::float_to_half(0.01f);
  for (size_t b = 0; b < w.size() / static_cast<size_t>(info.type_size); ++b) {
    for (int off : half_fields(type)) std::memcpy(w.data() + b * info.type_size + off, &small, 2);
  }
  return w;
}

std::vector<uint8_t> random_acts(const KernelTable& k, ActFormat format, int64_t n, int64_t tokens) {
  std::vector<float> x(static_cast<size_t>(n * tokens));
  for (float& v : x) v = static_cast<float>(static_cast<int64_t>(next_random() % 2001) - 1000) * 1e-3f;
  const int64_t bytes = loco::kernels::act_bytes(format, n);
  std::vector<uint8_t> a(static_cast<size_t>(bytes * tokens));
  for (int64_t t = 0; t < tokens; ++t) {
    if (format == ActFormat::F32) std::memcpy(a.data() + t * bytes, x.data() + t * n, static_cast<size_t>(n) * 4);
    if (format == ActFormat::Q8A) k.quantize_q8a(x.data() + t * n, a.data() + t * bytes, n);
    if (format == ActFormat::Q8K) k.quantize_q8k(x.data() + t * n, a.data() + t * bytes, n);
  }
  return a;
}

void set_counters(benchmark::State& state, double weight_bytes, double macs) {
  state.counters["bytes/s"] = benchmark::Counter(weight_bytes, benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::OneK::kIs1024);
  state.counters["MAC/s"] = benchmark::Counter(macs, benchmark::Counter::kIsIterationInvariantRate);
}

// y = W·x for `tokens` activation rows, in calls of 64 rows.
void run_gemm(benchmark::State& state, const KernelTable* table, GgmlType type, int64_t n_in,
              int64_t n_out, int64_t tokens) {
  const auto& k = table->of(type);
  const std::vector<uint8_t> w = random_matrix(type, n_in, n_out);
  const std::vector<uint8_t> a = random_acts(*table, k.act_format, n_in, tokens);
  const int64_t w_stride = loco::row_bytes(type, n_in);
  const int64_t a_stride = loco::kernels::act_bytes(k.act_format, n_in);
  std::vector<float> y(static_cast<size_t>(n_out * tokens));
  for (auto _ : state) {
    for (int64_t r0 = 0; r0 < n_out; r0 += 64) {
      const int64_t rows = std::min<int64_t>(64, n_out - r0);
      k.gemm(n_in, w.data() + r0 * w_stride, w_stride, rows, a.data(), a_stride, tokens, y.data() + r0, n_out);
    }
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, static_cast<double>(w.size()), static_cast<double>(n_in * n_out * tokens));
}

// y = W·x through the packed layout, in calls of 64 rows; n_out = 0: 64 MB of weights
// (bigger than the L3 cache: the memory-bound case).
void run_packed_gemm(benchmark::State& state, const KernelTable* table, GgmlType type, int64_t n_in,
                     int64_t n_out, int64_t tokens) {
  const auto& k = table->of(type);
  if (n_out == 0) n_out = (64ll << 20) / loco::row_bytes(type, n_in) / 64 * 64;
  const std::vector<uint8_t> w = random_matrix(type, n_in, n_out);
  std::vector<uint8_t> packed(static_cast<size_t>(k.packed_bytes(n_in, n_out)));
  k.pack(w.data(), loco::row_bytes(type, n_in), n_in, n_out, packed.data());
  const std::vector<uint8_t> a = random_acts(*table, k.act_format, n_in, tokens);
  const int64_t a_stride = loco::kernels::act_bytes(k.act_format, n_in);
  std::vector<float> y(static_cast<size_t>(n_out * tokens));
  for (auto _ : state) {
    for (int64_t r0 = 0; r0 < n_out; r0 += 64) {
      k.packed_gemm(n_in, packed.data(), r0, std::min<int64_t>(64, n_out - r0), a.data(), a_stride, tokens,
                    y.data() + r0, n_out);
    }
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, static_cast<double>(w.size()), static_cast<double>(n_in * n_out * tokens));
}

// One token through 64 MB of weight rows with vec_dot, row by row.
void run_decode(benchmark::State& state, const KernelTable* table, GgmlType type, int64_t n_in) {
  const auto& k = table->of(type);
  const int64_t w_stride = loco::row_bytes(type, n_in);
  const int64_t n_out = (64ll << 20) / w_stride;
  const std::vector<uint8_t> w = random_matrix(type, n_in, n_out);
  const std::vector<uint8_t> a = random_acts(*table, k.act_format, n_in, 1);
  std::vector<float> y(static_cast<size_t>(n_out));
  for (auto _ : state) {
    for (int64_t r = 0; r < n_out; ++r) y[static_cast<size_t>(r)] = k.vec_dot(n_in, w.data() + r * w_stride, a.data());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, static_cast<double>(w.size()), static_cast<double>(n_in * n_out));
}

void run_quantize(benchmark::State& state, const KernelTable* table, bool q8k) {
  const int64_t n = 9728;
  std::vector<float> x(static_cast<size_t>(n));
  for (float& v : x) v = static_cast<float>(static_cast<int64_t>(next_random() % 2001) - 1000) * 1e-3f;
  std::vector<uint8_t> out(static_cast<size_t>(n * 2));
  for (auto _ : state) {
    (q8k ? table->quantize_q8k : table->quantize_q8a)(x.data(), out.data(), n);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * n * 4);
}

// One row operation on n values; bytes/s counts the floats read and written.
void run_row_op(benchmark::State& state, const KernelTable* table, std::string op, int64_t n) {
  const auto& r = table->rows;
  std::vector<float> x(static_cast<size_t>(n)), y(static_cast<size_t>(n)), out(static_cast<size_t>(n));
  for (float& v : x) v = static_cast<float>(static_cast<int64_t>(next_random() % 2001) - 1000) * 4e-3f;
  for (float& v : y) v = static_cast<float>(static_cast<int64_t>(next_random() % 2001) - 1000) * 1e-3f;
  std::vector<uint16_t> h(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) h[static_cast<size_t>(i)] = loco::float_to_half(y[static_cast<size_t>(i)]);
  std::vector<float> cos(static_cast<size_t>(n / 2), 0.6f), sin(static_cast<size_t>(n / 2), 0.8f);
  double bytes = 0;
  for (auto _ : state) {
    if (op == "rms_norm") r.rms_norm(x.data(), y.data(), out.data(), n, 1e-6f), bytes = 12.0 * n;
    if (op == "silu_mul") r.silu_mul(x.data(), y.data(), out.data(), n), bytes = 12.0 * n;
    if (op == "softmax") {
      std::memcpy(out.data(), x.data(), static_cast<size_t>(n) * 4);
      r.softmax(out.data(), n);
      bytes = 8.0 * n;
    }
    if (op == "rope") r.rope(out.data(), n / 128, 128, cos.data(), sin.data(), true), bytes = 8.0 * n;
    if (op == "dot_f16") benchmark::DoNotOptimize(r.dot_f16(n, h.data(), x.data())), bytes = 6.0 * n;
    if (op == "axpy_f16") r.axpy_f16(n, 0.5f, h.data(), out.data()), bytes = 10.0 * n;
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.counters["bytes/s"] = benchmark::Counter(bytes, benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::OneK::kIs1024);
}

// One grouped-query attention head over `ctx` cached float16 keys and values (head size
// 128, 4 query heads per cached head, as Qwen3-4B): scores and the weighted sum of values,
// either row by row (dot_f16 / axpy_f16 per row and head) or by the grouped kernels.
// MAC/s counts the 2 · group · ctx · 128 multiply-adds.
void run_attention(benchmark::State& state, const KernelTable* table, bool grouped, int64_t ctx) {
  const auto& r = table->rows;
  constexpr int64_t kDim = 128, kGroupHeads = 4;
  std::vector<uint16_t> k(static_cast<size_t>(ctx * kDim)), v(k.size());
  for (auto& h : k) h = loco::float_to_half(static_cast<float>(static_cast<int64_t>(next_random() % 2001) - 1000) * 1e-3f);
  for (auto& h : v) h = loco::float_to_half(static_cast<float>(static_cast<int64_t>(next_random() % 2001) - 1000) * 1e-3f);
  std::vector<float> q(static_cast<size_t>(kGroupHeads * kDim), 0.01f), scores(static_cast<size_t>(kGroupHeads * ctx));
  std::vector<float> out(static_cast<size_t>(kGroupHeads * kDim));
  for (auto _ : state) {
    std::fill(out.begin(), out.end(), 0.0f);
    if (grouped) {
      r.dot_f16_rows(kDim, k.data(), kDim, ctx, q.data(), kGroupHeads, 0.1f, scores.data(), ctx);
      r.axpy_f16_rows(kDim, v.data(), kDim, ctx, scores.data(), ctx, kGroupHeads, out.data());
    } else {
      for (int64_t j = 0; j < ctx; ++j) {
        for (int64_t g = 0; g < kGroupHeads; ++g) {
          scores[static_cast<size_t>(g * ctx + j)] = r.dot_f16(kDim, k.data() + j * kDim, q.data() + g * kDim) * 0.1f;
        }
      }
      for (int64_t j = 0; j < ctx; ++j) {
        for (int64_t g = 0; g < kGroupHeads; ++g) {
          r.axpy_f16(kDim, scores[static_cast<size_t>(g * ctx + j)], v.data() + j * kDim, out.data() + g * kDim);
        }
      }
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.counters["MAC/s"] = benchmark::Counter(static_cast<double>(2 * kGroupHeads * ctx * kDim),
                                               benchmark::Counter::kIsIterationInvariantRate);
}

// C (m × n, ldc 2560) += A (m × k, lda 9728: dy) · B (k × n): MAC/s counts m·n·k.
void run_gemm_acc(benchmark::State& state, const KernelTable* table, int64_t m, int64_t n, int64_t k) {
  const int64_t lda = 9728, ldc = 2560;
  std::vector<float> a(static_cast<size_t>(m * lda)), b(static_cast<size_t>(k * n)), c(static_cast<size_t>(m * ldc));
  for (float& v : a) v = static_cast<float>(static_cast<int64_t>(next_random() % 2001) - 1000) * 1e-3f;
  for (float& v : b) v = static_cast<float>(static_cast<int64_t>(next_random() % 2001) - 1000) * 1e-3f;
  for (auto _ : state) {
    table->rows.gemm_acc_f32(m, n, k, a.data(), lda, b.data(), n, c.data(), ldc);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.counters["MAC/s"] = benchmark::Counter(static_cast<double>(m * n * k), benchmark::Counter::kIsIterationInvariantRate);
}

// The same product in int8 (kernels/int8_gemm.h: m tokens × n columns × 256 rows), the
// tile quantized inside the loop as ops::matmul_transposed_add does it: MAC/s counts m·n·256.
void run_gemm_acc_int8(benchmark::State& state, const KernelTable* table, int64_t m, int64_t n) {
  const int64_t k = loco::kernels::kInt8Run, ldc = 2560;
  std::vector<float> b(static_cast<size_t>(k * n)), dy(static_cast<size_t>(m * k));
  for (float& v : b) v = static_cast<float>(static_cast<int64_t>(next_random() % 2001) - 1000) * 1e-3f;
  for (float& v : dy) v = static_cast<float>(static_cast<int64_t>(next_random() % 2001) - 1000) * 1e-3f;
  std::vector<uint8_t> act(static_cast<size_t>(m) * sizeof(loco::BlockQ8K)), tile(static_cast<size_t>(k * n));
  for (int64_t t = 0; t < m; ++t) table->quantize_q8k(dy.data() + t * k, act.data() + t * sizeof(loco::BlockQ8K), k);
  std::vector<float> scale(static_cast<size_t>(n)), c(static_cast<size_t>(m * ldc));
  for (auto _ : state) {
    table->rows.quantize_tile_int8(b.data(), n, n, tile.data(), scale.data());
    table->rows.gemm_acc_int8(m, n, act.data(), sizeof(loco::BlockQ8K), tile.data(), scale.data(), c.data(), ldc);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.counters["MAC/s"] = benchmark::Counter(static_cast<double>(m * n * k), benchmark::Counter::kIsIterationInvariantRate);
}

// The 16 rows of every group of a 2560 × 9728 packed matrix, two super-blocks at a time
// as matmul_transposed_add asks for them; bytes/s counts the floats written.
void run_packed_to_float(benchmark::State& state, const KernelTable* table, GgmlType type) {
  const int64_t n = 2560, rows = 9728;
  const auto& k = table->of(type);
  const std::vector<uint8_t> w = random_matrix(type, n, rows);
  std::vector<uint8_t> packed(static_cast<size_t>(k.packed_bytes(n, rows)));
  k.pack(w.data(), loco::row_bytes(type, n), n, rows, packed.data());
  std::vector<float> out(static_cast<size_t>(16 * 512));
  for (auto _ : state) {
    for (int64_t g = 0; g < rows / 16; ++g) {
      for (int64_t b0 = 0; b0 < n / 256; b0 += 2) k.packed_to_float(packed.data(), n, g, b0, b0 + 2, out.data(), 512);
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.counters["bytes/s"] = benchmark::Counter(static_cast<double>(n * rows * 4), benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::OneK::kIs1024);
}

constexpr GgmlType kAllTypes[] = {GgmlType::F32,  GgmlType::F16,  GgmlType::BF16, GgmlType::Q8_0,
                                  GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1,
                                  GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K,
                                  GgmlType::Q6_K};
constexpr GgmlType kGemmTypes[] = {GgmlType::Q4_K, GgmlType::Q6_K, GgmlType::Q8_0, GgmlType::Q5_K, GgmlType::F16};

std::string name_of(GgmlType t) { return std::string(loco::type_name(t)); }

const bool registered = [] {
  for (const Isa& isa : available_isas()) {
    const bool ref = std::string(isa.name) == "ref";
    for (GgmlType type : kAllTypes) {
      benchmark::RegisterBenchmark(("decode/" + std::string(isa.name) + "/" + name_of(type) + "/2560").c_str(),
                                   run_decode, isa.table, type, int64_t{2560})
          ->Unit(benchmark::kMillisecond)
          ->Iterations(ref ? 1 : 10);
    }
    // gemm: the FFN up/gate shape (2560 -> 9728) and the down shape (9728 -> 2560).
    for (GgmlType type : kGemmTypes) {
      for (auto [n_in, n_out] : {std::pair<int64_t, int64_t>{2560, 9728}, {9728, 2560}}) {
        for (int64_t tokens : {1, 5, 16, 64, 512}) {
          if (ref && tokens > 5) continue;
          const int64_t rows = ref ? 256 : n_out;  // the reference only does a slice
          benchmark::RegisterBenchmark(("gemm/" + std::string(isa.name) + "/" + name_of(type) + "/" +
                                        std::to_string(n_in) + "x" + std::to_string(rows) + "/" +
                                        std::to_string(tokens)).c_str(),
                                       run_gemm, isa.table, type, n_in, rows, tokens)
              ->Unit(benchmark::kMillisecond);
        }
      }
    }
    for (GgmlType type : {GgmlType::Q4_K, GgmlType::Q6_K, GgmlType::Q8_0}) {
      if (isa.table->of(type).packed_gemm == nullptr) continue;
      const std::string type_name = name_of(type);
      // One token, and five (the voting batch), through 64 MB of packed weights.
      for (int64_t tokens : {1, 5}) {
        benchmark::RegisterBenchmark(("decode/" + std::string(isa.name) + "/" + type_name + "-packed/2560" +
                                      (tokens > 1 ? "/" + std::to_string(tokens) : std::string())).c_str(),
                                     run_packed_gemm, isa.table, type, int64_t{2560}, int64_t{0}, tokens)
            ->Unit(benchmark::kMillisecond)
            ->Iterations(10);
      }
      for (auto [n_in, n_out] : {std::pair<int64_t, int64_t>{2560, 9728}, {9728, 2560}}) {
        for (int64_t tokens : {1, 5, 16, 64, 512}) {
          benchmark::RegisterBenchmark(("packed/" + std::string(isa.name) + "/" + type_name + "/" +
                                        std::to_string(n_in) + "x" + std::to_string(n_out) + "/" +
                                        std::to_string(tokens)).c_str(),
                                       run_packed_gemm, isa.table, type, n_in, n_out, tokens)
              ->Unit(benchmark::kMillisecond);
        }
      }
    }
    for (auto [op, n] : {std::pair<const char*, int64_t>{"rms_norm", 2560}, {"silu_mul", 9728}, {"softmax", 4096},
                         {"rope", 4096}, {"dot_f16", 128}, {"axpy_f16", 128}}) {
      benchmark::RegisterBenchmark(("rows/" + std::string(isa.name) + "/" + op + "/" + std::to_string(n)).c_str(),
                                   run_row_op, isa.table, std::string(op), n);
    }
    for (bool grouped : {false, true}) {
      benchmark::RegisterBenchmark(("attention/" + std::string(isa.name) + (grouped ? "/grouped" : "/by_row") + "/160")
                                       .c_str(),
                                   run_attention, isa.table, grouped, int64_t{160});
    }
    benchmark::RegisterBenchmark(("gemm_acc/" + std::string(isa.name) + "/512x512x256").c_str(), run_gemm_acc,
                                 isa.table, int64_t{ref ? 64 : 512}, int64_t{512}, int64_t{256})
        ->Unit(benchmark::kMillisecond);
    if (isa.table->rows.gemm_acc_int8 != nullptr) {
      benchmark::RegisterBenchmark(("gemm_acc_int8/" + std::string(isa.name) + "/512x512x256").c_str(),
                                   run_gemm_acc_int8, isa.table, int64_t{512}, int64_t{512})
          ->Unit(benchmark::kMillisecond);
    }
    for (GgmlType type : {GgmlType::Q4_K, GgmlType::Q6_K, GgmlType::Q8_0}) {
      const auto& k = isa.table->of(type);
      if (k.packed_to_float == nullptr || k.pack == nullptr) continue;
      benchmark::RegisterBenchmark(("packed_to_float/" + std::string(isa.name) + "/" + name_of(type)).c_str(),
                                   run_packed_to_float, isa.table, type)
          ->Unit(benchmark::kMillisecond);
    }
    for (bool q8k : {false, true}) {
      benchmark::RegisterBenchmark(("quantize/" + std::string(isa.name) + (q8k ? "/q8k" : "/q8a")).c_str(),
                                   run_quantize, isa.table, q8k);
    }
  }
  return true;
}();

}  // namespace
