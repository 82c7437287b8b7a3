#!/usr/bin/env python3
"""Writes a synthetic s1 pool for the select benchmark, deterministically.

usage: gen_s1_pool.py OUT.jsonl[.zst] [ITEMS=100000]
Items are about 4 KB: a ~40-word question, a ~600-word reasoning trace of varying length, an attempt,
a ground truth; 20 domains; about 10% solved (solved_by or an equal reference answer), 2% with API
error text, 1% truncated, 1% image references, 30% without a domain field (the classifier assigns it),
2% near-duplicate questions.
"""
import json, random, sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
rng = random.Random(1234)
letters = "abcdefghijklmnopqrstuvwxyz"
vocab = ["".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(20000)]
math = ["prove", "integer", "triangle", "probability", "matrix", "polynomial", "derivative", "prime", "graph",
        "sequence", "circle", "function", "group", "series", "random", "eigenvalue", "roots", "divisible"]
domains = [f"domain-{k:02d}" for k in range(20)]


def words(k):
    return " ".join(rng.choice(vocab) if rng.random() > 0.1 else rng.choice(math) for _ in range(k))


questions = []
lines = []
for i in range(n):
    if questions and rng.random() < 0.02:
        q = rng.choice(questions).upper() + "!"
    else:
        q = words(40) + "?"
        questions.append(q)
    think_words = rng.randint(300, 900)
    thinking = words(think_words) + ". So the answer is \\boxed{" + str(i % 97) + "}."
    rec = {"id": f"item-{i}", "question": q, "thinking": thinking, "attempt": f"The answer is {i % 97}.",
           "ground_truth": str(i % 97), "source": rng.choice(["numina", "olympiad", "aime", "gpqa", "omni"])}
    r = rng.random()
    if r < 0.05:
        rec["solved_by"] = ["qwen-32b"]
    elif r < 0.10:
        rec["reference_answers"] = {"qwen-7b": str(i % 97), "qwen-32b": "0"}
    elif r < 0.12:
        rec["thinking"] = "Error code: 429 - rate limit exceeded"
    elif r < 0.13:
        rec["thinking"] = thinking[: len(thinking) // 2].rsplit(" ", 1)[0] + " and then we"
    elif r < 0.14:
        rec["question"] = q + " See the figure below."
    if rng.random() > 0.3:
        rec["domain"] = rng.choice(domains)
    lines.append(json.dumps(rec))

data = ("\n".join(lines) + "\n").encode()
if out.endswith(".zst"):
    import zstandard
    data = zstandard.ZstdCompressor(level=3).compress(data)
with open(out, "wb") as f:
    f.write(data)
