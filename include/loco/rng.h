// A small seeded random number generator whose output is the same on every platform and
// standard library: PCG32 (M. E. O'Neill, "PCG: A Family of Simple Fast Space-Efficient
// Statistically Good Algorithms for Random Number Generation", 2014), the XSH-RR output
// on a 64-bit LCG, seeded as pcg32_srandom_r(initstate, initseq) in the reference C code.
// std::uniform_*_distribution is avoided on purpose: its output differs between libraries.
#pragma once

#include <cstdint>

namespace loco {

class Pcg32 {
 public:
  explicit Pcg32(uint64_t seed, uint64_t stream = 54) { reseed(seed, stream); }

  void reseed(uint64_t seed, uint64_t stream = 54) {
    state_ = 0;
    inc_ = (stream << 1) | 1u;
    next_u32();
    state_ += seed;
    next_u32();
  }

  uint32_t next_u32() {
    const uint64_t old = state_;
    state_ = old * 6364136223846793005ULL + inc_;
    const auto xorshifted = static_cast<uint32_t>(((old >> 18) ^ old) >> 27);
    const auto rot = static_cast<uint32_t>(old >> 59);
    return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
  }

  // Uniform in [0, 1) with 53 random bits: two draws, high word first.
  double next_double() {
    const uint64_t hi = next_u32();
    const uint64_t lo = next_u32();
    return static_cast<double>(((hi << 32) | lo) >> 11) * 0x1.0p-53;
  }

 private:
  uint64_t state_ = 0;
  uint64_t inc_ = 1;
};

// splitmix64's finaliser (S. Vigna): a well-mixed 64-bit hash of z, for values that must
// be a pure function of a position (dropout masks, per-layer keys).
inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace loco
