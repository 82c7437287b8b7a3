#!/usr/bin/env python3
"""The Python reference for `curate-tool mix` (json + zstandard + random): reads sources, takes each
amount (fraction / repeat: full copies plus a seeded remainder) by a per-record hash key, counts
whitespace tokens of the message texts, sets source / orig_id / unique id, shuffles globally in memory
with a seeded random, and writes zstd level-3 shards of 100,000 records.
usage: py_mix.py OUTDIR SEED NAME=PATH:UNIT:VALUE ...   (UNIT: fraction or repeat)"""
import hashlib, io, json, math, os, random, sys, zstandard

outdir, seed = sys.argv[1], int(sys.argv[2])
os.makedirs(outdir, exist_ok=True)
chosen, tokens = [], 0

def key(source, rid):
    return int.from_bytes(hashlib.blake2b(f"{seed}\0{source}\0{rid}".encode(), digest_size=8).digest(), "little")

for spec in sys.argv[3:]:
    name, rest = spec.split("=", 1)
    path, unit, value = rest.rsplit(":", 2)
    value = float(value)
    recs = []
    with open(path, "rb") as fh:
        for line in io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(fh), encoding="utf-8"):
            r = json.loads(line)
            text = "\n".join(m["content"] for m in r.get("messages", []))
            recs.append((key(name, r["id"]), r, len(text.split())))
    recs.sort(key=lambda x: x[0])
    full = int(value) if unit == "repeat" else 0
    extra = round((value - full) * len(recs))
    for i, (k, r, t) in enumerate(recs):
        copies = full + (1 if i < extra else 0)
        for c in range(1, copies + 1):
            out = dict(r)
            out["orig_id"] = r["id"]
            out["id"] = r["id"] if c == 1 else f'{r["id"]}#{c}'
            out["source"] = name
            chosen.append(out)
            tokens += t

random.Random(seed).shuffle(chosen)
cctx = zstandard.ZstdCompressor(level=3)
for s in range(0, len(chosen), 100000):
    with open(os.path.join(outdir, f"py-{s // 100000:05d}.jsonl.zst"), "wb") as f, cctx.stream_writer(f) as w:
        for r in chosen[s:s + 100000]:
            w.write((json.dumps(r, ensure_ascii=False) + "\n").encode())
print(f"{len(chosen)} records, {tokens} tokens", file=sys.stderr)
