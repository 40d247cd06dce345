#!/usr/bin/env python3
"""loco next to other CPU engines (llama.cpp, ik_llama.cpp), measured in one run.

    scripts/bench-vs-peers.sh [-t THREADS] [-r ROUNDS] [-m MODEL]... PEER_BIN_DIR...

Each PEER_BIN_DIR holds a llama.cpp-style build's llama-bench and llama-batched-bench
(built outside this repository from a snapshot of that project). Every round runs, in
turn and on the same file with the same threads: loco bench (prompt 512, decode 128,
and the memory read rate that gives the bandwidth limit), then each peer's llama-bench
(pp512, tg128); then, on the first model, five sequences sharing a 128-token prompt and
decoding 32 tokens (loco bench --batch 5 --shared-prompt 128, llama-batched-bench
-npp 128 -ntg 32 -npl 1,5 -pps). The table gives medians over the rounds with the range;
raw output goes to build/bench-results/peers/.
"""
import argparse
import csv
import io
import json
import os
import statistics
import subprocess
import sys
import time


def run(cmd, log, cwd=None):
    started = time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=cwd)
    with open(log, "a") as f:
        f.write(f"$ {' '.join(cmd)}   # {time.time() - started:.1f} s, exit {p.returncode}\n{p.stdout}\n")
    if p.returncode != 0:
        sys.exit(f"bench-vs-peers: {cmd[0]} failed (exit {p.returncode}); see {log}")
    return p.stdout


def loco_json(out):
    for line in reversed(out.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    sys.exit("bench-vs-peers: no JSON line from loco bench")


def llama_bench(out):
    rates = {}
    for row in csv.DictReader(io.StringIO(out[out.index("build_commit"):])):
        # ik_llama.cpp names the test ("pp512"); mainline gives n_prompt and n_gen.
        test = row.get("test") or (f"pp{row['n_prompt']}" if int(row["n_gen"]) == 0 else f"tg{row['n_gen']}")
        rates[test] = float(row["avg_ts"])
    return rates


def batched_bench(out):
    """S_TG (aggregate generated tokens/s) by batch size B."""
    rates = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 8 and cells[2].isdigit():
            rates[int(cells[2])] = float(cells[7])
    return rates


def peer_name(bin_dir):
    parts = os.path.abspath(bin_dir).split(os.sep)
    for part in reversed(parts):
        if part not in ("bin", "build", "Release", ""):
            return part
    return bin_dir


def summary(values):
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-t", "--threads", type=int, default=2)
    ap.add_argument("-r", "--rounds", type=int, default=3)
    ap.add_argument("-m", "--model", action="append", help="GGUF file (repeatable); default: the 4B Q4_K_M bench model")
    ap.add_argument("--loco", default="build/release/bin/loco")
    ap.add_argument("--out", default="build/bench-results/peers")
    ap.add_argument("peers", nargs="*", help="directories holding llama-bench and llama-batched-bench")
    a = ap.parse_args()
    models = a.model or [os.environ.get("LOCO_BENCH_MODELS", "build/bench-models") + "/qwen3-4b-q4_k_m.gguf"]
    models = [os.path.abspath(m) for m in models]
    os.makedirs(a.out, exist_ok=True)
    peer_cwd = os.path.abspath(a.out)  # the peers write llama.log into their working directory
    log = os.path.join(a.out, "raw.txt")
    open(log, "w").close()
    t = str(a.threads)
    engines = ["loco"] + [peer_name(p) for p in a.peers]
    # results[model][figure][engine] = [values per round]
    results = {m: {} for m in models}

    def add(model, figure, engine, value):
        results[model].setdefault(figure, {}).setdefault(engine, []).append(value)

    for rnd in range(a.rounds):
        for model in models:
            j = loco_json(run([a.loco, "bench", "-m", model, "-p", "512", "-n", "128", "-t", t, "-r", "1", "--json"], log))
            add(model, "prompt 512 (tok/s)", "loco", j["prompt_tokens_per_s"])
            add(model, "decode 128 (tok/s)", "loco", j["gen_tokens_per_s"])
            add(model, "memory read (GB/s)", "loco", j["mem_read_gb_per_s"])
            add(model, "bandwidth limit (tok/s)", "loco", j["bandwidth_limit_tokens_per_s"])
            limit = j["bandwidth_limit_tokens_per_s"]
            add(model, "decode, % of the limit", "loco", 100 * j["gen_tokens_per_s"] / limit)
            for p, name in zip(a.peers, engines[1:]):
                r = llama_bench(run([os.path.join(p, "llama-bench"), "-m", model, "-t", t, "-p", "512", "-n", "128",
                                     "-r", "1", "-o", "csv"], log, peer_cwd))
                add(model, "prompt 512 (tok/s)", name, r["pp512"])
                add(model, "decode 128 (tok/s)", name, r["tg128"])
                add(model, "decode, % of the limit", name, 100 * r["tg128"] / limit)
        model = models[0]
        j = loco_json(run([a.loco, "bench", "-m", model, "-p", "0", "-n", "32", "--batch", "5", "--shared-prompt", "128",
                           "-t", t, "-r", "1", "--json"], log))
        add(model, "1 sequence, 32 after 128 (tok/s)", "loco", j["gen_tokens_per_s"])
        add(model, "5 sequences sharing 128, aggregate (tok/s)", "loco", j["batch_gen_tokens_per_s"])
        add(model, "5 sequences / 1 sequence", "loco", j["batch_gen_tokens_per_s"] / j["gen_tokens_per_s"])
        for p, name in zip(a.peers, engines[1:]):
            r = batched_bench(run([os.path.join(p, "llama-batched-bench"), "-m", model, "-c", "1024", "-npp", "128",
                                   "-ntg", "32", "-npl", "1,5", "-pps", "-t", t], log, peer_cwd))
            add(model, "1 sequence, 32 after 128 (tok/s)", name, r[1])
            add(model, "5 sequences sharing 128, aggregate (tok/s)", name, r[5])
            add(model, "5 sequences / 1 sequence", name, r[5] / r[1])
        print(f"round {rnd + 1}/{a.rounds} done", file=sys.stderr)

    cpu = subprocess.run(["lscpu"], stdout=subprocess.PIPE, text=True).stdout
    model_name = next((l.split(":", 1)[1].strip() for l in cpu.splitlines() if l.startswith("Model name")), "?")
    family = next((l.split(":", 1)[1].strip() for l in cpu.splitlines() if l.startswith("CPU family")), "?")
    flags = next((l for l in cpu.splitlines() if l.startswith("Flags")), "")
    isa = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"
    lines = [f"CPU: {model_name}, family {family}, {isa}; {a.threads} threads; {a.rounds} rounds, "
             f"median (min–max); {time.strftime('%Y-%m-%d')}"]
    for model in models:
        lines += ["", f"`{os.path.basename(model)}`", "", "| figure | " + " | ".join(engines) + " |",
                  "|---|" + "---|" * len(engines)]
        for figure, by_engine in results[model].items():
            lines.append(f"| {figure} | " + " | ".join(summary(by_engine.get(e, [])) for e in engines) + " |")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(a.out, "table.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
