#!/usr/bin/env python3
"""Writes N verifiable records for Benchmarks/verify_bench.sh: math answers built from the labelled pairs in
Fixtures/answers/pairs.jsonl (and Fixtures/answers/edge_cases.jsonl when present), presented as \\boxed{...}, as a
sentence and verbatim, and GSM8K-style `#### N` answers. Deterministic (seeded).

    python3 Benchmarks/verify_bench_data.py N OUT.jsonl
"""
import json, os, random, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pairs():
    out = []
    for name in ("pairs.jsonl", "edge_cases.jsonl"):
        p = os.path.join(ROOT, "Fixtures", "answers", name)
        if not os.path.exists(p):
            continue
        for line in open(p, encoding="utf-8"):
            line = line.strip()
            if line:
                r = json.loads(line)
                if "gold" in r and "candidate" in r:
                    out.append((r["gold"], r["candidate"]))
    return out


def main():
    n, path = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(20261205)
    ps = pairs()
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            kind = rng.random()
            if kind < 0.3:
                a, b = rng.randint(1, 999), rng.randint(1, 999)
                ans = a + b if rng.random() < 0.7 else a + b + rng.randint(1, 9)
                rec = {"id": f"g{i}", "messages": [{"role": "user", "content": f"What is {a} plus {b}?"}],
                       "response": f"First, {a} + {b} = <<{a}+{b}={ans}>>{ans}.\n#### {ans}", "ground_truth": str(a + b), "dataset": "gsm8k"}
            else:
                gold, cand = ps[rng.randrange(len(ps))]
                form = rng.randrange(3)
                resp = (f"We simplify step by step, checking each term.\nThe answer is $\\boxed{{{cand}}}$." if form == 0 else
                        f"Working it through, the final answer is {cand}." if form == 1 else cand)
                rec = {"id": f"m{i}", "messages": [{"role": "user", "content": "Solve the problem."}],
                       "response": resp, "ground_truth": gold, "dataset": "math"}
            f.write(json.dumps(rec) + "\n")


if __name__ == "__main__":
    main()
