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
for router in classifier embedding; do
  "$loco" router eval models/nano/eval/router.jsonl --router "$router" \
    --model-file "models/nano/router-$router.json" -m models/nano/loco-nano.gguf | tee "$out/router-$router.txt"
done
rm -rf "$out/.config" "$out/.data"
