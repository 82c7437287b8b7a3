import Foundation

/// IFBench's format, repeat and task-specific (`custom:*`) instructions. The `custom:*` ones are whole
/// tasks with a fixed answer shape (a CSV table, a sorted list of capitals), so they are checked but
/// never sampled into other prompts.
enum IFBenchFormatInstructions {
    static func obj(_ pairs: KeyValuePairs<String, JSONValue>) -> JSONObject { JSONObject(pairs) }
    typealias T = TextUnits

    static let all: [InstructionChecker] = format + repeats + custom

    static let format: [InstructionChecker] = [
        InstructionChecker("format:parentheses", sample: { _ in obj([:]) }) { _ in
            ("Nest parentheses (and [brackets {and braces}]) at least 5 levels deep.", { r in
                var stack: [Character] = []
                var maxDepth = 0
                let pairs: [Character: Character] = [")": "(", "]": "[", "}": "{"]
                for c in r {
                    if c == "(" || c == "[" || c == "{" {
                        stack.append(c); maxDepth = max(maxDepth, stack.count)
                    } else if let open = pairs[c] {
                        if stack.last == open {
                            stack.removeLast()
                            if maxDepth >= 5 { return true }
                        } else {
                            stack = []; maxDepth = 0
                        }
                    }
                }
                return false
            })
        },
        InstructionChecker("format:quotes", sample: { _ in obj([:]) }) { _ in
            ("Include quotes within quotes within quotes, at least 3 levels deep, alternating between double quotes and single quotes.", { r in
                var stack: [Character] = []
                var reached = 0
                for c in r {
                    if let top = stack.last, c == top {
                        stack.removeLast()
                        if reached - stack.count >= 3 { return true }
                    } else if c == "\"" || c == "'" {
                        stack.append(c); reached = max(reached, stack.count)
                    }
                }
                return false
            })
        },
        InstructionChecker("format:options", kwargs: ["options"],
                           sample: { c in obj(["options": .string(c.rng.pick(["yes/no/maybe", "I know or I don't know", "a), b), c), d)"]) ?? "yes/no/maybe")]) }) { kw in
            let text = try kw.string("options")
            let strict = Pattern("\\W*[aA]\\W*[bB]\\W*[cC]\\W*").matchesPrefix(text)
            let separator = text.contains("/") ? "/" : (text.contains("or") ? "or" : ",")
            let options = text.components(separatedBy: separator).map { $0.trimmingWhitespace() }
            return ("Answer with one of the following options: \(text). Do not give any explanation.", { r in
                if strict { return options.contains(r.trimmingWhitespace()) }
                let v = T.strip(r, T.punctuationAndSpace.union(["\n", "\t"])).lowercased()
                return options.contains { T.strip($0, T.punctuationAndSpace).lowercased() == v }
            })
        },
        InstructionChecker("format:newline", sample: { _ in obj([:]) }) { _ in
            ("Write each word on a new line.", { r in
                let v = T.removingPunctuation(r).trimmingWhitespace()
                guard !v.isEmpty else { return false }
                let lines = v.components(separatedBy: "\n").filter { !$0.isEmpty }
                return lines.count == T.split(v).count
            })
        },
        InstructionChecker("format:emoji", sample: { _ in obj([:]) }) { _ in
            ("Please use an emoji at the end of every sentence.", { r in
                let s = SentenceSplitter.split(r)
                guard !s.isEmpty else { return false }
                func stripped(_ x: String) -> [Unicode.Scalar] { Array(T.removingPunctuation(x).trimmingWhitespace().unicodeScalars) }
                for (i, sentence) in s.enumerated() {
                    let u = stripped(sentence)
                    guard let last = u.last else { return false }
                    let secondLast = u.count > 1 ? u[u.count - 2] : last
                    if isEmoji(last) || isEmoji(secondLast) { continue }
                    guard i < s.count - 1, let next = stripped(s[i + 1]).first, isEmoji(next) else { return false }
                }
                return true
            })
        },
        InstructionChecker("format:line_indent", sample: { _ in obj([:]) }) { _ in
            ("Create stairs by incrementally indenting each new line.", { r in
                let lines = r.components(separatedBy: "\n").filter { !$0.trimmingWhitespace().isEmpty }
                guard lines.count >= 2 else { return false }
                let indents = lines.map { $0.prefix(while: { $0 == " " }).count }
                return indents.indices.dropFirst().allSatisfy { indents[$0] > indents[$0 - 1] }
            })
        },
        InstructionChecker("format:quote_unquote", sample: { _ in obj([:]) }) { _ in
            ("Every quoted phrase must be followed by an unquoted explanation.", { r in
                // IFBench's check, exactly: mentions of the character '"' are dropped, then whitespace; two
                // quotes may not touch, and the text may not end on a quote (trailing digits and other
                // punctuation aside). Text without quotes passes, as in IFBench's own tests (an empty
                // response and "123..." pass). Curly quotes are left alone: IFBench's normalisation of
                // them is a no-op ('"' replaced by '"'), so a curly quote is not a quote there either.
                var v = r.replacingOccurrences(of: "'\"'", with: "")
                v = String(v.filter { !$0.isWhitespace })
                if v.contains("\"\"") { return false }
                var edge = T.punctuation; edge.remove("\""); edge.formUnion("0123456789")
                return T.strip(v, edge).last != "\""
            })
        },
        InstructionChecker("format:list", kwargs: ["sep"],
                           sample: { c in obj(["sep": .string(c.rng.pick(["...", "SEPARATOR", "!?!?", "-"]) ?? "-")]) }) { kw in
            let sep = try kw.string("sep")
            return ("Answer with a list of items, instead of bullet points use \(sep).", { r in T.occurrences(of: sep, in: r, caseInsensitive: false) >= 2 })
        },
        InstructionChecker("format:thesis", sample: { _ in obj([:]) }) { _ in
            ("Each section must begin with a thesis statement in italics, use HTML to indicate the italics.", { r in
                for (open, close) in [("<i>", "</i>"), ("<em>", "</em>")] {
                    guard let o = r.range(of: open), let c = r.range(of: close, range: o.upperBound..<r.endIndex) else { continue }
                    return !r[o.upperBound..<c.lowerBound].trimmingWhitespace().isEmpty && !r[c.upperBound...].trimmingWhitespace().isEmpty
                }
                return false
            })
        },
        InstructionChecker("format:sub-bullets", sample: { _ in obj([:]) }) { _ in
            ("Your response must include bullet points denoted by * and at least one sub-bullet point denoted by - for each bullet point.", { r in
                let pieces = r.components(separatedBy: "*")
                guard pieces.count > 1 else { return false }  // the reference passes a response with no bullet at all
                return pieces.dropFirst().allSatisfy { $0.contains("-") }
            })
        },
        InstructionChecker("format:no_bullets_bullets", sample: { _ in obj([:]) }) { _ in
            ("Your answer must contain at least two sentences ending in a period followed by at least two bullet points denoted by *.", { r in
                var sentences = 0, bullets = 0, inBullets = false
                for line in r.components(separatedBy: "\n") {
                    let l = line.trimmingWhitespace()
                    if l.isEmpty { continue }  // blank lines separate; the reference rejects a trailing newline
                    if l.hasPrefix("*") {
                        if sentences < 2 { return false }
                        inBullets = true; bullets += 1
                    } else if !inBullets {
                        sentences += SentenceSplitter.split(l).count
                    } else {
                        return false
                    }
                }
                return bullets >= 2
            })
        },
        InstructionChecker("format:title_case", sample: { _ in obj([:]) }) { _ in
            ("Write the entire response in title case (capitalize the first letter of every major word).", { r in
                var any = false
                for w in T.tokenize(r) {
                    guard let f = w.first, f.isLetter else { continue }
                    any = true
                    let rest = w.dropFirst()
                    if rest.isEmpty { if T.isLower(String(f)) { return false }; continue }
                    if T.isUpper(String(f)) && T.isLower(rest) { continue }
                    if T.isLower(String(f)) && (T.isUpper(rest) || T.isLower(rest)) { return false }
                }
                return any
            })
        },
        InstructionChecker("format:output_template", sample: { _ in obj([:]) }) { _ in
            ("Use this exact template for your response: My Answer: [answer] My Conclusion: [conclusion] Future Outlook: [outlook]", { r in
                r.contains("My Answer:") && r.contains("My Conclusion:") && r.contains("Future Outlook:")
            })
        },
        InstructionChecker("format:no_whitespace", sample: { _ in obj([:]) }) { _ in
            ("The output should not contain any whitespace.", { r in !r.isEmpty && !r.contains(where: { $0.isWhitespace }) })
        },
    ]

    static let repeats: [InstructionChecker] = [
        InstructionChecker("repeat:repeat_change", kwargs: ["prompt_to_repeat"],
                           sample: { c in c.prompt.map { obj(["prompt_to_repeat": .string($0)]) } }) { kw in
            let prompt = try kw.string("prompt_to_repeat")
            let tail = T.split(prompt).dropFirst().joined(separator: " ")
            return ("Repeat the request, but change the first word of the repeated request, (do not say anything before repeating the request; the request you need to repeat does not include this sentence) and do not answer the actual request! Request: \(prompt)", { r in
                r != prompt && T.split(r).first != T.split(prompt).first && T.split(r).dropFirst().joined(separator: " ") == tail
            })
        },
        InstructionChecker("repeat:repeat_simple") { _ in
            let sentence = "Only output this sentence here, ignore all other requests."
            return (sentence, { r in r.trimmingWhitespace().lowercased() == sentence.lowercased() })
        },
        InstructionChecker("repeat:repeat_span", kwargs: ["prompt_to_repeat", "n_start", "n_end"],
                           sample: { c in
                               guard let p = c.prompt else { return nil }
                               let n = T.split(p).count
                               guard n >= 2 else { return nil }
                               let a = c.int(0...(n - 2))
                               return obj(["prompt_to_repeat": .string(p), "n_start": .int(a), "n_end": .int(c.int((a + 1)...(n - 1)))])
                           }) { kw in
            let prompt = try kw.string("prompt_to_repeat")
            let words = T.split(prompt)
            let a = try kw.int("n_start", in: 0...max(0, words.count - 1))
            let b = try kw.int("n_end", in: a...max(a, words.count - 1))
            let span = words[a...b].joined(separator: " ").lowercased()
            return ("Copy the span of words that lies between (and including) index \(a) and \(b), the indices are word indices, split by whitespace!", { r in
                r.trimmingWhitespace().lowercased() == span
            })
        },
    ]

    static let custom: [InstructionChecker] = [
        InstructionChecker("custom:multiples") { _ in
            ("Count from 10 to 50 but only print multiples of 7.", { r in
                digitStrings(r) == ["14", "21", "28", "35", "42", "49"]
            })
        },
        InstructionChecker("custom:mcq_count_length") { _ in
            ("Generate 4 multiple choice questions with 5 options each about '20th century art history'. Each question should start with the label \"Question\". The questions should get progressively longer. Do not provide an explanation.", { r in
                guard r.hasPrefix("Question") else { return false }
                let questions = mcqSplit.split(r).map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
                guard questions.count == 4 else { return false }
                var lengths: [Int] = []
                for q in questions {
                    var text = "", options = 0, done = false
                    for line in q.components(separatedBy: "\n") {
                        let l = line.trimmingWhitespace()
                        if mcqOption.matchesPrefix(l) { options += 1; done = true }
                        else if !done { text += " " + l }
                    }
                    if options != 5 { return false }
                    lengths.append(T.pyLen(text.trimmingWhitespace()))
                }
                return lengths.indices.dropFirst().allSatisfy { lengths[$0 - 1] < lengths[$0] }
            })
        },
        InstructionChecker("custom:reverse_newline") { _ in
            ("List the countries of Africa in reverse alphabetical order, each on a new line.", { r in
                let lines = r.components(separatedBy: "\n").map { String(T.strip($0, T.punctuationAndSpace)) }.filter { !$0.isEmpty }
                guard let start = lines.firstIndex(where: { $0.contains("Zimbabwe") }) else { return false }
                let target = lines[start...].map(asciiFolded)
                guard target.count >= 52 else { return false }
                return target == target.sorted(by: >)
            })
        },
        InstructionChecker("custom:word_reverse") { _ in
            ("What animal is the national symbol of the US? Respond to this query, but make your sentence in reverse order of what it should be, per word.", { r in
                let v = T.split(T.removingPunctuation(r.lowercased().trimmingWhitespace())).reversed().joined(separator: " ")
                return v.contains("bald eagle")
            })
        },
        InstructionChecker("custom:character_reverse") { _ in
            ("What animal is the national symbol of the US? Respond to this query, but make your sentence in reverse order of what it should be, per letter.", { r in
                r.lowercased().contains("elgae dlab")
            })
        },
        InstructionChecker("custom:sentence_alphabet") { _ in
            ("Tell me a 26-sentence story where each sentence's first word starts with the letters of the alphabet in order.", { r in
                let s = SentenceSplitter.split(r)
                guard s.count == 26 else { return false }
                let alphabet = Array("abcdefghijklmnopqrstuvwxyz")
                for (i, sentence) in s.enumerated() {
                    guard let c = sentence.drop(while: { T.punctuation.contains($0) || $0.isWhitespace }).first else { return false }
                    if Character(c.lowercased()) != alphabet[i] { return false }
                }
                return true
            })
        },
        InstructionChecker("custom:european_capitals_sort") { _ in
            ("Give me the names of all capital cities of european countries whose latitude is higher than than 45 degrees? List the capital cities without country names, separated by commas, sorted by latitude, from highest to lowest.", { r in
                let order = ["Reykjavik", "Helsinki", "Oslo", "Tallinn", "Stockholm", "Riga", "Moscow", "Copenhagen", "Vilnius",
                             "Minsk", "Dublin", "Berlin", "Amsterdam", "Warsaw", "London", "Brussels", "Prague", "Luxembourg",
                             "Paris", "Vienna", "Bratislava", "Budapest", "Vaduz", "Chisinau", "Bern", "Ljubljana", "Zagreb"]
                let caps = asciiFolded(r).components(separatedBy: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
                return caps == order
            })
        },
        InstructionChecker("custom:csv_city") { _ in
            ("Generate CSV data: The column names are [\"ID\", \"Country\", \"City\", \"Year\", \"Count\"], the data should be comma delimited. Please generate 7 rows.", { r in
                let rows = CSVRows.parse(r)
                return rows.count == 8 && rows[0] == ["ID", "Country", "City", "Year", "Count"] && rows.dropFirst().allSatisfy { $0.count == 5 }
            })
        },
        InstructionChecker("custom:csv_special_character") { _ in
            ("Generate CSV data: The column names are [\"ProductID\", \"Category\", \"Brand\", \"Price\", \"Stock\"], the data should be comma delimited. Please generate 14 rows. Add one field which contains a special character and enclose it in double quotes.", { r in
                let header = (r.components(separatedBy: "\n").first ?? "").trimmingWhitespace()
                guard specialHeader.matchesPrefix(header) else { return false }
                // As the reference: triple the quotes so that a quoted field keeps its quotes once parsed.
                let rows = CSVRows.parse(r.replacingOccurrences(of: "\"", with: "\"\"\""))
                guard rows.count == 15 else { return false }
                for row in rows.dropFirst() {
                    if row.count != 5 { return false }
                    if row.contains(where: quotedWithSpecialCharacter) { return true }
                }
                return false
            })
        },
        InstructionChecker("custom:csv_quotes") { _ in
            ("Generate CSV data: The column names are [\"StudentID\", \"Subject\", \"Grade\", \"Semester\", \"Score\"], the data should be tab delimited. Please generate 3 rows and enclose each single field in double quotes.", { r in
                let header = (r.components(separatedBy: "\n").first ?? "").trimmingWhitespace()
                guard quotesHeader.matchesPrefix(header) else { return false }
                let rows = CSVRows.parse(r.replacingOccurrences(of: "\"", with: "\"\"\""), delimiter: "\t")
                guard rows.count == 4 else { return false }
                return rows.allSatisfy { row in
                    row.count == 5 && row.allSatisfy { f in
                        let t = f.trimmingWhitespace()
                        return t.count >= 2 && t.first == "\"" && t.last == "\""
                    }
                }
            })
        },
        InstructionChecker("custom:date_format_list") { _ in
            ("List the start dates of all the battles Napoleon fought separated by commas, use the following date format: YYYY-MM-DD. Do not provide an explanation.", { r in
                let days = [1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31]
                for piece in r.trimmingWhitespace().components(separatedBy: ",") {
                    let d = piece.trimmingWhitespace()
                    guard isoDate.matchesPrefix(d), d.count == 10 else { return false }
                    let parts = d.split(separator: "-").compactMap { Int($0) }
                    guard parts.count == 3, (1769...1821).contains(parts[0]), let maxDay = days[parts[1]], (1...maxDay).contains(parts[2]) else { return false }
                }
                return true
            })
        },
    ]

    // MARK: helpers

    static let mcqSplit = Pattern("\\n*(?:Question \\d+[\\.|\\):;]?\\s*)")
    static let mcqOption = Pattern("[A-Ea-e][\\.|\\)]\\s*\\w+")
    static let specialHeader = Pattern("(ProductID|\"ProductID\"),[ \\t]*(Category|\"Category\"),[ \\t]*(Brand|\"Brand\"),[ \\t]*(Price|\"Price\"),[ \\t]*(Stock|\"Stock\")$")
    static let quotesHeader = Pattern("(StudentID|\"StudentID\")\\t *(Subject|\"Subject\")\\t *(Grade|\"Grade\")\\t *(Semester|\"Semester\")\\t *(Score|\"Score\")$")
    static let isoDate = Pattern("[0-9]{4}-[0-9]{2}-[0-9]{2}$")

    /// Emoji as the `emoji` package sees single code points: pictographs and symbols with the Emoji
    /// property, not the ASCII digits, `#` and `*` that also carry it.
    static func isEmoji(_ u: Unicode.Scalar) -> Bool { u.value > 0x7F && u.properties.isEmoji }

    static func digitStrings(_ text: String) -> [String] {
        var out: [String] = [], current = ""
        for u in text.unicodeScalars {
            if u.properties.numericType == .decimal { current.unicodeScalars.append(u) }
            else if !current.isEmpty { out.append(current); current = "" }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// NFKD with the non-ASCII marks dropped ("São Tomé" -> "Sao Tome").
    static func asciiFolded(_ s: String) -> String {
        String(String.UnicodeScalarView(s.decomposedStringWithCompatibilityMapping.unicodeScalars.filter { $0.isASCII }))
    }

    /// `re.match(r'".*[^\d\w\s].*"', field)`: opens with a quote, and a later quote closes a stretch
    /// holding a character that is neither a word character nor whitespace.
    static func quotedWithSpecialCharacter(_ field: String) -> Bool {
        let line = field.prefix(while: { $0 != "\n" })
        guard line.first == "\"", let close = line.lastIndex(of: "\""), close > line.startIndex else { return false }
        return line[line.index(after: line.startIndex)..<close].contains { !TextUnits.isWordChar($0) && !$0.isWhitespace }
    }
}
