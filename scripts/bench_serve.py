#!/usr/bin/env python3
"""Load test for `loco serve`: N concurrent clients for S seconds on loopback, each asking
questions of a random model (the router, each adapter, the base), streamed or not. Prints
one JSON object: requests, failures (any status but 200, or a broken stream), requests/s,
generated tokens/s, latency p50/p99 (seconds, whole answer), and the server's resident
memory (VmRSS) at the start, its maximum, and at the end. Standard library only."""
import argparse, http.client, json, random, threading, time

QUESTIONS = [
    "Sam has 12 marbles and gives 5 away. How many are left?",
    "Write a Python function that returns the sum of a list.",
    "Passage: Ana lives in Lima and works as a nurse. Question: Where does Ana live?",
    'Define "river".',
    "Each box holds 4 apples. How many apples are in 3 boxes?",
]


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--max-tokens", type=int, default=32)
    a = ap.parse_args()

    conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=60)
    conn.request("GET", "/v1/models")
    models = [m["id"] for m in json.loads(conn.getresponse().read())["data"]]
    conn.close()

    lock = threading.Lock()
    latencies, failures, tokens = [], [], [0]
    stop_at = time.monotonic() + a.seconds

    def client(k):
        rng = random.Random(k)
        c = http.client.HTTPConnection("127.0.0.1", a.port, timeout=120)
        while time.monotonic() < stop_at:
            stream = rng.random() < 0.5
            body = {"model": rng.choice(models), "max_tokens": a.max_tokens, "stream": stream,
                    "seed": rng.randrange(1 << 30),
                    "messages": [{"role": "user", "content": rng.choice(QUESTIONS)}]}
            if stream:
                body["stream_options"] = {"include_usage": True}
            t0 = time.monotonic()
            try:
                c.request("POST", "/v1/chat/completions", json.dumps(body), {"Content-Type": "application/json"})
                r = c.getresponse()
                data = r.read().decode()
                ok = r.status == 200 and (not stream or data.rstrip().endswith("data: [DONE]"))
                n = 0
                if ok and not stream:
                    n = json.loads(data)["usage"]["completion_tokens"]
                elif ok:
                    for line in data.split("\n\n"):
                        if line.startswith("data: {") and '"usage"' in line:
                            u = json.loads(line[6:]).get("usage")
                            if u:
                                n = u["completion_tokens"]
                with lock:
                    if ok:
                        latencies.append(time.monotonic() - t0)
                        tokens[0] += n
                    else:
                        failures.append(f"{r.status}: {data[:200]}")
            except Exception as e:  # a broken connection is a failure too
                with lock:
                    failures.append(repr(e))
                c.close()
                c = http.client.HTTPConnection("127.0.0.1", a.port, timeout=120)
        c.close()

    rss = [rss_kb(a.pid)]
    threads = [threading.Thread(target=client, args=(k,)) for k in range(a.clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        rss.append(rss_kb(a.pid))
        time.sleep(0.5)
    elapsed = time.monotonic() - start
    latencies.sort()
    q = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else None
    print(json.dumps({
        "clients": a.clients, "seconds": round(elapsed, 1), "requests": len(latencies) + len(failures),
        "failed": len(failures), "first_failures": failures[:3],
        "requests_per_second": round(len(latencies) / elapsed, 2),
        "generated_tokens_per_second": round(tokens[0] / elapsed, 1),
        "latency_p50_s": q(0.5), "latency_p99_s": q(0.99),
        "rss_mb": {"start": round(rss[0] / 1024, 1), "max": round(max(rss) / 1024, 1), "end": round(rss[-1] / 1024, 1)},
    }))


if __name__ == "__main__":
    main()
