#!/usr/bin/env python3
"""Builds pairs.jsonl: labelled (gold, candidate) answer pairs for the answer-equivalence quality bar.

Golds are real answers from MMATH (English; MATH500/AIME/CNMO) and the GSM8K test split. Candidates are
those answers rewritten the ways models write them: equivalently (other LaTeX spellings, decimals vs
fractions, units, thousands separators, reordered sets/unions, `x = ...`) and non-equivalently
(look-alikes: off by one, wrong sign, rounded decimals, wrong interval ends, swapped digits). Each template
states its label; labels that depend on the value (e.g. `-n` equals `n` only for 0) are decided per gold
and the pair is skipped when a template would be ambiguous. Run once by hand:
    python3 build_pairs.py /path/to/mmath-en.jsonl /path/to/gsm8k-test.jsonl > pairs.jsonl
(the source files are not read by tests; pairs.jsonl is committed).
"""
import json, random, sys

mmath = [json.loads(l) for l in open(sys.argv[1])]
gsm = [json.loads(l) for l in open(sys.argv[2])]
rng = random.Random(20240604)
pairs = []

def add(gold, cand, eq, note):
    pairs.append({"gold": gold, "candidate": cand, "equivalent": eq, "note": note})

def int_variants(n, q, src):
    s = str(n)
    eq = [
        (f"${s}$", "dollar-delimited"), (f"{s}.0", "trailing .0"), (f"{s}.00", "trailing zeros"),
        (f"\\text{{{s}}}", "\\text wrapper"), (f"x = {s}", "variable = value"), (f"{{{s}}}", "braces"),
        (f"\\mathbf{{{s}}}", "bold"), (f" {s} ", "spacing"), (f"\\frac{{{2*n}}}{{2}}", "unsimplified fraction"),
        (f"{s} \\text{{ units}}", "unit text"), (f"\\({s}\\)", "inline math delimiters"),
    ]
    if n >= 1000:
        eq.append((f"{n:,}", "thousands separator"))
        eq.append((f"{n:,}".replace(",", "{,}"), "latex thousands separator"))
    if "degree" in q:
        eq.append((f"{s}^\\circ", "degree mark")); eq.append((f"{s}^{{\\circ}}", "degree mark braced"))
    if "cm" in q:
        eq.append((f"{s}\\text{{ cm}}", "unit cm"))
    if "dollar" in q or "\\$" in q:
        eq.append((f"\\${s}", "dollar sign"))
    ne = [
        (str(n + 1), "off by one"), (str(n - 1), "off by one"), (s + "0", "times ten") if n != 0 else None,
        (f"{s}.5", "extra half"), (f"{n}\\pi", "times pi") if n != 0 else None,
        (str(-n), "sign flip") if n != 0 else None,
        (f"{s}^2", "squared") if n > 1 else None,
        (f"\\sqrt{{{s}}}", "square root") if n > 1 else None,
        (f"\\frac{{1}}{{{s}}}", "reciprocal") if n not in (0, 1, -1) else None,
        (f"\\frac{{{s}}}{{2}}", "halved") if n != 0 else None,
        (f"({s}, 1)", "tuple vs number"),
        (s[::-1], "digits reversed") if len(s) > 1 and s[::-1] != s and not s.endswith("0") and s[0] != "-" else None,
        (f"{s[:-1]}.{s[-1]}", "decimal point inserted") if len(s) > 1 and s[0] != "-" else None,
        (f"{n},000", "thousands look-alike") if n != 0 and abs(n) < 1000 else None,
    ]
    ne = [x for x in ne if x]
    return eq, ne

# MMATH integers: a sample of golds, several variants each.
ints = [r for r in mmath if r["answer"].lstrip("-").isdigit()]
rng.shuffle(ints)
for r in ints[:44]:
    n = int(r["answer"])
    eq, ne = int_variants(n, r["question"], r["data_source"])
    for c, note in rng.sample(eq, 3):
        add(r["answer"], c, True, f"mmath {r['data_source']} gid {r['gid']}: {note}")
    for c, note in rng.sample(ne, 3):
        add(r["answer"], c, False, f"mmath {r['data_source']} gid {r['gid']}: {note}")

# Golds written with $...$ in MMATH (the integer ones): plain candidates.
for r in mmath:
    a = r["answer"]
    if a.startswith("$") and a.strip("$").isdigit():
        n = int(a.strip("$"))
        add(a, str(n), True, f"mmath {r['data_source']} gid {r['gid']}: gold in $...$")
        add(a, f"\\boxed{{{n}}}", True, f"mmath {r['data_source']} gid {r['gid']}: boxed candidate")
        add(a, str(n + 2), False, f"mmath {r['data_source']} gid {r['gid']}: off by two")

# GSM8K: all golds with separators or signs, plus a sample of plain ones.
def gsm_gold(r):
    return r["answer"].split("####")[-1].strip()
special = [r for r in gsm if not gsm_gold(r).isdigit()]
plain = [r for r in gsm if gsm_gold(r).isdigit()]
rng.shuffle(plain)
for i, r in enumerate(special):
    g = gsm_gold(r); n = int(g.replace(",", ""))
    eqs = [(str(n), "separator removed"), (f"\\${g}", "dollar sign"), (f"{n}.00", "cents"),
           (f"{g} dollars", "unit word"), (f"{n:,}".replace(",", "{,}"), "latex separator")]
    if n < 0:
        eqs = [(str(n), "same"), (f"{n}.0", "trailing zero"), (f"−{-n}", "unicode minus"), (f"-{-n} \\text{{ degrees}}", "unit"), (f"({n})", "parenthesised")]
    nes = [(f"{n/1000:g}" if n % 1000 else f"{n//1000}", "thousands as decimal") if abs(n) >= 1000 else None,
           (str(n + 1), "off by one"), (str(-n), "sign flip"), (str(n * 10), "times ten"),
           (g.split(",")[0] if "," in g else None, "first group only") if "," in g else None,
           (g.replace(",", "."), "comma as decimal point") if "," in g and g.count(",") == 1 else None]
    nes = [x for x in nes if x and x[0] is not None]
    for c, note in eqs[:4]:
        add(g, c, True, f"gsm8k test {gsm.index(r)}: {note}")
    for c, note in nes[:3]:
        add(g, c, False, f"gsm8k test {gsm.index(r)}: {note}")
for r in plain[:22]:
    g = gsm_gold(r); n = int(g)
    eq, ne = int_variants(n, r["question"], "gsm8k")
    for c, note in rng.sample(eq, 3):
        add(g, c, True, f"gsm8k test {gsm.index(r)}: {note}")
    for c, note in rng.sample(ne, 3):
        add(g, c, False, f"gsm8k test {gsm.index(r)}: {note}")

# MMATH non-integer golds: hand-written rewrites per gold.
hand = {
    "$[-\\frac{1}{4}, 0) \\cup (0, 2)$": (
        ["[-1/4, 0) \\cup (0, 2)", "(0,2) \\cup [-\\frac14, 0)", "\\left[-\\dfrac{1}{4},0\\right)\\cup\\left(0,2\\right)", "[-0.25,0)\\cup(0,2)"],
        ["[-\\frac14, 2)", "(-\\frac{1}{4}, 0) \\cup (0, 2)", "[-\\frac14,0]\\cup(0,2)", "[-\\frac{1}{4}, 0) \\cup (0, 2]", "[\\frac{1}{4}, 0) \\cup (0, 2)"]),
    "$\\frac{3}{4}$": (
        ["0.75", "3/4", "\\dfrac34", "\\tfrac{3}{4}", "\\frac{6}{8}", "75\\%", ".75"],
        ["\\frac{4}{3}", "0.7", "3.4", "\\frac{3}{5}", "0.74", "-\\frac{3}{4}"]),
    "$\\frac{4}{21}$": (
        ["4/21", "\\dfrac{4}{21}", "\\frac{8}{42}", "\\frac{4}{21}"],
        ["0.19", "\\frac{4}{12}", "21/4", "\\frac{5}{21}"]),
    "$\\frac{\\sqrt{6}}{4}$": (
        ["\\frac{1}{4}\\sqrt{6}", "\\sqrt{6}/4", "\\frac{\\sqrt6}{4}", "\\sqrt{\\frac{3}{8}}", "\\frac{\\sqrt{3}}{2\\sqrt{2}}", "\\dfrac{\\sqrt{6}}{4}"],
        ["\\frac{\\sqrt{6}}{2}", "\\frac{\\sqrt{5}}{4}", "\\frac{6}{4}", "0.61", "\\frac{\\sqrt{6}}{16}"]),
    "$\\frac{\\sqrt{7}}{4}$": (
        ["\\frac{1}{4}\\sqrt{7}", "\\sqrt{7}/4", "\\frac{\\sqrt7}{4}", "\\sqrt{\\frac{7}{16}}"],
        ["\\frac{7}{4}", "\\frac{\\sqrt{7}}{2}", "\\frac{\\sqrt{7}}{16}", "\\frac{4}{\\sqrt{7}}"]),
    "$2\\sqrt{2}$": (
        ["\\sqrt{8}", "2 \\sqrt 2", "2\\sqrt2", "2\\cdot\\sqrt{2}", "\\frac{4}{\\sqrt{2}}", "2\\times\\sqrt{2}"],
        ["2\\sqrt{3}", "\\sqrt{2}", "4", "2.83", "\\sqrt{2}/2", "2^{\\sqrt{2}}"]),
    "$8\\sqrt{5} - 16$": (
        ["-16+8\\sqrt{5}", "8(\\sqrt{5}-2)", "8\\sqrt5-16", "8\\sqrt{5}-16"],
        ["8\\sqrt{5}+16", "16-8\\sqrt{5}", "8\\sqrt{5}", "8\\sqrt{3}-16"]),
    "$(-\\infty,-1)\\cup(6,+\\infty)$": (
        ["(-\\infty, -1) \\cup (6, \\infty)", "(6,\\infty)\\cup(-\\infty,-1)", "\\left(-\\infty,-1\\right)\\cup\\left(6,+\\infty\\right)"],
        ["(-\\infty,-1]\\cup[6,\\infty)", "(-1,6)", "(-\\infty,1)\\cup(6,\\infty)", "(-\\infty,-1)\\cup(-6,\\infty)"]),
    "$2\\sqrt{2}-2$": (
        ["2(\\sqrt{2}-1)", "-2+2\\sqrt2", "\\sqrt{8}-2", "2\\sqrt{2} - 2"],
        ["2\\sqrt{2}+2", "2-2\\sqrt2", "\\sqrt{2}-1", "2\\sqrt{2}"]),
    "$\\frac{1}{2}$": (
        ["0.5", "1/2", "\\dfrac12", ".5", "\\frac{2}{4}", "50\\%", "\\frac12"],
        ["2", "\\frac{1}{3}", "0.05", "-\\frac12", "5", "\\frac{1}{2}\\pi"]),
    "$10^{2^n-n-1}$": (
        ["10^{2^{n}-n-1}", "10^{2^n - (n+1)}", "10^{-n-1+2^n}"],
        ["10^{2^n-n}", "10^{2n-n-1}", "10^{2^{n-1}}", "10^{2^n-n+1}"]),
    "$\\lambda=2\\sqrt{2}, A(\\pm 1, 0)$": (
        ["\\lambda = 2\\sqrt{2}, A(\\pm1,0)", "\\lambda=2\\sqrt2, A(\\pm 1, 0)"],
        ["\\lambda=\\sqrt{2}, A(\\pm 1, 0)", "\\lambda=2\\sqrt{2}, A(\\pm 2, 0)"]),
}
for gold, (eqs, nes) in hand.items():
    src = next(r for r in mmath if r["answer"] == gold)
    for c in eqs:
        add(gold, c, True, f"mmath {src['data_source']} gid {src['gid']}: equivalent rewrite")
    for c in nes:
        add(gold, c, False, f"mmath {src['data_source']} gid {src['gid']}: look-alike")

# Answers from MMATH questions whose forms models commonly vary (tuples, sets, solution lists, pm).
extra = [
    ("(3, -1)", "(3,-1)", True, "tuple spacing"), ("(3, -1)", "\\left(3, -1\\right)", True, "tuple left/right"),
    ("(3, -1)", "(-1, 3)", False, "tuple order matters"), ("(3, -1)", "[3, -1]", False, "tuple vs closed interval"),
    ("1, 2, 3", "3, 2, 1", True, "solution list any order"), ("1, 2, 3", "\\{1, 2, 3\\}", True, "bare list vs set braces"),
    ("\\{1, 2, 3\\}", "\\{3, 1, 2\\}", True, "set order"), ("\\{1, 2, 3\\}", "\\{1, 2\\}", False, "missing element"),
    ("-2, 5", "5, -2", True, "roots any order"), ("-2, 5", "2, 5", False, "sign of a root"),
    ("3 \\pm \\sqrt{2}", "3+\\sqrt2, 3-\\sqrt2", True, "pm expanded"), ("3 \\pm \\sqrt{2}", "3+\\sqrt{2}", False, "only one root"),
    ("[2, 5]", "[2,5]", True, "interval spacing"), ("[2, 5]", "(2, 5)", False, "open vs closed"),
    ("\\frac{\\pi}{3}", "\\frac13\\pi", True, "pi fraction"), 
    ("\\frac{\\pi}{3}", "1.047", False, "rounded pi"), ("\\pi", "3.14", False, "rounded pi"),
    ("12\\pi", "12 \\pi", True, "spacing"), ("12\\pi", "\\pi \\cdot 12", True, "commuted"), ("12\\pi", "12", False, "pi dropped"),
    ("\\sqrt{3}", "3^{1/2}", True, "root as power"), ("\\sqrt{3}", "\\frac{3}{\\sqrt{3}}", True, "rationalised"),
    ("\\sqrt{3}", "1.732", False, "rounded root"), ("\\sqrt[3]{2}", "2^{1/3}", True, "cube root as power"),
    ("\\sqrt[3]{2}", "\\sqrt{2}", False, "wrong root index"),
    ("2x+3", "3+2x", True, "commuted polynomial"), ("2x+3", "2(x+1)+1", True, "expanded"),
    ("2x+3", "2x-3", False, "sign"), ("2x+3", "2y+3", False, "different variable"),
    ("x^2-1", "(x-1)(x+1)", True, "factored"), ("x^2-1", "(x-1)^2", False, "wrong factoring"),
    ("y = 2x + 3", "2x+3", True, "equation rhs"), ("\\text{Even}", "even", True, "text case"),
    ("\\text{Even}", "odd", False, "text differs"), ("\\text{(C)}", "C", True, "choice letter"),
    ("\\text{(C)}", "(C)", True, "choice letter parens"), ("\\text{(C)}", "D", False, "other letter"),
    ("0.1", "\\frac{1}{10}", True, "decimal vs fraction"), ("0.1", "0.10", True, "trailing zero"),
    ("0.1", "0.01", False, "decimal place"), ("1.5", "\\frac{3}{2}", True, "decimal vs fraction"),
    ("1.5", "1\\frac{1}{2}", True, "mixed number"), ("1.5", "1.05", False, "look-alike"),
    ("-\\frac{1}{2}", "\\frac{-1}{2}", True, "sign placement"), ("-\\frac{1}{2}", "-0.5", True, "negative decimal"),
    ("-\\frac{1}{2}", "\\frac{1}{2}", False, "sign lost"), ("\\frac{1}{2}", "\\frac{1}{-2}", False, "sign in denominator"),
    ("20\\%", "0.2", True, "percent vs fraction"), ("20\\%", "20", True, "percent sign dropped"),
    ("20\\%", "2\\%", False, "percent look-alike"), ("1000000", "10^6", True, "power of ten"),
    ("1000000", "10^5", False, "wrong power"), ("5!", "120", True, "factorial"),
    ("[2, 5]", "x \\in [2,5]", True, "membership"), ("\\{1, 2, 3\\}", "\\left\\{1,2,3\\right\\}", True, "left/right set braces"),
    ("2\\sqrt{2}", "2\\sqrt{2} \\approx 2.83", True, "exact then approximation"), ("2\\sqrt{2}", "2.83", False, "approximation only"),
    ("18", "18.00 \\text{ dollars}", True, "cents and unit"), ("24", "24 \\text{ cm}^2", True, "squared unit"),
    ("0", "0.0", True, "zero decimal"), ("0", "-0", True, "negative zero"), ("1250", "1,250", True, "separator"),
    ("1250", "1.250", False, "european separator is a decimal point"), ("(3, -1)", "(x, y) = (3, -1)", True, "named tuple"),
    ("2x+3", "f(x) = 2x+3", True, "function notation"), ("100", "10^2", True, "power"), ("10", "10^{1}", True, "power one"),
    ("\\frac{\\sqrt{3}}{2}", "\\frac{1}{2}\\sqrt3", True, "coefficient first"), ("\\frac{\\sqrt{3}}{2}", "\\frac{\\sqrt{3}}{3}", False, "look-alike"),
    ("\\frac{1}{3}", "0.333", False, "rounded decimal"), ("\\frac{1}{3}", "0.\\overline{3}", True, "repeating decimal"),
    ("5", "5 apples", True, "unit word"), ("12", "12 inches", True, "unit word"), ("6", "6\\text{ inches}^2", True, "unit squared"),
    ("1000", "1\\,000", True, "thin-space separator"), ("-3", "- 3", True, "spaced sign"),
    ("(-\\infty, 5]", "(-\\infty,5]", True, "half-open ray"), ("(-\\infty, 5]", "(-\\infty, 5)", False, "closed vs open end"),
    ("x^2+2x+1", "(x+1)^2", True, "factored square"), ("\\frac{x+1}{x-1}", "\\frac{x-1}{x+1}", False, "inverted"),
    ("2", "\\sqrt{4}", True, "root of square"), ("2", "\\sqrt{2}", False, "root look-alike"), ("10", "10.01", False, "close decimal"),
    ("10", "9.99", False, "close decimal"), ("e^{2}", "e^2", True, "braces"), ("e", "2.718", False, "rounded e"),
    ("\\frac{3}{4}", "\\frac34.", True, "trailing period"), ("\\dfrac{7}{2}", "3.5", True, "dfrac vs decimal"),
    ("\\dfrac{7}{2}", "3\\frac{1}{2}", True, "mixed number"), ("\\dfrac{7}{2}", "\\frac{2}{7}", False, "inverted"),
    ("\\binom{5}{2}", "10", True, "binomial coefficient"), ("\\binom{5}{2}", "20", False, "binomial look-alike"),
]
for g, c, e, note in extra:
    add(g, c, e, f"common answer forms: {note}")

for p in pairs:
    print(json.dumps(p, ensure_ascii=False))
print(f"{len(pairs)} pairs, {sum(p['equivalent'] for p in pairs)} equivalent", file=sys.stderr)
