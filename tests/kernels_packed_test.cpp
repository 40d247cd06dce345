// Q4_K, Q6_K and Q8_0 repacked into 16-row groups (kernels/packed_q4k.h, packed_q6k.h,
// packed_q8_0.h): the
// scalar reference of each packed product agrees with the row kernels' reference within
// float rounding; the packed copy dequantizes to the file's values bit for bit; every SIMD
// table's packed product gives exactly the scalar reference's bits; and the packed product
// is batch invariant (any token count, any run of row groups, the same bits).
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "cli_runner.h"
#include "kernel_random_data.h"
#include "kernels/kernels.h"
#include "kernels/packed_q4k.h"
#include "kernels/packed_q6k.h"
#include "kernels/packed_q8_0.h"
#include "loco/gguf.h"
#include "loco/model.h"
#include "tensor/fp16.h"
#include "test_paths.h"

namespace loco {
namespace {

using namespace kernel_test;
using kernels::ActFormat;

using PackedGemm = void (*)(int64_t, const void*, int64_t, int64_t, const void*, int64_t, int64_t, float*, int64_t);
using PackedToFloat = void (*)(const void*, int64_t, int64_t, int64_t, int64_t, float*, int64_t);

// One packed layout: its functions, independent of any kernel table.
struct PackedFormat {
  GgmlType type;
  ActFormat act;
  int64_t (*bytes)(int64_t, int64_t);
  void (*pack)(const void*, int64_t, int64_t, int64_t, void*);
  PackedToFloat to_float;
  PackedGemm reference;
};

const PackedFormat formats[] = {
    {GgmlType::Q4_K, ActFormat::Q8K, kernels::packed_q4k_bytes, kernels::pack_q4k, kernels::packed_q4k_to_float,
     kernels::packed_q4k_gemm_ref},
    {GgmlType::Q6_K, ActFormat::Q8K, kernels::packed_q6k_bytes, kernels::pack_q6k, kernels::packed_q6k_to_float,
     kernels::packed_q6k_gemm_ref},
    {GgmlType::Q8_0, ActFormat::Q8A, kernels::packed_q8_0_bytes, kernels::pack_q8_0, kernels::packed_q8_0_to_float,
     kernels::packed_q8_0_gemm_ref},
};

struct PackedCase {
  int64_t n, rows, tokens;
};

struct Packed {
  std::vector<uint8_t> rows;  // the file's layout
  std::vector<uint8_t> packed;
  int64_t stride = 0;
};

Packed random_packed(Rng& rng, const PackedFormat& f, int64_t n, int64_t rows) {
  Packed p;
  p.stride = row_bytes(f.type, n);
  p.rows = random_rows(rng, f.type, n, rows, p.stride);
  p.packed.resize(static_cast<size_t>(f.bytes(n, rows)));
  f.pack(p.rows.data(), p.stride, n, rows, p.packed.data());
  return p;
}

TEST(Packed, ReferenceAgreesWithTheRowKernelsWithinRounding) {
  for (const PackedFormat& f : formats) {
    Rng rng{41};
    const kernels::TypeKernels& ref = kernels::ref_kernels().of(f.type);
    for (const PackedCase& c : {PackedCase{256, 16, 1}, PackedCase{768, 32, 3}, PackedCase{2560, 16, 5}}) {
      const Packed p = random_packed(rng, f, c.n, c.rows);
      const Acts a = random_acts(rng, f.act, c.n, c.tokens);
      std::vector<float> y(static_cast<size_t>(c.rows * c.tokens));
      f.reference(c.n, p.packed.data(), 0, c.rows, a.bytes.data(), a.stride, c.tokens, y.data(), c.rows);
      for (int64_t r = 0; r < c.rows; ++r) {
        std::vector<float> main, offset;
        weight_parts(f.type, p.rows.data() + r * p.stride, c.n, main, offset);
        for (int64_t t = 0; t < c.tokens; ++t) {
          const float want = ref.vec_dot(c.n, p.rows.data() + r * p.stride, a.bytes.data() + t * a.stride);
          EXPECT_NEAR(y[static_cast<size_t>(t * c.rows + r)], want,
                      tolerance(main, offset, a.values[static_cast<size_t>(t)]))
              << type_name(f.type) << " n=" << c.n << " r=" << r << " t=" << t;
        }
      }
    }
  }
}

TEST(Packed, Q4KPackingKeepsEveryLevelScaleAndMinimum) {
  // Unpacked by hand from the layout's definition: the packed block dequantizes to the
  // row kernels' dequantization.
  Rng rng{43};
  const int64_t n = 512, rows = 16;
  const Packed p = random_packed(rng, formats[0], n, rows);
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

TEST(Packed, Q6KPackingKeepsEveryLevelAndScale) {
  // The same from Q6_K's packed layout: low nibbles as Q4_K's, the top two bits of quad s
  // of sub-block j at bits 2s of qh[j].
  Rng rng{44};
  const int64_t n = 512, rows = 16;
  const Packed p = random_packed(rng, formats[1], n, rows);
  const auto* blocks = reinterpret_cast<const kernels::PackedQ6KBlock*>(p.packed.data());
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<float> want(static_cast<size_t>(n));
    kernels::ref_kernels().of(GgmlType::Q6_K).to_float(p.rows.data() + r * p.stride, want.data(), n);
    for (int64_t b = 0; b < n / 256; ++b) {
      const kernels::PackedQ6KBlock& blk = blocks[b];
      BlockQ6_K q;
      std::memcpy(&q, p.rows.data() + r * p.stride + b * sizeof(BlockQ6_K), sizeof q);
      EXPECT_EQ(blk.d[r], q.d);
      for (int v = 0; v < 256; ++v) {
        const int pair = v / 8, i = v % 8;
        const uint8_t low = blk.ql[pair][4 * r + i % 4];
        const int top = (blk.qh[v / 16][4 * r + v % 4] >> (2 * ((v % 16) / 4))) & 3;
        const int level = ((i < 4 ? low : low >> 4) & 15) | (top << 4);
        const float x = half_to_float(blk.d[r]) * static_cast<float>(blk.scales[v / 16][r]) * (level - 32);
        EXPECT_EQ(x, want[static_cast<size_t>(b * 256 + v)]) << "r=" << r << " v=" << v;
      }
    }
  }
}

TEST(Packed, Q8_0PackingKeepsEveryLevelAndScale) {
  // Q8_0's packed layout: value 4q + i of row r at byte 4r + i of quad q, plus 128; the
  // extreme levels −128 and 127 included.
  Rng rng{46};
  const int64_t n = 512, rows = 16;
  Packed p = random_packed(rng, formats[2], n, rows);
  auto* first = reinterpret_cast<BlockQ8_0*>(p.rows.data());
  first[0].qs[0] = -128;
  first[0].qs[31] = 127;
  kernels::pack_q8_0(p.rows.data(), p.stride, n, rows, p.packed.data());
  const auto* blocks = reinterpret_cast<const kernels::PackedQ8_0Block*>(p.packed.data());
  EXPECT_EQ(blocks[0].qs[0][0], 0);
  EXPECT_EQ(blocks[0].qs[7][3], 255);
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<float> want(static_cast<size_t>(n));
    kernels::ref_kernels().of(GgmlType::Q8_0).to_float(p.rows.data() + r * p.stride, want.data(), n);
    for (int64_t v = 0; v < n; ++v) {
      const kernels::PackedQ8_0Block& blk = blocks[v / 256];
      const int64_t w = v % 256;
      EXPECT_EQ(blk.d[w / 32][r], first[r * (p.stride / 34) + v / 32].d) << "r=" << r << " v=" << v;
      const float x = half_to_float(blk.d[w / 32][r]) * static_cast<float>(blk.qs[w / 4][4 * r + w % 4] - 128);
      EXPECT_EQ(x, want[static_cast<size_t>(v)]) << "r=" << r << " v=" << v;
    }
  }
}

const kernels::KernelTable* packed_tables[] = {kernels::avx512_kernels(), kernels::avx2_kernels(),
                                               kernels::neon_kernels(), kernels::neon_dotprod_kernels()};

TEST(Packed, RowsDequantizeFromThePackedCopyToTheSameBits) {
  // The reference and every SIMD table's dequantization, in two calls of half the type's
  // blocks each, row k of a group to dst + k·stride.
  for (const PackedFormat& f : formats) {
    std::vector<PackedToFloat> versions = {f.to_float};
    for (const kernels::KernelTable* table : packed_tables) {
      if (table != nullptr && table->of(f.type).packed_to_float != nullptr) {
        versions.push_back(table->of(f.type).packed_to_float);
      }
    }
#if defined(__x86_64__)
    // Every machine loco is tested on has AVX2 at least: its fast version must be here
    // (Q8_0 is packed by the AVX-512 table only).
    if (f.type != GgmlType::Q8_0 || kernels::avx512_kernels() != nullptr) {
      EXPECT_GE(versions.size(), 2u) << "no SIMD table of this x86 CPU dequantizes packed " << type_name(f.type);
    }
#endif
    Rng rng{45};
    const int64_t n = 1024, rows = 32;
    const Packed p = random_packed(rng, f, n, rows);
    std::vector<float> want(static_cast<size_t>(n * rows));
    for (int64_t r = 0; r < rows; ++r) {
      kernels::ref_kernels().of(f.type).to_float(p.rows.data() + r * p.stride, want.data() + r * n, n);
    }
    for (size_t v = 0; v < versions.size(); ++v) {
      std::vector<float> got(want.size(), -1.0f);
      const int64_t block = type_info(f.type).block_size, half = n / block / 2;
      for (int64_t g = 0; g < rows / 16; ++g) {
        versions[v](p.packed.data(), n, g, 0, half, got.data() + g * 16 * n, n);
        versions[v](p.packed.data(), n, g, half, 2 * half, got.data() + g * 16 * n + half * block, n);
      }
      for (int64_t r = 0; r < rows; ++r) {
        EXPECT_EQ(std::memcmp(got.data() + r * n, want.data() + r * n, static_cast<size_t>(n) * 4), 0)
            << type_name(f.type) << " version " << v << " row " << r;
      }
    }
  }
}

TEST(Packed, SimdTablesGiveTheReferenceBitsAndAreBatchInvariant) {
  int tested = 0;
  for (const PackedFormat& f : formats) {
    for (const kernels::KernelTable* table : packed_tables) {
      if (table == nullptr || table->of(f.type).packed_gemm == nullptr) continue;
      ++tested;
      const auto& k = table->of(f.type);
      Rng rng{47};
      // 38 blocks: more than one pass of the activations at 8 tokens.
      for (const PackedCase& c : {PackedCase{256, 16, 1}, PackedCase{1024, 48, 7}, PackedCase{9728, 32, 19}}) {
        const Packed p = random_packed(rng, f, c.n, c.rows);
        const Acts a = random_acts(rng, f.act, c.n, c.tokens);
        std::vector<float> want(static_cast<size_t>(c.rows * c.tokens)), got(want.size());
        f.reference(c.n, p.packed.data(), 0, c.rows, a.bytes.data(), a.stride, c.tokens, want.data(), c.rows);
        k.packed_gemm(c.n, p.packed.data(), 0, c.rows, a.bytes.data(), a.stride, c.tokens, got.data(), c.rows);
        EXPECT_EQ(std::memcmp(got.data(), want.data(), got.size() * 4), 0)
            << table->isa << " " << type_name(f.type) << " n=" << c.n;
        // One token at a time, one row group at a time: the same bits.
        for (int64_t t = 0; t < c.tokens; ++t) {
          for (int64_t r0 = 0; r0 < c.rows; r0 += 16) {
            float one[16];
            k.packed_gemm(c.n, p.packed.data(), r0, 16, a.bytes.data() + t * a.stride, a.stride, 1, one, 16);
            EXPECT_EQ(std::memcmp(one, got.data() + t * c.rows + r0, sizeof one), 0)
                << table->isa << " " << type_name(f.type) << " n=" << c.n << " t=" << t << " r0=" << r0;
          }
        }
      }
    }
  }
  if (tested == 0) GTEST_SKIP() << "no kernel table of this CPU has a packed product";
}

TEST(Packed, AModelPacksOnlyWhereTheActiveTableHasAPackedProduct) {
  for (const char* name : {"tiny-qwen3-q4_k_m.gguf", "tiny-qwen3-q8_0.gguf"}) {
    auto model = Model::load(test::model_path(name));
    const kernels::KernelTable& table = kernels::active_kernels();
    const ModelWeights& w = model->weights();
    std::vector<const Matrix*> matrices{&w.output};
    for (const LayerWeights& l : w.layers) {
      for (const Matrix* m : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_gate, &l.w_up, &l.w_down}) matrices.push_back(m);
    }
    int packed = 0;
    for (const Matrix* m : matrices) {
      const auto& k = table.of(m->type);
      const bool packable = k.packed_gemm != nullptr && m->n_out % k.pack_rows == 0 && m->n_in % 256 == 0;
      EXPECT_EQ(m->packed != nullptr, packable) << name << " " << type_name(m->type);
      packed += m->packed != nullptr;
    }
    // Q8_0: the output matrix (4101 rows) is not whole groups; every layer's matrices are.
    if (std::string(name) == "tiny-qwen3-q8_0.gguf" && table.of(GgmlType::Q8_0).packed_gemm != nullptr) {
      EXPECT_EQ(packed, 7 * 4);
    }
    EXPECT_EQ(w.token_embd.packed, nullptr);  // read by rows
  }
}

TEST(Packed, LocoPackNamesTheTypesThatArePacked) {
  // The benchmarks' switch: LOCO_PACK=Q6_K packs only Q6_K matrices, 0 none.
  const std::string path = test::model_path("tiny-qwen3-q4_k_m.gguf");
  const kernels::KernelTable& table = kernels::active_kernels();
  auto packed_types = [&](const char* setting) {
    setenv("LOCO_PACK", setting, 1);
    auto model = Model::load(path);
    unsetenv("LOCO_PACK");
    std::set<std::string> types;
    for (const LayerWeights& l : model->weights().layers) {
      for (const Matrix* m : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_gate, &l.w_up, &l.w_down}) {
        if (m->packed != nullptr) types.insert(std::string(type_name(m->type)));
      }
    }
    return types;
  };
  if (table.of(GgmlType::Q4_K).packed_gemm == nullptr || table.of(GgmlType::Q6_K).packed_gemm == nullptr) {
    EXPECT_TRUE(packed_types("1").empty());
    return;
  }
  EXPECT_EQ(packed_types("1"), (std::set<std::string>{"Q4_K", "Q6_K"}));
  EXPECT_EQ(packed_types("Q6_K"), (std::set<std::string>{"Q6_K"}));
  EXPECT_EQ(packed_types("Q4_K,Q6_K"), (std::set<std::string>{"Q4_K", "Q6_K"}));
  EXPECT_TRUE(packed_types("0").empty());
}

TEST(Packed, AModelFromMemoryKeepsItsRowsAfterPacking) {
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
