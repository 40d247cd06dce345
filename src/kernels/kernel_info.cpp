#include "kernels/kernels.h"
#include "loco/kernel_info.h"

namespace loco {

const char* kernel_isa() { return kernels::active_kernels().isa; }

}  // namespace loco
