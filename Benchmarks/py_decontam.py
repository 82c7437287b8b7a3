#!/usr/bin/env python3
"""A straightforward single-process Python implementation of the decontamination rule `curate-tool
decontam scan` applies (issue 3), for the benchmark's speed ratio and its check that both flag the same
records. Same normalisation (lowercase; punctuation, symbols and whitespace separate tokens; one token per
character for scripts written without spaces), same n-grams (XXH3-64 of tokens joined by one space; an
eval instance shorter than n is one n-gram of its whole sequence), same rule (a record is contaminated
when it holds at least THRESHOLD of an eval instance's distinct n-grams, or any with --any).

The eval side is read from the SQLite index `decontam index` wrote (instance n-gram hashes), so both
tools scan against the same instances.

usage: py_decontam.py INDEX.sqlite FLAGGED_OUT.txt FILE.jsonl[.zst]... [--threshold 0.5] [--any] [--max-bytes N]
FLAGGED_OUT gets the id of every contaminated record, one per line, in input order.
"""
import io, json, re, sqlite3, sys, time, unicodedata
import xxhash, zstandard

SEPARATOR_CATEGORIES = {"Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So", "Cc", "Cf", "Zs", "Zl", "Zp", "Cs", "Co", "Cn"}
ASCII_TOKEN = re.compile(r"[a-z0-9]+")


def unspaced(cp):
    return (0x0E00 <= cp <= 0x0EFF or 0x1000 <= cp <= 0x109F or 0x1780 <= cp <= 0x17FF or 0x3040 <= cp <= 0x30FF
            or 0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x2FA1F
            or 0x31F0 <= cp <= 0x31FF or 0xFF66 <= cp <= 0xFF9D)


def tokens(text, fold_digits=False, strip_diacritics=False):
    """The normalised tokens of `text`."""
    if text.isascii():
        t = ASCII_TOKEN.findall(text.lower())
        if fold_digits:
            t = [re.sub(r"[0-9]", "0", w) for w in t]
        return t
    out, word = [], []
    for c in text:
        cp = ord(c)
        if cp < 0x80:
            if "a" <= c <= "z" or "A" <= c <= "Z":
                word.append(c.lower()); continue
            if "0" <= c <= "9":
                word.append("0" if fold_digits else c); continue
            if word: out.append("".join(word)); word = []
            continue
        cat = unicodedata.category(c)
        if c.isspace() or cat in SEPARATOR_CATEGORIES:
            if word: out.append("".join(word)); word = []
            continue
        if cat.startswith("M") and strip_diacritics:
            continue
        if cat == "Nd" and fold_digits:
            word.append("0"); continue
        if unspaced(cp):
            if word: out.append("".join(word)); word = []
            out.append(c.lower()); continue
        if strip_diacritics:
            word.append("".join(ch for ch in unicodedata.normalize("NFD", c) if not unicodedata.category(ch).startswith("M")).lower())
        else:
            word.append(c.lower())
    if word: out.append("".join(word))
    return out


def ngram_hash(toks):
    return xxhash.xxh3_64_intdigest(" ".join(toks).encode())


def eval_ngrams(toks, n):
    """Distinct n-gram hashes of an eval instance (short instances: one hash of the whole sequence)."""
    if not toks:
        return set()
    if len(toks) < n:
        return {ngram_hash(toks)}
    return {ngram_hash(toks[i:i + n]) for i in range(len(toks) - n + 1)}


def record_text(rec):
    """The text of a train record: chat messages, preference prompt + chosen + rejected, document text."""
    if "chosen" in rec and "rejected" in rec:
        parts = []
        for f in ("prompt", "chosen", "rejected"):
            v = rec.get(f)
            if isinstance(v, str): parts.append(v)
            elif isinstance(v, list): parts += [m.get("content") or "" for m in v if isinstance(m, dict)]
        return "\n".join(parts)
    if "messages" in rec:
        return "\n".join((m.get("content") or "") for m in rec["messages"])
    return rec.get("text") or rec.get("prompt") or rec.get("question") or ""


def load_index(path):
    db = sqlite3.connect(path)
    meta = dict(db.execute("SELECT key, value FROM meta"))
    n = int(meta["ngram"])
    table, totals, short_lengths, short_firsts = {}, [], set(), set()
    for k, (tok, blob, first) in enumerate(db.execute("SELECT i.tokens, i.ngrams, i.first_token FROM instances i JOIN eval_sets s ON s.id = i.set_id ORDER BY s.name, i.ordinal")):
        hashes = [int.from_bytes(blob[j:j + 8], "little") for j in range(0, len(blob), 8)]
        totals.append(len(hashes))
        if 0 < tok < n:
            short_lengths.add(tok)
            short_firsts.add(first & 0xFFFFFFFFFFFFFFFF)
        for h in hashes:
            table.setdefault(h, []).append(k)
    norm = meta["normalization"]
    return n, table, totals, sorted(short_lengths), short_firsts, "digits-to-0" in norm, "strip-diacritics" in norm


def main():
    args = sys.argv[1:]
    threshold, any_rule, max_bytes = 0.5, False, None
    if "--any" in args: args.remove("--any"); any_rule = True
    if "--threshold" in args:
        k = args.index("--threshold"); threshold = float(args[k + 1]); del args[k:k + 2]
    if "--max-bytes" in args:
        k = args.index("--max-bytes"); max_bytes = int(args[k + 1]); del args[k:k + 2]
    index_path, out_path, files = args[0], args[1], args[2:]
    n, table, totals, short_lengths, short_firsts, fold, strip = load_index(index_path)
    started = time.time()
    nbytes = nrec = 0
    flagged = []
    for f in files:
        raw = open(f, "rb")
        stream = zstandard.ZstdDecompressor().stream_reader(raw) if f.endswith(".zst") else raw
        for line in io.BufferedReader(stream, 1 << 20):
            if max_bytes is not None and nbytes >= max_bytes: break
            nbytes += len(line)
            if not line.strip(): continue
            rec = json.loads(line)
            nrec += 1
            toks = tokens(record_text(rec), fold, strip)
            hits = set()
            for i in range(len(toks) - n + 1):
                h = ngram_hash(toks[i:i + n])
                if h in table: hits.add(h)
            if short_lengths:
                # Short eval instances (fewer than n tokens): only where a token starts one of them (the
                # index stores each one's first-token hash), as the Swift scan does.
                for i, t in enumerate(toks):
                    if xxhash.xxh3_64_intdigest(t.encode()) in short_firsts:
                        for L in short_lengths:
                            if i + L <= len(toks):
                                h = ngram_hash(toks[i:i + L])
                                if h in table: hits.add(h)
            if not hits: continue
            counts = {}
            for h in hits:
                for inst in table[h]:
                    counts[inst] = counts.get(inst, 0) + 1
            if any(totals[i] > 0 and (any_rule or c / totals[i] >= threshold - 1e-12) for i, c in counts.items()):
                flagged.append(str(rec.get("id")))
    secs = time.time() - started
    with open(out_path, "w") as o:
        o.write("".join(x + "\n" for x in flagged))
    print(f"python: {nrec} records, {nbytes / 1e6:.1f} MB, {secs:.2f} s, {nbytes / 1e6 / secs:.2f} MB/s, {len(flagged)} flagged")


if __name__ == "__main__":
    main()
