// The NEON kernel tables: the reference table with every kernel this directory provides
// put in its place, and the same with the dotprod builds of the quantized kernels.
// Dequantization, the activation quantizers and the row operations stay the reference
// ones (the quantizers must produce the reference blocks anyway).
#include "kernels/isa_tables.h"
#include "kernels/neon/neon.h"
#include "kernels/neon/neon_dotprod.h"

namespace loco::kernels {
namespace {

KernelTable make_neon_table() {
  KernelTable table = ref_kernels();
  table.isa = "neon";
  using namespace neon;
  table.set_dot(GgmlType::F32, vec_dot_f32, gemm_f32);
  table.set_dot(GgmlType::F16, vec_dot_f16, gemm_f16);
  table.set_dot(GgmlType::BF16, vec_dot_bf16, gemm_bf16);
  table.set_dot(GgmlType::Q8_0, vec_dot_q8_0, gemm_q8_0);
  table.set_dot(GgmlType::Q4_0, vec_dot_q4_0, gemm_q4_0);
  table.set_dot(GgmlType::Q4_1, vec_dot_q4_1, gemm_q4_1);
  table.set_dot(GgmlType::Q5_0, vec_dot_q5_0, gemm_q5_0);
  table.set_dot(GgmlType::Q5_1, vec_dot_q5_1, gemm_q5_1);
  table.set_dot(GgmlType::Q4_K, vec_dot_q4_k, gemm_q4_k);
  table.set_dot(GgmlType::Q5_K, vec_dot_q5_k, gemm_q5_k);
  table.set_dot(GgmlType::Q6_K, vec_dot_q6_k, gemm_q6_k);
  return table;
}

KernelTable make_neon_dotprod_table() {
  KernelTable table = neon_table();
  table.isa = "neon_dotprod";
  using namespace neon_dotprod;
  table.set_dot(GgmlType::Q8_0, vec_dot_q8_0, gemm_q8_0);
  table.set_dot(GgmlType::Q4_0, vec_dot_q4_0, gemm_q4_0);
  table.set_dot(GgmlType::Q4_1, vec_dot_q4_1, gemm_q4_1);
  table.set_dot(GgmlType::Q5_0, vec_dot_q5_0, gemm_q5_0);
  table.set_dot(GgmlType::Q5_1, vec_dot_q5_1, gemm_q5_1);
  table.set_dot(GgmlType::Q4_K, vec_dot_q4_k, gemm_q4_k);
  table.set_dot(GgmlType::Q5_K, vec_dot_q5_k, gemm_q5_k);
  table.set_dot(GgmlType::Q6_K, vec_dot_q6_k, gemm_q6_k);
  return table;
}

}  // namespace

const KernelTable& neon_table() {
  static const KernelTable table = make_neon_table();
  return table;
}

const KernelTable& neon_dotprod_table() {
  static const KernelTable table = make_neon_dotprod_table();
  return table;
}

}  // namespace loco::kernels
