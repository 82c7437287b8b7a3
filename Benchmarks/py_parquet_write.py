#!/usr/bin/env python3
"""The pyarrow side of Benchmarks/parquet_write_bench.sh: JSON lines -> pyarrow.Table -> pq.write_table (zstd).

    py_parquet_write.py arrowjson IN.jsonl OUT.parquet [LEVEL]  # pyarrow.json.read_json (Arrow's C++ JSON reader)
    py_parquet_write.py pylist IN.jsonl OUT.parquet [LEVEL]     # json.loads per line -> Table.from_pylist

One thread (pa.set_cpu_count(1), use_threads=False), zstd at LEVEL (default 3), pyarrow's default row groups.
"""
import json
import sys

import pyarrow as pa
import pyarrow.json as pj
import pyarrow.parquet as pq


def main():
    mode, src, dst = sys.argv[1], sys.argv[2], sys.argv[3]
    level = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    if mode == "arrowjson":
        table = pj.read_json(src, read_options=pj.ReadOptions(use_threads=False, block_size=64 << 20))
    elif mode == "pylist":
        with open(src, "rb") as fh:
            table = pa.Table.from_pylist([json.loads(line) for line in fh])
    else:
        raise SystemExit(f"unknown mode {mode}")
    pq.write_table(table, dst, compression="zstd", compression_level=level, use_dictionary=True)


if __name__ == "__main__":
    main()
