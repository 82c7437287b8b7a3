#!/usr/bin/env python3
"""Self-consistency voting benchmark: 1,000,000 completions of about 300 characters, 8 per prompt.

    swift build -c release --product curate-tool
    python3 Benchmarks/vote_bench.py [--prompts 125000] [--runs 3] [--layout list|per_completion]

Generates samples records (deterministic, seeded) with a mix of answer formats (\\boxed{}, ####,
"The answer is", Tulu "Final Answer", fractions/decimals that must be grouped by equivalence, some
completions without an answer) and half the prompts with a ground truth, then times
`curate-tool vote` over them and prints the median wall time. The target is under 60 s.
"""
import argparse, json, os, random, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILLER = ("First we set up the equation from the problem statement, then we simplify both sides and "
          "collect like terms carefully. Checking the arithmetic again step by step gives a consistent "
          "result, and substituting back confirms it satisfies every condition. ")


def answer_forms(v):
    n, d = v
    if d == 1:
        return [str(n), f"{n:,}", f"{n}.0", f"\\boxed{{{n}}}"]
    return [f"\\frac{{{n}}}{{{d}}}", f"{n}/{d}", f"\\dfrac{{{n}}}{{{d}}}", f"{n / d:.6g}" if (d in (2, 4, 5, 8)) else f"\\frac{{{2*n}}}{{{2*d}}}"]


def completion(rng, v):
    forms = answer_forms(v)
    a = rng.choice(forms)
    cut = FILLER.rfind(" ", 0, rng.randint(250, 310))
    body = FILLER[:cut + 1]
    style = rng.random()
    if style < 0.35:
        tail = f"So the result is $\\boxed{{{a}}}$."
    elif style < 0.55:
        tail = f"Therefore\n#### {a}"
    elif style < 0.75:
        tail = f"Final Answer: The final answer is ${a}$. I hope it is correct."
    elif style < 0.93:
        tail = f"The answer is {a}."
    else:
        tail = "I could not finish the computation."
    return body + tail


def generate(path, prompts, layout, seed=7):
    rng = random.Random(seed)
    total_chars = 0
    with open(path, "w") as f:
        for i in range(prompts):
            truth = (rng.randint(1, 5000), rng.choice([1, 1, 1, 2, 3, 4, 7, 8]))
            wrong = (truth[0] + rng.randint(1, 9), truth[1])
            p_right = rng.choice([0.9, 0.7, 0.5, 0.3])
            comps = [completion(rng, truth if rng.random() < p_right else wrong) for _ in range(8)]
            total_chars += sum(len(c) for c in comps)
            base = {"id": f"q{i}", "prompt": f"Problem {i}: compute the value.", "source": ["persona_math", "gsm_like", "mixed"][i % 3]}
            if i % 2 == 0:
                base["ground_truth"] = f"\\frac{{{truth[0]}}}{{{truth[1]}}}" if truth[1] != 1 else str(truth[0])
            if layout == "list":
                f.write(json.dumps({**base, "completions": comps}) + "\n")
            else:
                for c in comps:
                    f.write(json.dumps({**base, "completion": c}) + "\n")
    return total_chars / (prompts * 8)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prompts", type=int, default=125_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--layout", default="list", choices=["list", "per_completion"])
    ap.add_argument("--tool", default=os.path.join(ROOT, ".build/release/curate-tool"))
    ap.add_argument("--workdir", default="/tmp/vote_bench")
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    data = os.path.join(a.workdir, f"samples_{a.layout}_{a.prompts}.jsonl")
    if not os.path.exists(data):
        avg = generate(data, a.prompts, a.layout)
        print(f"generated {a.prompts * 8:,} completions, {avg:.0f} chars on average, {os.path.getsize(data) / 1e6:.0f} MB", file=sys.stderr)
    times = []
    for r in range(a.runs):
        out = os.path.join(a.workdir, "voted.jsonl")
        rep = os.path.join(a.workdir, "report.json")
        t = time.time()
        subprocess.run([a.tool, "vote", "--input", data, "--output", out, "--report", rep], check=True, stderr=subprocess.DEVNULL)
        times.append(time.time() - t)
        print(f"run {r + 1}: {times[-1]:.2f} s", file=sys.stderr)
    report = json.load(open(rep))
    v = report["vote"]
    result = json.dumps({"completions": a.prompts * 8, "layout": a.layout, "median_seconds": round(statistics.median(times), 2),
                      "runs": [round(x, 2) for x in times], "instances_kept": v["instances_kept"], "kept_percent": v["kept_percent"],
                      "dropped": v["instances_dropped"]}, indent=1)
    print(result)
    write_last(a.tool, result)


def write_last(tool, result):
    """Benchmarks/vote_bench.last.txt: the result under the machine header (date, CPU, flags, threads)."""
    import datetime, platform
    cpu, flags = platform.processor(), ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
            if line.startswith("flags"):
                want = {"avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "amx_tile"}
                flags = " ".join(f for f in line.split(":", 1)[1].split() if f in want)
                break
    except OSError:
        pass
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vote_bench.last.txt")
    with open(path, "w") as f:
        f.write(f"vote_bench: {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC\ncpu: {cpu}, {os.cpu_count()} cores\n"
                f"cpu flags: {flags}\nthreads: default (all cores); tool: {tool}\n{result}\n")


if __name__ == "__main__":
    main()
