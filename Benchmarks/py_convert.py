#!/usr/bin/env python3
"""The Python reference for `curate-tool convert`: read .jsonl.zst, parse every record (json), write it
back as zstd level-3 shards of at most MAX_RECORDS records. usage: py_convert.py IN OUTDIR [MAX_RECORDS]"""
import io, json, os, sys, zstandard

src, outdir = sys.argv[1], sys.argv[2]
max_records = int(sys.argv[3]) if len(sys.argv) > 3 else 100000
os.makedirs(outdir, exist_ok=True)
shard, n, w, f = 0, 0, None, None
cctx = zstandard.ZstdCompressor(level=3)

def open_shard(k):
    f = open(os.path.join(outdir, f"py-{k:05d}.jsonl.zst"), "wb")
    return f, cctx.stream_writer(f)

with open(src, "rb") as fh:
    reader = io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(fh), encoding="utf-8")
    for line in reader:
        rec = json.loads(line)
        if w is None or n >= max_records:
            if w is not None:
                w.close()
            f, w = open_shard(shard)
            shard += 1
            n = 0
        w.write((json.dumps(rec, ensure_ascii=False) + "\n").encode())
        n += 1
if w is not None:
    w.close()
