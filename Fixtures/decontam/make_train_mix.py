#!/usr/bin/env python3
"""Writes the decontamination fixture: train-mix.jsonl, a small training mix with eval items planted in it
(verbatim, re-cased and re-punctuated, embedded in longer text, partly below and above the 0.5 threshold)
among clean records, and expected.jsonl, which says for every record which eval instances it overlaps and
by how much (computed by the Python reference implementation in Benchmarks/py_decontam.py, independently
of the Swift code). Deterministic.

usage: python3 Fixtures/decontam/make_train_mix.py   (from the package root)
"""
import json, os, random, sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Benchmarks"))
from py_decontam import tokens, eval_ngrams, ngram_hash  # noqa: E402

N = 8
rng = random.Random(3)
EV = os.path.join(ROOT, "Fixtures", "evals")


def load(name, field, idf=None, where=None):
    out = []
    for line_no, line in enumerate(open(os.path.join(EV, name)), 1):
        d = json.loads(line)
        if where and str(d.get(where[0])) != where[1]:
            continue
        out.append((str(d[idf]) if idf else f"{name}:{line_no}", d[field]))
    return out


evals = {
    "gsm8k": load("gsm8k-test.jsonl", "question"),
    "humaneval": load("humaneval.jsonl", "prompt", "task_id"),
    "ifbench": load("ifbench-test.jsonl", "prompt", "key"),
    "math500": load("mmath-en.jsonl", "question", "gid", ("data_source", "MATH500")),
}
index = []  # (set, id, hashes)
for s, items in evals.items():
    for iid, text in items:
        index.append((s, iid, eval_ngrams(tokens(text), N)))

WORDS = ("river stone garden window silver morning yellow quiet market bridge cloud paper orange "
         "lantern harbor meadow violin candle forest engine travel winter summer kitchen pencil "
         "shadow planet thunder blanket marble castle pepper ladder mirror rocket basket island").split()


def filler(k):
    return " ".join(rng.choice(WORDS) for _ in range(k)).capitalize() + "."


def recase_repunct(text):
    words = text.split()
    out = []
    for w in words:
        # Punctuation swapped for other punctuation (token boundaries stay where they were).
        w = "".join(c if c.isalnum() else rng.choice(",;:!?-*") for c in w)
        w = w.upper() if rng.random() < 0.5 else w.title()
        out.append(w + rng.choice(["", "", ",", ";", " -", "!!", "..."]))
    return " ".join(out)


def first_fraction(text, frac):
    toks = text.split()
    return " ".join(toks[: max(1, int(len(toks) * frac))])


records = []


def chat(rid, user, assistant):
    records.append({"id": rid, "messages": [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}], "source": "fixture-chat"})


def doc(rid, text):
    records.append({"id": rid, "text": text, "source": "fixture-web"})


def pref(rid, prompt, good, bad):
    u = {"role": "user", "content": prompt}
    records.append({"id": rid, "chosen": [u, {"role": "assistant", "content": good}], "rejected": [u, {"role": "assistant", "content": bad}], "source": "fixture-pref"})


g = evals["gsm8k"]
long_g = [q for q in g if len(q[1].split()) >= 40]
chat("plant-gsm8k-verbatim", g[4][1], filler(30))
chat("plant-gsm8k-recased", recase_repunct(g[10][1]), filler(25))
doc("plant-humaneval-embedded", filler(120) + "\n\n" + evals["humaneval"][7][1] + "\n\n" + filler(150))
pref("plant-ifbench-pref", evals["ifbench"][3][1], filler(40), filler(35))
m = [q for q in evals["math500"] if len(q[1].split()) >= 25]
chat("plant-math500-in-answer", "Can you help me with a problem from my homework?", filler(20) + " Here it is: " + m[2][1] + " " + filler(40))
chat("plant-gsm8k-partial-low", filler(15) + " " + first_fraction(long_g[3][1], 0.35), filler(30))
chat("plant-gsm8k-partial-high", first_fraction(long_g[5][1], 0.8) + " " + filler(10), filler(30))
doc("plant-math500-recased-doc", filler(80) + " " + recase_repunct(m[5][1]) + " " + filler(80))
chat("plant-humaneval-partial-low", "Finish this: " + first_fraction(evals["humaneval"][20][1], 0.3), filler(40))
for k in range(36):
    chat(f"clean-chat-{k}", filler(rng.randint(10, 40)) + "?", filler(rng.randint(40, 120)))
for k in range(8):
    doc(f"clean-doc-{k}", " ".join(filler(rng.randint(10, 30)) for _ in range(8)))
for k in range(4):
    pref(f"clean-pref-{k}", filler(20) + "?", filler(50), filler(45))
order = list(range(len(records)))
rng.shuffle(order)
records = [records[k] for k in order]


def text_of(rec):
    if "messages" in rec:
        return "\n".join(m["content"] for m in rec["messages"])
    if "chosen" in rec:
        return "\n".join([rec["chosen"][0]["content"], rec["chosen"][1]["content"], rec["rejected"][1]["content"]])
    return rec["text"]


lengths = sorted({N} | {len(tokens(t)) for items in evals.values() for _, t in items if 0 < len(tokens(t)) < N})
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "train-mix.jsonl"), "w") as f, open(os.path.join(here, "expected.jsonl"), "w") as e:
    for rec in records:
        f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        toks = tokens(text_of(rec))
        grams = set()
        for L in lengths:
            grams |= {ngram_hash(toks[i:i + L]) for i in range(len(toks) - L + 1)}
        found = []
        for s, iid, hashes in index:
            if hashes:
                c = len(hashes & grams)
                if c:
                    found.append({"eval_set": s, "eval_id": iid, "matched": c, "ngrams": len(hashes), "overlap": round(c / len(hashes), 4)})
        e.write(json.dumps({"id": rec["id"], "matches": found}) + "\n")
print(f"{len(records)} records; planted: {sum(r['id'].startswith('plant') for r in records)}")
