#!/usr/bin/env bash
# Training speed and memory, as BENCHMARKS.md "Training" reports them:
#  1. loco's own prompt rate (512 tokens) on the synthesized Qwen3-4B Q4_K_M model, before
#     and after the training run (the machine's speed drifts: the ratio is to their mean);
#  2. in between, LoRA training on that model (rank 16, all attention and FFN matrices,
#     512-token sequences, recomputation on, the default --backward), its tokens/s and
#     peak RSS, and the ratio of the two rates;
#  3. a ~11M-parameter model (data/train/nano-11m.yaml) trained from scratch on GSM8K text
#     with a 4096-token vocabulary trained by loco.
# Usage: scripts/bench-train.sh [THREADS]   (default 2; needs ./build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}
loco=build/release/bin/loco
work=build/bench-results/train
model=build/bench-models/qwen3-4b-q4_k_m.gguf
mkdir -p "$work" build/bench-models
[ -f "$model" ] || "$loco" synth --like qwen3-4b --type q4_k_m -o "$model"
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p')  threads: $threads"

prompt_rate() { "$loco" bench -m "$model" -p 512 -n 0 -r 1 -t "$threads" --json | sed -n 's/.*"prompt_tokens_per_s":\([0-9.]*\).*/\1/p'; }
before=$(prompt_rate)
echo "prompt 512 tokens: $before tokens/s"

# Three 512-token sequences: " the" is one token of Qwen3's vocabulary, and the end-of-text
# token closes each line.
python3 - "$work/lora512.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for _ in range(3):
        f.write(json.dumps({"text": "the" + " the" * 510}) + "\n")
PY
rss() { if [ -x /usr/bin/time ]; then /usr/bin/time -f "peak RSS %M KB" "$@"; else "$@"; fi; }
rss "$loco" train lora -m "$model" --data "$work/lora512.jsonl" --out "$work/lora512" --rank 16 --targets all \
  --batch-tokens 512 --recompute on --no-peft -t "$threads" 2>&1 | tee "$work/lora512.log" | grep -E "training|step 3/3|peak RSS"
after=$(prompt_rate)
echo "prompt 512 tokens: $after tokens/s (after the training run)"
train=$(sed -n 's/^step 3\/3 .* \([0-9.]*\) tok\/s .*/\1/p' "$work/lora512.log")
python3 -c "b, a, t = $before, $after, $train; print(f'LoRA training {t} tokens/s = {100 * t / ((b + a) / 2):.1f} % of the mean prompt rate {(b + a) / 2:.2f}')"
ls -l "$model" | awk '{printf "model file %d KB\n", $5 / 1024}'

python3 - ../shared/datasets/gsm8k/train.jsonl "$work/gsm-text.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])][:2000]
with open(sys.argv[2], "w") as f:
    for r in rows:
        f.write(json.dumps({"text": r["question"] + " " + r["answer"]}) + "\n")
PY
"$loco" train tokenizer --data "$work/gsm-text.jsonl" --vocab-size 4096 -o "$work/nano-vocab.gguf"
head -300 "$work/gsm-text.jsonl" > "$work/gsm-300.jsonl"
"$loco" train model --config data/train/nano-11m.yaml --vocab "$work/nano-vocab.gguf" --data "$work/gsm-300.jsonl" \
  --out "$work/nano-11m" --batch-tokens 512 --lr 1e-3 -t "$threads" 2>&1 | grep -E "training|step [0-9]+/[0-9]+ .*ETA 0s"
