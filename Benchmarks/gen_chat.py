#!/usr/bin/env python3
"""Writes N MB (uncompressed) of ~1 KB Tulu-style chat records as .jsonl.zst. Deterministic per seed.
usage: gen_chat.py OUT.jsonl.zst MEGABYTES [SEED]"""
import json, random, sys, zstandard

out, mb = sys.argv[1], float(sys.argv[2])
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
words = [("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))) for _ in range(5000)]
target = int(mb * 1e6)
cctx = zstandard.ZstdCompressor(level=3)
written, i = 0, 0
with open(out, "wb") as f, cctx.stream_writer(f) as w:
    while written < target:
        def text(n):
            return " ".join(rng.choice(words) for _ in range(n))
        rec = {"id": f"chat-{i}", "messages": [
            {"role": "user", "content": text(rng.randint(20, 50)) + "?"},
            {"role": "assistant", "content": text(rng.randint(80, 140)) + "."}],
            "source": rng.choice(["tulu", "flan", "oasst", "wildchat", "sharegpt"])}
        line = (json.dumps(rec, ensure_ascii=False) + "\n").encode()
        w.write(line)
        written += len(line)
        i += 1
print(f"{out}: {i} records, {written / 1e6:.1f} MB uncompressed")
