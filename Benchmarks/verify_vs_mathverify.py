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

Edge cases by class (Fixtures/answers/edge_cases.jsonl: whole responses, relations, matrices, precision, ...):

    .build/release/curate-tool answers-eval --pairs Fixtures/answers/edge_cases.jsonl --output /tmp/swift_edge.jsonl
    python3 Benchmarks/verify_vs_mathverify.py --edge --swift /tmp/swift_edge.jsonl [--write-fixture]

Here both sides are parsed as math-verify's own tests do (LaTeX with boxed priority 0, then plain
expressions) and verified with each case's options (`float_rounding`, `strict`, `allow_set_relation_comp`;
math-verify's defaults otherwise). Without math-verify installed, its committed predictions
(Fixtures/answers/mathverify_edge_predictions.jsonl) are used. Prints per-class agreement with the expected
verdict for ours and for math-verify, and every case where either disagrees.
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


def mathverify_edge_predict(cases):
    from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

    targets = [LatexExtractionConfig(boxed_match_priority=0), ExprExtractionConfig()]
    out = []
    for x in cases:
        o = x.get("options", {})
        try:
            ok = bool(verify(parse(x["gold"], targets), parse(x["candidate"], targets),
                             float_rounding=o.get("float_rounding", 6), strict=o.get("strict", True),
                             allow_set_relation_comp=o.get("allow_set_relation", False)))
        except Exception:
            ok = False
        out.append(ok)
    return out


def edge_main(a):
    path = a.pairs if a.pairs_given else os.path.join(ROOT, "Fixtures/answers/edge_cases.jsonl")
    cases = [json.loads(l) for l in open(path)]
    fixture = os.path.join(ROOT, "Fixtures/answers/mathverify_edge_predictions.jsonl")
    try:
        mv = mathverify_edge_predict(cases)
        source = "math-verify (live)"
    except ImportError:
        rec = [json.loads(l) for l in open(fixture)]
        assert [(r["gold"], r["candidate"]) for r in rec] == [(c["gold"], c["candidate"]) for c in cases], "fixture is stale"
        mv = [r["predicted"] for r in rec]
        source = "math-verify (committed predictions)"
    if a.write_fixture:
        with open(fixture, "w") as f:
            for x, m in zip(cases, mv):
                f.write(json.dumps({"gold": x["gold"], "candidate": x["candidate"], "predicted": m}, ensure_ascii=False) + "\n")
        print(f"wrote {fixture}", file=sys.stderr)
    sw = [json.loads(l)["predicted"] for l in open(a.swift)] if a.swift else None
    if sw is not None:
        assert len(sw) == len(cases), "prediction count differs from case count"
    classes = []
    for c in cases:
        if c["class"] not in classes:
            classes.append(c["class"])
    print(f"edge cases: {len(cases)}; {source}")
    print(f"{'class':18} {'n':>4} {'ours':>8} {'math-verify':>12}")
    tot_s = tot_m = 0
    for k in classes:
        idx = [i for i, c in enumerate(cases) if c["class"] == k]
        m_ok = sum(mv[i] == cases[i]["equivalent"] for i in idx)
        tot_m += m_ok
        s_col = "-"
        if sw is not None:
            s_ok = sum(sw[i] == cases[i]["equivalent"] for i in idx)
            tot_s += s_ok
            s_col = f"{100 * s_ok / len(idx):.1f}%"
        print(f"{k:18} {len(idx):>4} {s_col:>8} {100 * m_ok / len(idx):>11.1f}%")
    n = len(cases)
    print(f"{'all':18} {n:>4} {(f'{100 * tot_s / n:.1f}%' if sw is not None else '-'):>8} {100 * tot_m / n:>11.1f}%")
    print("\ncases where either disagrees with the label (label / math-verify / ours):")
    for i, x in enumerate(cases):
        s_i = sw[i] if sw is not None else None
        if mv[i] != x["equivalent"] or (s_i is not None and s_i != x["equivalent"]):
            print(f"  [{x['class']}] {str(x['equivalent']):5} mv={str(mv[i]):5} ours={str(s_i):5}  {x['gold']!r} vs {x['candidate']!r}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", default=os.path.join(ROOT, "Fixtures/answers/pairs.jsonl"))
    ap.add_argument("--swift", help="predictions from `curate-tool answers-eval`")
    ap.add_argument("--write-fixture", action="store_true")
    ap.add_argument("--edge", action="store_true", help="per-class comparison on Fixtures/answers/edge_cases.jsonl")
    a = ap.parse_args()
    a.pairs_given = a.pairs != os.path.join(ROOT, "Fixtures/answers/pairs.jsonl")
    if a.edge:
        return edge_main(a)

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
