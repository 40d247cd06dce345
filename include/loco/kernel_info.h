// Which kernel set this process runs (chosen once from the CPU's features, or LOCO_ISA).
#pragma once

namespace loco {

// "ref", "avx2", "avx512" or "neon".
const char* kernel_isa();

}  // namespace loco
