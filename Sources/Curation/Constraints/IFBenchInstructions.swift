import Foundation

/// IFBench's out-of-distribution instructions (allenai/IFBench `instructions.py`) over words, counts,
/// ratios and sentences. Each check follows IFBench's reference semantics (its tokenisation included:
/// whitespace split, `\w+` words, ASCII punctuation stripped); deviations are noted where the reference
/// would pass an empty or off-task response.
enum IFBenchInstructions {
    static func obj(_ pairs: KeyValuePairs<String, JSONValue>) -> JSONObject { JSONObject(pairs) }
    typealias T = TextUnits

    static let all: [InstructionChecker] = counting + words + sentences

    static let counting: [InstructionChecker] = [
        InstructionChecker("count:word_count_range", kwargs: ["min_words", "max_words"],
                           sample: { c in
                               let lo = c.int(50...400)
                               return obj(["min_words": .int(lo), "max_words": .int(lo + c.int(max(5, lo / 20)...max(10, lo / 10)))])
                           }) { kw in
            let lo = try kw.int("min_words", in: 0...Int.max)
            let hi = try kw.int("max_words", in: lo...Int.max)
            return ("The response must contain between \(lo) and \(hi) words.", { r in (lo...hi).contains(T.countWords(r)) })
        },
        InstructionChecker("count:unique_word_count", kwargs: ["N"],
                           sample: { c in obj(["N": .int(c.int(30...200))]) }) { kw in
            let n = try kw.int("N", in: 1...Int.max)
            return ("Use at least \(n) unique words in the response.", { r in
                Set(T.split(r.lowercased()).map { String(T.strip($0, T.punctuationAndSpace)) }).count >= n
            })
        },
        InstructionChecker("count:conjunctions", kwargs: ["small_n"],
                           sample: { c in obj(["small_n": .int(c.int(2...6))]) }) { kw in
            let n = try kw.int("small_n", in: 1...7)
            return ("Use at least \(n) different coordinating conjunctions in the response.", { r in
                Set(T.split(r).map { T.strip($0, T.punctuationAndSpace).lowercased() }.filter { WordLists.conjunctions.contains($0) }).count >= n
            })
        },
        InstructionChecker("count:person_names", kwargs: ["N"],
                           sample: { c in obj(["N": .int(c.int(1...10))]) }) { kw in
            let n = try kw.int("N", in: 1...WordLists.personNames.count)
            return ("Mention at least \(n) different person names in the response, from this list of person names: \(WordLists.personNames.joined(separator: ", ")).", { r in
                WordLists.personNames.filter { T.wholeWordOccurrences(of: $0, in: r, caseInsensitive: false) > 0 }.count >= n
            })
        },
        InstructionChecker("count:numbers", kwargs: ["N"],
                           sample: { c in obj(["N": .int(c.int(1...6))]) }) { kw in
            let n = try kw.int("N", in: 0...Int.max)
            return ("Include exactly \(n) numbers in the response.", { r in digitRuns(T.removingPunctuation(r)) == n })
        },
        InstructionChecker("count:pronouns", kwargs: ["N"],
                           sample: { c in obj(["N": .int(c.int(5...25))]) }) { kw in
            let n = try kw.int("N", in: 1...Int.max)
            return ("The response should include at least \(n) pronouns.", { r in
                T.tokenize(r.replacingOccurrences(of: "/", with: " ").lowercased()).filter { WordLists.pronouns.contains($0) }.count >= n
            })
        },
        InstructionChecker("count:punctuation", sample: { _ in obj([:]) }) { _ in
            ("Use every standard punctuation mark at least once, including semicolons, colons, and the interrobang (?!).", { r in
                guard r.contains("!?") || r.contains("?!") || r.contains("\u{203D}") else { return false }
                var rest = r
                if let range = rest.range(of: "?!") { rest.removeSubrange(range) }
                else if let range = rest.range(of: "!?") { rest.removeSubrange(range) }
                return [".", ",", "!", "?", ";", ":"].allSatisfy { rest.contains($0) }
            })
        },
        InstructionChecker("count:words_japanese", kwargs: ["N"],
                           sample: { c in obj(["N": .int(c.int(2...30))]) }) { kw in
            let n = try kw.int("N", in: 1...Int.max)
            return ("Every \(ordinal(n)) word of your response must be in Japanese.", { r in
                for (i, raw) in T.split(r).enumerated() where (i + 1) % n == 0 {
                    let w = T.strip(raw, T.punctuationAndSpace)
                    if w.isEmpty || w.allSatisfy({ $0.isWholeNumber }) { continue }
                    if !w.unicodeScalars.contains(where: { (0x3040...0x30FF).contains($0.value) || (0x4E00...0x9FFF).contains($0.value) }) { return false }
                }
                return true
            })
        },
        InstructionChecker("count:keywords_multiple", kwargs: ["keyword1", "keyword2", "keyword3", "keyword4", "keyword5"],
                           sample: { c in
                               var o = JSONObject()
                               for i in 1...5 { o["keyword\(i)"] = .string(c.freshWord()) }
                               return o
                           }) { kw in
            let words = try (1...5).map { try kw.string("keyword\($0)").trimmingWhitespace() }
            let counts = [1, 2, 3, 5, 7]
            return ("Include keyword \(words[0]) once in your response, keyword \(words[1]) twice in your response, keyword \(words[2]) three times in your response, keyword \(words[3]) five times in your response, and keyword \(words[4]) seven times in your response.", { r in
                zip(words, counts).allSatisfy { T.wholeWordOccurrences(of: $0, in: r) == $1 }
            })
        },
        InstructionChecker("ratio:stop_words", kwargs: ["percentage"],
                           sample: { c in obj(["percentage": .int(c.int(20...60))]) }) { kw in
            let p = try kw.double("percentage", in: 0...100)
            return ("Ensure that stop words constitute no more than \(fmt(p))% of the total words in your response.", { r in
                let words = T.wordTokens(r)
                guard !words.isEmpty else { return false }
                let stops = words.filter { WordLists.englishStopWords.contains($0.lowercased()) }.count
                return Double(stops) / Double(words.count) * 100 <= p
            })
        },
        InstructionChecker("ratio:sentence_type", sample: { _ in obj([:]) }) { _ in
            ("Maintain a 2:1 ratio of declarative to interrogative sentences.", { r in
                let s = SentenceSplitter.split(r)
                return s.filter { $0.hasSuffix(".") }.count == 2 * s.filter { $0.hasSuffix("?") }.count
            })
        },
        InstructionChecker("ratio:sentence_balance", sample: { _ in obj([:]) }) { _ in
            ("Ensure that the ratio of sentence types (declarative, interrogative, exclamatory) is balanced.", { r in
                let s = SentenceSplitter.split(r)
                let d = s.filter { $0.hasSuffix(".") }.count, q = s.filter { $0.hasSuffix("?") }.count, e = s.filter { $0.hasSuffix("!") }.count
                return d == q && q == e
            })
        },
        InstructionChecker("ratio:sentence_words", sample: { _ in obj([:]) }) { _ in
            ("Respond with three sentences, all containing the same number of characters but using all different words.", { r in
                let s = SentenceSplitter.split(r)
                guard s.count == 3 else { return false }
                let len = T.pyLen(s[0].trimmingWhitespace())
                guard s.allSatisfy({ T.pyLen($0.trimmingWhitespace()) == len }) else { return false }
                let words = T.splitWords(s.joined(separator: " "))
                return Set(words).count == words.count
            })
        },
        InstructionChecker("ratio:overlap", kwargs: ["reference_text", "percentage"],
                           sample: { c in c.prompt.map { obj(["reference_text": .string($0), "percentage": .int(c.int(10...60))]) } }) { kw in
            let reference = try kw.string("reference_text")
            let p = try kw.double("percentage", in: 0...100)
            let refGrams = trigrams(reference)
            return ("Maintain a trigram overlap of \(fmt(p))% (±2%) with the provided reference text.", { r in
                let grams = trigrams(r)
                guard !grams.isEmpty else { return false }
                let overlap = Double(grams.intersection(refGrams).count) / Double(grams.count) * 100
                return p - 2 <= overlap && overlap <= p + 2
            })
        },
    ]

    static let words: [InstructionChecker] = [
        InstructionChecker("words:alphabet", sample: { _ in obj([:]) }) { _ in
            ("Each word must start with the next letter of the alphabet, looping back to 'A' after 'Z'.", { r in
                let ws = T.split(T.strip(T.removingPunctuation(r), T.punctuationAndSpace))
                let alphabet = Array("abcdefghijklmnopqrstuvwxyz")
                guard let first = ws.first?.first.map({ Character($0.lowercased()) }), var index = alphabet.firstIndex(of: first) else { return false }
                for w in ws.dropFirst() {
                    let word = T.strip(w, T.punctuationAndSpace).lowercased()
                    guard let c = word.first else { continue }
                    index = (index + 1) % 26
                    if c != alphabet[index] { return false }
                }
                return true
            })
        },
        InstructionChecker("words:vowel", sample: { _ in obj([:]) }) { _ in
            ("Write a paragraph using words that contain only three types of vowels.", { r in
                let lines = r.trimmingWhitespace().components(separatedBy: "\n")
                guard lines.count == 1 else { return false }
                return Set(lines[0].lowercased().filter { "aeiou".contains($0) }).count <= 3
            })
        },
        InstructionChecker("words:consonants", sample: { _ in obj([:]) }) { _ in
            ("Ensure each word in your response has at least one consonant cluster (two or more consonants together).", { r in
                let consonants = Set("bcdfghjklmnpqrstvwxyz")
                return T.split(r.lowercased().trimmingWhitespace()).allSatisfy { w in
                    let cs = Array(w)
                    return cs.indices.dropLast().contains { consonants.contains(cs[$0]) && consonants.contains(cs[$0 + 1]) }
                }
            })
        },
        InstructionChecker("words:palindrome", sample: { _ in obj([:]) }) { _ in
            ("Include at least 10 single-word palindromes, each at least 5 characters long.", { r in
                T.split(T.removingPunctuation(r).lowercased()).filter { w in
                    T.pyLen(w) >= 5 && w.unicodeScalars.elementsEqual(w.unicodeScalars.reversed())
                }.count >= 10
            })
        },
        InstructionChecker("words:prime_lengths", sample: { _ in obj([:]) }) { _ in
            ("Use only words with lengths that are prime numbers.", { r in
                T.split(T.removingPunctuation(r)).allSatisfy { isPrime(T.pyLen($0)) }
            })
        },
        InstructionChecker("words:repeats", kwargs: ["small_n"],
                           sample: { c in obj(["small_n": .int(c.int(2...5))]) }) { kw in
            let n = try kw.int("small_n", in: 1...Int.max)
            return ("The response should not repeat any word more than \(n) times.", { r in
                var counts: [String: Int] = [:]
                for w in T.splitWords(r) { counts[w, default: 0] += 1 }
                return counts.values.allSatisfy { $0 <= n }
            })
        },
        InstructionChecker("words:last_first", sample: { _ in obj([:]) }) { _ in
            ("The last word of each sentence must become the first word of the next sentence.", { r in
                let s = SentenceSplitter.split(r)
                for i in s.indices.dropLast() {
                    guard let last = T.split(T.rstrip(s[i], T.punctuationAndSpace)).last,
                          let first = T.split(T.lstrip(s[i + 1], T.punctuationAndSpace)).first else { return false }
                    if last.lowercased() != first.lowercased() { return false }
                }
                return true
            })
        },
        InstructionChecker("words:paragraph_last_first", sample: { _ in obj([:]) }) { _ in
            ("Each paragraph must end with the same word it started with, separate paragraphs with a newline.", { r in
                var any = false
                for line in r.components(separatedBy: "\n") {
                    let p = line.trimmingWhitespace().lowercased()
                    let ws = T.split(T.strip(p, T.punctuationAndSpace))
                    guard let first = ws.first, let last = ws.last else { continue }
                    any = true
                    if first != last { return false }
                }
                return any  // the reference passes an empty response; an empty response has no paragraph
            })
        },
        InstructionChecker("words:no_consecutive", sample: { _ in obj([:]) }) { _ in
            ("No two consecutive words can share the same first letter.", { r in
                let ws = T.splitWords(r)
                return ws.indices.dropLast().allSatisfy { ws[$0].first != ws[$0 + 1].first }
            })
        },
        InstructionChecker("words:keywords_specific_position", kwargs: ["keyword", "n", "m"],
                           sample: { c in obj(["keyword": .string(c.freshWord()), "n": .int(c.int(1...10)), "m": .int(c.int(1...15))]) }) { kw in
            let word = try kw.string("keyword").trimmingWhitespace()
            let n = try kw.int("n", in: 1...Int.max)
            let m = try kw.int("m", in: 1...Int.max)
            return ("Include keyword \(word) in the \(ordinal(n)) sentence, as the \(ordinal(m)) word of that sentence.", { r in
                let s = SentenceSplitter.split(r)
                guard s.count >= n else { return false }
                let ws = T.alnumTokens(s[n - 1])
                return ws.count >= m && ws[m - 1].lowercased() == word.lowercased()
            })
        },
        InstructionChecker("words:words_position", kwargs: ["keyword"],
                           sample: { c in obj(["keyword": .string(c.freshWord())]) }) { kw in
            let word = try kw.string("keyword").trimmingWhitespace().lowercased()
            return ("The second word in your response and the second to last word in your response should be the word \(word).", { r in
                let ws = T.alnumTokens(r)
                return ws.count >= 2 && ws[1].lowercased() == word && ws[ws.count - 2].lowercased() == word
            })
        },
    ]

    static let sentences: [InstructionChecker] = [
        InstructionChecker("sentence:alliteration_increment", sample: { _ in obj([:]) }) { _ in
            ("Each sentence must have a longer sequence of consecutive alliterative words than the previous one.", { r in
                let s = SentenceSplitter.split(r)
                guard !s.isEmpty else { return false }
                var previous = -1
                for sentence in s {
                    let ws = T.split(sentence.lowercased()).map { T.lstrip($0, T.punctuationAndSpace) }.filter { !$0.isEmpty }
                    var score = 0, run = false
                    for i in ws.indices.dropLast() {
                        if ws[i].first == ws[i + 1].first { score += run ? 1 : 2; run = true } else { run = false }
                    }
                    if score <= previous { return false }
                    previous = score
                }
                return true
            })
        },
        InstructionChecker("sentence:keyword", kwargs: ["word", "N"],
                           sample: { c in obj(["word": .string(c.freshWord()), "N": .int(c.int(1...10))]) }) { kw in
            let word = try kw.string("word").trimmingWhitespace()
            let n = try kw.int("N", in: 1...Int.max)
            return ("The response must include keyword \"\(word)\" in the \(ordinal(n)) sentence.", { r in
                let s = SentenceSplitter.split(r)
                return s.count >= n && T.wholeWordOccurrences(of: word, in: s[n - 1]) > 0
            })
        },
        InstructionChecker("sentence:increment", kwargs: ["small_n"],
                           sample: { c in obj(["small_n": .int(c.int(1...5))]) }) { kw in
            let n = try kw.int("small_n", in: 1...Int.max)
            return ("Each sentence must contain exactly \(n) more words than the previous one.", { r in
                let counts = SentenceSplitter.split(r).map { T.split(T.removingPunctuation($0)).count }
                guard !counts.isEmpty else { return false }
                return counts.indices.dropFirst().allSatisfy { counts[$0] == counts[$0 - 1] + n }
            })
        },
    ]

    // MARK: helpers

    static func ordinal(_ n: Int) -> String {
        let suffix: String
        switch (n % 10, n % 100) {
        case (_, 11...13): suffix = "th"
        case (1, _): suffix = "st"
        case (2, _): suffix = "nd"
        case (3, _): suffix = "rd"
        default: suffix = "th"
        }
        return "\(n)\(suffix)"
    }

    static func fmt(_ d: Double) -> String { d == d.rounded() ? String(Int(d)) : String(d) }

    static func isPrime(_ n: Int) -> Bool {
        guard n >= 2 else { return false }
        var i = 2
        while i * i <= n { if n % i == 0 { return false }; i += 1 }
        return true
    }

    /// Number of maximal runs of decimal digits (`len(re.findall(r"\d+", text))`).
    static func digitRuns(_ text: String) -> Int {
        var count = 0, inRun = false
        for u in text.unicodeScalars {
            let digit = u.properties.numericType == .decimal
            if digit && !inRun { count += 1 }
            inRun = digit
        }
        return count
    }

    /// Word trigrams over the tokenizer's tokens, as a set (IFBench's `ratio:overlap`).
    static func trigrams(_ text: String) -> Set<[String]> {
        let t = T.tokenize(text)
        guard t.count >= 3 else { return [] }
        return Set((0...(t.count - 3)).map { Array(t[$0..<($0 + 3)]) })
    }
}
