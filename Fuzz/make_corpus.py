#!/usr/bin/env python3
"""Writes the seed corpora under Fuzz/Corpus/<target>/: small real fixtures and a few hand-made
hostile inputs. Re-run after changing it (python3 Fuzz/make_corpus.py); the output is committed."""
import json, os, shutil, struct

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "Fixtures")
OUT = os.path.join(HERE, "Corpus")


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def head_lines(path, n):
    with open(path, "rb") as f:
        return b"".join(f.readlines()[:n])


# ---- json: JSONL lines for the parser and the RecordReader
for name in ["malformed.jsonl", "invalid-utf8.jsonl", "missing-field.jsonl", "not-an-object.jsonl",
             "trailing-garbage.jsonl", "wrong-type.jsonl", "mislabelled.jsonl"]:
    put("json", "broken-" + name, open(os.path.join(FIX, "broken", name), "rb").read()[:4096])
put("json", "math.jsonl", head_lines(os.path.join(FIX, "mixer", "math.jsonl"), 5))
put("json", "chat.jsonl", head_lines(os.path.join(FIX, "mixer", "chat.jsonl"), 3))
put("json", "scalars.json", '[null,true,false,0,-0,1e308,-1.5E-300,123456789012345678901234567890,"\\u00e9\\ud83d\\ude00\\n\\t\\"\\\\"]')
put("json", "deep.json", "[" * 600 + "]" * 600)
put("json", "deep-object.json", '{"a":' * 300 + "1" + "}" * 300)
put("json", "lone-surrogate.json", '{"s":"\\ud800","t":"\\udfff\\u0000"}')
put("json", "crlf-blank.jsonl", b'{"a":1}\r\n\r\n  \t\n{"b":[1,2,{"c":null}]}\r\n{"x"')
put("json", "bom-nul.jsonl", b'\xef\xbb\xbf{"a":1}\n{"a":"\x00"}\n{"\xff":1}\n')
put("json", "duplicate-keys.json", '{"a":1,"a":2,"":{},"b":[[],{}]}')
put("json", "numbers.json", '[1.,.5,01,1e,1e+,-,+1,0x10,NaN,Infinity,1E400,-1e-400]')

# ---- answer: model responses (the target scores them against fixed golds)
responses = [
    "I think it is 7.\n#### 7",
    "So the answer is $\\boxed{\\frac{1}{2}}$.",
    "Final Answer: The final answer is $x^2+2x+1$. I hope it is correct.",
    "The answer is (C).",
    "Answer: C",
    "\\boxed{(1, \\sqrt{3}]}",
    "\\boxed{\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}}",
    "\\boxed{3\\sqrt{2} + \\dfrac{\\pi}{4} - 0.5\\%}",
    "\\boxed{x \\in [-1, 2) \\cup \\{5\\}}",
    "\\boxed{\\text{(A)}} or maybe \\boxed{B}",
    "The answer is 1,234.50 dollars",
    "\\boxed{\\sin^2 x + \\cos^2 x = 1}",
    "\\boxed{10!} \\boxed{2^{10}} \\boxed{\\log_2 8} \\boxed{e^{i\\pi}}",
]
for i, r in enumerate(responses):
    put("answer", f"response-{i:02d}.txt", r)
with open(os.path.join(FIX, "answers", "pairs.jsonl")) as f:
    for i, line in enumerate(f.readlines()[:40:4]):
        put("answer", f"pair-{i:02d}.txt", "The answer is $\\boxed{" + json.loads(line)["candidate"] + "}$")
# Hostile but bounded (the 50k-level nesting and the quadratic extraction are issue 13 items 1 and 2).
put("answer", "nested-sqrt.txt", "\\boxed{" + "\\sqrt" * 200 + "{2}}")
put("answer", "nested-frac.txt", "\\boxed{" + "\\frac{1}{" * 100 + "2" + "}" * 100 + "}")
put("answer", "factorials.txt", "\\boxed{3" + "!" * 300 + "}")
put("answer", "unbalanced.txt", "\\boxed{\\boxed{\\left( \\right] }} {{{{ #### Answer: The answer is")
# Issue 15 forms: several boxes, spans, relations, matrices, identities, huge values, escapes and lines.
issue15 = [
    "The roots are $\\boxed{2}$ and $\\boxed{-5}$, so $x=\\boxed{3}$ or $x=\\boxed{4}$.",
    "\\boxed{1} papers and \\boxed{2} bins \\boxed{1} no no no \\boxed{",
    "Final Answer: The largest $n$ is 34. Final answer is B. A. Because",
    "Answer $ \n 9 \n $ and \\( \n 9 \\) then \\[ \n 9 \n \\] $$ 9 $$ $ 5 \\$ = \\frac{10}{9} $",
    "$-2 \\le x \\le 7$ $x \\in [-2,7]$ $5 \\geq x$ $x != 3$ $x = 5+5+1 = 7 = 11$ $2x+4y-3=0$",
    "$\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix} + \\begin{bmatrix}5 & 6 \\\\ 7 & 8\\end{bmatrix}\\begin{array}{cc}1&0\\\\0&1\\end{array}$",
    "$\\tan^2 y + 1$ vs $\\sec^2 y$ and $\\sin^{-1} x$ $\\ln(e^{2})$ $f(x)$",
    "$10^{10^{10}}$ $1000!$ $2^{100}$ $1267650600228229401496703205376$ $9^{9^9}$",
    "$AB=4, CD=5$; $\\angle ABC = 30$; $|PQ|=3$; $p=5,q=2;p=7,q=2$; $(0;-2;6)$",
    "125\\textnormal{ miles}, 11,\\! 111, 1 000, AZYUK2A, 0.0833333, 1000,99, $1,000.99, 64 or 65",
    "\\\\frac{1}{2} \\\\left( 3, \\\\frac{\\\\pi}{2} \\\\right) {, } \\$ \\\\\\\\",
]
for i, r in enumerate(issue15):
    put("answer", f"issue15-{i:02d}.txt", r)

# ---- recipe: mix recipes (paths resolve to the target's scratch folder, which holds data.jsonl)
for name in ["weighted.yaml", "anneal.yaml"]:
    put("recipe", name, open(os.path.join(FIX, "mixer", name)).read())
for name in sorted(os.listdir(os.path.join(FIX, "mixer", "bad"))):
    put("recipe", "bad-" + name, open(os.path.join(FIX, "mixer", "bad", name)).read())
put("recipe", "minimal.yaml", "seed: 1\nsources:\n  - name: a\n    paths: [data.jsonl]\n    amount: {fraction: 1}\n")
put("recipe", "all-units.yaml", """seed: 3
dedupe: false
total_tokens: 1000
output: {prefix: mix, max_records: 10, max_bytes: 1000000}
sources:
  - {name: a, paths: data.jsonl, schema: text, amount: {repeat: 2}}
  - {name: b, paths: [data.jsonl], amount: {count: 5}, filters: [{field: meta.x, min: 0.1, max: 2}, {max_tokens: 50}]}
  - {name: c, paths: [data*.jsonl], amount: {tokens: 100}}
  - {name: d, paths: [data.jsonl], amount: {share: 0.5}}
""")
put("recipe", "small-aliases.yaml", "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\nseed: 1\nsources: []\n")
put("recipe", "complex-key.yaml", "? [a, b]\n: 1\n? {c: d}\n: 2\nsources: []\n")
put("recipe", "huge-numbers.yaml", "seed: 1e300\ntotal_tokens: -0x10\nsources:\n  - {name: a, paths: data.jsonl, amount: {repeat: 1e19}}\n")
put("recipe", "tags.yaml", "--- !!map\nseed: !!str 1\nsources: !!seq [ !!null ]\n...\n--- second\n")

# ---- safetensors: the tiny checkpoints and hand-made headers
for d in ["tiny-llama-tied", "tiny-llama-untied"]:
    put("safetensors", d + ".safetensors", open(os.path.join(FIX, "trainer", d, "model.safetensors"), "rb").read())


def safetensors(header, payload=b""):
    h = json.dumps(header).encode() if not isinstance(header, bytes) else header
    return struct.pack("<Q", len(h)) + h + payload


put("safetensors", "dtypes.safetensors", safetensors({
    "__metadata__": {"format": "pt"},
    "a": {"dtype": "F16", "shape": [2, 2], "data_offsets": [0, 8]},
    "b": {"dtype": "BF16", "shape": [4], "data_offsets": [8, 16]},
    "c": {"dtype": "F32", "shape": [], "data_offsets": [16, 20]},
    "d": {"dtype": "I64", "shape": [0], "data_offsets": [20, 20]}}, bytes(range(20))))
put("safetensors", "offsets-2-63.safetensors", safetensors(
    {"w": {"dtype": "F32", "shape": [1], "data_offsets": [9223372036854775808, 9223372036854775812]}}, b"\0" * 4))
put("safetensors", "shape-overflow.safetensors", safetensors(
    {"w": {"dtype": "F32", "shape": [4294967296, 4294967296, 16], "data_offsets": [0, 4]}}, b"\0" * 4))
put("safetensors", "overlap.safetensors", safetensors(
    {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, b"\0" * 12))
put("safetensors", "huge-header-length.safetensors", struct.pack("<Q", 2 ** 64 - 1) + b"{}")

# ---- gguf: a tiny llama (F32 + Q8_0 tensors, gpt2 tokenizer metadata) and hostile headers


def gstr(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def gkv(key, typ, val):
    out = gstr(key) + struct.pack("<I", typ)
    if typ == 4:
        return out + struct.pack("<I", val)
    if typ == 6:
        return out + struct.pack("<f", val)
    if typ == 8:
        return out + gstr(val)
    if typ == 9:
        et, items = val
        out += struct.pack("<IQ", et, len(items))
        for it in items:
            out += gstr(it) if et == 8 else struct.pack("<i", it)
        return out
    raise ValueError(typ)


def gguf(kvs, tensors, alignment=32):
    """tensors: (name, dims, ggml type, raw bytes)."""
    head = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs)) + b"".join(kvs)
    data, infos = b"", b""
    for name, dims, typ, raw in tensors:
        data += b"\0" * ((-len(data)) % alignment)
        infos += gstr(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        infos += struct.pack("<IQ", typ, len(data))
        data += raw
    body = head + infos
    body += b"\0" * ((-len(body)) % alignment)
    return body + data


def f32(n, seed=1):
    return b"".join(struct.pack("<f", ((i * 37 + seed) % 17 - 8) / 16) for i in range(n))


def q8_0(n):  # blocks of 32: fp16 scale + 32 int8
    return b"".join(struct.pack("<e", 0.01) + bytes((i * 7) % 256 for i in range(32)) for _ in range(n // 32))


H, F, V = 32, 64, 16
tokens = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] + [chr(c) for c in range(ord("a"), ord("a") + V - 5)] + ["Ġ", "Ġa"]
kvs = [gkv("general.architecture", 8, "llama"), gkv("llama.embedding_length", 4, H),
       gkv("llama.feed_forward_length", 4, F), gkv("llama.block_count", 4, 1),
       gkv("llama.attention.head_count", 4, 2), gkv("llama.attention.head_count_kv", 4, 1),
       gkv("llama.context_length", 4, 64), gkv("llama.attention.layer_norm_rms_epsilon", 6, 1e-5),
       gkv("tokenizer.ggml.model", 8, "gpt2"), gkv("tokenizer.ggml.pre", 8, "smollm"),
       gkv("tokenizer.ggml.tokens", 9, (8, tokens)), gkv("tokenizer.ggml.merges", 9, (8, ["Ġ a"])),
       gkv("tokenizer.ggml.token_type", 9, (5, [3, 3, 3] + [1] * (V - 3))),
       gkv("tokenizer.ggml.eos_token_id", 4, 2)]
kv_dim = H // 2
tensors = [("token_embd.weight", [H, V], 0, f32(H * V)), ("output_norm.weight", [H], 0, f32(H, 3)),
           ("blk.0.attn_norm.weight", [H], 0, f32(H, 4)), ("blk.0.attn_q.weight", [H, H], 8, q8_0(H * H)),
           ("blk.0.attn_k.weight", [H, kv_dim], 8, q8_0(H * kv_dim)), ("blk.0.attn_v.weight", [H, kv_dim], 8, q8_0(H * kv_dim)),
           ("blk.0.attn_output.weight", [H, H], 0, f32(H * H)), ("blk.0.ffn_norm.weight", [H], 0, f32(H, 5)),
           ("blk.0.ffn_gate.weight", [H, F], 8, q8_0(H * F)), ("blk.0.ffn_up.weight", [H, F], 8, q8_0(H * F)),
           ("blk.0.ffn_down.weight", [F, H], 0, f32(F * H))]
put("gguf", "tiny-llama.gguf", gguf(kvs, tensors))
put("gguf", "metadata-only.gguf", gguf(kvs[:1] + kvs[8:], []))
put("gguf", "bad-alignment.gguf", gguf([gkv("general.alignment", 4, 3)], [("t", [4], 0, f32(4))]))
put("gguf", "huge-counts.gguf", b"GGUF" + struct.pack("<IQQ", 3, 2 ** 63, 2 ** 63))
put("gguf", "tokens-not-strings.gguf", gguf([gkv("tokenizer.ggml.model", 8, "gpt2"), gkv("tokenizer.ggml.tokens", 9, (5, [1, 2, 3]))], []))
put("gguf", "dims-overflow.gguf", gguf([], [("t", [2 ** 32, 2 ** 32], 0, b"")]))

# ---- tokenizer: small tokenizer.json files cut from the fixtures (first tokens, merges among them)


def small_tokenizer(name, keep):
    j = json.load(open(os.path.join(FIX, "tokenizers", name, "tokenizer.json")))
    m = j["model"]
    vocab = {t: i for t, i in m["vocab"].items() if i < keep}
    merges = []
    for mg in m["merges"]:
        a, b = mg.split(" ", 1) if isinstance(mg, str) else mg
        if a in vocab and b in vocab and a + b in vocab:
            merges.append(mg)
    m["vocab"], m["merges"] = vocab, merges
    j["added_tokens"] = [t for t in j["added_tokens"] if t["id"] < keep]
    return json.dumps(j, ensure_ascii=False, separators=(",", ":"))


smol = small_tokenizer("smollm2", 400)
gpt2 = small_tokenizer("gpt2", 300)
put("tokenizer", "smollm2-small.json", smol)
put("tokenizer", "gpt2-small.json", gpt2)
put("tokenizer", "smollm2-small-with-text.bin", smol.encode() + b"\0" + "<|im_start|>user\nWhat is 12+30?<|im_end|>\n  \t tabs   and\r\nnewlines 🙂".encode())
put("tokenizer", "gpt2-small-invalid-utf8.bin", gpt2.encode() + b"\0" + b"abc\xff\xfe\xc3(\xe2\x82 done")
j = json.loads(smol)
j["added_tokens"].append({"id": 399, "content": "", "single_word": False, "lstrip": True, "rstrip": True, "normalized": False, "special": True})
j["added_tokens"].append({"id": 10 ** 12, "content": "<huge>", "special": True})
put("tokenizer", "hostile-added-tokens.json", json.dumps(j))
j = json.loads(smol)
j["model"]["merges"] = [["\u0120", "t"], ["missing", "pieces"], ["a"], "x y z", ""]
j["model"]["vocab"]["dup"] = 0
put("tokenizer", "hostile-merges.json", json.dumps(j))
put("tokenizer", "empty-vocab.json", '{"model":{"type":"BPE","vocab":{},"merges":[]},"added_tokens":[],"pre_tokenizer":null}')
put("tokenizer", "other-model.json", '{"model":{"type":"Unigram","vocab":[["a",0.0]]},"normalizer":{"type":"NFKC"}}')

# ---- langid: sentences close languages write alike, mixed scripts, broken UTF-8
put("langid", "bg.txt", "проверка на диска след копирането")
put("langid", "mk.txt", "Не може да се зачува промената во избраната папка")
put("langid", "es-ca.txt", "Retornar al menú principal del programa. no es pot desar el fitxer")
put("langid", "mixed-scripts.txt", "Hello мир 世界 مرحبا नमस्ते 🙂 ñandú")
put("langid", "broken-utf8.bin", b"caf\xc3 \xe2\x82 \xf0\x9f\x99 ok \xff\xfe word \xed\xa0\x80")
put("langid", "long-word.txt", "a" * 3000 + " " + "б" * 1000)


# ---- parquet: small real files written by pyarrow (Fixtures/parquet) and hand-cut hostile ones
PQ = os.path.join(FIX, "parquet")
for name in ["chat_snappy_v1", "chat_zstd_v2", "chat_lz4raw_v2", "chat_gzip_v1", "chat_small_pages",
             "encodings_delta_v2", "nested", "types", "types_int96"]:
    put("parquet", name + ".parquet", open(os.path.join(PQ, name + ".parquet"), "rb").read())
_pq = open(os.path.join(PQ, "chat_none_v1.parquet"), "rb").read()
put("parquet", "truncated.parquet", _pq[: len(_pq) // 2] + b"PAR1")
put("parquet", "footer-too-long.parquet", _pq[:-8] + struct.pack("<I", 0x7FFFFFFF) + b"PAR1")
put("parquet", "magic-only.parquet", b"PAR1PAR1")
