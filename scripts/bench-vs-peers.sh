#!/usr/bin/env bash
# loco next to llama.cpp-style engines on the same file, same threads, interleaved rounds,
# the memory bandwidth measured in the same run. See scripts/bench_vs_peers.py for options.
#   scripts/bench-vs-peers.sh [-t THREADS] [-r ROUNDS] [-m MODEL]... PEER_BIN_DIR...
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/release/bin/loco ] || scripts/build.sh release
exec python3 scripts/bench_vs_peers.py "$@"
