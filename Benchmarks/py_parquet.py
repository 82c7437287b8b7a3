#!/usr/bin/env python3
"""The Python side of Benchmarks/parquet_bench.sh (needs pyarrow; zstandard for the zstd run).

    py_parquet.py make IN.jsonl.zst OUT.parquet      # chat JSONL -> Parquet as the hub stores it
    py_parquet.py convert IN.parquet OUT.jsonl[.zst]  # the reference: read_table().to_pylist() + json.dumps

`make` writes what `datasets` writes for the Tulu 3 SFT mixture: messages as list<struct<content, role>>,
snappy, dictionary encoding on, row groups of 1000 rows (hub shards hold a few hundred to a few thousand).
"""
import io
import json
import sys

import pyarrow as pa
import pyarrow.parquet as pq


def make(src, dst):
    import zstandard
    rows = []
    with open(src, "rb") as fh:
        for line in io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(fh), encoding="utf-8"):
            r = json.loads(line)
            rows.append({"id": r.get("id"), "messages": [{"content": m.get("content"), "role": m.get("role")} for m in r.get("messages", [])],
                         "source": r.get("source")})
    schema = pa.schema([("id", pa.string()),
                        ("messages", pa.list_(pa.struct([("content", pa.string()), ("role", pa.string())]))),
                        ("source", pa.string())])
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), dst, compression="snappy", row_group_size=1000)


def convert(src, dst):
    out = open(dst, "wb")
    writer = out
    if dst.endswith(".zst"):
        import zstandard
        writer = zstandard.ZstdCompressor(level=3).stream_writer(out)
    f = pq.ParquetFile(src)
    for g in range(f.num_row_groups):
        for row in f.read_row_group(g).to_pylist():
            writer.write((json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode())
    if writer is not out:
        writer.close()
    else:
        out.close()


if __name__ == "__main__":
    {"make": make, "convert": convert}[sys.argv[1]](sys.argv[2], sys.argv[3])
