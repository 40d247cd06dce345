#!/usr/bin/env bash
# Load test of `loco serve`: 32 concurrent clients for 60 s with mixed adapters, on
# loopback, against the built-in loco-nano unless -m is given. Prints the CPU model and the
# load generator's JSON (failures, requests/s, tokens/s, latency p50/p99, server RSS).
#   scripts/bench-serve.sh [CLIENTS] [SECONDS] [extra loco serve flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-32}
seconds=${2:-60}
shift $(( $# > 2 ? 2 : $# ))
loco=build/release/bin/loco
tmp=$(mktemp -d)
trap 'kill -TERM $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
LOCO_CONFIG_DIR=$tmp/c LOCO_DATA_DIR=$tmp/d $loco serve --port 0 "$@" > "$tmp/out" 2> "$tmp/err" &
pid=$!
for _ in $(seq 200); do grep -q "ready:" "$tmp/out" 2>/dev/null && break; sleep 0.1; done
port=$(grep -o '127.0.0.1:[0-9]*' "$tmp/out" | head -1 | cut -d: -f2)
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
python3 scripts/bench_serve.py --port "$port" --pid "$pid" --clients "$clients" --seconds "$seconds"
curl -s "127.0.0.1:$port/metrics" | grep -E '^loco_batch_sequences_(sum|count)|^loco_rejected_total|^loco_cancelled_total' || true
