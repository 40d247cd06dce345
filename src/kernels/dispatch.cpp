// Chooses the kernel table once per process from the CPU's features.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "kernels/isa_tables.h"
#include "kernels/kernels.h"
#include "loco/error.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#endif
#if defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

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
    if (isa == "neon") table = neon_kernels();
    if (isa == "neon_dotprod") table = neon_dotprod_kernels();
    if (table == nullptr) {
      throw Error("LOCO_ISA=" + isa + " is not available on this CPU or build");
    }
    return *table;
  }
  if (const KernelTable* t = avx512_kernels()) return *t;
  if (const KernelTable* t = avx2_kernels()) return *t;
  if (const KernelTable* t = neon_dotprod_kernels()) return *t;
  if (const KernelTable* t = neon_kernels()) return *t;
  return ref_kernels();
}

}  // namespace

const KernelTable& active_kernels() {
  static const KernelTable& table = choose();
  return table;
}

// Features come straight from CPUID rather than __builtin_cpu_supports, whose
// feature strings differ between GCC and clang 14 (clang rejects "f16c"). A feature
// counts only if XGETBV also shows the OS saves the matching register state.
#if defined(__x86_64__) || defined(_M_X64)

namespace {

struct CpuFeatures {
  bool avx2 = false;    // AVX2 + FMA + F16C + BMI2, ymm state enabled
  bool avx512 = false;  // F + BW + VL + DQ + VNNI, zmm and opmask state enabled
};

uint64_t read_xcr0() {
  uint32_t eax = 0;
  uint32_t edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}

CpuFeatures detect_features() {
  CpuFeatures f;
  unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) return f;
  const bool fma = (ecx >> 12) & 1U;
  const bool osxsave = (ecx >> 27) & 1U;
  const bool avx = (ecx >> 28) & 1U;
  const bool f16c = (ecx >> 29) & 1U;
  if (!osxsave || !avx) return f;
  const uint64_t xcr0 = read_xcr0();
  const bool ymm_state = (xcr0 & 0x6U) == 0x6U;
  const bool zmm_state = (xcr0 & 0xE6U) == 0xE6U;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) return f;
  const bool avx2 = (ebx >> 5) & 1U;
  const bool bmi2 = (ebx >> 8) & 1U;
  const bool avx512f = (ebx >> 16) & 1U;
  const bool avx512dq = (ebx >> 17) & 1U;
  const bool avx512bw = (ebx >> 30) & 1U;
  const bool avx512vl = (ebx >> 31) & 1U;
  const bool avx512vnni = (ecx >> 11) & 1U;
  f.avx2 = ymm_state && avx2 && fma && f16c && bmi2;
  f.avx512 = f.avx2 && zmm_state && avx512f && avx512dq && avx512bw && avx512vl && avx512vnni;
  return f;
}

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = detect_features();
  return features;
}

}  // namespace

const KernelTable* avx2_kernels() {
  return cpu_features().avx2 ? &avx2_table() : nullptr;
}

const KernelTable* avx512_kernels() {
  return cpu_features().avx512 ? &avx512_table() : nullptr;
}

#else  // no x86 kernels in this build

const KernelTable* avx2_kernels() { return nullptr; }
const KernelTable* avx512_kernels() { return nullptr; }

#endif

// Advanced SIMD is part of the AArch64 baseline: no run-time check needed. The dotprod
// extension is optional; Linux reports it in the auxiliary vector (elsewhere it is not
// used).
#if defined(__aarch64__)

namespace {

bool cpu_has_dotprod() {
#if defined(__linux__) && defined(HWCAP_ASIMDDP)
  return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
#else
  return false;
#endif
}

}  // namespace

const KernelTable* neon_kernels() { return &neon_table(); }

const KernelTable* neon_dotprod_kernels() {
  static const bool has_dotprod = cpu_has_dotprod();
  return has_dotprod ? &neon_dotprod_table() : nullptr;
}

#else

const KernelTable* neon_kernels() { return nullptr; }
const KernelTable* neon_dotprod_kernels() { return nullptr; }

#endif

}  // namespace loco::kernels
