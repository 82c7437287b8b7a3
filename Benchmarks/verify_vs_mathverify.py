#!/usr/bin/env python3
"""Our answer equivalence vs HF math-verify on the labelled pairs in Fixtures/answers/pairs.jsonl.

    pip install math-verify
    swift build -c release --product curate-tool
    .build/release/curate-tool answers-eval --pairs Fixtures/answers/pairs.jsonl --output /tmp/swift_pred.jsonl
    python3 Benchmarks/verify_vs_mathverify.py --swift /tmp/swift_pred.jsonl [--write-fixture]

math-verify is called as its README shows, `verify(parse(gold), parse(candidate))`; a bare string
(no `$` or `\boxed`) is wrapped in `$...$` first and retried bare when that parses to nothing, which gave
math-verify its best score on this set. `--write-fixture` (re)writes Fixtures/answers/mathverify_predictions.jsonl, the committed record the
Swift tests compare against. Prints both accuracies and every pair where either side is wrong.
"""
import argparse, json, os, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def mathverify_predict(pairs):
    from math_verify import parse, verify

    def p(s):
        # Bare LaTeX is wrapped in $...$ first (math-verify's LaTeX extraction looks for delimiters;
        # without them it falls back to the last plain number, e.g. "17\pi" -> 17), then retried bare.
        r = parse(s if "$" in s or "\\boxed" in s else "$" + s + "$")
        if not r:
            r = parse(s)
        return r

    out = []
    for x in pairs:
        try:
            ok = bool(verify(p(x["gold"]), p(x["candidate"])))
        except Exception:
            ok = False
        out.append(ok)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", default=os.path.join(ROOT, "Fixtures/answers/pairs.jsonl"))
    ap.add_argument("--swift", help="predictions from `curate-tool answers-eval`")
    ap.add_argument("--write-fixture", action="store_true")
    a = ap.parse_args()

    pairs = [json.loads(l) for l in open(a.pairs)]
    mv = mathverify_predict(pairs)
    if a.write_fixture:
        path = os.path.join(ROOT, "Fixtures/answers/mathverify_predictions.jsonl")
        with open(path, "w") as f:
            for x, m in zip(pairs, mv):
                f.write(json.dumps({"gold": x["gold"], "candidate": x["candidate"], "predicted": m}, ensure_ascii=False) + "\n")
        print(f"wrote {path}", file=sys.stderr)

    labels = [x["equivalent"] for x in pairs]
    n = len(pairs)
    mv_ok = sum(m == l for m, l in zip(mv, labels))
    print(f"pairs: {n} ({sum(labels)} equivalent, {n - sum(labels)} not)")
    print(f"math-verify: {mv_ok}/{n} = {100 * mv_ok / n:.2f}%  "
          f"(missed {sum(l and not m for m, l in zip(mv, labels))}, false positives {sum(m and not l for m, l in zip(mv, labels))})")
    sw = None
    if a.swift:
        sw = [json.loads(l)["predicted"] for l in open(a.swift)]
        assert len(sw) == n, "prediction count differs from pair count"
        sw_ok = sum(s == l for s, l in zip(sw, labels))
        print(f"ours:        {sw_ok}/{n} = {100 * sw_ok / n:.2f}%  "
              f"(missed {sum(l and not s for s, l in zip(sw, labels))}, false positives {sum(s and not l for s, l in zip(sw, labels))})")
    print("\npairs where either is wrong (label / math-verify / ours):")
    for i, x in enumerate(pairs):
        s = sw[i] if sw else None
        if mv[i] != labels[i] or (s is not None and s != labels[i]):
            print(f"  {str(labels[i]):5} mv={str(mv[i]):5} ours={str(s):5}  {x['gold']!r} vs {x['candidate']!r}  [{x['note']}]")


if __name__ == "__main__":
    main()
