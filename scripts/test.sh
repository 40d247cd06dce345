#!/usr/bin/env bash
# Sets up, builds and runs every test: the release build (warnings are errors), the same
# suite under AddressSanitizer + UndefinedBehaviorSanitizer, and the two fuzzers (GGUF reader; the other parsers) for a
# bounded time on a corpus of real and mutated files.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc)

scripts/build.sh release
ctest --test-dir build/release --output-on-failure -j "$jobs"

scripts/build.sh asan
ctest --test-dir build/asan --output-on-failure -j "$jobs"

scripts/build.sh fuzz
ctest --test-dir build/fuzz --output-on-failure
echo "all tests passed"
