#!/usr/bin/env python3
"""Builds the language-ID model that Sources/Curation/LanguageID/ loads, from langdetect's
per-language character 1-3-gram profiles (Apache-2.0; counts over Wikipedia abstracts by Cybozu Labs).

Reproducible: the same langdetect version gives the same bytes. The profiles are read from the
langdetect source distribution (pip download --no-deps langdetect==1.0.9, done here when no path is
given); the character normalisation is langdetect's own NGram.normalize, so the Swift side looks up
grams exactly as they were counted.

usage: python3 Fixtures/langid/build_model.py [LANGDETECT_SDIST_OR_DIR] [OUT_SWIFT]

Model (little-endian), base64 in a generated Swift source (no bundle lookup at run time):
  "CLID" u32 version, u32 nLangs, u32 nScripts, u32 nGrams, u32 nEntries, f32 alpha
  nLangs x 8 bytes: ISO 639-1 code, NUL padded
  nLangs x u8: the language's script id
  nScripts x 16 bytes: script name, NUL padded
  65536 x u16: canonical character of each BMP scalar (0: separator)
  65536 x u8: script id of each canonical character (0: none)
  nGrams x u64: gram keys, ascending (c0 | c1 << 21 | c2 << 42, c = canonical scalars, space = 0x20)
  (nGrams + 1) x u32: first entry of each gram
  nEntries x u8: language index
  nEntries x f32: ORDER_WEIGHT[n] * (log(P(gram | lang) + alpha) - log(alpha)), always > 0 (P: count over the
                 language's n-gram total)
  nLangs x 3 x f32: ORDER_WEIGHT[n] * log(alpha), the weighted log-probability of an unseen n-gram
"""
import base64, glob, io, json, math, os, struct, subprocess, sys, tarfile, tempfile, unicodedata

VERSION = 1
# The probability every language gives an n-gram its profile does not list, as langdetect does (alpha 0.5 over a
# base frequency of 10000): the same for every language, so a language with a small corpus (whose profile lists
# fewer grams) is not favoured on grams nobody lists, as add-alpha over its own total would favour it.
# Letters are rarer evidence than longer grams and more decisive: a letter a language never writes (Macedonian
# has no "щ", Russian no "і") costs more, through a smaller unseen probability for 1-grams.
ALPHA = float(os.environ.get("LANGID_UNSEEN", "5e-5"))
ALPHA1 = float(os.environ.get("LANGID_UNSEEN1", "1e-6"))
MIN_COUNT = 2          # profile counts below this are dropped (noise)
# Weight of each gram order's log-likelihood (1-, 2-, 3-grams), applied to the weights and to the unseen log-probabilities
# alike. Letters and letter pairs are the same evidence again that the trigrams around them carry (naive Bayes counts
# it up to three times over); halving them lets the trigrams, which tell Spanish from Catalan or Portuguese, decide.
# Chosen on the DEVELOPMENT set Fixtures/langid/dev.jsonl (Fixtures/langid/make_dev.py: other Debian catalogs than
# the held-out set's) by a grid over {0.5, 0.75, 1, 1.5}^2 for 1-/2-grams jointly with the prior weight in
# Sources/Curation/LanguageID/LanguageModel.swift: the best overall sentence accuracy there (96.08% -> 96.40%).
ORDER_WEIGHT = tuple(float(x) for x in os.environ.get("LANGID_ORDER_WEIGHT", "0.5,0.5,1").split(","))

# Scripts: id order is the model's. A language belongs to the script that holds most of its 1-gram mass.
SCRIPTS = [
    ("none", []),
    ("latin", [(0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x1E00, 0x1EFF)]),
    ("greek", [(0x370, 0x3FF), (0x1F00, 0x1FFF)]),
    ("cyrillic", [(0x400, 0x52F)]),
    ("armenian", [(0x530, 0x58F)]),
    ("hebrew", [(0x590, 0x5FF)]),
    ("arabic", [(0x600, 0x6FF), (0x750, 0x77F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)]),
    ("devanagari", [(0x900, 0x97F)]),
    ("bengali", [(0x980, 0x9FF)]),
    ("gurmukhi", [(0xA00, 0xA7F)]),
    ("gujarati", [(0xA80, 0xAFF)]),
    ("oriya", [(0xB00, 0xB7F)]),
    ("tamil", [(0xB80, 0xBFF)]),
    ("telugu", [(0xC00, 0xC7F)]),
    ("kannada", [(0xC80, 0xCFF)]),
    ("malayalam", [(0xD00, 0xD7F)]),
    ("sinhala", [(0xD80, 0xDFF)]),
    ("thai", [(0xE00, 0xE7F)]),
    ("lao", [(0xE80, 0xEFF)]),
    ("georgian", [(0x10A0, 0x10FF)]),
    ("hangul", [(0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF)]),
    # Han, kana and bopomofo are one script here: Japanese and Chinese share Han, kana tells them apart.
    ("cjk", [(0x3040, 0x30FF), (0x3100, 0x312F), (0x31A0, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
             (0xF900, 0xFAFF), (0xFF66, 0xFF9F)]),
]

def script_of(cp):
    for i, (_, ranges) in enumerate(SCRIPTS):
        for a, b in ranges:
            if a <= cp <= b:
                return i
    return 0

def find_sdist(arg):
    if arg and os.path.isdir(arg):
        return arg
    if not arg:
        tmp = tempfile.mkdtemp()
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                        "-d", tmp, "langdetect==1.0.9"], check=True, stdout=subprocess.DEVNULL)
        arg = glob.glob(os.path.join(tmp, "langdetect-*.tar.gz"))[0]
    out = tempfile.mkdtemp()
    with tarfile.open(arg) as t:
        t.extractall(out)
    return glob.glob(os.path.join(out, "langdetect-*"))[0]

def canonical_table(NGram):
    """Canonical character of each BMP scalar: langdetect's normalisation, then lower case; anything that is
    not a letter or a combining mark (digits, punctuation, symbols, spaces, controls) separates words (0).
    Shared with build_words.py, so that words are looked up exactly as the grams are."""
    canon = [0] * 65536
    for cp in range(65536):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        if unicodedata.category(ch)[0] not in "LM":
            continue
        n = NGram.normalize(ch)
        if len(n) != 1 or n == " ":
            continue
        low = n.lower()
        if len(low) == 1 and ord(low) < 65536:
            n = low
        if unicodedata.category(n)[0] not in "LM":
            continue
        canon[cp] = ord(n)
    return canon

def write_entry_table(buf, table):
    """Writes a key -> [(language, weight)] table as the models lay it out: keys ascending (u64), each key's first
    entry (u32, one more at the end), the entries' languages (u8), their weights (f32). Shared with build_words.py."""
    keys = sorted(table)
    buf.write(struct.pack("<%dQ" % len(keys), *keys))
    offs, langs_e, ws = [0], [], []
    for k in keys:
        for li, w in sorted(table[k]):
            langs_e.append(li)
            ws.append(w)
        offs.append(len(langs_e))
    buf.write(struct.pack("<%dI" % len(offs), *offs))
    buf.write(bytes(langs_e))
    buf.write(struct.pack("<%df" % len(ws), *ws))

def write_swift_source(path, blob, enum, header):
    """Writes `blob` base64 into a Swift source as `enum ENUM { static let base64 }`, under `header` comment lines."""
    b64 = base64.b64encode(blob).decode()
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join("// %s\n" % line for line in header) + "\n")
        f.write("enum %s {\n    /// The model's bytes, base64 (line breaks are ignored when decoding).\n" % enum)
        f.write('    static let base64 = """\n')
        for i in range(0, len(b64), 120):
            f.write(b64[i:i + 120] + "\n")
        f.write('"""\n}\n')

def main():
    root = find_sdist(sys.argv[1] if len(sys.argv) > 1 else None)
    out_swift = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.path.dirname(__file__), "..", "..", "Sources", "Curation", "LanguageID", "LanguageModelData.swift")
    sys.path.insert(0, root)
    from langdetect.utils.ngram import NGram  # langdetect's own character normalisation

    canon = canonical_table(NGram)
    script = [script_of(c) if c else 0 for c in range(65536)]

    profiles = {}
    for path in sorted(glob.glob(os.path.join(root, "langdetect", "profiles", "*"))):
        name = os.path.basename(path)
        code = {"zh-cn": "zh", "zh-tw": "zh"}.get(name, name)
        p = json.load(open(path, encoding="utf-8"))
        freq, totals = profiles.setdefault(code, ({}, [0, 0, 0]))
        for i in range(3):
            totals[i] += p["n_words"][i]
        for gram, count in p["freq"].items():
            if count < MIN_COUNT:
                continue
            # Canonicalise the gram as the Swift side will: per character, keep spaces, drop grams with a
            # character that is no letter there.
            cs = []
            for ch in gram:
                if ch == " ":
                    cs.append(0x20)
                elif ord(ch) < 65536 and canon[ord(ch)]:
                    cs.append(canon[ord(ch)])
                else:
                    cs = None
                    break
            if not cs or cs == [0x20] or any(cs[i] == 0x20 for i in range(1, len(cs) - 1)):
                continue
            key = tuple(cs)
            freq[key] = freq.get(key, 0) + count

    langs = sorted(profiles)
    lang_script = []
    for code in langs:
        mass = [0] * len(SCRIPTS)
        for key, count in profiles[code][0].items():
            if len(key) == 1:
                mass[script[key[0]]] += count
        lang_script.append(max(range(len(SCRIPTS)), key=lambda s: mass[s]))

    table = {}
    for li, code in enumerate(langs):
        freq, totals = profiles[code]
        s = lang_script[li]
        for key, count in freq.items():
            letters = [c for c in key if c != 0x20]
            if not letters or any(script[c] != s for c in letters):
                continue  # only grams in the language's own script count for it
            n = len(key)
            a = ALPHA1 if n == 1 else ALPHA
            w = ORDER_WEIGHT[n - 1] * (math.log(count / totals[n - 1] + a) - math.log(a))
            k = 0
            for i, c in enumerate(key):
                k |= c << (21 * i)
            table.setdefault(k, []).append((li, w))

    keys = sorted(table)
    buf = io.BytesIO()
    n_entries = sum(len(v) for v in table.values())
    buf.write(b"CLID" + struct.pack("<IIIIIf", VERSION, len(langs), len(SCRIPTS), len(keys), n_entries, ALPHA))
    for code in langs:
        buf.write(code.encode().ljust(8, b"\0"))
    buf.write(bytes(lang_script))
    for name, _ in SCRIPTS:
        buf.write(name.encode().ljust(16, b"\0"))
    buf.write(struct.pack("<65536H", *canon))
    buf.write(bytes(script))
    write_entry_table(buf, table)
    for code in langs:
        totals = profiles[code][1]
        buf.write(struct.pack("<3f", ORDER_WEIGHT[0] * math.log(ALPHA1), ORDER_WEIGHT[1] * math.log(ALPHA),
                              ORDER_WEIGHT[2] * math.log(ALPHA)))
    blob = buf.getvalue()

    write_swift_source(out_swift, blob, "LanguageModelData", [
        "Generated by Fixtures/langid/build_model.py from langdetect 1.0.9's profiles (Apache-2.0,",
        "Fixtures/licenses/langdetect-Apache-2.0.txt). Do not edit; run the script again.",
        "%d languages, %d grams, %d entries, %d bytes." % (len(langs), len(keys), n_entries, len(blob))])
    print("languages:", " ".join("%s/%s" % (c, SCRIPTS[s][0]) for c, s in zip(langs, lang_script)))
    print("grams %d entries %d bytes %d -> %s" % (len(keys), n_entries, len(blob), out_swift))

if __name__ == "__main__":
    main()
