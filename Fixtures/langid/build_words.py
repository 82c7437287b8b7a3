#!/usr/bin/env python3
"""Builds the word model that Sources/Curation/LanguageID/ loads beside the character model: for each language
that shares its script with another and that wordfreq covers, the words it writes with a frequency of at least
10^(-MIN_BIN/100), with that frequency.

Why words: the character model (build_model.py, langdetect's 1-3-grams) cannot tell close languages apart on a short
sentence whose letters and letter triples both write ("грешка при четене на файла" is Bulgarian by its words: Macedonian
says "читање"; "mostrar la salida" is Spanish, Catalan says "sortida"). The identifier consults the words only when
the character model leaves two such languages close (LanguageID.decide), as a likelihood ratio against its winner.

Source: wordfreq 3.1.1 (PyPI; code Apache-2.0, word lists CC-BY-SA 4.0, built from several corpora whose
attributions Fixtures/licenses/wordfreq-LICENSE.txt carries). Its "small" lists, read from the wheel (pip download --no-deps wordfreq==3.1.1,
done here when no path is given). Needs the Python package msgpack. Reproducible: the same wheel gives the same bytes.

usage: python3 Fixtures/langid/build_words.py [WORDFREQ_WHEEL] [LANGDETECT_SDIST_OR_DIR] [OUT_SWIFT]

Model (little-endian), base64 in a generated Swift source:
  "CLWD" u32 version, u32 nLangs, u32 nKeys, u32 nEntries, f32 unseen log-probability (natural log)
  nLangs x 8 bytes: ISO 639-1 code, NUL padded (codes of the character model)
  nKeys x u64: word keys, ascending: FNV-1a 64 over the word's canonical characters (build_model.canonical_table),
               each fed as its UInt16 value (xor, multiply), never 0
  (nKeys + 1) x u32: first entry of each key
  nEntries x u8: language index (into this model's list)
  nEntries x f32: natural log of the word's frequency in that language
"""
import glob, gzip, io, math, os, struct, subprocess, sys, tempfile, zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import build_model  # noqa: E402  (the character normalisation and the scripts)

VERSION = 1
# wordfreq's bins are centibels: bin i holds the words of frequency 10^(-i/100). Words down to 10^-5 (the 7-10
# thousand most frequent of each language) carry the function words and the everyday vocabulary that tell close
# languages apart; the unseen probability is half the last kept bin's.
MIN_BIN = int(os.environ.get("LANGID_WORD_BIN", "500"))
UNSEEN = math.log(0.5 * 10 ** (-MIN_BIN / 100))
# wordfreq's codes that differ from the character model's.
CODES = {"nb": "no", "fil": "tl", "sh": "hr"}

def wheel_path(arg):
    if arg:
        return arg
    tmp = tempfile.mkdtemp()
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-d", tmp, "wordfreq==3.1.1"],
                   check=True, stdout=subprocess.DEVNULL)
    return glob.glob(os.path.join(tmp, "wordfreq-*.whl"))[0]

def fnv1a(chars):
    h = 0xCBF29CE484222325
    for c in chars:
        h ^= c
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h

def main():
    import msgpack
    wheel = wheel_path(sys.argv[1] if len(sys.argv) > 1 else None)
    root = build_model.find_sdist(sys.argv[2] if len(sys.argv) > 2 else None)
    out_swift = sys.argv[3] if len(sys.argv) > 3 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "Sources", "Curation", "LanguageID", "LanguageWordData.swift")
    sys.path.insert(0, root)
    from langdetect.utils.ngram import NGram
    canon = build_model.canonical_table(NGram)
    script = [build_model.script_of(c) if c else 0 for c in range(65536)]

    # The character model's languages and scripts, from the profiles as build_model assigns them.
    profiles = {}
    for path in sorted(glob.glob(os.path.join(root, "langdetect", "profiles", "*"))):
        name = os.path.basename(path)
        code = {"zh-cn": "zh", "zh-tw": "zh"}.get(name, name)
        import json
        p = json.load(open(path, encoding="utf-8"))
        mass = profiles.setdefault(code, [0] * len(build_model.SCRIPTS))
        for gram, count in p["freq"].items():
            if len(gram) == 1 and ord(gram) < 65536 and canon[ord(gram)]:
                mass[script[canon[ord(gram)]]] += count
    lang_script = {code: max(range(len(mass)), key=lambda s: mass[s]) for code, mass in profiles.items()}
    per_script = {}
    for code, s in lang_script.items():
        per_script.setdefault(s, []).append(code)
    # Words only matter where two languages share a script; Chinese and Japanese are told apart by kana, and
    # wordfreq's lists for them are segmented by its own tokenizer.
    shared = {code for code, s in lang_script.items()
              if len(per_script[s]) > 1 and build_model.SCRIPTS[s][0] not in ("cjk",)}

    lists = {}
    with zipfile.ZipFile(wheel) as z:
        for name in sorted(z.namelist()):
            base = os.path.basename(name)
            if not (base.startswith("small_") and base.endswith(".msgpack.gz")):
                continue
            wf_code = base[len("small_"):-len(".msgpack.gz")]
            code = CODES.get(wf_code, wf_code)
            if code not in shared:
                continue
            data = msgpack.unpackb(gzip.decompress(z.read(name)), raw=False)
            if not (isinstance(data[0], dict) and data[0].get("format") == "cB"):
                raise SystemExit("%s: not a cB list" % name)
            words = {}
            s = lang_script[code]
            for i, bin_words in enumerate(data[1:]):
                if i > MIN_BIN:
                    break
                for w in bin_words:
                    chars = [canon[ord(ch)] if ord(ch) < 65536 else 0 for ch in w]
                    # Only words the scoring pass sees whole: every character a letter of the language's script.
                    if not chars or any(c == 0 or script[c] != s for c in chars):
                        continue
                    key = fnv1a(chars) or 1
                    logp = math.log(10 ** (-i / 100))
                    # Two spellings that canonicalise alike add up.
                    words[key] = math.log(math.exp(words[key]) + math.exp(logp)) if key in words else logp
            lists[code] = words

    langs = sorted(lists)
    table = {}
    for li, code in enumerate(langs):
        for key, logp in lists[code].items():
            table.setdefault(key, []).append((li, logp))
    keys = sorted(table)
    n_entries = sum(len(v) for v in table.values())
    buf = io.BytesIO()
    buf.write(b"CLWD" + struct.pack("<IIIIf", VERSION, len(langs), len(keys), n_entries, UNSEEN))
    for code in langs:
        buf.write(code.encode().ljust(8, b"\0"))
    build_model.write_entry_table(buf, table)
    blob = buf.getvalue()

    build_model.write_swift_source(out_swift, blob, "LanguageWordData", [
        "Generated by Fixtures/langid/build_words.py from wordfreq 3.1.1's word lists (CC-BY-SA 4.0,",
        "Fixtures/licenses/wordfreq-LICENSE.txt). Do not edit; run the script again.",
        "%d languages, %d words, %d entries, %d bytes." % (len(langs), len(keys), n_entries, len(blob))])
    print("languages:", " ".join("%s(%d)" % (c, len(lists[c])) for c in langs))
    print("words %d entries %d bytes %d -> %s" % (len(keys), n_entries, len(blob), out_swift))

if __name__ == "__main__":
    main()
