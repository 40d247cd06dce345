// The NEON kernel tables against the scalar reference, built for aarch64 on their own
// (the full test suite needs host-only libraries) and run under qemu by
// scripts/test-neon.sh, once on an emulated CPU with the dotprod extension and once
// without. Each table (neon; neon_dotprod where the CPU has it) is held to the
// standards of tests/kernels_simd_test.cpp and tests/kernels_batch_invariance_test.cpp:
//   - every vec_dot and gemm the table replaces agrees with the reference vec_dot on
//     random blocks at odd sizes, within 1e-5 of M = Σ (|main_i| + |offset_i|)·|a_i|
//     (integer parts are exact in both, only float rounding differs);
//   - gemm is bit for bit the table's own vec_dot for every (row, token), whatever the
//     token count, row count and row offset, and for rows that span several chunks;
//   - gemm leaves the y entries past its rows untouched;
//   - the table has the reference's shape, and dispatch picks neon_dotprod where the CPU
//     has dotprod, else neon;
//   - neon_dotprod's results are bit for bit neon's (same integer sums, same float steps).
// One line per check; exits non-zero if any fails.
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../kernel_random_data.h"
#include "kernels/kernels.h"
#include "loco/ggml_type.h"
#include "tensor/blocks.h"
#include "tensor/fp16.h"

namespace loco {
namespace {

using kernels::ActFormat;
using kernels::KernelTable;
using kernels::TypeKernels;
using namespace kernel_test;  // the random inputs of tests/kernels_simd_test.cpp

// A check's outcome: how many comparisons, the first failure, and for the tolerance
// checks the largest |error| / tolerance seen.
struct Result {
  int64_t cases = 0;
  int64_t failures = 0;
  double worst_ratio = 0.0;
  std::string first_failure;

  void fail(const std::string& what) {
    if (failures++ == 0) first_failure = what;
  }
  void near(double got, double want, double tol, const std::string& what) {
    ++cases;
    const double ratio = std::fabs(got - want) / tol;
    if (ratio > worst_ratio || std::isnan(ratio)) worst_ratio = std::isnan(ratio) ? INFINITY : ratio;
    if (!(ratio <= 1.0)) fail(what + ": got " + std::to_string(got) + ", want " + std::to_string(want));
  }
  void same_bits(float got, float want, const std::string& what) {
    ++cases;
    if (std::bit_cast<uint32_t>(got) != std::bit_cast<uint32_t>(want)) {
      char buf[96];
      std::snprintf(buf, sizeof buf, ": got %.9g (0x%08x), want %.9g (0x%08x)", static_cast<double>(got),
                    std::bit_cast<uint32_t>(got), static_cast<double>(want), std::bit_cast<uint32_t>(want));
      fail(what + buf);
    }
  }
};

int g_failed_checks = 0;
const char* g_isa = "";  // the table being checked, for the report lines

void report(const char* check, GgmlType type, const Result& r, bool show_ratio) {
  const bool ok = r.failures == 0 && r.cases > 0;
  if (!ok) ++g_failed_checks;
  std::printf("%s %-12s %-23s %-5s %6lld cases", ok ? "PASS" : "FAIL", g_isa, check,
              std::string(type_name(type)).c_str(), static_cast<long long>(r.cases));
  if (show_ratio) std::printf(", worst |err|/tol %.3f", r.worst_ratio);
  if (r.failures > 0) std::printf(", %lld failed; first: %s", static_cast<long long>(r.failures), r.first_failure.c_str());
  if (r.cases == 0) std::printf(" (nothing checked)");
  std::printf("\n");
}

std::string where(int64_t n, int64_t rows, int64_t tokens, int64_t r, int64_t t) {
  return "n=" + std::to_string(n) + " rows=" + std::to_string(rows) + " tokens=" + std::to_string(tokens) +
         " r=" + std::to_string(r) + " t=" + std::to_string(t);
}

// ---- Checks ----

// vec_dot against the reference at 1, 3, 7 and 13 blocks (floats: odd lengths too), and
// zero weights or zero activations giving exactly zero.
void check_vec_dot(const TypeKernels& fast, const TypeKernels& ref, GgmlType type) {
  Result r;
  Rng rng{static_cast<uint64_t>(type) * 131 + 7};
  const int64_t block = type_info(type).block_size;
  const std::vector<int64_t> lengths = block == 1 ? std::vector<int64_t>{1, 3, 7, 13, 16, 31, 100, 257}
                                                  : std::vector<int64_t>{block, 3 * block, 7 * block, 13 * block};
  for (int64_t n : lengths) {
    for (int rep = 0; rep < 4; ++rep) {
      const auto w = random_rows(rng, type, n, 1, row_bytes(type, n));
      const Acts a = random_acts(rng, ref.act_format, n, 1);
      std::vector<float> main, offset;
      weight_parts(type, w.data(), n, main, offset);
      r.near(fast.vec_dot(n, w.data(), a.bytes.data()), ref.vec_dot(n, w.data(), a.bytes.data()),
             tolerance(main, offset, a.values[0]), where(n, 1, 1, 0, 0) + " rep=" + std::to_string(rep));
    }
  }
  const int64_t n = 3 * block * (block == 1 ? 32 : 1);
  const auto w = random_rows(rng, type, n, 1, row_bytes(type, n));
  const Acts a = random_acts(rng, ref.act_format, n, 1);
  const std::vector<uint8_t> zero_w(static_cast<size_t>(row_bytes(type, n)), 0);
  const std::vector<float> zeros(static_cast<size_t>(n), 0.0f);
  std::vector<uint8_t> zero_a(static_cast<size_t>(kernels::act_bytes(fast.act_format, n)), 0);
  if (fast.act_format == ActFormat::Q8A) kernels::ref_kernels().quantize_q8a(zeros.data(), zero_a.data(), n);
  if (fast.act_format == ActFormat::Q8K) kernels::ref_kernels().quantize_q8k(zeros.data(), zero_a.data(), n);
  r.same_bits(fast.vec_dot(n, zero_w.data(), a.bytes.data()), 0.0f, "zero weights");
  r.same_bits(fast.vec_dot(n, w.data(), zero_a.data()), 0.0f, "zero activations");
  report("vec_dot vs ref", type, r, true);
}

// gemm against the reference vec_dot for one shape; padded strides, and y entries past
// the rows must stay untouched.
void gemm_vs_ref(Result& res, const TypeKernels& fast, const TypeKernels& ref, GgmlType type, Rng& rng, int64_t n,
                 int64_t rows, int64_t tokens) {
  const int64_t w_stride = row_bytes(type, n) + 16;
  const auto w = random_rows(rng, type, n, rows, w_stride);
  const Acts a = random_acts(rng, ref.act_format, n, tokens);
  const int64_t y_stride = rows + 3;
  const float sentinel = -12345.0f;
  std::vector<float> y(static_cast<size_t>(y_stride * tokens), sentinel);
  fast.gemm(n, w.data(), w_stride, rows, a.bytes.data(), a.stride, tokens, y.data(), y_stride);
  std::vector<float> main, offset;
  for (int64_t r = 0; r < rows; ++r) {
    const uint8_t* row = w.data() + r * w_stride;
    weight_parts(type, row, n, main, offset);
    for (int64_t t = 0; t < tokens; ++t) {
      const uint8_t* act = a.bytes.data() + t * a.stride;
      const double tol = tolerance(main, offset, a.values[static_cast<size_t>(t)]);
      res.near(y[static_cast<size_t>(t * y_stride + r)], ref.vec_dot(n, row, act), tol, where(n, rows, tokens, r, t));
    }
  }
  for (int64_t t = 0; t < tokens; ++t) {
    for (int64_t r = rows; r < y_stride; ++r) {
      if (y[static_cast<size_t>(t * y_stride + r)] != sentinel) res.fail("wrote past the rows: " + where(n, rows, tokens, r, t));
    }
  }
}

// Odd tile shapes (1..9 rows × 1..7 tokens), token counts past the tile, and rows long
// enough to be split into chunks.
void check_gemm_vs_ref(const TypeKernels& fast, const TypeKernels& ref, GgmlType type) {
  Result res;
  Rng rng{static_cast<uint64_t>(type) * 977 + 5};
  const int64_t block = type_info(type).block_size;
  const int64_t n = block == 1 ? 37 : 3 * block;
  for (int64_t rows = 1; rows <= 9; ++rows) {
    for (int64_t tokens = 1; tokens <= 7; ++tokens) gemm_vs_ref(res, fast, ref, type, rng, n, rows, tokens);
  }
  gemm_vs_ref(res, fast, ref, type, rng, 13 * (block == 1 ? 256 : block), 3, 17);
  gemm_vs_ref(res, fast, ref, type, rng, block == 1 ? 4100 : (block == 32 ? 260 * 32 : 40 * 256), 2, 33);
  report("gemm vs ref", type, res, true);
}

// Batch invariance: on a 9-row matrix, gemm of row ranges {0,9}, {3,5}, {8,1}, {1,2} with
// each token alone and with every listed token count equals the table's vec_dot bit for
// bit (as tests/kernels_batch_invariance_test.cpp).
void gemm_bitwise(Result& res, const TypeKernels& k, GgmlType type, int64_t n, const std::vector<int64_t>& counts) {
  constexpr int64_t kRows = 9;
  constexpr int64_t kMaxTokens = 40;
  Rng rng{static_cast<uint64_t>(n) * 31 + static_cast<uint64_t>(type)};
  const int64_t wrow = row_bytes(type, n);
  const auto w = random_rows(rng, type, n, kRows, wrow);
  const Acts a = random_acts(rng, k.act_format, n, kMaxTokens);
  std::vector<float> dot(static_cast<size_t>(kMaxTokens * kRows));
  for (int64_t t = 0; t < kMaxTokens; ++t) {
    for (int64_t r = 0; r < kRows; ++r) dot[t * kRows + r] = k.vec_dot(n, w.data() + r * wrow, a.bytes.data() + t * a.stride);
  }
  struct Range {
    int64_t offset, rows;
  };
  for (const Range range : {Range{0, 9}, Range{3, 5}, Range{8, 1}, Range{1, 2}}) {
    const int64_t y_stride = range.rows + 3;
    for (int64_t t = 0; t < kMaxTokens; ++t) {
      std::vector<float> y(static_cast<size_t>(y_stride), -1.0f);
      k.gemm(n, w.data() + range.offset * wrow, wrow, range.rows, a.bytes.data() + t * a.stride, a.stride, 1, y.data(),
             y_stride);
      for (int64_t r = 0; r < range.rows; ++r) {
        res.same_bits(y[r], dot[t * kRows + range.offset + r], "alone " + where(n, range.rows, 1, range.offset + r, t));
      }
    }
    for (int64_t tokens : counts) {
      std::vector<float> y(static_cast<size_t>(y_stride * tokens), -1.0f);
      k.gemm(n, w.data() + range.offset * wrow, wrow, range.rows, a.bytes.data(), a.stride, tokens, y.data(), y_stride);
      for (int64_t t = 0; t < tokens; ++t) {
        for (int64_t r = 0; r < range.rows; ++r) {
          res.same_bits(y[t * y_stride + r], dot[t * kRows + range.offset + r],
                        "batched " + where(n, range.rows, tokens, range.offset + r, t));
        }
        for (int64_t r = range.rows; r < y_stride; ++r) {
          if (y[t * y_stride + r] != -1.0f) res.fail("wrote past the rows: " + where(n, range.rows, tokens, r, t));
        }
      }
    }
  }
}

void check_gemm_bitwise(const TypeKernels& k, GgmlType type) {
  Result res;
  std::vector<int64_t> all;
  for (int64_t t = 1; t <= 40; ++t) all.push_back(t);
  const std::vector<int64_t> some = {1, 2, 3, 5, 7, 8, 9, 17, 40};
  const int64_t block = type_info(type).block_size;
  // Short rows with every token count; rows spanning several chunks; and rows longer
  // than the kMaxPassChunks chunks one vec_dot tile call covers.
  const std::vector<int64_t> short_rows = block == 1 ? std::vector<int64_t>{1, 45, 333} : std::vector<int64_t>{block, 3 * block};
  for (int64_t n : short_rows) gemm_bitwise(res, k, type, n, all);
  gemm_bitwise(res, k, type, block == 1 ? 10240 + 27 : 10240, some);
  const int64_t very_long = block == 1 ? 16 * 1024 + 1100 : block == 32 ? 32 * (16 * 256 + 7) : 256 * (16 * 28 + 5);
  gemm_bitwise(res, k, type, very_long, {1, 3, 5});
  report("gemm == vec_dot bitwise", type, res, false);
}

// The dotprod table against the plain one: the integer sums are the same, so every
// vec_dot and gemm must agree bit for bit.
void check_same_as_plain(const TypeKernels& plain, const TypeKernels& dot, GgmlType type) {
  Result res;
  Rng rng{static_cast<uint64_t>(type) * 7 + 3};
  const int64_t block = type_info(type).block_size;
  for (int64_t n : {block, 3 * block, 13 * block, 333 * block}) {
    for (int64_t rows : {1, 5}) {
      for (int64_t tokens : {1, 3, 7}) {
        const int64_t w_stride = row_bytes(type, n) + 16;
        const auto w = random_rows(rng, type, n, rows, w_stride);
        const Acts a = random_acts(rng, plain.act_format, n, tokens);
        std::vector<float> y_plain(static_cast<size_t>(rows * tokens)), y_dot(y_plain.size());
        plain.gemm(n, w.data(), w_stride, rows, a.bytes.data(), a.stride, tokens, y_plain.data(), rows);
        dot.gemm(n, w.data(), w_stride, rows, a.bytes.data(), a.stride, tokens, y_dot.data(), rows);
        for (int64_t t = 0; t < tokens; ++t) {
          for (int64_t r = 0; r < rows; ++r) {
            res.same_bits(y_dot[t * rows + r], y_plain[t * rows + r], "gemm " + where(n, rows, tokens, r, t));
            const uint8_t* row = w.data() + r * w_stride;
            const uint8_t* act = a.bytes.data() + t * a.stride;
            res.same_bits(dot.vec_dot(n, row, act), plain.vec_dot(n, row, act), "vec_dot " + where(n, rows, tokens, r, t));
          }
        }
      }
    }
  }
  report("== neon bitwise", type, res, false);
}

// Every check of one table; returns how many types it replaces.
int check_table(const KernelTable& table) {
  const KernelTable& ref = kernels::ref_kernels();
  g_isa = table.isa;
  const bool shape_ok = table.quantize_q8a == ref.quantize_q8a && table.quantize_q8k == ref.quantize_q8k;
  std::printf("%s %-12s activation quantizers are the reference ones\n", shape_ok ? "PASS" : "FAIL", g_isa);
  if (!shape_ok) ++g_failed_checks;
  int replaced = 0;
  for (int id = 0; id < kernels::kMaxTypeId; ++id) {
    const TypeKernels& r = ref.types[id];
    const TypeKernels& k = table.types[id];
    const auto type = static_cast<GgmlType>(id);
    if ((k.vec_dot == nullptr) != (r.vec_dot == nullptr) || (k.gemm == nullptr) != (r.gemm == nullptr) ||
        (k.to_float == nullptr) != (r.to_float == nullptr) || k.act_format != r.act_format) {
      std::printf("FAIL %-12s table entry of type id %d differs in shape from the reference\n", g_isa, id);
      ++g_failed_checks;
      continue;
    }
    if (k.vec_dot == r.vec_dot && k.gemm == r.gemm) continue;  // still the reference kernels
    ++replaced;
    check_vec_dot(k, r, type);
    check_gemm_vs_ref(k, r, type);
    check_gemm_bitwise(k, type);
  }
  return replaced;
}

}  // namespace
}  // namespace loco

int main() {
  using namespace loco;
  const KernelTable* neon = kernels::neon_kernels();
  if (neon == nullptr) {
    std::printf("FAIL neon_kernels() is null: not an aarch64 build\n");
    return 1;
  }
  const KernelTable* dotprod = kernels::neon_dotprod_kernels();
  const char* forced = std::getenv("LOCO_ISA");
  const std::string active = kernels::active_kernels().isa;
  const std::string want_active = forced != nullptr && *forced != '\0' ? forced : dotprod != nullptr ? "neon_dotprod" : "neon";
  const bool names_ok = std::string(neon->isa) == "neon" && (dotprod == nullptr || std::string(dotprod->isa) == "neon_dotprod");
  const bool dispatch_ok = names_ok && active == want_active;
  std::printf("%s dispatch: CPU %s dotprod, active table %s (want %s)\n", dispatch_ok ? "PASS" : "FAIL",
              dotprod != nullptr ? "has" : "lacks", active.c_str(), want_active.c_str());
  if (!dispatch_ok) ++g_failed_checks;

  const int replaced = check_table(*neon);
  int replaced_dotprod = 0;
  if (dotprod == nullptr) {
    std::printf("SKIP neon_dotprod: this CPU lacks the dotprod extension (ASIMDDP)\n");
  } else {
    replaced_dotprod = check_table(*dotprod);
    for (int id = 0; id < kernels::kMaxTypeId; ++id) {
      const kernels::TypeKernels& p = neon->types[id];
      const kernels::TypeKernels& d = dotprod->types[id];
      if (p.vec_dot != d.vec_dot || p.gemm != d.gemm) check_same_as_plain(p, d, static_cast<GgmlType>(id));
    }
  }
  std::printf("%s: neon replaces %d types, neon_dotprod %s; %d failed checks\n", g_failed_checks == 0 ? "OK" : "FAILED",
              replaced, dotprod != nullptr ? (std::to_string(replaced_dotprod) + " types").c_str() : "not checked",
              g_failed_checks);
  return g_failed_checks == 0 && replaced > 0 ? 0 : 1;
}
