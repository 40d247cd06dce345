#!/usr/bin/env bash
# Configures and builds one flavour of loco under build/<flavour>.
#   scripts/build.sh [release|asan|fuzz]   (default: release)
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
jobs=$(nproc)
case "$flavour" in
  release)
    cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release ;;
  asan)
    cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOCO_SANITIZE=ON \
      -DLOCO_BUILD_BENCH=OFF ;;
  fuzz)
    cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOCO_FUZZ=ON \
      -DLOCO_BUILD_TESTS=OFF -DLOCO_BUILD_BENCH=OFF \
      -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ ;;
  *) echo "usage: $0 [release|asan|fuzz]" >&2; exit 2 ;;
esac
cmake --build "build/$flavour" -j "$jobs"
