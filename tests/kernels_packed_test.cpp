// Q4_K repacked into 16-row groups (kernels/packed_q4k.h): the scalar reference of the
// packed product agrees with the row kernels' reference within float rounding; every SIMD
// table's packed product gives exactly the scalar reference's bits; and the packed product
// is batch invariant (any token count, any run of row groups, the same bits).
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "kernel_random_data.h"
#include "kernels/kernels.h"
#include "kernels/packed_q4k.h"
#include "loco/model.h"
#include "tensor/fp16.h"
#include "cli_runner.h"
#include "loco/gguf.h"
#include "test_paths.h"

namespace loco {
namespace {

using namespace kernel_test;
using kernels::ActFormat;

struct PackedCase {
  int64_t n, rows, tokens;
};

struct Packed {
  std::vector<uint8_t> rows;  // Q4_K
  std::vector<uint8_t> packed;
  int64_t stride = 0;
};

Packed random_packed(Rng& rng, int64_t n, int64_t rows) {
  Packed p;
  p.stride = row_bytes(GgmlType::Q4_K, n);
  p.rows = random_rows(rng, GgmlType::Q4_K, n, rows, p.stride);
  p.packed.resize(static_cast<size_t>(kernels::packed_q4k_bytes(n, rows)));
  kernels::pack_q4k(p.rows.data(), p.stride, n, rows, p.packed.data());
  return p;
}

TEST(PackedQ4K, ReferenceAgreesWithTheRowKernelsWithinRounding) {
  Rng rng{41};
  const kernels::TypeKernels& ref = kernels::ref_kernels().of(GgmlType::Q4_K);
  for (const PackedCase& c : {PackedCase{256, 16, 1}, PackedCase{768, 32, 3}, PackedCase{2560, 16, 5}}) {
    const Packed p = random_packed(rng, c.n, c.rows);
    const Acts a = random_acts(rng, ActFormat::Q8K, c.n, c.tokens);
    std::vector<float> y(static_cast<size_t>(c.rows * c.tokens));
    kernels::packed_q4k_gemm_ref(c.n, p.packed.data(), 0, c.rows, a.bytes.data(), a.stride, c.tokens, y.data(), c.rows);
    for (int64_t r = 0; r < c.rows; ++r) {
      std::vector<float> main, offset;
      weight_parts(GgmlType::Q4_K, p.rows.data() + r * p.stride, c.n, main, offset);
      for (int64_t t = 0; t < c.tokens; ++t) {
        const float want = ref.vec_dot(c.n, p.rows.data() + r * p.stride, a.bytes.data() + t * a.stride);
        EXPECT_NEAR(y[static_cast<size_t>(t * c.rows + r)], want, tolerance(main, offset, a.values[static_cast<size_t>(t)]))
            << "n=" << c.n << " r=" << r << " t=" << t;
      }
    }
  }
}

TEST(PackedQ4K, PackingKeepsEveryLevelScaleAndMinimum) {
  // Unpacked by hand from the layout's definition: the packed block dequantizes to the
  // row kernels' dequantization.
  Rng rng{43};
  const int64_t n = 512, rows = 16;
  const Packed p = random_packed(rng, n, rows);
  const auto* blocks = reinterpret_cast<const kernels::PackedQ4KBlock*>(p.packed.data());
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<float> want(static_cast<size_t>(n));
    kernels::ref_kernels().of(GgmlType::Q4_K).to_float(p.rows.data() + r * p.stride, want.data(), n);
    for (int64_t b = 0; b < n / 256; ++b) {
      const kernels::PackedQ4KBlock& blk = blocks[b];
      BlockQ4_K q;
      std::memcpy(&q, p.rows.data() + r * p.stride + b * sizeof(BlockQ4_K), sizeof q);
      EXPECT_EQ(blk.d[r], q.d);
      EXPECT_EQ(blk.dmin[r], q.dmin);
      for (int v = 0; v < 256; ++v) {
        const int pair = v / 8, i = v % 8;
        const uint8_t byte = blk.qs[pair][4 * r + i % 4];
        const int level = i < 4 ? byte & 15 : byte >> 4;
        const int j = v / 32;
        const float d = half_to_float(blk.d[r]), dmin = half_to_float(blk.dmin[r]);
        const float x = d * blk.scales[j][r] * level - dmin * blk.mins[j / 2][r][j % 2];
        EXPECT_EQ(x, want[static_cast<size_t>(b * 256 + v)]) << "r=" << r << " v=" << v;
      }
    }
  }
}

TEST(PackedQ4K, RowsDequantizeFromThePackedCopyToTheSameBits) {
  Rng rng{45};
  const int64_t n = 1024, rows = 32;
  const Packed p = random_packed(rng, n, rows);
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<float> want(static_cast<size_t>(n)), got(static_cast<size_t>(n));
    kernels::ref_kernels().of(GgmlType::Q4_K).to_float(p.rows.data() + r * p.stride, want.data(), n);
    kernels::packed_q4k_to_float(p.packed.data(), n, r, 0, 2, got.data());
    kernels::packed_q4k_to_float(p.packed.data(), n, r, 2, 4, got.data() + 512);
    EXPECT_EQ(std::memcmp(got.data(), want.data(), got.size() * 4), 0) << "row " << r;
  }
}

const kernels::KernelTable* packed_tables[] = {kernels::avx512_kernels(), kernels::avx2_kernels(),
                                               kernels::neon_kernels(), kernels::neon_dotprod_kernels()};

TEST(PackedQ4K, SimdTablesGiveTheReferenceBitsAndAreBatchInvariant) {
  int tested = 0;
  for (const kernels::KernelTable* table : packed_tables) {
    if (table == nullptr || table->of(GgmlType::Q4_K).packed_gemm == nullptr) continue;
    ++tested;
    const auto& k = table->of(GgmlType::Q4_K);
    Rng rng{47};
    // 38 blocks: more than one pass of the activations at 8 tokens.
    for (const PackedCase& c : {PackedCase{256, 16, 1}, PackedCase{1024, 48, 7}, PackedCase{9728, 32, 19}}) {
      const Packed p = random_packed(rng, c.n, c.rows);
      const Acts a = random_acts(rng, ActFormat::Q8K, c.n, c.tokens);
      std::vector<float> want(static_cast<size_t>(c.rows * c.tokens)), got(want.size());
      kernels::packed_q4k_gemm_ref(c.n, p.packed.data(), 0, c.rows, a.bytes.data(), a.stride, c.tokens, want.data(), c.rows);
      k.packed_gemm(c.n, p.packed.data(), 0, c.rows, a.bytes.data(), a.stride, c.tokens, got.data(), c.rows);
      EXPECT_EQ(std::memcmp(got.data(), want.data(), got.size() * 4), 0) << table->isa << " n=" << c.n;
      // One token at a time, one row group at a time: the same bits.
      for (int64_t t = 0; t < c.tokens; ++t) {
        for (int64_t r0 = 0; r0 < c.rows; r0 += 16) {
          float one[16];
          k.packed_gemm(c.n, p.packed.data(), r0, 16, a.bytes.data() + t * a.stride, a.stride, 1, one, 16);
          EXPECT_EQ(std::memcmp(one, got.data() + t * c.rows + r0, sizeof one), 0)
              << table->isa << " n=" << c.n << " t=" << t << " r0=" << r0;
        }
      }
    }
  }
  if (tested == 0) GTEST_SKIP() << "no kernel table of this CPU has a packed Q4_K product";
}

TEST(PackedQ4K, AModelPacksOnlyWhereTheActiveTableHasAPackedProduct) {
  auto model = Model::load(test::model_path("tiny-qwen3-q4_k_m.gguf"));
  const kernels::KernelTable& table = kernels::active_kernels();
  for (const LayerWeights& l : model->weights().layers) {
    for (const Matrix* m : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_gate, &l.w_up, &l.w_down}) {
      const auto& k = table.of(m->type);
      const bool packable = k.packed_gemm != nullptr && m->n_out % k.pack_rows == 0;
      EXPECT_EQ(m->packed != nullptr, packable) << type_name(m->type);
    }
  }
  EXPECT_EQ(model->weights().token_embd.packed, nullptr);  // read by rows
}

TEST(PackedQ4K, AModelFromMemoryKeepsItsRowsAfterPacking) {
  // Pages of a mapped file are released after packing and read back on use; an
  // in-memory image's must be left alone, or its rows would read as zeros.
  const std::string path = test::model_path("tiny-qwen3-q4_k_m.gguf");
  const std::string bytes = test::read_file(path);
  auto model = Model::from_gguf(GgufFile::from_bytes(std::vector<uint8_t>(bytes.begin(), bytes.end()), path));
  auto mapped = Model::load(path);
  for (size_t il = 0; il < model->weights().layers.size(); ++il) {
    const Matrix& m = model->weights().layers[il].w_gate;
    const Matrix& f = mapped->weights().layers[il].w_gate;
    ASSERT_EQ(m.n_out * m.row_bytes, f.n_out * f.row_bytes);
    EXPECT_EQ(std::memcmp(m.data, f.data, static_cast<size_t>(m.n_out * m.row_bytes)), 0) << "layer " << il;
  }
}

}  // namespace
}  // namespace loco
