#!/usr/bin/env python3
"""Data for Benchmarks/decontam_bench.sh: synthetic eval instances (GSM8K-like word problems) to bring the
index past 20,000 instances, and ~1 KB chat records (.jsonl.zst, like gen_chat.py) of which about 1 in 200
carries an eval instance: whole, or its first 30% (below the threshold) or 70% (above). Deterministic.

usage: decontam_bench_data.py evals OUT.jsonl COUNT
       decontam_bench_data.py chat OUT.jsonl.zst MEGABYTES EVALS.jsonl...
"""
import json, random, sys

from chat_records import text as words_text, vocabulary, write_chat

rng = random.Random(11)
WORDS = vocabulary(rng)


def text(n):
    return words_text(rng, WORDS, n)


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

    def user(default):
        if rng.random() < 0.005:
            q = rng.choice(pool).split()
            frac = rng.choice([1.0, 0.3, 0.7])
            return text(5) + " " + " ".join(q[: max(1, int(len(q) * frac))]) + " " + text(5)
        return default

    write_chat(out, mb, rng, WORDS, user)


if __name__ == "__main__":
    rng.seed(1 if sys.argv[1] == "evals" else 2)  # same words, different draws for evals and chat
    if sys.argv[1] == "evals":
        evals(sys.argv[2], int(sys.argv[3]))
    else:
        chat(sys.argv[2], float(sys.argv[3]), sys.argv[4:])
