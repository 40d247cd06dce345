// The table of scalar reference kernels, indexed by ggml type id.
#include "kernels/kernels.h"
#include "kernels/ref/ref.h"

namespace loco::kernels {
namespace {

KernelTable make_ref_table() {
  KernelTable table;
  table.isa = "ref";
  auto set = [&table](GgmlType type, auto to_float, auto from_float, ActFormat act, auto dot,
                       auto gemm) {
    TypeKernels& k = table.types[static_cast<uint32_t>(type)];
    k.to_float = to_float;
    k.from_float = from_float;
    k.act_format = act;
    k.vec_dot = dot;
    k.gemm = gemm;
  };
  using namespace ref;
#define LOCO_REF_TYPE(TYPE, name, act) \
  set(GgmlType::TYPE, dequantize_##name, quantize_##name, ActFormat::act, vec_dot_##name, \
      gemm_by_rows<vec_dot_##name>)
  LOCO_REF_TYPE(F32, f32, F32);
  LOCO_REF_TYPE(F16, f16, F32);
  LOCO_REF_TYPE(BF16, bf16, F32);
  LOCO_REF_TYPE(Q8_0, q8_0, Q8A);
  LOCO_REF_TYPE(Q4_0, q4_0, Q8A);
  LOCO_REF_TYPE(Q4_1, q4_1, Q8A);
  LOCO_REF_TYPE(Q5_0, q5_0, Q8A);
  LOCO_REF_TYPE(Q5_1, q5_1, Q8A);
  LOCO_REF_TYPE(Q2_K, q2_k, Q8K);
  LOCO_REF_TYPE(Q3_K, q3_k, Q8K);
  LOCO_REF_TYPE(Q4_K, q4_k, Q8K);
  LOCO_REF_TYPE(Q5_K, q5_k, Q8K);
  LOCO_REF_TYPE(Q6_K, q6_k, Q8K);
#undef LOCO_REF_TYPE
  table.quantize_q8a = quantize_q8a;
  table.quantize_q8k = quantize_q8k;
  table.rows = RowKernels{rms_norm, add, silu_mul, softmax, exp_values, rope, axpy_f32, axpy_f16, dot_f32, dot_f16,
                          dot_f16_rows, axpy_f16_rows, gemm_acc_f32};
  return table;
}

}  // namespace

const KernelTable& ref_kernels() {
  static const KernelTable table = make_ref_table();
  return table;
}

}  // namespace loco::kernels
