// Which kernel set this process runs (chosen once from the CPU's features, or LOCO_ISA).
#pragma once

namespace loco {

// "ref", "avx2", "avx512", "neon" or "neon_dotprod".
const char* kernel_isa();

}  // namespace loco
