/// IFEval's rule-based sentence splitter (`instructions_util.split_into_sentences`), which IFBench uses
/// for its sentence instructions: periods in titles (Mr.), decimals, initials, acronyms, web addresses
/// and ellipses do not end a sentence; `.`, `?` and `!` do, with closing quotes kept in the sentence.
/// IFEval's own sentence *count* uses NLTK's Punkt model; this splitter stands in for it.
enum SentenceSplitter {
    private static let alphabets = "([A-Za-z])"
    private static let starters = "(Mr|Mrs|Ms|Dr|Prof|Capt|Cpt|Lt|He\\s|She\\s|It\\s|They\\s|Their\\s|Our\\s|We\\s|But\\s|However\\s|That\\s|This\\s|Wherever)"
    private static let prefixes = Pattern("(Mr|St|Mrs|Ms|Dr)[.]")
    private static let websites = Pattern("[.](com|net|org|io|gov|edu|me)")
    private static let digits = Pattern("([0-9])[.]([0-9])")
    private static let multipleDots = Pattern("\\.{2,}")
    private static let singleLetter = Pattern("\\s" + alphabets + "[.] ")
    private static let acronymStarter = Pattern("([A-Z][.][A-Z][.](?:[A-Z][.])?) " + starters)
    private static let threeLetters = Pattern(alphabets + "[.]" + alphabets + "[.]" + alphabets + "[.]")
    private static let twoLetters = Pattern(alphabets + "[.]" + alphabets + "[.]")
    private static let suffixStarter = Pattern(" (Inc|Ltd|Jr|Sr|Co)[.] " + starters)
    private static let suffixes = Pattern(" (Inc|Ltd|Jr|Sr|Co)[.]")
    private static let spaceLetter = Pattern(" " + alphabets + "[.]")

    static func split(_ input: String) -> [String] {
        var text = " " + input + "  "
        text = text.replacingOccurrences(of: "\n", with: " ")
        text = prefixes.replace(text, with: "$1<prd>")
        text = websites.replace(text, with: "<prd>$1")
        text = digits.replace(text, with: "$1<prd>$2")
        // Each run of dots becomes protected periods followed by a sentence stop.
        var rebuilt = ""
        var lastEnd = text.startIndex
        for run in multipleDots.re.matches(in: text, options: [], range: NSRange(text.startIndex..., in: text)) {
            guard let r = Range(run.range, in: text) else { continue }
            rebuilt += text[lastEnd..<r.lowerBound]
            rebuilt += String(repeating: "<prd>", count: text[r].count) + "<stop>"
            lastEnd = r.upperBound
        }
        rebuilt += text[lastEnd...]
        text = rebuilt
        if text.contains("Ph.D") { text = text.replacingOccurrences(of: "Ph.D.", with: "Ph<prd>D<prd>") }
        text = singleLetter.replace(text, with: " $1<prd> ")
        text = acronymStarter.replace(text, with: "$1<stop> $2")
        text = threeLetters.replace(text, with: "$1<prd>$2<prd>$3<prd>")
        text = twoLetters.replace(text, with: "$1<prd>$2<prd>")
        text = suffixStarter.replace(text, with: " $1<stop> $2")
        text = suffixes.replace(text, with: " $1<prd>")
        text = spaceLetter.replace(text, with: " $1<prd>")
        text = text.replacingOccurrences(of: ".\u{201D}", with: "\u{201D}.")
        text = text.replacingOccurrences(of: ".\"", with: "\".")
        text = text.replacingOccurrences(of: "!\"", with: "\"!")
        text = text.replacingOccurrences(of: "?\"", with: "\"?")
        text = text.replacingOccurrences(of: ".", with: ".<stop>")
        text = text.replacingOccurrences(of: "?", with: "?<stop>")
        text = text.replacingOccurrences(of: "!", with: "!<stop>")
        text = text.replacingOccurrences(of: "<prd>", with: ".")
        var sentences = text.components(separatedBy: "<stop>").map { $0.trimmingWhitespace() }
        if let last = sentences.last, last.isEmpty { sentences.removeLast() }
        return sentences
    }
}

import Foundation
