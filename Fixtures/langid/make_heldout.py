#!/usr/bin/env python3
"""Writes Fixtures/langid/heldout.jsonl: held-out text for the language identifier, from a source other than
its training text (langdetect's Wikipedia profiles): the translated user-interface strings of GTK 2, GLib,
GDK-Pixbuf, AT-SPI and gsettings-desktop-schemas (all LGPL-2.1+, Fixtures/licenses/LGPL-2.1.txt), as
Debian installs them under /usr/share/locale (packages libgtk2.0-common, libglib2.0-data,
libgdk-pixbuf2.0-common, at-spi2-common, gsettings-desktop-schemas); English from the same catalogs'
source strings. Urdu, which they hardly translate, comes from Firefox ESR's Urdu language pack (Debian
package firefox-esr-l10n-ur, MPL-2.0, Fixtures/licenses/MPL-2.0.txt; fetched with `apt-get download` when the
.deb is not given in $FIREFOX_L10N_UR_DEB). Swahili, which none of them translates, comes from sentences written for this project
(Fixtures/langid/swahili.txt).

Each line: {"text", "lang", "kind": "sentence"|"paragraph", "source"}. A sentence is one translated string of
5+ words (10+ characters for Chinese, Japanese and Thai, which do not space words), with mnemonics, markup and
format directives removed; a paragraph joins 4 other strings of the same language. Deterministic (seeded).

usage: python3 Fixtures/langid/make_heldout.py [OUT] [SENTENCES_PER_LANG] [PARAGRAPHS_PER_LANG]
"""
import gettext, json, os, random, re, sys, unicodedata

DOMAINS = ["gtk20-properties", "gtk20", "glib20", "gdk-pixbuf", "atk10", "at-spi2-core", "gsettings-desktop-schemas"]
LOCALES = {  # ISO 639-1 -> locale directory
    "es": "es", "pt": "pt", "ar": "ar", "hi": "hi", "fr": "fr", "ru": "ru", "de": "de", "ja": "ja", "it": "it",
    "bn": "bn", "uk": "uk", "th": "th", "ur": "ur", "ta": "ta", "te": "te", "bg": "bg", "ko": "ko", "pl": "pl",
    "he": "he", "fa": "fa", "vi": "vi", "ne": "ne", "kn": "kn", "mr": "mr", "gu": "gu", "pa": "pa", "ml": "ml",
    "fi": "fi", "zh": "zh_CN",
}
UNSPACED = {"zh", "ja", "th"}
LATIN = {"es", "pt", "fr", "de", "it", "pl", "vi", "fi", "en", "sw"}

def clean(s):
    s = re.sub(r"<[^>]*>", " ", s)                      # markup
    s = re.sub(r"%(\d+\$)?[-+ #0]*\d*(\.\d+)?[a-zA-Z]+", " ", s)  # printf directives
    s = re.sub(r"\{[^}]*\}|\$\{[^}]*\}", " ", s)
    s = re.sub(r"_(?=\w)", "", s)                        # mnemonics
    s = re.sub(r"\([A-Z_]\)", "", s)                     # "(_F)"-style mnemonics in CJK catalogs
    s = re.sub(r"\\n|\n|\t", " ", s)
    s = re.sub(r"\s+", " ", s).strip()
    return s

def native_share(text, lang):
    letters = [c for c in text if unicodedata.category(c)[0] == "L"]
    if not letters:
        return 0.0
    if lang in LATIN:
        return 1.0
    return sum(1 for c in letters if ord(c) > 0x24F) / len(letters)

def good(text, lang):
    if lang in UNSPACED:
        if sum(1 for c in text if unicodedata.category(c)[0] == "L") < 10:
            return False
    elif len(text.split()) < 5:
        return False
    if re.search(r"[A-Za-z]+[A-Z][a-z]+|[a-z]+_[a-z]+|://|\.[a-z]{2,4}\b|--", text):  # identifiers, URLs, options
        return False
    return native_share(text, lang) >= 0.8

def strings(locale):
    out = []
    for d in DOMAINS:
        path = "/usr/share/locale/%s/LC_MESSAGES/%s.mo" % (locale, d)
        if not os.path.exists(path):
            continue
        with open(path, "rb") as f:
            cat = gettext.GNUTranslations(f)._catalog
        for k, v in sorted(cat.items(), key=lambda kv: str(kv[0])):
            msgid = k[0] if isinstance(k, tuple) else k
            if not msgid or not isinstance(v, str) or not v or v == msgid:
                continue
            out.append((d, clean(msgid), clean(v)))
    return out

def ftl_strings():
    """The Urdu strings of Firefox's Fluent (.ftl) files: one value per `id = value` line."""
    import glob, subprocess, tempfile, zipfile
    deb = os.environ.get("FIREFOX_L10N_UR_DEB")
    tmp = tempfile.mkdtemp()
    if not deb:
        subprocess.run(["apt-get", "download", "firefox-esr-l10n-ur"], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deb = glob.glob(os.path.join(tmp, "firefox-esr-l10n-ur_*.deb"))[0]
    subprocess.run(["dpkg-deb", "-x", deb, tmp], check=True)
    out = []
    for xpi in glob.glob(os.path.join(tmp, "usr/lib/firefox-esr/browser/extensions/*.xpi")):
        with zipfile.ZipFile(xpi) as z:
            for name in sorted(z.namelist()):
                if name.endswith(".ftl"):
                    for line in z.read(name).decode("utf-8").splitlines():
                        m = re.match(r"^[a-z][\w-]* = (.+)$", line)
                        if m:
                            out.append(("firefox-esr-l10n-ur", clean(m.group(1))))
    return out

def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "heldout.jsonl")
    n_sent = int(sys.argv[2]) if len(sys.argv) > 2 else 150
    n_para = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    rng = random.Random(15)
    pools = {}
    english = {}
    for lang, loc in sorted(LOCALES.items()):
        seen, pool = set(), []
        for d, msgid, text in strings(loc):
            if text not in seen and good(text, lang):
                seen.add(text)
                pool.append((d, text))
            if msgid not in english and good(msgid, "en"):
                english[msgid] = d
        pools[lang] = pool
    seen = set()
    pools["ur"] = [(d, t) for d, t in ftl_strings() if good(t, "ur") and not (t in seen or seen.add(t))]
    pools["en"] = sorted((d, t) for t, d in english.items())
    sw = os.path.join(os.path.dirname(__file__), "swahili.txt")
    pools["sw"] = [("handwritten", l.strip()) for l in open(sw, encoding="utf-8") if l.strip() and not l.startswith("#")]
    write_rows(pools, out, n_sent, n_para, rng)

def write_rows(pools, out, n_sent, n_para, rng):
    """Per language: n_sent shuffled strings as sentences, then paragraphs of 4 other strings; one JSON line each."""
    rows = []
    for lang in sorted(pools):
        pool = list(pools[lang])
        rng.shuffle(pool)
        sents, rest = pool[:n_sent], pool[n_sent:]
        if len(rest) < 4 * n_para:   # small pools: paragraphs reuse sentences, in another order
            rest = pool[:]
            rng.shuffle(rest)
        for d, t in sents:
            rows.append({"text": t, "lang": lang, "kind": "sentence", "source": d})
        for i in range(min(n_para, len(rest) // 4)):
            part = rest[4 * i:4 * i + 4]
            sep = "" if lang in ("zh", "ja") else " "
            text = sep.join(t if t[-1] in ".!?。！？।" else t + ("。" if lang in ("zh", "ja") else ".") for _, t in part)
            rows.append({"text": text, "lang": lang, "kind": "paragraph", "source": "+".join(sorted({d for d, _ in part}))})
        print("%s: %d strings, %d sentences" % (lang, len(pool), len(sents)), file=sys.stderr)
    with open(out, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")

if __name__ == "__main__":
    main()
