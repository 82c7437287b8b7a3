#!/usr/bin/env python3
"""Writes the mixer fixtures (deterministic; standard library only). Sources derive from ../train:
chat.jsonl (Fixtures/train/chat.jsonl as is), web.jsonl (train/documents.jsonl plus 6 records that
repeat earlier texts with other case and punctuation), forum.jsonl (12 documents: 6 repeat web texts),
math.jsonl (train/verifiable.jsonl: the high-quality source of the anneal recipe), and bulk.jsonl
(2,000 short synthetic documents for proportion tests)."""
import json, os, random

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN = os.path.join(HERE, "..", "train")
rng = random.Random(99)
WORDS = ("the model learns from data that people write about apples trains rivers music code math proof "
         "garden physics ocean history language river kitchen bicycle lantern meadow orbit puzzle harbor").split()

def load(name):
    with open(os.path.join(TRAIN, name), encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]

def dump(name, records):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")

def shout(text):  # same text after normalisation: case and punctuation differ
    return text.upper().replace(".", "!!")

docs = load("documents.jsonl")
web = list(docs)
for i in range(6):
    src = docs[i * 7]
    web.append({"id": f"web-dup-{i}", "text": shout(src["text"]), "source": "web",
                "metadata": {"url": f"https://mirror.example.org/{i}", "score": 0.5}})
dump("web.jsonl", web)

forum = []
for i in range(12):
    if i % 2 == 0:
        text = shout(docs[i * 4 + 1]["text"])
    else:
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60))).capitalize() + "."
    forum.append({"id": f"forum-{i}", "text": text, "source": "forum", "metadata": {"lang": "en" if i % 3 else "de", "score": round(rng.random(), 3)}})
dump("forum.jsonl", forum)

dump("chat.jsonl", load("chat.jsonl"))
dump("math.jsonl", load("verifiable.jsonl"))

bulk = [{"id": f"bulk-{i}", "text": " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40))), "source": "bulk"}
        for i in range(2000)]
dump("bulk.jsonl", bulk)
