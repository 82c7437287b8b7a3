#!/usr/bin/env python3
"""Writes Fixtures/langid/dev.jsonl: the DEVELOPMENT set of the language identifier, on which its settings (the
language prior's weight, see build_model.py) are chosen, so that Fixtures/langid/heldout.jsonl stays held out.

Same kind of text as the held-out set (translated user-interface strings as Debian installs them under
/usr/share/locale, cleaned and filtered by make_heldout.py's own rules) but from OTHER catalogs: every
installed domain except the seven make_heldout.py draws from (GTK 2, GLib, GDK-Pixbuf, ATK, AT-SPI,
gsettings-desktop-schemas), e.g. coreutils, apt, dpkg, libc, bash, git, gnupg2, PackageKit (GPL/LGPL, the
licences of the packages that ship them); English from those catalogs' source strings. A text that is also in
heldout.jsonl is dropped. Besides the held-out set's languages it has Catalan and Macedonian (gold labels the
held-out set lacks), so that a prior against rarely-used languages is seen to cost them too. Urdu and Swahili
have (almost) no catalog here and are absent.

usage: python3 Fixtures/langid/make_dev.py [OUT] [SENTENCES_PER_LANG] [PARAGRAPHS_PER_LANG]
"""
import gettext, glob, json, os, random, sys

sys.path.insert(0, os.path.dirname(__file__))
import make_heldout as H

EXTRA = {"ca": "ca", "mk": "mk"}

def strings(locale):
    out = []
    for path in sorted(glob.glob("/usr/share/locale/%s/LC_MESSAGES/*.mo" % locale)):
        d = os.path.basename(path)[:-3]
        if d in H.DOMAINS:
            continue
        try:
            with open(path, "rb") as f:
                cat = gettext.GNUTranslations(f)._catalog
        except Exception:
            continue
        for k, v in sorted(cat.items(), key=lambda kv: str(kv[0])):
            msgid = k[0] if isinstance(k, tuple) else k
            if not msgid or not isinstance(v, str) or not v or v == msgid:
                continue
            out.append((d, H.clean(msgid), H.clean(v)))
    return out

def main():
    here = os.path.dirname(__file__)
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "dev.jsonl")
    n_sent = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    n_para = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    held = set()
    for line in open(os.path.join(here, "heldout.jsonl"), encoding="utf-8"):
        held.add(json.loads(line)["text"])
    rng = random.Random(1515)
    pools, english = {}, {}
    locales = dict(H.LOCALES, **EXTRA)
    locales.pop("ur", None)
    for lang, loc in sorted(locales.items()):
        seen, pool = set(held), []
        for d, msgid, text in strings(loc):
            if text not in seen and H.good(text, lang if lang not in EXTRA else "es" if lang == "ca" else lang):
                seen.add(text)
                pool.append((d, text))
            if msgid not in english and msgid not in held and H.good(msgid, "en"):
                english[msgid] = d
        pools[lang] = pool
    pools["en"] = sorted((d, t) for t, d in english.items())
    H.write_rows(pools, out, n_sent, n_para, rng)

if __name__ == "__main__":
    main()
