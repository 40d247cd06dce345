#!/usr/bin/env bash
# Sets up, builds and runs every test: the release build (warnings are errors), the same
# suite under AddressSanitizer + UndefinedBehaviorSanitizer, the two fuzzers (the GGUF
# reader; the other parsers) for a bounded time on real and mutated inputs, and the NEON
# kernels against the scalar reference under aarch64 emulation.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
jobs=$(nproc)

scripts/build.sh release
ctest --test-dir build/release --output-on-failure -j "$jobs"

scripts/build.sh asan
ctest --test-dir build/asan --output-on-failure -j "$jobs"

scripts/build.sh fuzz
ctest --test-dir build/fuzz --output-on-failure

scripts/test-neon.sh
echo "all tests passed"
