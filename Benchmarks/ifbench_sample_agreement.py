#!/usr/bin/env python3
"""Agreement of our IFBench/IFEval checkers with IFBench's own verdicts on real model responses.

IFBench ships the responses of one model (eval/eval_results_strict.jsonl: prompt, response and the
reference's per-instruction verdicts) and the kwargs of each prompt (data/IFBench_test.jsonl). This
joins the two by prompt, runs `curate-tool verify` over them, and prints, per instruction id and in
total, how often our verdict is the reference's ("unsupported" counts as a disagreement).

Usage: ifbench_sample_agreement.py IFBENCH_CHECKOUT [--tool .build/release/curate-tool] [--show ID]
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("ifbench", help="a checkout of allenai/IFBench")
    p.add_argument("--tool", default=".build/release/curate-tool")
    p.add_argument("--show", action="append", default=[], help="print the disagreements of this id")
    a = p.parse_args()

    kwargs = {}
    with open(os.path.join(a.ifbench, "data/IFBench_test.jsonl"), encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            kwargs[r["prompt"]] = r
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, "in.jsonl"), os.path.join(tmp, "out.jsonl")
        expected, unmatched = {}, 0
        with open(os.path.join(a.ifbench, "eval/eval_results_strict.jsonl"), encoding="utf-8") as f, \
                open(src, "w", encoding="utf-8") as w:
            for i, line in enumerate(f):
                r = json.loads(line)
                t = kwargs.get(r["prompt"])
                if t is None or t["instruction_id_list"] != r["instruction_id_list"]:
                    unmatched += 1
                    continue
                rid = f"r{i}"
                expected[rid] = r["follow_instruction_list"]
                w.write(json.dumps({"id": rid, "prompt": r["prompt"], "response": r["response"], "dataset": "ifeval",
                                    "ground_truth": {"instruction_id_list": t["instruction_id_list"], "kwargs": t["kwargs"]}}) + "\n")
        subprocess.run([a.tool, "verify", "--input", src, "--output", out], check=True, stderr=subprocess.DEVNULL)
        total, agree, bad = collections.Counter(), collections.Counter(), collections.defaultdict(list)
        with open(out, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                for iid, want, got in zip(r["ground_truth"]["instruction_id_list"], expected[r["id"]], r["constraints"]):
                    total[iid] += 1
                    if got["result"] == ("pass" if want else "fail"):
                        agree[iid] += 1
                    else:
                        bad[iid].append((r["id"], want, got["result"], r["response"][:100]))
    print(f"records: {len(expected)} (skipped {unmatched} without kwargs)")
    for iid in sorted(total):
        if agree[iid] < total[iid] or iid in a.show:
            print(f"{iid:40s} {agree[iid]:4d}/{total[iid]:<4d}")
    print(f"{'all':40s} {sum(agree.values()):4d}/{sum(total.values()):<4d}"
          f" ({100 * sum(agree.values()) / max(1, sum(total.values())):.1f}%)")
    for iid in a.show:
        for b in bad[iid]:
            print("  ", iid, *b)


if __name__ == "__main__":
    sys.exit(main())
