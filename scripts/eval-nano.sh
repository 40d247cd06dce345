#!/usr/bin/env bash
# Evaluates the built-in loco-nano family (models/nano) as docs/nano-results.md reports it:
# the ablation grid of each adapter on its held-out set ({base, adapter, routed} x RE2 x
# votes 1/5, the out-of-domain check, the verdict), and the routers on fresh queries.
#   scripts/eval-nano.sh [--out DIR]   (default docs/nano-results)
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/nano-results
[ "${1:-}" = "--out" ] && out=$2
loco=${LOCO:-build/release/bin/loco}
[ -x "$loco" ] || scripts/build.sh release
# The family is the default only when no model is configured: keep the user's config out.
export LOCO_CONFIG_DIR="$out/.config" LOCO_DATA_DIR="$out/.data" LOCO_NANO_DIR="$PWD/models/nano"
mkdir -p "$out"
for adapter in math code analysis; do
  "$loco" eval grid --adapter "$adapter" --votes 5 --seed 1 --out "$out/$adapter"
done
# The development set (the first held-out set, read while the varied stories were written).
"$loco" data math --split dev --seed 3 --count 200 -o "$out/math-dev.jsonl"
for votes in 1 5; do
  "$loco" eval run --set "$out/math-dev.jsonl" --adapter math --re2 off --votes "$votes" --seed 1 --out "$out/math-dev-$votes"
done
rm "$out/math-dev.jsonl"
# Arithmetic apart from phrasing: the math adapter on fresh problems (new numbers and
# names, seed 9) from the training templates.
"$loco" data math --split train --format eval --seed 9 --count 200 -o "$out/math-train-templates.jsonl"
for votes in 1 5; do
  "$loco" eval run --set "$out/math-train-templates.jsonl" --adapter math --re2 off --votes "$votes" --seed 1 \
    --out "$out/math-train-templates-$votes"
done
rm "$out/math-train-templates.jsonl"
# And on fresh problems of its own training mix (--wording broad, seed 9).
"$loco" data math --split train --format eval --wording broad --seed 9 --count 200 -o "$out/math-mix.jsonl"
"$loco" eval run --set "$out/math-mix.jsonl" --adapter math --re2 off --votes 1 --seed 1 --out "$out/math-mix-1"
rm "$out/math-mix.jsonl"

# The routers on fresh generated queries (held-out wordings and names) and on the
# hand-written held-out queries of data/router.
for router in classifier embedding; do
  for set in models/nano/eval/router.jsonl data/router/natural_heldout.jsonl; do
    "$loco" router eval "$set" --router "$router" --model-file "models/nano/router-$router.json" \
      -m models/nano/loco-nano.gguf
  done | tee "$out/router-$router.txt"
done
rm -f "$out"/*/generations.jsonl
rm -rf "$out/.config" "$out/.data"
