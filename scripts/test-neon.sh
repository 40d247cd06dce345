#!/usr/bin/env bash
# Cross-builds the NEON kernels with their checker (tests/neon/) for aarch64 into
# build/neon and runs the checker under qemu. Installs nothing; needs the Debian
# packages g++-aarch64-linux-gnu and qemu-user. On an aarch64 host it builds natively.
#   scripts/test-neon.sh
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${JOBS:-$(nproc)}
if [[ "$(uname -m)" == aarch64 || "$(uname -m)" == arm64 ]]; then
  cmake -S tests/neon -B build/neon -G Ninja -DCMAKE_BUILD_TYPE=Release
  run=()
else
  for tool in aarch64-linux-gnu-g++ qemu-aarch64; do
    command -v "$tool" >/dev/null || { echo "$tool not found: apt-get install g++-aarch64-linux-gnu qemu-user" >&2; exit 2; }
  done
  cmake -S tests/neon -B build/neon -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/aarch64-linux-gnu.cmake"
  run=(qemu-aarch64 -L /usr/aarch64-linux-gnu)
fi
cmake --build build/neon -j "$jobs"
# The checker asserts which table dispatch picks by itself, hence no LOCO_ISA.
if ((${#run[@]})); then
  # qemu's default CPU has the dotprod extension (both tables checked); a Cortex-A53
  # lacks it, so dispatch must fall back to the plain table.
  echo "== emulated CPU: max (dotprod)"
  env -u LOCO_ISA "${run[@]}" build/neon/neon_kernels_check
  echo "== emulated CPU: cortex-a53 (no dotprod)"
  env -u LOCO_ISA "${run[@]}" -cpu cortex-a53 build/neon/neon_kernels_check
else
  env -u LOCO_ISA build/neon/neon_kernels_check
fi
