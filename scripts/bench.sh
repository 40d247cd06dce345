#!/usr/bin/env bash
# Reproduces the figures of BENCHMARKS.md on this machine: synthesizes a Qwen3-4B-shaped
# Q4_K_M model (random weights, the real shapes and vocabulary) and two rank-16 adapters,
# then runs `loco bench` (prompt, generation, 5 parallel sequences, adapter swaps) and the
# kernel micro-benchmarks. Results go to build/bench-results/.
#   scripts/bench.sh [threads]     (default: 2)
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}
models=${LOCO_BENCH_MODELS:-build/bench-models}
results=build/bench-results
mkdir -p "$models" "$results"
[ -x build/release/bin/loco ] || scripts/build.sh release
loco=build/release/bin/loco

model=$models/qwen3-4b-q4_k_m.gguf
[ -f "$model" ] || $loco synth --like qwen3-4b --type Q4_K_M -o "$model"
for s in a b; do
  [ -f "$models/qwen3-4b-lora16-$s.gguf" ] || \
    $loco synth --like qwen3-4b --lora-rank 16 --seed $([ $s = a ] && echo 1 || echo 2) -o "$models/qwen3-4b-lora16-$s.gguf"
done

echo "== machine"; lscpu | grep -E 'Model name|^CPU\(s\)|Thread|Flags' | cut -c1-200 | tee "$results/machine.txt"
echo "== end-to-end (median of 5 runs; a 4096-token context)"
$loco bench -m "$model" -p 512 -n 128 -t "$threads" --batch 5 -r 5 -c 4096 | tee "$results/bench.txt"
echo "== adapters"
$loco bench -m "$model" -p 0 -n 64 -t "$threads" -r 3 \
  --lora-swap "$models/qwen3-4b-lora16-a.gguf" --lora-swap "$models/qwen3-4b-lora16-b.gguf" | tee "$results/lora.txt"
echo "== kernels (one thread)"
build/release/bin/loco_bench --benchmark_filter='(avx512|avx2)/(Q4_K|Q6_K|Q8_0|F16)/' --benchmark_min_time=0.2 \
  | tee "$results/kernels.txt"
echo "== loco eval: items per minute, batched against one item at a time (votes 1)"
# locollm-v1/math, 128 new tokens per item (random weights never end a turn, so every item
# generates all 128 and a batch never shrinks). One at a time on 8 items (a per-item rate
# needs no more), batched on 16.
for batch in 1 8 16; do
  limit=$([ "$batch" = 1 ] && echo 8 || echo 16)
  rm -rf "$results/eval-batch$batch"
  $loco eval run -m "$model" --set locollm-v1/math --limit "$limit" -n 128 -t "$threads" --batch "$batch" \
    --out "$results/eval-batch$batch" > /dev/null 2>&1
  printf 'batch %-3s items %-3s ' "$batch" "$limit"
  grep -E '"(items_per_minute|tokens_per_second|seconds)"' "$results/eval-batch$batch/results.json" | tr -d ' \n'
  echo
done | tee "$results/eval.txt"
