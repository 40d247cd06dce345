#!/usr/bin/env bash
# The repacked products against the one-row kernels, end to end: interleaved rounds of
# `loco bench` with LOCO_PACK=1 (every type that has a packed product), LOCO_PACK=0 (none)
# and, for the default 4B-shaped Q4_K_M file, LOCO_PACK=Q4_K (Q4_K only), for each x86
# kernel table this CPU has; medians with the range.
#   scripts/bench-packed.sh [ROUNDS] [THREADS] [MODEL]
#   (defaults 3, 2 and build/bench-models/qwen3-4b-q4_k_m.gguf; needs ./build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3} threads=${2:-2}
loco=build/release/bin/loco
default_model=${LOCO_BENCH_MODELS:-build/bench-models}/qwen3-4b-q4_k_m.gguf
model=${3:-$default_model}
packs="1 0"
if [ "$model" = "$default_model" ]; then
  [ -f "$model" ] || "$loco" synth --like qwen3-4b --type q4_k_m -o "$model"
  packs="1 Q4_K 0"
fi
[ -f "$model" ] || { echo "bench-packed.sh: no model file $model" >&2; exit 1; }
out=build/bench-results/packed
mkdir -p "$out"
: > "$out/runs.jsonl"
isas="avx2"
grep -q avx512_vnni /proc/cpuinfo && isas="avx512 avx2"
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p')  threads: $threads  rounds: $rounds  model: $(basename "$model")"
for r in $(seq "$rounds"); do
  for isa in $isas; do
    for pack in $packs; do
      LOCO_ISA=$isa LOCO_PACK=$pack "$loco" bench -m "$model" -p 128 -n 64 --batch 5 -t "$threads" -r 1 --json 2>/dev/null |
        tail -1 | python3 -c "import json,sys; j=json.loads(sys.stdin.read()); j['pack']='$pack'; j['isa']='$isa'; print(json.dumps(j))" \
        >> "$out/runs.jsonl"
    done
  done
done
python3 - "$out/runs.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
def cell(rows, key):
    v = [r[key] for r in rows]
    return f"{statistics.median(v):.2f} ({min(v):.2f}–{max(v):.2f})"
names = {"1": "every packable type", "Q4_K": "Q4_K only", "0": "none"}
print("| table | packed | prompt 128 (tok/s) | decode 64 (tok/s) | % of the limit | 5 sequences (tok/s) | 5 / 1 | load (s) |")
print("|---|---|---|---|---|---|---|---|")
for isa in dict.fromkeys(r["isa"] for r in runs):
    for pack in dict.fromkeys(r["pack"] for r in runs):
        rows = [r for r in runs if r["isa"] == isa and r["pack"] == pack]
        for r in rows:
            r["pct"] = 100 * r["gen_tokens_per_s"] / r["bandwidth_limit_tokens_per_s"]
            r["ratio"] = r["batch_gen_tokens_per_s"] / r["gen_tokens_per_s"]
        print(f"| {isa} | {names[pack]} | {cell(rows, 'prompt_tokens_per_s')} | {cell(rows, 'gen_tokens_per_s')} | "
              f"{cell(rows, 'pct')} | {cell(rows, 'batch_gen_tokens_per_s')} | {cell(rows, 'ratio')} | {cell(rows, 'load_seconds')} |")
PY
