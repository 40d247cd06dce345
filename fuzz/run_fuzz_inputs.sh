#!/usr/bin/env bash
# Runs fuzz_inputs for a bounded time. Its first input byte picks the parser, so every seed
# is written with that byte in front: 0 safetensors (a small PEFT-style file), 1 registry
# YAML (the LocoLLM v1 registry), 2 config YAML, 3 router JSON / labelled JSONL, 4 model
# output for answer extraction, 5-7 tokenizer text (the shared tokenizer test inputs,
# encoded with the Qwen3, Llama 3 and Llama 2 vocabularies), 8 PEFT tensor names, 9 the
# model catalogue / adapter index JSON, 10 a context file (front matter, rubric, sections),
# 11 a remote backend's reply (OpenAI or Anthropic JSON, or their event streams) or keys.yaml.
#   run_fuzz_inputs.sh FUZZER FUZZ_DIR TESTDATA DATASETS WORK_DIR SECONDS
set -euo pipefail
fuzzer=$1 fuzz_dir=$2 testdata=$3 datasets=$4 work=$5 seconds=$6
corpus=$work/corpus artifacts=$work/artifacts
mkdir -p "$corpus" "$artifacts"
seed() {  # seed SELECTOR NAME FILE
  { printf "\\x$(printf %02x "$1")"; head -c 60000 "$3"; } > "$corpus/$2"
}

seed 0 st-small "$fuzz_dir/seeds/small.safetensors"
seed 1 registry-v1 "$datasets/locollm-v1/registry.yaml"
seed 2 config "$fuzz_dir/seeds/config.yaml"
seed 3 router "$fuzz_dir/seeds/router.json"
seed 3 labelled "$fuzz_dir/seeds/labelled.jsonl"
seed 3 eval-set "$fuzz_dir/../data/eval/locollm-v1/math.jsonl"
seed 3 eval-code "$fuzz_dir/../data/eval/locollm-v1/code.jsonl"
seed 3 train "$fuzz_dir/seeds/train.jsonl"
seed 4 answers "$fuzz_dir/seeds/answers.txt"
seed 8 peft-names "$fuzz_dir/seeds/peft_names.txt"
seed 9 catalogue "$fuzz_dir/../data/models/catalogue.json"
seed 9 adapter-index "$fuzz_dir/seeds/adapter_index.json"
seed 10 context-rubric "$fuzz_dir/seeds/context_rubric.md"
seed 10 context-notes "$fuzz_dir/../docs/context.md"
seed 11 openai-reply "$fuzz_dir/seeds/openai_reply.json"
seed 11 openai-stream "$fuzz_dir/seeds/openai_stream.txt"
seed 11 anthropic-reply "$fuzz_dir/seeds/anthropic_reply.json"
seed 11 anthropic-stream "$fuzz_dir/seeds/anthropic_stream.txt"
seed 11 keys "$fuzz_dir/seeds/keys.yaml"
for v in qwen3 llama3 llama-spm; do
  seed 5 "tok-$v" "$testdata/tokenizer/ggml-vocab-$v.gguf.inp"
done
export LOCO_FUZZ_VOCABS="$testdata/tokenizer/ggml-vocab-qwen3.gguf:$testdata/tokenizer/ggml-vocab-llama3.gguf:$testdata/tokenizer/ggml-vocab-llama-spm.gguf"
"$fuzzer" "$corpus" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
  -malloc_limit_mb=256 -timeout=10 -artifact_prefix="$artifacts/" -print_final_stats=1
