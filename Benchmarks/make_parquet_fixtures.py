#!/usr/bin/env python3
"""Writes every Parquet fixture (issue 19 item 5): the pyarrow and `datasets` files (Fixtures/parquet/make_fixtures.py)
and the polars and duckdb files from the real eval sets (Fixtures/parquet/make_tool_fixtures.py), each with the JSON
lines it must read as. Run by hand; the outputs are committed and CI never installs these libraries:
    python3 -m venv /tmp/pqvenv && /tmp/pqvenv/bin/pip install pyarrow datasets polars duckdb
    /tmp/pqvenv/bin/python Benchmarks/make_parquet_fixtures.py [--tools-only]
"""
import os
import runpy
import sys

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures", "parquet")
if "--tools-only" not in sys.argv:
    runpy.run_path(os.path.join(HERE, "make_fixtures.py"), run_name="__main__")
runpy.run_path(os.path.join(HERE, "make_tool_fixtures.py"), run_name="__main__")
