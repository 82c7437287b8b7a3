#!/usr/bin/env python3
"""Writes Fixtures/trainer/kquant-blocks.json: random ggml blocks of the 5-bit and K-quant types with
the fp32 values gguf-py's `gguf.quants.dequantize` gives them (the reference the Swift loader must
match bit for bit; tests read the JSON and never run Python).

Each block is random bytes, with its fp16 scale fields overwritten by values from a fixed menu (normal
values of both signs and several magnitudes, +0, -0, a subnormal) so every sign and zero case is
covered; the quant and packed 6-bit scale bytes stay fully random. Deterministic (fixed seed).

Run by hand: python3 Fixtures/trainer/make_kquant_fixture.py  (needs numpy and gguf; written with gguf 0.19.0)
"""
import importlib.metadata
import json
import pathlib

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T
from gguf.constants import GGML_QUANT_SIZES

# Byte offsets of each type's fp16 fields (d, dmin/m) inside one block.
HALF_FIELDS = {
    T.Q5_0: [0],
    T.Q5_1: [0, 2],
    T.Q4_K: [0, 2],
    T.Q5_K: [0, 2],
    T.Q6_K: [208],
}
BLOCKS = {T.Q5_0: 12, T.Q5_1: 12, T.Q4_K: 8, T.Q5_K: 8, T.Q6_K: 8}

MENU = [0.0, -0.0, 6.0e-8, -3.1e-5, 1.0, -1.0, 0.5, 1234.5]


def half_bits(rng: np.random.Generator) -> bytes:
    if rng.random() < 0.4:
        v = MENU[rng.integers(len(MENU))]
    else:
        v = float(rng.choice([-1.0, 1.0]) * 10 ** rng.uniform(-4, 0.5))
    return np.array([v], dtype=np.float16).tobytes()


def main() -> None:
    rng = np.random.default_rng(20240611)
    cases = []
    for qtype, n in BLOCKS.items():
        block_size, type_size = GGML_QUANT_SIZES[qtype]
        raw = bytearray(rng.integers(0, 256, size=n * type_size, dtype=np.uint8).tobytes())
        for b in range(n):
            for off in HALF_FIELDS[qtype]:
                at = b * type_size + off
                # Block 0 has all-zero scales and block 1 negative ones, whatever the draw.
                if b == 0:
                    raw[at:at + 2] = np.array([0.0], dtype=np.float16).tobytes()
                elif b == 1:
                    raw[at:at + 2] = np.array([-0.01 - 0.5 * rng.random()], dtype=np.float16).tobytes()
                else:
                    raw[at:at + 2] = half_bits(rng)
        data = np.frombuffer(bytes(raw), dtype=np.uint8).reshape((1, n * type_size))
        values = gguf.quants.dequantize(data, qtype)
        assert values.dtype == np.float32 and values.shape == (1, n * block_size)
        assert np.all(np.isfinite(values))
        cases.append({
            "name": qtype.name,
            "type": int(qtype.value),
            "blocks": n,
            "bytes": bytes(raw).hex(),
            "expected_f32_le": values.astype("<f4").tobytes().hex(),
        })
    out = pathlib.Path(__file__).resolve().parent / "kquant-blocks.json"
    doc = {"generator": "make_kquant_fixture.py", "gguf": importlib.metadata.version("gguf"), "cases": cases}
    out.write_text(json.dumps(doc, indent=1) + "\n")
    summary = ", ".join("%s x%d" % (c["name"], c["blocks"]) for c in cases)
    print(f"wrote {out} ({summary})")


if __name__ == "__main__":
    main()
