#!/usr/bin/env python3
"""Writes a large `verify` input for throughput comparisons (issue 15: verify speed within 10%).

    python3 Benchmarks/verify_bench_data.py OUT.jsonl [N]

N records (default 100000) built from Fixtures/answers/pairs.jsonl: math records whose responses are a few
hundred bytes of reasoning ending in each of the answer shapes (one box, several boxes, `Final Answer:`,
`The answer is`, a last math span, no marker), and GSM8K records ending `#### N`. Deterministic (seeded).
"""
import json, os, random, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
rng = random.Random(15)
pairs = [json.loads(l) for l in open(os.path.join(ROOT, "Fixtures/answers/pairs.jsonl"))]
filler = ("We first rewrite the expression, collect like terms and check the boundary cases; "
          "substituting $x = 2$ gives $4 + 2 = 6$, which is consistent with the constraint $y \\le 9$. ")
shapes = [
    lambda c: f"$\\boxed{{{c}}}$.",
    lambda c: f"The roots are $\\boxed{{{c}}}$ and $\\boxed{{{c}}}$.",
    lambda c: f"Final Answer: The final answer is ${c}$. I hope it is correct.",
    lambda c: f"The answer is ${c}$.",
    lambda c: f"so we get ${c}$",
    lambda c: f"so the result is {c}",
]
with open(out, "w") as f:
    for i in range(n):
        if i % 4 == 3:
            a, b = rng.randint(1, 999), rng.randint(1, 999)
            rec = {"id": f"g{i}", "prompt": f"What is {a} plus {b}?", "response": filler * rng.randint(1, 4) + f"Adding gives {a + b}.\n#### {a + b}",
                   "ground_truth": str(a + b), "dataset": "gsm8k"}
        else:
            p = pairs[rng.randrange(len(pairs))]
            rec = {"id": f"m{i}", "prompt": "Solve.", "response": filler * rng.randint(1, 4) + rng.choice(shapes)(p["candidate"]),
                   "ground_truth": p["gold"], "dataset": "math"}
        f.write(json.dumps(rec, ensure_ascii=False) + "\n")
