import Testing
import Curation

/// Matrices in any environment, and sums and products of numeric matrices.
struct MatrixTests {
    func eq(_ gold: String, _ candidate: String) -> Bool { AnswerEquivalence.equivalent(gold, candidate) }
    let m = "\\begin{pmatrix}3 & -1 \\\\ 0 & 4\\end{pmatrix}"

    @Test func environmentsAgree() {
        #expect(eq("$" + m + "$", "The answer is $\\begin{bmatrix}3 & -1 \\\\ 0 & 4\\end{bmatrix}$."))
        #expect(eq("$" + m + "$", "$\\left[\\begin{array}{cc}3 & -1 \\\\ 0 & 4\\end{array}\\right]$"))
        #expect(eq("$" + m + "$", "$$\\begin{pmatrix} 3 & -1 \\\\\n 0 & 4 \\\\ \\end{pmatrix}$$"))
    }

    @Test func entriesAndShapesMatter() {
        #expect(!eq("$" + m + "$", "$\\begin{pmatrix}3 & -1 \\\\ 0 & 5\\end{pmatrix}$"))
        #expect(!eq("$" + m + "$", "$\\begin{pmatrix}3 & 0 \\\\ -1 & 4\\end{pmatrix}$"))
        #expect(!eq("$" + m + "$", "$\\begin{pmatrix}3 & -1 & 0 & 4\\end{pmatrix}$"))
    }

    @Test func entriesCompareAsAnswers() {
        #expect(eq("$\\begin{pmatrix}\\frac{1}{5} & 2 \\\\ \\sqrt{4} & -\\frac{3}{2}\\end{pmatrix}$", "$\\begin{pmatrix}0.2 & 2 \\\\ 2 & -1.5\\end{pmatrix}$"))
        #expect(eq("$\\begin{pmatrix}\\cos t & -\\sin t \\\\ \\sin t & \\cos t\\end{pmatrix}$", "$\\begin{pmatrix}\\cos(t) & -\\sin(t) \\\\ \\sin(t) & \\cos(t)\\end{pmatrix}$"))
    }

    @Test func arithmetic() {
        #expect(eq("$\\begin{pmatrix}4 & 1 \\\\ 2 & 9\\end{pmatrix}$", "$\\begin{pmatrix}1 & 0 \\\\ 2 & 5\\end{pmatrix} + \\begin{pmatrix}3 & 1 \\\\ 0 & 4\\end{pmatrix}$"))
        #expect(eq("$\\begin{pmatrix}-2 & -1 \\\\ 2 & 1\\end{pmatrix}$", "$\\begin{pmatrix}1 & 0 \\\\ 2 & 5\\end{pmatrix} - \\begin{pmatrix}3 & 1 \\\\ 0 & 4\\end{pmatrix}$"))
        // [[1,2],[0,1]] times [[3,0],[1,1]] = [[5,2],[1,1]].
        #expect(eq("$\\begin{pmatrix}5 & 2 \\\\ 1 & 1\\end{pmatrix}$", "$\\begin{pmatrix}1 & 2 \\\\ 0 & 1\\end{pmatrix}\\begin{pmatrix}3 & 0 \\\\ 1 & 1\\end{pmatrix}$"))
        #expect(!eq("$\\begin{pmatrix}5 & 2 \\\\ 1 & 1\\end{pmatrix}$", "$\\begin{pmatrix}3 & 0 \\\\ 1 & 1\\end{pmatrix}\\begin{pmatrix}1 & 2 \\\\ 0 & 1\\end{pmatrix}$"))
        // Shapes that do not multiply give no value, so no match.
        #expect(!eq("$\\begin{pmatrix}1\\end{pmatrix}$", "$\\begin{pmatrix}1 & 2\\end{pmatrix}\\begin{pmatrix}1 & 2\\end{pmatrix}$"))
    }

    @Test func columnVectorAgainstATuple() {
        #expect(eq("$\\begin{pmatrix}2 \\\\ -7\\end{pmatrix}$", "$(2, -7)$"))
        #expect(eq("$(\\begin{pmatrix}\\frac{1}{4} \\\\ 3\\end{pmatrix})$", "$\\begin{pmatrix}0.25 \\\\ 3\\end{pmatrix}$"))
        #expect(!eq("$\\begin{pmatrix}2 \\\\ -7\\end{pmatrix}$", "$(-7, 2)$"))
    }
}
