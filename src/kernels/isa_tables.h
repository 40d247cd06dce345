// The SIMD kernel tables, defined in avx2/, avx512/ and neon/ and compiled with those
// instruction sets. Only dispatch.cpp calls these, and only after it has checked that
// the CPU (and the OS) support the instructions; on other targets they are not built.
#pragma once

#include "kernels/kernels.h"

namespace loco::kernels {

const KernelTable& avx2_table();    // needs AVX2, FMA, F16C, BMI2
const KernelTable& avx512_table();  // needs the above plus AVX-512 F/BW/VL/DQ/VNNI
const KernelTable& neon_table();          // aarch64 only; plain ARMv8.0 Advanced SIMD
const KernelTable& neon_dotprod_table();  // the above plus the dotprod extension (ASIMDDP)

}  // namespace loco::kernels
