#!/usr/bin/env bash
# Runs fuzz_gguf for a bounded time over a seed corpus: the small generated seeds (every
# metadata type, nested arrays, several tensor types, version 2, other alignments,
# model-shaped files shrunk from the shared ones) and the shared GGUF files up to 4 MB, of
# which -max_len keeps the first 64 KB: their header, where the reader's work is; and the
# inputs under fuzz/regressions/ that once crashed the reader.
# Exits non-zero (and keeps the crashing input under ARTIFACTS) if the fuzzer finds a crash,
# a leak, a sanitizer report, a timeout or an allocation above the limits below.
#   run_fuzz.sh FUZZER SEED_GENERATOR DICT TESTDATA WORK_DIR SECONDS
set -euo pipefail
fuzzer=$1 seeds=$2 dict=$3 testdata=$4 work=$5 seconds=$6
corpus=$work/corpus artifacts=$work/artifacts
mkdir -p "$corpus" "$artifacts"
"$seeds" "$corpus" "$testdata"
find "$testdata" -name '*.gguf' -size -4M -exec cp -n {} "$corpus/" \;
cp -n "$(dirname "$0")"/regressions/* "$corpus/"  # inputs that once crashed the reader
# -malloc_limit_mb: a 64 KB input decodes to well under a megabyte, so any allocation
# near this limit means the reader sized something from an unchecked count.
"$fuzzer" "$corpus" -dict="$dict" -max_total_time="$seconds" -max_len=65536 \
  -rss_limit_mb=2048 -malloc_limit_mb=64 -timeout=10 -artifact_prefix="$artifacts/" \
  -print_final_stats=1
