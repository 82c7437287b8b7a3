#!/usr/bin/env python3
"""Writes tiny-chatml/: a random Llama (hidden 32, 2 layers) in the Hugging Face layout with a byte-level
tokenizer that knows ChatML's special tokens. For the generate/eval/serve CLI tests: loads in
milliseconds, and transformers can load it too.

usage: make_tiny_model.py
"""
import json, os
import torch
from transformers import LlamaConfig, LlamaForCausalLM

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "tiny-chatml")
os.makedirs(out, exist_ok=True)

# GPT-2's byte-to-unicode alphabet.
bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
cs = bs[:]
n = 0
for b in range(256):
    if b not in bs:
        bs.append(b); cs.append(256 + n); n += 1
byte_to_char = {b: chr(c) for b, c in zip(bs, cs)}
vocab = {byte_to_char[b]: b for b in range(256)}
specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
for i, s in enumerate(specials):
    vocab[s] = 256 + i
tokenizer = {
    "version": "1.0",
    "added_tokens": [{"id": 256 + i, "content": s, "single_word": False, "lstrip": False, "rstrip": False,
                      "normalized": False, "special": True} for i, s in enumerate(specials)],
    "normalizer": None,
    "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
    "post_processor": None,
    "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
    "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
              "end_of_word_suffix": None, "fuse_unk": False, "vocab": vocab, "merges": []},
}
json.dump(tokenizer, open(os.path.join(out, "tokenizer.json"), "w"), ensure_ascii=False)
template = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
            "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")
json.dump({"bos_token": "<|endoftext|>", "eos_token": "<|im_end|>", "chat_template": template,
           "tokenizer_class": "GPT2Tokenizer", "model_max_length": 512}, open(os.path.join(out, "tokenizer_config.json"), "w"))

torch.manual_seed(7)
cfg = LlamaConfig(vocab_size=259, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                  num_key_value_heads=2, max_position_embeddings=512, tie_word_embeddings=True, initializer_range=0.2,
                  bos_token_id=256, eos_token_id=258)
model = LlamaForCausalLM(cfg)
model.save_pretrained(out, safe_serialization=True)

# Greedy reference: transformers' continuation of a chat prompt, compared by the CLI tests.
prompt = "<|im_start|>user\nhello there<|im_end|>\n<|im_start|>assistant\n"

ids = []
i = 0
raw = prompt.encode()
while i < len(raw):
    for s in specials:
        if raw[i:].startswith(s.encode()):
            ids.append(vocab[s]); i += len(s); break
    else:
        ids.append(raw[i]); i += 1
model.eval()
with torch.inference_mode():
    gen = model.generate(torch.tensor([ids]), do_sample=False, max_new_tokens=24, min_new_tokens=24)
json.dump({"prompt": prompt, "prompt_ids": ids, "greedy_ids": gen[0, len(ids):].tolist()},
          open(os.path.join(here, "tiny-greedy.json"), "w"))
