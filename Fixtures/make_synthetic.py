#!/usr/bin/env python3
"""Writes the small synthetic training sets (one per schema) and the deliberately broken files the tests
use. Deterministic: run it again and the bytes are the same. Standard library + the zstd CLI only."""
import gzip, json, os, random, subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(1234)
WORDS = ("the model learns from data that people write about apples trains rivers music code math proof "
         "garden physics ocean history language river kitchen bicycle lantern meadow orbit puzzle harbor").split()

def sentence(n):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."

def para(k):
    return " ".join(sentence(rng.randint(6, 14)) for _ in range(k))

def dump(path, records, raw_lines=None):
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
        for line in raw_lines or []:
            f.write(line + "\n")

train = os.path.join(HERE, "train")
broken = os.path.join(HERE, "broken")
os.makedirs(train, exist_ok=True)
os.makedirs(broken, exist_ok=True)

docs = [{"id": f"doc-{i}", "text": para(rng.randint(2, 5)), "source": "web",
         "metadata": {"url": f"https://example.org/{i}", "score": round(rng.random(), 3)}} for i in range(60)]
docs[5]["text"] = "Café crème, naïve façade — Grüße aus Köln. 東京で数学を勉強します。 مرحبا بالعالم " + docs[5]["text"]
dump(os.path.join(train, "documents.jsonl"), docs)

chats = []
for i in range(80):
    turns = [{"role": "system", "content": "You are a helpful assistant."}] if i % 4 == 0 else []
    for _ in range(rng.randint(1, 2)):
        turns.append({"role": "user", "content": sentence(rng.randint(5, 12))})
        turns.append({"role": "assistant", "content": para(rng.randint(1, 3))})
    chats.append({"id": f"chat-{i}", "messages": turns, "source": rng.choice(["tulu", "flan", "oasst"]),
                  "extra_field": {"kept": True, "n": 1.50}})
dump(os.path.join(train, "chat.jsonl"), chats)
# The same chats, compressed both ways (tests read them back equal).
subprocess.run(["zstd", "-q", "-f", "-3", os.path.join(train, "chat.jsonl"), "-o", os.path.join(train, "chat.jsonl.zst")], check=True)
with open(os.path.join(train, "chat.jsonl"), "rb") as f, gzip.GzipFile(os.path.join(train, "chat.jsonl.gz"), "wb", mtime=0) as g:
    g.write(f.read())

prefs = []
for i in range(30):
    prompt = [{"role": "user", "content": sentence(10)}]
    if i % 2 == 0:  # Tulu 3 layout: whole conversations
        prefs.append({"id": f"pref-{i}", "chosen": prompt + [{"role": "assistant", "content": para(2)}],
                      "rejected": prompt + [{"role": "assistant", "content": para(1)}], "source": "ultrafeedback"})
    else:  # TRL layout: prompt separate, completions only
        prefs.append({"id": f"pref-{i}", "prompt": prompt, "chosen": [{"role": "assistant", "content": para(2)}],
                      "rejected": [{"role": "assistant", "content": para(1)}], "source": "ultrafeedback"})
dump(os.path.join(train, "preference.jsonl"), prefs)

verif = []
for i in range(20):
    a, b = rng.randint(2, 99), rng.randint(2, 99)
    verif.append({"id": f"rlvr-{i}", "messages": [{"role": "user", "content": f"What is {a} plus {b}?"}],
                  "response": f"Adding them gives {a + b}.\n#### {a + b}" if i % 5 else "I think it is 7.\n#### 7",
                  "ground_truth": str(a + b), "dataset": "gsm8k"})
dump(os.path.join(train, "verifiable.jsonl"), verif)

samples = []
for i in range(20):
    gold = rng.randint(1, 50)
    if i % 4 == 1:    # no majority: three agree, the rest scatter
        answers = [gold if k < 3 else gold + k for k in range(8)]
    elif i % 4 == 2:  # a clear majority that disagrees with the gold answer
        answers = [gold + 1 if k < 6 else gold for k in range(8)]
    else:             # five of eight agree with the gold answer, written in different forms
        answers = [gold if k < 5 else gold + k for k in range(8)]
    comps = [f"Let me think. The answer is \\boxed{{{a}}}." if k % 2 else f"So the final result is {a}.0, i.e. \\boxed{{{a}.0}}"
             for k, a in enumerate(answers)]
    samples.append({"id": f"s-{i}", "prompt": f"Compute problem {i}.", "ground_truth": str(gold), "dataset": "math",
                    "completions": comps})
dump(os.path.join(train, "samples.jsonl"), samples)

personas = [{"id": f"p-{i}", "prompt": f"As a {rng.choice(['chemist', 'farmer', 'pilot'])}, {sentence(8)}",
             "input_persona": rng.choice(["A retired chemist who bakes bread", "A farmer in Kenya", "A pilot who loves chess"]),
             "messages": [{"role": "user", "content": sentence(8)}, {"role": "assistant", "content": para(1)}]} for i in range(15)]
dump(os.path.join(train, "persona.jsonl"), personas)

pool = [{"id": f"q-{i}", "question": sentence(12) + " Find x.", "thinking": para(rng.randint(2, 8)), "attempt": "x = 3",
         "ground_truth": "3", "domain": rng.choice(["algebra", "geometry", "number theory"]), "source": "numina",
         "solved_by": [] if i % 3 else ["qwen-7b"]} for i in range(40)]
dump(os.path.join(train, "s1_pool.jsonl"), pool)

# Broken files: each has exactly one problem, at a known line.
good = json.dumps({"id": "ok", "text": "fine"})
dump(os.path.join(broken, "malformed.jsonl"), [], [good, good, '{"id": "bad", "text": "unterminated', good])
with open(os.path.join(broken, "invalid-utf8.jsonl"), "wb") as f:
    f.write((good + "\n").encode() + b'{"id": "x", "text": "caf\xe9 latin-1"}\n' + (good + "\n").encode())
dump(os.path.join(broken, "not-an-object.jsonl"), [], [good, "[1, 2, 3]"])
dump(os.path.join(broken, "trailing-garbage.jsonl"), [], [good, good, good, '{"id": "t", "text": "x"} extra'])
dump(os.path.join(broken, "wrong-type.jsonl"), [], [json.dumps({"id": "w1", "messages": "not a list", "source": "s"})])
dump(os.path.join(broken, "missing-field.jsonl"), [], [json.dumps({"id": "m1", "messages": [{"content": "no role"}]})])
open(os.path.join(broken, "empty.jsonl"), "w").close()
# A zstd stream cut in the middle, and a gzip stream with flipped bytes.
whole = subprocess.run(["zstd", "-q", "-c", "-3", os.path.join(train, "documents.jsonl")], check=True, capture_output=True).stdout
with open(os.path.join(broken, "truncated.jsonl.zst"), "wb") as f:
    f.write(whole[: len(whole) // 2])
with open(os.path.join(train, "documents.jsonl"), "rb") as f:
    gz = bytearray(gzip.compress(f.read(), mtime=0))
for k in range(len(gz) // 2, len(gz) // 2 + 16):
    gz[k] ^= 0xFF
with open(os.path.join(broken, "corrupt.jsonl.gz"), "wb") as f:
    f.write(gz)
with open(os.path.join(broken, "mislabelled.jsonl"), "wb") as f:
    f.write(whole)
