"""Synthetic ~1 KB Tulu-style chat records, shared by gen_chat.py and decontam_bench_data.py.

Both scripts need the same record shape (a user turn of 20-50 words, an assistant turn of 80-140,
a source tag) drawn from one random generator, so their data sets stay comparable; keeping the
generator here means a change to the shape is made once. The draw order is part of the output:
changing it changes every file these scripts write for a given seed.
"""
import json, zstandard

SOURCES = ["tulu", "flan", "oasst", "wildchat", "sharegpt"]


def vocabulary(rng, size=5000):
    """`size` random lowercase words of 2-9 letters."""
    return [("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))) for _ in range(size)]


def text(rng, words, n):
    """`n` words drawn from `words`, space-separated."""
    return " ".join(rng.choice(words) for _ in range(n))


def write_chat(out, mb, rng, words, user=None):
    """Writes records to `out` (.jsonl.zst, level 3) until `mb` MB of uncompressed JSONL, then prints a
    summary line. `user(text)`, if given, may replace a record's user turn (drawing from `rng`)."""
    target = int(mb * 1e6)
    written = i = 0
    with open(out, "wb") as f, zstandard.ZstdCompressor(level=3).stream_writer(f) as w:
        while written < target:
            u = text(rng, words, rng.randint(20, 50)) + "?"
            if user is not None:
                u = user(u)
            rec = {"id": f"chat-{i}", "messages": [{"role": "user", "content": u},
                                                  {"role": "assistant", "content": text(rng, words, rng.randint(80, 140)) + "."}],
                   "source": rng.choice(SOURCES)}
            line = (json.dumps(rec, ensure_ascii=False) + "\n").encode()
            w.write(line)
            written += len(line)
            i += 1
    print(f"{out}: {i} records, {written / 1e6:.1f} MB uncompressed")
