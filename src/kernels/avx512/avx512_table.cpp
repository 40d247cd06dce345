// The AVX-512 kernel table: the reference table with every kernel this directory
// provides put in its place. Built on first use, which dispatch.cpp allows only on a
// CPU with the instructions.
#include "kernels/avx512/avx512.h"
#include "kernels/isa_tables.h"
#include "kernels/packed_q4k.h"
#include "kernels/packed_q6k.h"
#include "kernels/packed_q8_0.h"

namespace loco::kernels {
namespace {

KernelTable make_avx512_table() {
  KernelTable table = ref_kernels();
  table.isa = "avx512";
  using namespace avx512;
  table.set_dot(GgmlType::F32, vec_dot_f32, gemm_f32);
  table.set_dot(GgmlType::F16, vec_dot_f16, gemm_f16);
  table.set_dot(GgmlType::BF16, vec_dot_bf16, gemm_bf16);
  table.set_dot(GgmlType::Q8_0, vec_dot_q8_0, gemm_q8_0);
  table.set_dot(GgmlType::Q4_0, vec_dot_q4_0, gemm_q4_0);
  table.set_dot(GgmlType::Q4_1, vec_dot_q4_1, gemm_q4_1);
  table.set_dot(GgmlType::Q5_0, vec_dot_q5_0, gemm_q5_0);
  table.set_dot(GgmlType::Q5_1, vec_dot_q5_1, gemm_q5_1);
  table.set_dot(GgmlType::Q2_K, vec_dot_q2_k, gemm_q2_k);
  table.set_dot(GgmlType::Q3_K, vec_dot_q3_k, gemm_q3_k);
  table.set_dot(GgmlType::Q4_K, vec_dot_q4_k, gemm_q4_k);
  table.set_dot(GgmlType::Q5_K, vec_dot_q5_k, gemm_q5_k);
  table.set_dot(GgmlType::Q6_K, vec_dot_q6_k, gemm_q6_k);
  table.of(GgmlType::F16).to_float = dequantize_f16;
  table.of(GgmlType::BF16).to_float = dequantize_bf16;
  table.of(GgmlType::Q8_0).to_float = dequantize_q8_0;
  // AVX-512 only: the AVX2 `vpmaddubsw` would saturate on unsigned levels up to 255.
  use_packed_q8_0(table.of(GgmlType::Q8_0), packed_gemm_q8_0, packed_q8_0_to_float);
  table.of(GgmlType::Q4_K).to_float = dequantize_q4_k;
  use_packed_q4k(table.of(GgmlType::Q4_K), packed_gemm_q4_k, packed_to_float_q4_k);
  table.of(GgmlType::Q6_K).to_float = dequantize_q6_k;
  use_packed_q6k(table.of(GgmlType::Q6_K), packed_gemm_q6_k, packed_to_float_q6_k);
  table.quantize_q8a = quantize_q8a;
  table.quantize_q8k = quantize_q8k;
  table.rows = RowKernels{rms_norm, add, silu_mul, softmax, exp_values, rope, axpy_f32, axpy_f16, dot_f32, dot_f16,
                          dot_f16_rows, axpy_f16_rows, gemm_acc_f32};
  table.rows.quantize_tile_int8 = quantize_tile_int8;
  table.rows.gemm_acc_int8 = gemm_acc_int8;
  return table;
}

}  // namespace

const KernelTable& avx512_table() {
  static const KernelTable table = make_avx512_table();
  return table;
}

}  // namespace loco::kernels
