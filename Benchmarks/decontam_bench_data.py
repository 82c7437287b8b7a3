#!/usr/bin/env python3
"""Data for Benchmarks/decontam_bench.sh: synthetic eval instances (GSM8K-like word problems) to bring the
index past 20,000 instances, and ~1 KB chat records (.jsonl.zst, like gen_chat.py) of which about 1 in 200
carries an eval instance: whole, or its first 30% (below the threshold) or 70% (above). Deterministic.

usage: decontam_bench_data.py evals OUT.jsonl COUNT
       decontam_bench_data.py chat OUT.jsonl.zst MEGABYTES EVALS.jsonl...
"""
import json, random, sys, zstandard

rng = random.Random(11)
WORDS = [("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))) for _ in range(5000)]


def text(n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def evals(out, count):
    with open(out, "w") as f:
        for i in range(count):
            f.write(json.dumps({"id": f"gen-{i}", "question": text(rng.randint(30, 60)).capitalize() + "?"}) + "\n")


def chat(out, mb, eval_files):
    pool = []
    for path in eval_files:
        for line in open(path):
            d = json.loads(line)
            q = d.get("question") or d.get("prompt")
            if isinstance(q, str):
                pool.append(q)
    target = int(mb * 1e6)
    written = i = 0
    with open(out, "wb") as f, zstandard.ZstdCompressor(level=3).stream_writer(f) as w:
        while written < target:
            user = text(rng.randint(20, 50)) + "?"
            r = rng.random()
            if r < 0.005:
                q = rng.choice(pool).split()
                frac = rng.choice([1.0, 0.3, 0.7])
                user = text(5) + " " + " ".join(q[: max(1, int(len(q) * frac))]) + " " + text(5)
            rec = {"id": f"chat-{i}", "messages": [{"role": "user", "content": user},
                                                  {"role": "assistant", "content": text(rng.randint(80, 140)) + "."}],
                   "source": rng.choice(["tulu", "flan", "oasst", "wildchat", "sharegpt"])}
            line = (json.dumps(rec, ensure_ascii=False) + "\n").encode()
            w.write(line)
            written += len(line)
            i += 1
    print(f"{out}: {i} records, {written / 1e6:.1f} MB uncompressed")


if __name__ == "__main__":
    rng.seed(1 if sys.argv[1] == "evals" else 2)  # same words, different draws for evals and chat
    if sys.argv[1] == "evals":
        evals(sys.argv[2], int(sys.argv[3]))
    else:
        chat(sys.argv[2], float(sys.argv[3]), sys.argv[4:])
