#!/usr/bin/env bash
# Runs a libFuzzer binary for a bounded time over a seed corpus of the shared GGUF files
# small enough to mutate quickly (the vocabularies and tiny models up to 4 MB).
set -euo pipefail
fuzzer=$1 testdata=$2 corpus=$3 seconds=$4
mkdir -p "$corpus"
find "$testdata" -name '*.gguf' -size -4M -exec cp -n {} "$corpus/" \;
"$fuzzer" "$corpus" -max_total_time="$seconds" -max_len=4194304 -rss_limit_mb=2048 \
  -timeout=10 -print_final_stats=1
