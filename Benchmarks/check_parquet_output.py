#!/usr/bin/env python3
"""Checks by hand (not in CI: CI never installs pyarrow) that the Parquet shards `curate-tool ... --format
parquet` writes load in pyarrow, Hugging Face `datasets`, polars and duckdb with the same rows as the JSONL
output of the same command, and that pyarrow sees the column statistics.

    check_parquet_output.py CURATE_TOOL [CHAT.jsonl[.zst]] > Benchmarks/parquet_write_check.last.txt
    (a python with pyarrow, polars, duckdb, datasets: python -m venv /tmp/pqvenv; /tmp/pqvenv/bin/pip install ...)

Rows are compared as records under the writer's schema rules: a key missing on one side equals null, an
integer in a float column equals its float, a `--json-columns` field (or an object never seen with a key)
holds the JSON text of the value. Prints one line per (case, library) and exits non-zero on any difference.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

import duckdb
import polars as pl
import pyarrow.parquet as pq
from datasets import load_dataset

TRICKY = [
    {"id": "a", "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello, wörld ✓ 🎉"}], "score": 1, "ok": True, "tags": ["x", "y"]},
    {"id": "b", "messages": [], "score": 2.5, "ok": None, "tags": [], "meta": {"source": "s1", "n": 3}},
    {"id": "c", "messages": [{"role": "user", "content": "line\nbreak \"quoted\" \\ tab\t", "name": "bob"}], "tags": None, "extra": None},
    {"id": "d", "messages": None, "score": -7, "ok": False, "tags": ["z", None], "meta": {"n": None, "deep": {"k": [1, 2, 3]}}},
    {"id": "e", "messages": [{"role": "system", "content": ""}, None], "score": 1e3, "meta": {}},
    {"id": "f", "nested": [[1, 2], [], None, [3.5]], "empty_obj": {}, "unicode": "日本語 é 😀", "big": 9223372036854775807},
]
# ground_truth is an object in one record and a string in the next: only --json-columns makes it fit.
MIXED = [
    {"id": "g", "ground_truth": {"instruction_id_list": ["a:b"], "kwargs": [{"n": 3}]}, "completions": ["x", "y", ""]},
    {"id": "h", "ground_truth": "42", "completions": []},
]


def same(a, b, json_columns=(), path=""):
    """`a` read back, `b` as written; `json_columns`: dotted paths written as JSON text."""
    if path in json_columns and a is not None:
        return json.loads(a) == b
    if isinstance(a, str) and isinstance(b, (dict, list)):
        return json.loads(a) == b
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y, json_columns, path) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return all(same(a.get(k), b.get(k), json_columns, f"{path}.{k}" if path else k) for k in set(a) | set(b))
    return a == b


def shards(directory, ext):
    m = json.load(open(os.path.join(directory, "part.manifest.json")))
    return [os.path.join(directory, s["file"]) for s in m["shards"] if s["file"].endswith(ext)], m


def loaders(files, cache):
    yield "pyarrow", [r for f in files for r in pq.read_table(f).to_pylist()]
    ds = load_dataset("parquet", data_files=files, split="train", cache_dir=cache)
    yield "datasets", ds.to_list()
    yield "polars", pl.read_parquet(files).to_dicts()
    rel = duckdb.sql("SELECT * FROM read_parquet([" + ",".join("'%s'" % f for f in files) + "])")
    cols = rel.columns
    yield "duckdb", [dict(zip(cols, row)) for row in rel.fetchall()]


def check(bin_, name, src, work, extra):
    jdir, pdir = os.path.join(work, name + "-jsonl"), os.path.join(work, name + "-pq")
    subprocess.run([bin_, "convert", src, "-o", jdir, "--compression", "none", "--quiet"], check=True)
    subprocess.run([bin_, "convert", src, "-o", pdir, "--format", "parquet", "--quiet"] + extra, check=True)
    json_columns = set(extra[extra.index("--json-columns") + 1].split(",")) if "--json-columns" in extra else set()
    jfiles, _ = shards(jdir, ".jsonl")
    want = [json.loads(line) for f in jfiles for line in open(f, encoding="utf-8")]
    pfiles, manifest = shards(pdir, ".parquet")
    schema = pq.read_schema(pfiles[0])
    meta = pq.ParquetFile(pfiles[0]).metadata
    stats = [meta.row_group(0).column(i) for i in range(meta.num_columns)]
    with_minmax = sum(1 for c in stats if c.statistics is not None and c.statistics.has_min_max)
    print(f"{name}: {len(want)} records, {len(pfiles)} shard(s), {meta.num_row_groups} row group(s) in the first, "
          f"codec {stats[0].compression}, created_by {meta.created_by!r}, {with_minmax}/{meta.num_columns} columns with min/max")
    print("  encodings (row group 0): " + ", ".join(f"{c.path_in_schema} {'/'.join(c.encodings)}" for c in stats))
    print(f"  schema: {schema.to_string(show_schema_metadata=False).replace(chr(10), '; ')}")
    assert manifest["format"] == "parquet" and manifest["records"] == len(want), manifest
    failed = False
    for lib, rows in loaders(pfiles, os.path.join(work, "hf-cache")):
        bad = [k for k, (g, w) in enumerate(zip(rows, want)) if not same(g, w, json_columns)]
        ok = len(rows) == len(want) and not bad
        failed |= not ok
        detail = "" if ok else f" first difference at row {bad[0] if bad else len(rows)}: {rows[bad[0]] if bad else ''!r} vs {want[bad[0]] if bad else ''!r}"
        print(f"  {lib:9s} {len(rows)} rows: {'same records as the JSONL output' if ok else 'DIFFERENT'}{detail}", flush=True)
    return failed


def main():
    bin_ = sys.argv[1]
    import datasets, pyarrow
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip() or "?"
    print(f"check_parquet_output: commit {commit}, {bin_}; pyarrow {pyarrow.__version__}, datasets {datasets.__version__}, "
          f"polars {pl.__version__}, duckdb {duckdb.__version__}", flush=True)
    work = tempfile.mkdtemp(prefix="pqcheck-")
    tricky, mixed = os.path.join(work, "tricky.jsonl"), os.path.join(work, "mixed.jsonl")
    for path, records in ((tricky, TRICKY), (mixed, TRICKY + MIXED)):
        with open(path, "w", encoding="utf-8") as fh:
            for r in records:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    failed = check(bin_, "tricky-zstd-3-shards", tricky, work, ["--max-records", "3"])
    failed |= check(bin_, "mixed-snappy-json-columns", mixed, work, ["--parquet-compression", "snappy", "--json-columns", "ground_truth,meta.deep"])
    # Without --json-columns the mixed field cannot fit: an error naming the record and field, or under
    # --on-error skip the record in rejected.jsonl with its reason.
    r = subprocess.run([bin_, "convert", mixed, "-o", os.path.join(work, "unfit"), "--format", "parquet", "--quiet"],
                       capture_output=True, text=True)
    print(f"unfit record without --json-columns: exit {r.returncode}: {r.stderr.strip()}")
    failed |= r.returncode == 0 or '"h"' not in r.stderr or "ground_truth" not in r.stderr
    skip = os.path.join(work, "unfit-skip")
    r = subprocess.run([bin_, "convert", mixed, "-o", skip, "--format", "parquet", "--on-error", "skip", "--quiet"],
                       capture_output=True, text=True)
    reasons = open(os.path.join(skip, "rejected.reasons.jsonl"), encoding="utf-8").read().strip()
    print(f"  under --on-error skip: exit {r.returncode}, rejected: {reasons}")
    failed |= r.returncode != 0 or '\\"h\\"' not in reasons
    if len(sys.argv) > 2:
        failed |= check(bin_, "chat-zstd-rowgroups-1000", sys.argv[2], work, ["--row-group-size", "1000", "--max-records", "20000"])
    print("ALL SAME" if not failed else "DIFFERENCES FOUND")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
