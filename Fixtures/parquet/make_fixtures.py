#!/usr/bin/env python3
"""Writes the Parquet fixtures and the JSON lines each must read as (Tests/CurationTests/ParquetTests.swift).

Run by hand (CI never installs pyarrow; the outputs are committed):
    python3 -m venv /tmp/pqvenv && /tmp/pqvenv/bin/pip install pyarrow datasets
    /tmp/pqvenv/bin/python Fixtures/parquet/make_fixtures.py

Every file is written by pyarrow (and one by `datasets`), small, deterministic. The expected
`NAME.jsonl` beside `NAME.parquet` holds one JSON object per row: `Table.to_pylist()` serialised the way
curate renders Parquet rows (Python's json.dumps with ensure_ascii=False and no spaces, floats in
Python's repr, NaN as null, bytes as base64, dates/timestamps via isoformat(), decimals as exact
numbers (str(Decimal)), maps as [[key, value], ...] pairs as to_pylist gives them).
"""
import base64
import datetime as dt
import decimal
import json
import math
import os
import shutil

import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))


def dumps(v):
    """One value as JSON text, with the rules above."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "null" if not math.isfinite(v) else repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (bytes, bytearray)):
        return json.dumps(base64.b64encode(bytes(v)).decode("ascii"))
    if isinstance(v, decimal.Decimal):
        return str(v)
    if hasattr(v, "isoformat"):  # date, time, datetime, pandas.Timestamp
        return json.dumps(v.isoformat())
    if isinstance(v, dict):
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + dumps(x) for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(dumps(x) for x in v) + "]"
    raise TypeError(type(v))


def expected(path, table):
    with open(path, "w", encoding="utf-8") as f:
        for row in table.to_pylist():
            f.write(dumps(row) + "\n")


def write(name, table, **kw):
    path = os.path.join(HERE, name + ".parquet")
    pq.write_table(table, path, **kw)
    # Expected rows come from reading the file back with pyarrow, not from the input table.
    expected(os.path.join(HERE, name + ".jsonl"), pq.read_table(path))
    return path


def chat_rows(n, seed=0):
    """Tulu-3-SFT-shaped rows: id, messages list<struct<content, role>>, source; with the awkward cases."""
    rows = []
    texts = ["Hello!", "What is 2+2?", "It is 4.", "Line one\nline \"two\"\ttabbed \\ back", "Ünïcödé — 日本語 🎉",
             "", "ctrl \x01\x1f end", "a" * 300]
    for i in range(n):
        k = (i * 7 + seed) % 11
        if k == 3:
            messages = []
        elif k == 5:
            messages = None
        else:
            messages = []
            for t in range(1 + (i % 4)):
                role = ["system", "user", "assistant"][(t + (1 if t else 0)) % 3] if t else ("system" if i % 5 == 0 else "user")
                content = texts[(i + t) % len(texts)] if (i + t) % 13 != 4 else None
                messages.append({"content": content, "role": role})
        rows.append({"id": f"tulu-{seed}-{i}", "messages": messages, "source": ["ai2/flan", "ai2/math", None][i % 3]})
    return rows


CHAT_TYPE = pa.struct([("content", pa.string()), ("role", pa.string())])
CHAT_SCHEMA = pa.schema([("id", pa.string()), ("messages", pa.list_(CHAT_TYPE)), ("source", pa.string())])


def chat_table(n, seed=0):
    return pa.Table.from_pylist(chat_rows(n, seed), schema=CHAT_SCHEMA)


def main():
    for f in os.listdir(HERE):
        if f.endswith(".parquet") or f.endswith(".jsonl"):
            os.remove(os.path.join(HERE, f))
    for d in ("hub", "hub-one-split", "s1k"):
        shutil.rmtree(os.path.join(HERE, d), ignore_errors=True)

    chat = chat_table(40)
    # Codecs x page versions, dictionary-encoded (pyarrow's default).
    write("chat_snappy_v1", chat, compression="snappy", data_page_version="1.0")
    write("chat_zstd_v2", chat, compression="zstd", data_page_version="2.0")
    write("chat_gzip_v1", chat, compression="gzip", data_page_version="1.0")
    write("chat_lz4raw_v2", chat, compression="lz4", data_page_version="2.0")
    write("chat_none_v1", chat, compression="none", data_page_version="1.0")
    # Many row groups and tiny pages: levels and values split across pages and row groups.
    write("chat_small_pages", chat, compression="snappy", row_group_size=7, data_page_size=64,
          write_batch_size=3, use_dictionary=False, data_page_version="2.0")
    write("chat_small_pages_v1", chat, compression="zstd", row_group_size=9, data_page_size=64,
          write_batch_size=5, data_page_version="1.0", dictionary_pagesize_limit=128)

    # Content-defined chunking (what recent `datasets` writes for the hub's dedupe): pages cut by content.
    try:
        write("chat_cdc", chat_table(120, seed=5), compression="zstd", use_content_defined_chunking={"min_chunk_size": 256, "max_chunk_size": 1024})
    except TypeError:
        pass

    # Value encodings (no dictionary so the column encodings apply).
    n = 300
    enc = pa.table({
        "i32": pa.array([(i * 37) % 1000 - 500 if i % 9 else None for i in range(n)], pa.int32()),
        "i64": pa.array([i * 1_000_000_007 - 2**40 for i in range(n)], pa.int64()),
        "s_len": pa.array([f"value {i} " + "x" * (i % 17) for i in range(n)], pa.string()),
        "s_delta": pa.array([f"prefix/shared/{i // 10:04d}/{i}" if i % 11 else None for i in range(n)], pa.string()),
        "f32": pa.array([i / 7.0 for i in range(n)], pa.float32()),
        "f64": pa.array([(i - 150) * 1.0e-3 + 1 / 3 for i in range(n)], pa.float64()),
        "flag": pa.array([i % 3 == 0 for i in range(n)], pa.bool_()),
    })
    encodings = {"i32": "DELTA_BINARY_PACKED", "i64": "DELTA_BINARY_PACKED", "s_len": "DELTA_LENGTH_BYTE_ARRAY",
                 "s_delta": "DELTA_BYTE_ARRAY", "f32": "BYTE_STREAM_SPLIT", "f64": "BYTE_STREAM_SPLIT", "flag": "RLE"}
    write("encodings_delta_v1", enc, use_dictionary=False, column_encoding=encodings, compression="none", data_page_version="1.0")
    write("encodings_delta_v2", enc, use_dictionary=False, column_encoding=encodings, compression="zstd", data_page_version="2.0",
          data_page_size=512)
    write("encodings_plain", enc, use_dictionary=False, compression="snappy")
    write("encodings_dictionary", enc, compression="gzip")

    # Types.
    utc = dt.timezone.utc
    types = pa.table({
        "b": pa.array([True, False, None, True], pa.bool_()),
        "i8": pa.array([-128, 127, None, 0], pa.int8()),
        "i16": pa.array([-32768, 32767, 1, None], pa.int16()),
        "u8": pa.array([0, 255, None, 7], pa.uint8()),
        "u16": pa.array([0, 65535, 3, None], pa.uint16()),
        "u32": pa.array([0, 4294967295, None, 12], pa.uint32()),
        "u64": pa.array([0, 18446744073709551615, 9007199254740993, None], pa.uint64()),
        "i64": pa.array([-9223372036854775808, 9223372036854775807, 9007199254740993, None], pa.int64()),
        "f32": pa.array([0.1, -1.5, float("nan"), 3.4028234663852886e38], pa.float32()),
        "f64": pa.array([0.1, 1e16, 1e-5, -0.0], pa.float64()),
        "f64b": pa.array([123456789.123, 5e-324, float("inf"), 1e22], pa.float64()),
        "d": pa.array([dt.date(2024, 2, 29), dt.date(1969, 12, 31), None, dt.date(1, 1, 1)], pa.date32()),
        "ts_ms": pa.array([dt.datetime(2024, 1, 2, 3, 4, 5, 678000), None, dt.datetime(1960, 6, 1), dt.datetime(2038, 1, 19, 3, 14, 8)], pa.timestamp("ms")),
        "ts_us_utc": pa.array([dt.datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=utc), dt.datetime(1999, 12, 31, 23, 59, 59, tzinfo=utc), None,
                               dt.datetime(1970, 1, 1, tzinfo=utc)], pa.timestamp("us", tz="UTC")),
        "ts_ns": pa.array([1_700_000_000_123_456_789, 0, None, -1], pa.timestamp("ns")),
        "t_ms": pa.array([dt.time(0, 0, 0), dt.time(23, 59, 59, 999000), None, dt.time(12, 30)], pa.time32("ms")),
        "t_us": pa.array([dt.time(1, 2, 3, 4), None, dt.time(0, 0), dt.time(23, 59, 59, 999999)], pa.time64("us")),
        "dec": pa.array([decimal.Decimal("123.45"), decimal.Decimal("-0.01"), None, decimal.Decimal("0.00")], pa.decimal128(9, 2)),
        "dec_big": pa.array([decimal.Decimal("12345678901234567890.123456"), decimal.Decimal("-1.000000"), decimal.Decimal("0.000001"), None],
                            pa.decimal128(38, 6)),
        "bin": pa.array([b"\x00\x01\xff", b"", None, b"hello"], pa.binary()),
        "fixed": pa.array([b"abcd", b"\x00\x00\x00\x00", None, b"wxyz"], pa.binary(4)),
        "large": pa.array(["large string", None, "", "ok"], pa.large_string()),
    })
    write("types", types, compression="snappy")
    try:
        write("types_int_decimal", pa.table({
            "dec32": pa.array([decimal.Decimal("1.5"), decimal.Decimal("-99.9"), None], pa.decimal128(5, 1)),
            "dec64": pa.array([decimal.Decimal("1234567890.12345"), decimal.Decimal("0.00001"), decimal.Decimal("-7")], pa.decimal128(18, 5)),
        }), store_decimal_as_integer=True)
    except TypeError:
        pass
    write("types_int96", pa.table({"ts": pa.array([dt.datetime(2020, 5, 17, 8, 30, 1, 250000), None, dt.datetime(1900, 1, 1)], pa.timestamp("ns"))}),
          use_deprecated_int96_timestamps=True)

    # Nesting: lists of strings (s1K), lists of lists, structs holding lists, maps; nulls at each level.
    nested = pa.table({
        "thinking_trajectories": pa.array([["step 1", "step 2"], [], None, ["only"], [None, "after null"]], pa.list_(pa.string())),
        "grid": pa.array([[[1, 2], [3]], [[], [None]], None, [None, [4, 5, 6]], [[]]], pa.list_(pa.list_(pa.int64()))),
        "meta": pa.array([{"score": 1.5, "tags": ["a", "b"], "inner": {"x": 1}},
                          None,
                          {"score": None, "tags": None, "inner": None},
                          {"score": 2.0, "tags": [], "inner": {"x": None}},
                          {"score": -0.5, "tags": [None], "inner": {"x": 3}}],
                         pa.struct([("score", pa.float64()), ("tags", pa.list_(pa.string())), ("inner", pa.struct([("x", pa.int32())]))])),
        "attrs": pa.array([[("k1", 1), ("k2", None)], [], None, [("only", 42)], [("z", 0)]], pa.map_(pa.string(), pa.int32())),
        "deep": pa.array([[{"turns": [{"text": "hi", "n": [1, 2]}]}], [{"turns": []}, None], None, [], [{"turns": None}]],
                         pa.list_(pa.struct([("turns", pa.list_(pa.struct([("text", pa.string()), ("n", pa.list_(pa.int16()))])))]))),
    })
    write("nested", nested, compression="zstd")
    write("nested_v2_small_pages", pa.concat_tables([nested] * 6), compression="snappy", data_page_version="2.0",
          data_page_size=32, write_batch_size=2, row_group_size=8)

    # s1K-like, written by `datasets` itself.
    try:
        import datasets
        ds = datasets.Dataset.from_list([{"question": f"Q{i}: find x", "solution": str(i), "thinking_trajectories": [f"think {i}", "Wait, check."],
                                          "attempt": f"x = {i}", "cot_type": "math"} for i in range(12)])
        os.makedirs(os.path.join(HERE, "s1k", "data"))
        p = os.path.join(HERE, "s1k", "data", "train-00000-of-00001.parquet")
        ds.to_parquet(p)
        expected(os.path.join(HERE, "s1k.jsonl"), pq.read_table(p))
    except ImportError:
        pass

    # The hub's layout: two splits, train in two shards.
    hub = os.path.join(HERE, "hub", "data")
    os.makedirs(hub)
    t0, t1, test = chat_table(5, seed=1), chat_table(4, seed=2), chat_table(3, seed=3)
    pq.write_table(t0, os.path.join(hub, "train-00000-of-00002.parquet"))
    pq.write_table(t1, os.path.join(hub, "train-00001-of-00002.parquet"))
    pq.write_table(test, os.path.join(hub, "test-00000-of-00001.parquet"))
    expected(os.path.join(HERE, "hub-train.jsonl"), pa.concat_tables([t0, t1]))
    expected(os.path.join(HERE, "hub-test.jsonl"), test)
    one = os.path.join(HERE, "hub-one-split", "data")
    os.makedirs(one)
    pq.write_table(t0, os.path.join(one, "train-00000-of-00001.parquet"))

    # Tulu-3-persona-shaped rows: the persona loader reads `input_persona` (and `id`) from Parquet.
    write("personas", pa.table({"id": ["p-1", "p-2", "p-3"], "prompt": ["x", "y", "z"],
                                "input_persona": ["A chemist who bakes", "  A retired sailor  ", "A chess coach"]}))

    # Unsupported on purpose: BROTLI (the reader must name the codec in its error).
    pq.write_table(chat_table(3), os.path.join(HERE, "unsupported_brotli.parquet"), compression="brotli")


if __name__ == "__main__":
    main()
