#!/usr/bin/env python3
"""Writes N MB (uncompressed) of ~1 KB Tulu-style chat records as .jsonl.zst. Deterministic per seed.
usage: gen_chat.py OUT.jsonl.zst MEGABYTES [SEED]"""
import random, sys

from chat_records import vocabulary, write_chat

out, mb = sys.argv[1], float(sys.argv[2])
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
write_chat(out, mb, rng, vocabulary(rng))
