#!/usr/bin/env python3
"""The reference for `curate-tool bench generate`: the same decoding with Hugging Face transformers.

Loads a model folder or a GGUF file (dequantised to fp32 by transformers), samples `--batch` sequences
of exactly `--new-tokens` new tokens from one short prompt on `--threads` CPU threads, several times,
and prints per-run figures and, as its last line, `tokens/s: N` (the median).

usage: generate_transformers.py --model DIR|GGUF [--batch 8] [--new-tokens 64] [--runs 3] [--threads 2]
"""
import argparse, os, statistics, sys, time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--new-tokens", type=int, default=64)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--prompt", default="The quick brown fox")
    a = ap.parse_args()
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    torch.set_num_threads(a.threads)
    if a.model.endswith(".gguf"):
        d, f = os.path.dirname(os.path.abspath(a.model)), os.path.basename(a.model)
        tok = AutoTokenizer.from_pretrained(d, gguf_file=f)
        model = AutoModelForCausalLM.from_pretrained(d, gguf_file=f, torch_dtype=torch.float32)
    else:
        tok = AutoTokenizer.from_pretrained(a.model)
        model = AutoModelForCausalLM.from_pretrained(a.model, torch_dtype=torch.float32)
    model.eval()
    ids = tok(a.prompt, return_tensors="pt").input_ids
    rates = []
    with torch.inference_mode():
        for r in range(a.runs + 1):
            torch.manual_seed(r)
            n_new = 2 if r == 0 else a.new_tokens  # a short warm-up
            t = time.perf_counter()
            out = model.generate(ids, do_sample=True, temperature=0.8, num_return_sequences=a.batch,
                                 max_new_tokens=n_new, min_new_tokens=n_new,
                                 pad_token_id=tok.eos_token_id)
            dt = time.perf_counter() - t
            n = (out.shape[1] - ids.shape[1]) * a.batch
            if r == 0:
                continue  # warm-up
            rates.append(n / dt)
            print(f"run {r}: {n} tokens in {dt:.2f} s, {n / dt:.1f} tokens/s", file=sys.stderr)
    print(f"tokens/s: {statistics.median(rates):.1f}")


if __name__ == "__main__":
    main()
