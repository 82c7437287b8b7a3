#!/usr/bin/env python3
"""Writes smollm2-greedy.json: transformers' greedy continuation of a few prompts with SmolLM2-135M-Instruct
(the Q4_1 GGUF, dequantised to fp32 by transformers), the reference for the Swift decoder's parity test.

usage: make_smollm2_reference.py PATH/TO/SmolLM2-135M-Instruct.Q4_1.gguf
"""
import json, os, sys
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

gguf = sys.argv[1]
d, f = os.path.dirname(os.path.abspath(gguf)), os.path.basename(gguf)
torch.set_num_threads(2)
tok = AutoTokenizer.from_pretrained(d, gguf_file=f)
model = AutoModelForCausalLM.from_pretrained(d, gguf_file=f, torch_dtype=torch.float32).eval()
cases = []
for prompt in ["The capital of France is", "<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n"]:
    ids = tok(prompt, return_tensors="pt").input_ids
    with torch.inference_mode():
        out = model.generate(ids, do_sample=False, max_new_tokens=16, min_new_tokens=16)
    cases.append({"prompt": prompt, "prompt_ids": ids[0].tolist(), "greedy_ids": out[0, ids.shape[1]:].tolist()})
json.dump({"model": "SmolLM2-135M-Instruct.Q4_1.gguf", "transformers": __import__("transformers").__version__,
           "cases": cases}, open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "smollm2-greedy.json"), "w"), indent=1)
