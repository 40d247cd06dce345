// Chooses the kernel table once per process from the CPU's features.
#include <cstdlib>
#include <string>

#include "kernels/isa_tables.h"
#include "kernels/kernels.h"
#include "loco/error.h"

namespace loco::kernels {

int64_t act_bytes(ActFormat format, int64_t n) {
  switch (format) {
    case ActFormat::F32: return n * 4;
    case ActFormat::Q8A: return n / 32 * 40;
    case ActFormat::Q8K: return n / 256 * 292;
  }
  return 0;
}

namespace {

const KernelTable& choose() {
  const char* forced = std::getenv("LOCO_ISA");
  if (forced != nullptr && *forced != '\0') {
    std::string isa(forced);
    if (isa == "ref") return ref_kernels();
    const KernelTable* table = nullptr;
    if (isa == "avx2") table = avx2_kernels();
    if (isa == "avx512") table = avx512_kernels();
    if (table == nullptr) {
      throw Error("LOCO_ISA=" + isa + " is not available on this CPU or build");
    }
    return *table;
  }
  if (const KernelTable* t = avx512_kernels()) return *t;
  if (const KernelTable* t = avx2_kernels()) return *t;
  return ref_kernels();
}

}  // namespace

const KernelTable& active_kernels() {
  static const KernelTable& table = choose();
  return table;
}

// __builtin_cpu_supports also checks that the OS saves the ymm/zmm/opmask state
// (XGETBV), so a feature reported here is usable. __builtin_cpu_init makes it safe to
// ask from static initializers, which may run before libgcc's own.
#if defined(__x86_64__) || defined(_M_X64)

namespace {

bool has_avx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
         __builtin_cpu_supports("f16c") && __builtin_cpu_supports("bmi2");
}

}  // namespace

const KernelTable* avx2_kernels() {
  static const bool usable = has_avx2();
  return usable ? &avx2_table() : nullptr;
}

const KernelTable* avx512_kernels() {
  static const bool usable =
      avx2_kernels() != nullptr && __builtin_cpu_supports("avx512f") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vnni");
  return usable ? &avx512_table() : nullptr;
}

#else  // no x86 kernels in this build

const KernelTable* avx2_kernels() { return nullptr; }
const KernelTable* avx512_kernels() { return nullptr; }

#endif

}  // namespace loco::kernels
