#!/usr/bin/env python3
"""Writes Fixtures/answers/edge_cases.jsonl: hand-written labelled (gold, candidate) pairs of the kinds
math-verify's own test suite checks (responses with several boxes, relations, matrices, precision, ...),
one class per failure kind, so Benchmarks/verify_vs_mathverify.py can report per-class agreement.

Every case is written for this file (none copied from another project). Fields: gold, candidate,
equivalent (the expected verdict), class, and optionally options ({"float_rounding", "strict",
"allow_set_relation"}) when a case is about one of those settings.
"""
import json, os

HERE = os.path.dirname(os.path.abspath(__file__))
C = []


def case(cls, gold, cand, eq, **options):
    o = {"gold": gold, "candidate": cand, "equivalent": eq, "class": cls}
    if options:
        o["options"] = options
    C.append(o)


# ---- several boxed answers in a response or in the gold
k = "multiple_boxed"
case(k, r"$\{2, 5\}$", r"The roots are $\boxed{2}$ and $\boxed{5}$.", True)
case(k, r"$\{2, 5\}$", r"The roots are $\boxed{5}$ and $\boxed{2}$.", True)
case(k, r"$\{2, 5\}$", r"The roots are $\boxed{2}$ and $\boxed{6}$.", False)
case(k, r"$\{2, 5\}$", r"Only one root: $\boxed{5}$.", False)
case(k, r"$3, -4$", r"So $x=\boxed{3}$ or $x=\boxed{-4}$.", True)
case(k, r"$3, -4$", r"So $x=\boxed{3}$ or $x=\boxed{4}$.", False)
case(k, r"$17$", r"First guess $\boxed{17}$. Checking again, the result is $\boxed{17}$.", True)
case(k, r"$017$", "We get \\boxed{017}. Double-check: \\boxed{017}.\n\n**Final Answer**\n\\boxed{017}", True)
case(k, r"$12$", r"Hmm \boxed{12}, and the area is \boxed{30}.", False)
case(k, r"\boxed{6} and \boxed{8}", r"$6, 8$", True)
case(k, r"\boxed{6} and \boxed{8}", r"$8, 6$", True)
case(k, r"\boxed{6} and \boxed{8}", r"$6$", False)
case(k, r"\boxed{\frac{1}{2}}\quad\boxed{\frac{3}{4}}", r"The answers are $0.5$ and $0.75$: $\boxed{0.5, 0.75}$", True)
case(k, r"$\boxed{4}\boxed{9}$", r"$\boxed{4, 9}$", True)
case(k, r"$\boxed{4}\boxed{9}$", r"$\boxed{4, 10}$", False)
case(k, r"$(1, 2)$", r"$\boxed{(1, 2)}$", True)

# ---- extraction without a marker, broken math, the last number
k = "no_marker"
case(k, "1000", "1 000", True)
case(k, "25000", "25 000", True)
case(k, "3", "B3X", False)
case(k, "7", "QW7ER", False)
case(k, "4500", "the total comes to 4,500", True)
case(k, "12", "we tried 10 first, but the count is 12", True)
case(k, "0.6", ".6", True)
case(k, "-3", "-3", True)
case(k, "$9$", "Answer $ 9 $", True)
case(k, "$9$", "Answer \\( 9 \\)", True)
case(k, "$9$", "Answer \\[ 9 \\]", True)
case(k, "$9$", "Answer $$ 9 $$", True)
case(k, "$8$", "Answer \\( (5+3) \\)", True)
case(k, "$21$", "The answer, once simplified, $3 \\cdot 7 = 21$ as shown.", True)
case(k, "$\\frac{5}{6}$", "First $x = 2$, hence the probability is $\\frac{5}{6}$", True)
case(k, "$\\frac{5}{6}$", "First $x = 2$, hence the probability is $\\frac{5}{7}$", False)
case(k, "$14$", "Adding, $a+b = 14$.", False)
case(k, "$14$", "Adding, $a+b = 14$, so the sum is $14$.", True)

# ---- escaped dollars and line breaks inside math
k = "delimiters"
case(k, "$7$", "Answer $ \n 7 \n $", False)
case(k, "$7$", "Answer \\( \n 7 \n \\)", False)
case(k, "$7$", "Answer \\[ \n 7 \n \\]", True)
case(k, "$7$", "Answer $$ \n 7 \n $$", True)
case(k, "$\\frac{7}{3}$", "Answer $ 5 \\$ = \\frac{7}{3} $", True)
case(k, "$\\frac{7}{3}$", "Total $ 5 \\$ = \\frac{7}{4} $", False)
case(k, "$5$", "It costs \\$5 per item, so we pay $x = 5$", True)

# ---- a sentence after a marker
k = "sentence"
case(k, "$34$", "Final Answer: The largest $n$ is 34.", True)
case(k, "$34$", "Final Answer: The largest $n$ is 35.", False)
case(k, "$6$", "Final Answer: The number of ways for $k$ is 6.", True)
case(k, "$\\frac{2}{3}$", "Final Answer: The probability that $A$ wins is $\\frac{2}{3}$.", True)
case(k, "$\\frac{2}{3}$", "Final Answer: The probability that $A$ wins is $\\frac{3}{4}$.", False)
case(k, "$250$", "The answer is: the smallest such $m$ equals 250.", True)
case(k, "$1/4$", "Final Answer: The final answer is $\\frac{1}{4}$. I hope it is correct.", True)

# ---- units and text inside the answer
k = "units_text"
case(k, "$125$ miles", "The trip is $\\boxed{125\\textnormal{ miles}}.$", True)
case(k, "$125$ miles", "The trip is $\\boxed{152\\textnormal{ miles}}.$", False)
case(k, "$40$", "So the side is $\\boxed{40\\text{ cm}}$.", True)
case(k, "$18\\mbox{ cm}^2$", "$\\boxed{18}$", True)
case(k, "$1/3$", "$\\frac{1}{3} \\text{liters}$", True)
case(k, "$33333$", "is $\\boxed{33,\\! 333}$", True)
case(k, "$1234567$", "is $\\boxed{1,\\!234,\\!567}$", True)
case(k, "$45\\%$", "45 percent", True)
case(k, "$45\\%$", "$45$ %", True)
case(k, "$45\\%$", "$\\boxed{45 pct}$", True)
case(k, "$45\\%$", "$\\boxed{54\\%}$", False)
case(k, "$60^\\circ$", "so the angle is $\\boxed{60^{\\circ}}$", True)
case(k, "$12 \\text{ cm}$", "$\\boxed{12 \\text{ m}}$", False)
case(k, "$\\text{Tuesday}$", "The meeting falls on $\\boxed{\\text{Tuesday}}$.", True)
case(k, "$\\text{Tuesday}$", "The meeting falls on $\\boxed{\\text{Monday}}$.", False)
case(k, "$\\text{13}$", "$13$", True)

# ---- multiple choice phrasing
k = "choice"
case(k, "$C$", "Final answer is C", True)
case(k, "$C$", "Final answer is D", False)
case(k, "$\\text{(B)}$", "B. Because the other options fail the parity check.", True)
case(k, "$\\text{(B)}$", "A. Because it is the only even one.", False)
case(k, "$D$", "$\\boxed{\\text{D}}$", True)
case(k, "$D$", "\\(\\boxed{\\text{(D)}}\\).", True)
case(k, "$E$", "$\\text{E}$", True)
case(k, "$A$", "$\\boxed{B}$", False)

# ---- relations
k = "relations"
case(k, "$x \\geq 3$", "Hence $x >= 3$ holds.", True)
case(k, "$x > 3$", "Hence $x \\gt 3$.", True)
case(k, "$x < -2$", "We need $x \\lt -2$.", True)
case(k, "$y \\le 4$", "Thus $y <= 4$.", True)
case(k, "$x \\ne 1$", "so $x != 1$", True)
case(k, "$x \\neq 1$", "so $x \\ne 1$", True)
case(k, "$x \\leq 6$", "$6 \\geq x$", True)
case(k, "$x \\geq 6$", "$6 \\leq x$", True)
case(k, "$x > 6$", "$6 > x$", False)
case(k, "$x \\geq 6$", "$x \\leq 6$", False)
case(k, "$x > 2$", "$x \\geq 2$", False)
case(k, "$t < 5$", "$-t > -5$", True)
case(k, "$t < 5$", "$t > -5$", False)
case(k, "$2x < 8$", "$x < 4$", True)
case(k, "$-1 \\le x \\le 4$", "$-1 \\leq x \\leq 4$", True)
case(k, "$-1 \\le x \\le 4$", "$4 \\geq x \\geq -1$", True)
case(k, "$-1 \\le x \\le 4$", "$-1 < x \\le 4$", False)
case(k, "$x = 9$", "$x = 4+3+2 = 9$", True)
case(k, "$x = 9$", "$x = 4+3+2 = 10$", False)
case(k, "$3x + 6y - 9 = 0$", "$x + 2y = 3$", True)
case(k, "$3x + 6y - 9 = 0$", "$x + 2y = 4$", False)
case(k, "$a - b + 2 = 0$", "$-a + b - 2 = 0$", True)
case(k, "$5 = 2p+q$", "$2p+q$", False)
case(k, "$m + 4n = 0$", "$0$", False)
case(k, "$\\frac{x^2}{9} + \\frac{y^2}{4} = 1$", "$4x^2 + 9y^2 = 36$", True)

# ---- relations and sets / intervals
k = "set_relation"
case(k, "$-3 \\le x \\le 5$", "$x \\in [-3,5]$", True)
case(k, "$-3 \\le x \\le 5$", "$x \\in [-3,5)$", False)
case(k, "$x \\in [-3,5]$", "$-3 \\le x \\le 5$", False)
case(k, "$x \\in [-3,5]$", "$-3 \\le x \\le 5$", True, allow_set_relation=True)
case(k, "$x > 1$", "$(1, \\infty)$", True)
case(k, "$x \\geq 1$", "$(1, \\infty)$", False)
case(k, "$[2, \\infty)$", "$x \\ge 2$", True, allow_set_relation=True)
case(k, "$[2, \\infty)$", "$x \\ge 2$", False)
case(k, "$(0, 4)$", "$x \\in (0,4)$", True)
case(k, "$(0, 4)$", "$x \\in [0,4)$", False)

# ---- labelled answers
k = "labelled"
case(k, "$PQ=6, QR=8$", "$6, 8$", True)
case(k, "$PQ=6, QR=8$", "$6, 9$", False)
case(k, "$6, 8$", "$PQ = 6$, $QR = 8$ so $\\boxed{PQ=6, QR=8}$", True)
case(k, "$a=2, b=-1$", "$2, -1$", True)
case(k, "$\\angle ABC = 40$", "$40$", True)
case(k, "$k = 7$", "$7$", True)
case(k, "$7$", "$k = 7$", True)
case(k, "$7$", "$k = 8$", False)
case(k, "$11$", "$n\\approx11$", True)
case(k, "$1/4$", "$p=1/4\\approx0.3$", True)

# ---- tuples and sets
k = "tuples_sets"
case(k, "$(2,5)$", "${2,5}$", True)
case(k, "$(5,2)$", "${2,5}$", False)
case(k, "$(2,5)$", "$\\{2,5\\}$", False)
case(k, "$(2,5)$", "$\\{2,5\\}$", True, strict=False)
case(k, "$\\{2,5\\}$", "$(5,2)$", True)
case(k, "$\\{2,5\\}$", "$\\{5,2\\}$", True)
case(k, "$(1, \\frac{7}{2})$", "$(1, 3.5)$", True)
case(k, "$(1, \\frac{7}{2})$", "$(3.5, 1)$", False)
case(k, "$(a,b,c) = (4, -2, 1)$", "We find $(a,b,c)=\\boxed{(4,-2,1)}$.", True)
case(k, "$(\\tfrac{5}{2},\\tfrac{1}{2})$", "$\\left( \\frac{5}{2}, \\frac{1}{2} \\right)$", True)
case(k, "$[0,3)$", "$[0,3)$", True)
case(k, "$[0,3)$", "$(0,3)$", False)
case(k, "$(-\\infty, 1) \\cup (2, \\infty)$", "$(2,\\infty)\\cup(-\\infty,1)$", True)
case(k, "$\\{-2\\} \\cup [1,4)$", "$x \\in \\boxed{\\{-2\\} \\cup [1,4)}$", True)

# ---- lists with other separators and duplicates
k = "lists"
case(k, "$2, 7$", "$2; 7$", True)
case(k, "$2, 7$", "$2 \\text{ or } 7$", True)
case(k, "$2, 7$", "$7 \\text{ and } 2$", True)
case(k, "$2, 7$", "$2, 7, 7$", True)
case(k, "$2, 7$", "$2, 7, 8$", False)
case(k, "$30$", "$30 \\text{ or } 31$", False)
case(k, "$30$", "$30, 31$", False)
case(k, "$1 \\pm \\sqrt{5}$", "$1+\\sqrt5, 1-\\sqrt5$", True)
case(k, "$1 \\pm \\sqrt{5}$", "$1+\\sqrt5$", False)
case(k, "$-1, 4$", "$4, -1$", True)

# ---- matrices
k = "matrices"
case(k, r"$\begin{pmatrix}2 & 0 \\ 0 & 2\end{pmatrix}$", r"The matrix is $\begin{pmatrix}2 & 0 \\ 0 & 2\end{pmatrix}$.", True)
case(k, r"$\begin{pmatrix}2 & 0 \\ 0 & 2\end{pmatrix}$", r"$\begin{bmatrix}2 & 0 \\ 0 & 2\end{bmatrix}$", True)
case(k, r"$\begin{pmatrix}2 & 0 \\ 0 & 2\end{pmatrix}$", r"$\left[\begin{array}{cc}2 & 0 \\ 0 & 2\end{array}\right]$", True)
case(k, r"$\begin{pmatrix}2 & 0 \\ 0 & 2\end{pmatrix}$", r"$\begin{pmatrix}2 & 0 \\ 0 & 3\end{pmatrix}$", False)
case(k, r"$\begin{pmatrix}2 & 0 \\ 0 & 2\end{pmatrix}$", r"$\begin{pmatrix}2 & 0 & 0 \\ 0 & 2 & 0\end{pmatrix}$", False)
case(k, r"$\begin{pmatrix}\frac{1}{4} & 1 \\ -2 & \frac{3}{2}\end{pmatrix}$", r"$\begin{pmatrix}0.25 & 1 \\ -2 & 1.5\end{pmatrix}$", True)
case(k, r"$\begin{pmatrix}3 & 5 \\ 7 & 9\end{pmatrix}$", r"$\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix} + \begin{pmatrix}2 & 3 \\ 4 & 5\end{pmatrix}$", True)
case(k, r"$\begin{pmatrix}3 & 5 \\ 7 & 9\end{pmatrix}$", r"$\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix} + \begin{pmatrix}2 & 3 \\ 4 & 6\end{pmatrix}$", False)
case(k, r"$\begin{pmatrix}2 & 1 \\ 4 & 3\end{pmatrix}$", r"$\begin{pmatrix}0 & 1 \\ 1 & 0\end{pmatrix}\begin{pmatrix}4 & 3 \\ 2 & 1\end{pmatrix}$", True)
case(k, r"$\begin{pmatrix}-1 \\ 5\end{pmatrix}$", r"$\begin{pmatrix}-1 \\ 5\end{pmatrix}$", True)
case(k, r"$\begin{pmatrix}-1 \\ 5\end{pmatrix}$", r"$\begin{pmatrix}5 \\ -1\end{pmatrix}$", False)
case(k, r"$\begin{pmatrix} x & 0 \\ 0 & \sin x \end{pmatrix}$", r"$\begin{pmatrix} x & 0 \\ 0 & \sin(x) \end{pmatrix}$", True)

# ---- decimals against exact values at a precision
k = "precision"
case(k, "$\\frac{1}{12}$", "$0.0833333$", True)
case(k, "$\\frac{1}{12}$", "$0.0833$", False)
case(k, "$\\frac{2}{3}$", "$0.6666667$", True)
case(k, "$\\frac{2}{3}$", "$0.67$", False)
case(k, "$\\frac{2}{3}$", "$0.67$", True, float_rounding=2)
case(k, "$\\frac{1}{7}$", "$0.143$", True, float_rounding=3)
case(k, "$\\frac{1}{7}$", "$0.143$", False, float_rounding=4)
case(k, "$\\sqrt{3}$", "1.7320508075688772", True)
case(k, "$\\sqrt{3}$", "1.7320", False)
case(k, "$(\\frac{2}{5}, \\frac{7}{3}]$", "$(0.4, 2.33]$", True, float_rounding=2)
case(k, "$(\\frac{2}{5}, \\frac{7}{3}]$", "$(0.4, 2.34]$", False, float_rounding=2)
case(k, "$3$", "$3\\sqrt{3}$", False)
case(k, "$\\pi$", "3.14159265", True)
case(k, "$\\pi$", "3.14", False)

# ---- symbolic identities checked numerically
k = "numeric_identity"
case(k, "$\\cot^2 t + 1$", "$\\csc^2 t$", True)
case(k, "$\\cot^2 t + 1$", "$\\sec^2 t$", False)
case(k, "$\\sin^2 a + \\cos^2 a$", "$1$", True)
case(k, "$\\sin^2 a - \\cos^2 a$", "$1$", False)
case(k, "$2\\sin x \\cos x$", "$\\sin(2x)$", True)
case(k, "$2\\sin x \\cos x$", "$\\cos(2x)$", False)
case(k, "$\\frac{y+3}{5}$", "$\\frac{y}{5}+\\frac{3}{5}$", True)
case(k, "$\\frac{y+3}{5}$", "$\\frac{y}{5}+3$", False)
case(k, "$(m+2)(m-2)$", "$m^2-4$", True)
case(k, "$(m+2)(m-2)$", "$m^2+4$", False)
case(k, "$\\frac{1}{2\\sqrt{u}}$", "$\\frac{u^{-1/2}}{2}$", True)
case(k, "$\\ln(e^{2})$", "$2\\ln e$", True)
case(k, "$\\frac{r^2-1}{r-1}$", "$r+1$", True)
case(k, "$\\sqrt{q^2}$", "$q$", False)
case(k, "$f(x)$", "$f(y)$", False)
case(k, "$f(x)$", "$f(y)$", True, strict=False)
case(k, "$e^{2k}$", "$(e^k)^2$", True)

# ---- huge values get a verdict
k = "magnitudes"
case(k, "$10^{10^{10}}$", "$10^{10^{10}}$", True)
case(k, "$10^{10^{10}}$", "$10^{10^{11}}$", False)
case(k, "$1000!$", "$1000!$", True)
case(k, "$1000!$", "$999!$", False)
case(k, "$2^{100}$", "$1267650600228229401496703205376$", True)
case(k, "$2^{100}$", "$1267650600228229401496703205377$", False)
case(k, "$9^{9^{9}}$", "$9^{9^9}$", True)


with open(os.path.join(HERE, "edge_cases.jsonl"), "w") as f:
    for c in C:
        f.write(json.dumps(c, ensure_ascii=False) + "\n")
print(f"wrote {len(C)} cases")
