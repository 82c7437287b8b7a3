"""Parity of our BPE trainer's output with Hugging Face `tokenizers`.

Trains a tokenizer with our code (through the tokenizer benchmark driver), loads the saved
tokenizer.json with `tokenizers.Tokenizer.from_file`, encodes a sample with both, and compares ids
and decoded text. Also checks that the fixture tokenizers re-saved by us load in HF and agree.

    python3 Benchmarks/tokenizer_parity.py [sample texts .jsonl ...]

Needs `pip install tokenizers`; not used by the tests.
"""
import glob, json, os, subprocess, sys, tempfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
try:
    from tokenizers import Tokenizer
except ImportError:
    print("tokenizers is not installed (pip install tokenizers); skipping")
    sys.exit(0)

work = os.path.join(tempfile.gettempdir(), "tokenizer-bench")
bench = os.path.join(work, "bench")
samples = sys.argv[1:] or sorted(glob.glob(os.path.join(root, "..", "..", "shared", "data", "evals", "*.jsonl"))) \
    or sorted(glob.glob("/work/shared/data/evals/*.jsonl"))

if not os.path.exists(bench):
    subprocess.run(["bash", "-c", f'SKIP_TRAIN=1 "{root}/Benchmarks/tokenizer_bench.sh" >/dev/null'], check=True)

texts = []
for f in samples:
    for line in open(f, encoding="utf-8"):
        rec = json.loads(line)
        texts += [v for v in rec.values() if isinstance(v, str)]
texts += ["<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n", "  spaces\t\ttabs\n\n\n", "數字 12345 ∑ 🙂"]

# Training text: the samples, one per line (newlines kept inside as spaces would change them).
train_file = os.path.join(work, "parity-train.txt")
with open(train_file, "w", encoding="utf-8") as fh:
    for t in texts:
        fh.write(t.replace("\n", " ") + "\n")

def ours(tokenizer_json, out_ids):
    """Encodes the sample with our tokenizer (via the driver's 'ids' command)."""
    inp = os.path.join(work, "parity-texts.jsonl")
    with open(inp, "w", encoding="utf-8") as fh:
        for t in texts:
            fh.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
    subprocess.run([bench, "ids", tokenizer_json, inp, out_ids], check=True)
    return [json.loads(l)["ids"] for l in open(out_ids, encoding="utf-8")]

failures = 0
def compare(label, path):
    global failures
    hf = Tokenizer.from_file(path)
    mine = ours(path, os.path.join(work, "parity-ids.jsonl"))
    bad = 0
    for t, ids in zip(texts, mine):
        theirs = hf.encode(t, add_special_tokens=False).ids
        if theirs != ids:
            bad += 1
            if bad <= 3:
                print(f"  mismatch: {t[:60]!r}\n    hf:   {theirs[:20]}\n    ours: {ids[:20]}")
        if hf.decode(ids, skip_special_tokens=False) != t:
            bad += 1
    print(f"{label}: HF tokenizers {__import__('tokenizers').__version__} loaded {os.path.basename(path)} "
          f"(vocab {hf.get_vocab_size()}); {len(texts)} texts, {sum(len(i) for i in mine)} tokens, {bad} mismatches")
    failures += bad

for vocab in (1000, 8000):
    for pre in ("gpt2", "smollm"):
        out = os.path.join(work, f"parity-trained-{vocab}-{pre}.json")
        subprocess.run([bench, "train", str(vocab), train_file, out, pre], check=True, stdout=subprocess.DEVNULL)
        compare(f"trained vocab {vocab} ({pre})", out)

# Our re-saved copies of the reference tokenizers.
for name in ("gpt2", "smollm2"):
    out = os.path.join(work, f"parity-resaved-{name}.json")
    subprocess.run([bench, "resave", os.path.join(root, "Fixtures", "tokenizers", name, "tokenizer.json"), out], check=True)
    compare(f"{name} re-saved by us", out)

print("PARITY OK" if failures == 0 else f"PARITY FAILED ({failures})")
sys.exit(1 if failures else 0)
