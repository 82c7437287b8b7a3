"""Writes ~N MB of text for the BPE training benchmark: one text per line, words drawn (Zipf-like)
from the real texts given, mixed with invented words and numbers so the vocabulary has a long tail
(as web text does). Deterministic.  usage: make_bpe_text.py OUT MB FILES..."""
import json, random, re, sys

out, mb, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
words = []
for f in files:
    for line in open(f, encoding="utf-8"):
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        for v in rec.values():
            if isinstance(v, str):
                words += re.findall(r"\S+", v)
rng = random.Random(1)
syll = ["ka", "to", "ri", "men", "sa", "lo", "ver", "qua", "ne", "do", "ster", "pli", "ou", "zi", "ght", "ing", "tion", "al"]
target = mb * 1_000_000
size = 0
with open(out, "w", encoding="utf-8") as fh:
    while size < target:
        n = rng.randint(20, 200)
        toks = []
        for _ in range(n):
            r = rng.random()
            if r < 0.70:
                toks.append(words[int(len(words) * rng.random() ** 1.5)])
            elif r < 0.95:  # invented words: a long tail of rare words, as in web text
                toks.append("".join(rng.choice(syll) for _ in range(rng.randint(1, 6))))
            else:
                toks.append(str(rng.randint(0, 100000)))
        line = " ".join(toks).replace("\n", " ") + "\n"
        fh.write(line)
        size += len(line.encode())
