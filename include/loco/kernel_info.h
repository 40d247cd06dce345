// Which kernel set this process runs (chosen once from the CPU's features, or LOCO_ISA).
#pragma once

namespace loco {

// "ref", "avx2" or "avx512".
const char* kernel_isa();

}  // namespace loco
