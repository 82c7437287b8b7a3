#!/usr/bin/env python3
"""Parquet fixtures written by polars and duckdb from the real eval sets in Fixtures/evals, with the JSON lines
each must read as (Tests/CurationTests/ParquetTests.swift). make_fixtures.py covers pyarrow and `datasets`; these
cover the other two writers people use, whose files differ (polars: its own Rust writer, zstd and dictionary
pages by default; duckdb: its own writer, snappy, RLE dictionaries, its own row-group sizes).

Run by hand (CI never installs them; the outputs are committed):
    python3 -m venv /tmp/pqvenv && /tmp/pqvenv/bin/pip install pyarrow datasets polars duckdb
    /tmp/pqvenv/bin/python Fixtures/parquet/make_tool_fixtures.py

The expected lines are read back with pyarrow (`Table.to_pylist()`, serialised by make_fixtures.dumps), so they
are what `datasets` would give for the same file.
"""
import json
import os
import sys

import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
EVALS = os.path.join(HERE, "..", "evals")
sys.path.insert(0, HERE)
from make_fixtures import expected  # noqa: E402


def rows(name, limit):
    out = []
    with open(os.path.join(EVALS, name), encoding="utf-8") as f:
        for line in f:
            out.append(json.loads(line))
            if len(out) == limit:
                break
    return out


def main():
    import duckdb
    import polars as pl

    # polars: GSM8K test items (question, answer), default settings (zstd), and a small-row-group copy.
    gsm = pl.DataFrame(rows("gsm8k-test.jsonl", 200))
    p = os.path.join(HERE, "polars_gsm8k.parquet")
    gsm.write_parquet(p)
    expected(os.path.join(HERE, "polars_gsm8k.jsonl"), pq.read_table(p))
    p = os.path.join(HERE, "polars_gsm8k_small_groups.parquet")
    gsm.write_parquet(p, compression="snappy", row_group_size=16, data_page_size=512, statistics=True)
    expected(os.path.join(HERE, "polars_gsm8k_small_groups.jsonl"), pq.read_table(p))

    # duckdb: IFBench items (a list of instruction ids, and a struct built in SQL holding a list and a null),
    # read from the JSONL and written with COPY. (IFBench's kwargs have keys differing only in case, which
    # duckdb's JSON reader refuses, so they are left out.)
    src = os.path.join(EVALS, "ifbench-test.jsonl")
    p = os.path.join(HERE, "duckdb_ifbench.parquet")
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT key, prompt, instruction_id_list,
                           {{'count': len(instruction_id_list), 'first': instruction_id_list[1],
                             'none': CAST(NULL AS VARCHAR), 'ids': instruction_id_list}} AS meta
                         FROM read_json('{src}', columns={{'key': 'VARCHAR', 'prompt': 'VARCHAR',
                                                           'instruction_id_list': 'VARCHAR[]'}})
                         LIMIT 120) TO '{p}' (FORMAT parquet)""")
    expected(os.path.join(HERE, "duckdb_ifbench.jsonl"), pq.read_table(p))
    p = os.path.join(HERE, "duckdb_mmath_zstd.parquet")
    src = os.path.join(EVALS, "mmath-en.jsonl")
    con.execute(f"COPY (SELECT * FROM read_json_auto('{src}') LIMIT 150) TO '{p}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 50)")
    expected(os.path.join(HERE, "duckdb_mmath_zstd.jsonl"), pq.read_table(p))


if __name__ == "__main__":
    main()
