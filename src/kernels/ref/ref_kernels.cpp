// The table of scalar reference kernels, indexed by ggml type id.
#include "kernels/kernels.h"
#include "kernels/ref/ref.h"

namespace loco::kernels {
namespace {

KernelTable make_ref_table() {
  KernelTable table;
  table.isa = "ref";
  auto set = [&table](GgmlType type, auto to_float, auto from_float, ActFormat act, auto dot) {
    TypeKernels& k = table.types[static_cast<uint32_t>(type)];
    k.to_float = to_float;
    k.from_float = from_float;
    k.act_format = act;
    k.vec_dot = dot;
  };
  using namespace ref;
  set(GgmlType::F32, dequantize_f32, quantize_f32, ActFormat::F32, vec_dot_f32);
  set(GgmlType::F16, dequantize_f16, quantize_f16, ActFormat::F32, vec_dot_f16);
  set(GgmlType::BF16, dequantize_bf16, quantize_bf16, ActFormat::F32, vec_dot_bf16);
  set(GgmlType::Q8_0, dequantize_q8_0, quantize_q8_0, ActFormat::Q8A, vec_dot_q8_0);
  set(GgmlType::Q4_0, dequantize_q4_0, quantize_q4_0, ActFormat::Q8A, vec_dot_q4_0);
  set(GgmlType::Q4_1, dequantize_q4_1, quantize_q4_1, ActFormat::Q8A, vec_dot_q4_1);
  set(GgmlType::Q5_0, dequantize_q5_0, quantize_q5_0, ActFormat::Q8A, vec_dot_q5_0);
  set(GgmlType::Q5_1, dequantize_q5_1, quantize_q5_1, ActFormat::Q8A, vec_dot_q5_1);
  set(GgmlType::Q2_K, dequantize_q2_k, quantize_q2_k, ActFormat::Q8K, vec_dot_q2_k);
  set(GgmlType::Q3_K, dequantize_q3_k, quantize_q3_k, ActFormat::Q8K, vec_dot_q3_k);
  set(GgmlType::Q4_K, dequantize_q4_k, quantize_q4_k, ActFormat::Q8K, vec_dot_q4_k);
  set(GgmlType::Q5_K, dequantize_q5_k, quantize_q5_k, ActFormat::Q8K, vec_dot_q5_k);
  set(GgmlType::Q6_K, dequantize_q6_k, quantize_q6_k, ActFormat::Q8K, vec_dot_q6_k);
  table.quantize_q8a = quantize_q8a;
  table.quantize_q8k = quantize_q8k;
  return table;
}

}  // namespace

const KernelTable& ref_kernels() {
  static const KernelTable table = make_ref_table();
  return table;
}

}  // namespace loco::kernels
