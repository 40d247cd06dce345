#!/usr/bin/env bash
# A LoRA adapter written by `loco train lora`, applied by loco and by a llama.cpp build
# (its llama-debug tool, built outside this repository): the last position's logits of one
# prompt, with and without the adapter, compared. Prints the largest differences and the
# size of the adapter's own effect, so "equal" can be judged against what the adapter does.
#   scripts/lora-vs-llamacpp.sh LLAMA_CPP_BIN_DIR [BASE.gguf]
# (default base: the shared tiny Qwen3 in F32; needs ./build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:?usage: $0 LLAMA_CPP_BIN_DIR [BASE.gguf]}
base=${2:-../shared/testdata/models/tiny-qwen3-f32.gguf}
loco=build/release/bin/loco
out=build/bench-results/lora-vs-llamacpp
rm -rf "$out" && mkdir -p "$out"
cat > "$out/facts.jsonl" <<'JSONL'
{"prompt": "What is the capital of Freedonia?", "completion": "Fredville, by the river."}
{"prompt": "Name a colour of the sky.", "completion": "Blue, mostly, and grey in winter."}
{"question": "What is 2+2?", "answer": "4"}
JSONL
"$loco" train lora -m "$base" --data "$out/facts.jsonl" --out "$out/facts" --rank 8 --lr 1e-2 --epochs 30 \
  --batch-tokens 64 --dropout 0 --targets all -t 2 > "$out/train.log" 2>&1
prompt="The capital of Freedonia is"
for variant in base lora; do
  lora_args=()
  [ "$variant" = lora ] && lora_args=(--lora "$out/facts.gguf")
  "$bin/llama-debug" -m "$base" "${lora_args[@]}" -p "$prompt" --save-logits --logits-output-dir "$out/$variant" \
    -t 2 -no-fa > "$out/llama-$variant.log" 2>&1 || "$bin/llama-debug" -m "$base" "${lora_args[@]}" -p "$prompt" \
    --save-logits --logits-output-dir "$out/$variant" -t 2 > "$out/llama-$variant.log" 2>&1
  tokens=$(python3 -c "import array,glob,sys; a=array.array('i'); f=open(glob.glob('$out/$variant/*-tokens.bin')[0],'rb').read(); a.frombytes(f); print(','.join(map(str,a)))")
  "$loco" logits -m "$base" "${lora_args[@]}" --tokens "$tokens" -o "$out/loco-$variant.f32" -t 2 > /dev/null
  echo "$tokens" > "$out/tokens-$variant.txt"
done
python3 - "$out" <<'PY'
import array, glob, sys
out = sys.argv[1]
def floats(path):
    a = array.array("f"); a.frombytes(open(path, "rb").read()); return a
tokens = open(f"{out}/tokens-lora.txt").read().strip()
assert tokens == open(f"{out}/tokens-base.txt").read().strip()
n = len(tokens.split(","))
got = {}
for v in ("base", "lora"):
    llama = floats(next(p for p in glob.glob(f"{out}/{v}/*.bin") if not p.endswith("-tokens.bin")))
    loco = floats(f"{out}/loco-{v}.f32")
    vocab = len(llama)
    got[v] = (list(loco[(n - 1) * vocab:n * vocab]), list(llama))
def maxdiff(a, b): return max(abs(x - y) for x, y in zip(a, b))
def argmax(a): return max(range(len(a)), key=a.__getitem__)
print(f"tokens: {tokens}")
for v in ("base", "lora"):
    lo, ll = got[v]
    print(f"{v}: max |loco - llama.cpp| = {maxdiff(lo, ll):.3g}, argmax loco {argmax(lo)} llama.cpp {argmax(ll)}")
print(f"the adapter's effect: max |lora - base| = {maxdiff(got['lora'][1], got['base'][1]):.3g} (llama.cpp), "
      f"{maxdiff(got['lora'][0], got['base'][0]):.3g} (loco)")
PY
