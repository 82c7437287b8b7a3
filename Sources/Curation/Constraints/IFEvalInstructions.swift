import Foundation

/// IFEval's 25 instructions (google-research `instruction_following_eval`), with their ids, kwargs,
/// relations and descriptions as IFEval defines them. Checks follow the reference semantics; where the
/// reference needs NLTK (sentence counts, word tokens) the project's own splitter and tokenizer stand in,
/// and where it needs langdetect, `LanguageID` does (and says "unsupported" when it cannot decide).
enum IFEvalInstructions {
    static func obj(_ pairs: KeyValuePairs<String, JSONValue>) -> JSONObject { JSONObject(pairs) }

    static let all: [InstructionChecker] = [
        InstructionChecker("keywords:existence", kwargs: ["keywords"],
                           sample: { c in obj(["keywords": .array([.string(c.freshWord()), .string(c.freshWord())])]) }) { kw in
            let words = try kw.strings("keywords").sorted()
            return ("Include keywords \(words.joined(separator: ", ")) in the response.", { r in
                words.allSatisfy { TextUnits.occurrences(of: $0, in: r) > 0 }
            })
        },
        InstructionChecker("keywords:frequency", kwargs: ["keyword", "frequency", "relation"],
                           sample: { c in obj(["keyword": .string(c.freshWord()), "frequency": .int(c.int(1...3)), "relation": .string(c.relation().rawValue)]) }) { kw in
            let word = try kw.string("keyword").trimmingWhitespace()
            let n = try kw.int("frequency", in: 1...Int.max)
            let rel = try kw.relation("relation")
            return ("In your response, the word \(word) should appear \(rel.rawValue) \(n) times.", { r in
                rel.holds(TextUnits.occurrences(of: word, in: r), n)
            })
        },
        InstructionChecker("keywords:forbidden_words", kwargs: ["forbidden_words"],
                           sample: { c in obj(["forbidden_words": .array([.string(c.freshWord()), .string(c.freshWord())])]) }) { kw in
            let words = Array(Set(try kw.strings("forbidden_words"))).sorted()
            return ("Do not include keywords \(words.joined(separator: ", ")) in the response.", { r in
                words.allSatisfy { TextUnits.wholeWordOccurrences(of: $0, in: r) == 0 }
            })
        },
        InstructionChecker("keywords:letter_frequency", kwargs: ["letter", "let_frequency", "let_relation"],
                           sample: { c in
                               let letters = Array("abcdefghijklmnoprstuwy").map(String.init)
                               return obj(["letter": .string(c.rng.pick(letters) ?? "e"), "let_frequency": .int(c.int(1...10)), "let_relation": .string(c.relation().rawValue)])
                           }) { kw in
            // IFEval takes any single non-whitespace character ("#" in its own tests), counted in the
            // lowercased response; a frequency of 0 is valid ("less than 0" never holds, "at least 0" always).
            let given = try kw.string("letter").trimmingWhitespace()
            guard given.unicodeScalars.count == 1 else {
                throw kw.fail("kwarg letter must be a single non-whitespace character, found \"\(given)\"")
            }
            let letter = given.lowercased()
            let n = try kw.int("let_frequency", in: 0...Int.max)
            let rel = try kw.relation("let_relation")
            return ("In your response, the letter \(letter) should appear \(rel.rawValue) \(n) times.", { r in
                rel.holds(letterCount(letter, in: r), n)
            })
        },
        InstructionChecker("language:response_language", kwargs: ["language"],
                           sample: { c in
                               let langs = ["es", "fr", "de", "it", "pt", "ru", "ja", "ko", "th", "ar", "he", "el", "hi", "bn", "ta"]
                               return obj(["language": .string(c.rng.pick(langs) ?? "fr")])
                           }) { kw in
            let code = try kw.string("language").trimmingWhitespace().lowercased()
            let name = LanguageID.names[code]
            return ("Your ENTIRE response should be in \(name ?? code) language, no other language is allowed.", { r in
                guard name != nil else {
                    return .unsupported(reason: "language \(code) cannot be identified without a language model")
                }
                guard let found = LanguageID.identify(r) else {
                    return .unsupported(reason: "the response has no letters to identify its language by")
                }
                return ConstraintOutcome(found.language == code)
            })
        },
        InstructionChecker("length_constraints:number_sentences", kwargs: ["num_sentences", "relation"],
                           sample: { c in obj(["num_sentences": .int(c.int(2...20)), "relation": .string(c.relation().rawValue)]) }) { kw in
            let n = try kw.int("num_sentences", in: 1...Int.max)
            let rel = try kw.relation("relation")
            return ("Your response should contain \(rel.rawValue) \(n) sentences.", { r in
                rel.holds(SentenceSplitter.split(r).filter { !$0.isEmpty }.count, n)
            })
        },
        InstructionChecker("length_constraints:number_paragraphs", kwargs: ["num_paragraphs"],
                           sample: { c in obj(["num_paragraphs": .int(c.int(2...5))]) }) { kw in
            let n = try kw.int("num_paragraphs", in: 1...Int.max)
            return ("There should be \(n) paragraphs. Paragraphs are separated with the markdown divider: ***", { r in
                let parts = paragraphDivider.split(r)
                var count = parts.count
                for (i, p) in parts.enumerated() where p.trimmingWhitespace().isEmpty {
                    if i == 0 || i == parts.count - 1 { count -= 1 } else { return false }
                }
                return count == n
            })
        },
        InstructionChecker("length_constraints:number_words", kwargs: ["num_words", "relation"],
                           sample: { c in obj(["num_words": .int(c.int(50...500)), "relation": .string(c.relation().rawValue)]) }) { kw in
            let n = try kw.int("num_words", in: 1...Int.max)
            let rel = try kw.relation("relation")
            return ("Answer with \(rel.rawValue) \(n) words.", { r in rel.holds(TextUnits.countWords(r), n) })
        },
        InstructionChecker("length_constraints:nth_paragraph_first_word", kwargs: ["num_paragraphs", "nth_paragraph", "first_word"],
                           sample: { c in
                               let n = c.int(2...5)
                               return obj(["num_paragraphs": .int(n), "nth_paragraph": .int(c.int(1...n)), "first_word": .string(c.freshWord())])
                           }) { kw in
            let n = try kw.int("num_paragraphs", in: 1...Int.max)
            let nth = try kw.int("nth_paragraph", in: 1...n)
            let word = try kw.string("first_word").trimmingWhitespace().lowercased()
            return ("There should be \(n) paragraphs. Paragraphs and only paragraphs are separated with each other by two new lines as if it was '\\n\\n' in python. Paragraph \(nth) must start with word \(word).", { r in
                let parts = r.components(separatedBy: "\n\n")
                let count = parts.filter { !$0.trimmingWhitespace().isEmpty }.count
                guard nth <= count, nth - 1 < parts.count else { return false }
                let paragraph = parts[nth - 1].trimmingWhitespace()
                guard let first = TextUnits.split(paragraph).first else { return false }
                let stop: Set<Character> = [".", ",", "?", "!", "'", "\""]
                let trimmed = first.drop(while: { $0 == "'" }).drop(while: { $0 == "\"" })
                let found = String(trimmed.prefix(while: { !stop.contains($0) })).lowercased()
                return count == n && found == word
            })
        },
        InstructionChecker("detectable_content:number_placeholders", kwargs: ["num_placeholders"],
                           sample: { c in obj(["num_placeholders": .int(c.int(1...4))]) }) { kw in
            let n = try kw.int("num_placeholders", in: 1...Int.max)
            return ("The response must contain at least \(n) placeholders represented by square brackets, such as [address].", { r in
                placeholder.count(r) >= n
            })
        },
        InstructionChecker("detectable_content:postscript", kwargs: ["postscript_marker"],
                           sample: { c in obj(["postscript_marker": .string(c.rng.below(2) == 0 ? "P.S." : "P.P.S")]) }) { kw in
            let marker = try kw.string("postscript_marker").trimmingWhitespace()
            let pattern: Pattern
            switch marker {
            case "P.P.S": pattern = Pattern("\\s*p\\.\\s?p\\.\\s?s.*$", [.anchorsMatchLines])
            case "P.S.": pattern = Pattern("\\s*p\\.\\s?s\\..*$", [.anchorsMatchLines])
            default: pattern = try Pattern(checked: "\\s*" + Pattern.escape(marker.lowercased()) + ".*$", id: kw.id, [.anchorsMatchLines])
            }
            return ("At the end of your response, please explicitly add a postscript starting with \(marker)", { r in
                pattern.contains(r.lowercased())
            })
        },
        InstructionChecker("detectable_format:number_bullet_lists", kwargs: ["num_bullets"],
                           sample: { c in obj(["num_bullets": .int(c.int(1...5))]) }) { kw in
            let n = try kw.int("num_bullets", in: 0...Int.max)
            return ("Your answer must contain exactly \(n) bullet points. Use the markdown bullet points such as:\n* This is point 1. \n* This is point 2", { r in
                starBullet.count(r) + dashBullet.count(r) == n
            })
        },
        InstructionChecker("detectable_format:constrained_response", sample: { _ in obj([:]) }) { _ in
            let options = ["My answer is yes.", "My answer is no.", "My answer is maybe."]
            return ("Answer with one of the following options: (\(options.map { "'\($0)'" }.joined(separator: ", ")))", { r in
                let v = r.trimmingWhitespace()
                return options.contains { v.contains($0) }
            })
        },
        InstructionChecker("detectable_format:number_highlighted_sections", kwargs: ["num_highlights"],
                           sample: { c in obj(["num_highlights": .int(c.int(1...4))]) }) { kw in
            let n = try kw.int("num_highlights", in: 1...Int.max)
            return ("Highlight at least \(n) sections in your answer with markdown, i.e. *highlighted section*.", { r in
                var count = 0
                for h in singleHighlight.findAll(r) where !TextUnits.strip(h, ["*"]).trimmingWhitespace().isEmpty { count += 1 }
                for h in doubleHighlight.findAll(r) where !h.dropFirst(2).dropLast(2).trimmingWhitespace().isEmpty { count += 1 }
                return count >= n
            })
        },
        InstructionChecker("detectable_format:multiple_sections", kwargs: ["section_spliter", "num_sections"],
                           sample: { c in obj(["section_spliter": .string(c.rng.below(2) == 0 ? "Section" : "SECTION"), "num_sections": .int(c.int(2...5))]) }) { kw in
            let splitter = try kw.string("section_spliter").trimmingWhitespace()
            let n = try kw.int("num_sections", in: 1...Int.max)
            let pattern = try Pattern(checked: "\\s?" + Pattern.escape(splitter) + "\\s?\\d+\\s?", id: kw.id)
            return ("Your response must have \(n) sections. Mark the beginning of each section with \(splitter) X, such as:\n\(splitter) 1\n[content of section 1]\n\(splitter) 2\n[content of section 2]", { r in
                pattern.split(r).count - 1 >= n
            })
        },
        InstructionChecker("detectable_format:json_format", sample: { _ in obj([:]) }) { _ in
            ("Entire output should be wrapped in JSON format. You can use markdown ticks such as ```.", { r in
                var v = Substring(r.trimmingWhitespace())
                for p in ["```json", "```Json", "```JSON", "```"] where v.hasPrefix(p) { v = v.dropFirst(p.count); break }
                if v.hasSuffix("```") { v = v.dropLast(3) }
                let body = v.trimmingWhitespace()
                guard !body.isEmpty else { return false }
                return (try? JSONParser.parse(body)) != nil
            })
        },
        InstructionChecker("detectable_format:title", sample: { _ in obj([:]) }) { _ in
            ("Your answer must contain a title, wrapped in double angular brackets, such as <<poem of joy>>.", { r in
                title.findAll(r).contains { !TextUnits.rstrip(TextUnits.lstrip($0, ["<"]), [">"]).trimmingWhitespace().isEmpty }
            })
        },
        InstructionChecker("combination:two_responses", sample: { _ in obj([:]) }) { _ in
            ("Give two different responses. Responses and only responses should be separated by 6 asterisk symbols: ******.", { r in
                let parts = r.components(separatedBy: "******")
                var valid: [String] = []
                for (i, p) in parts.enumerated() {
                    if p.trimmingWhitespace().isEmpty {
                        if i != 0 && i != parts.count - 1 { return false }
                    } else {
                        valid.append(p.trimmingWhitespace())
                    }
                }
                return valid.count == 2 && valid[0] != valid[1]
            })
        },
        InstructionChecker("combination:repeat_prompt", kwargs: ["prompt_to_repeat"],
                           sample: { c in c.prompt.map { obj(["prompt_to_repeat": .string($0)]) } }) { kw in
            let prompt = try kw.string("prompt_to_repeat")
            let want = prompt.trimmingWhitespace().lowercased()
            return ("First repeat the request word for word without change, then give your answer (1. do not say any words or characters before repeating the request; 2. the request you need to repeat does not include this sentence)", { r in
                r.trimmingWhitespace().lowercased().hasPrefix(want)
            })
        },
        InstructionChecker("startend:end_checker", kwargs: ["end_phrase"],
                           sample: { c in obj(["end_phrase": .string(c.rng.pick(WordLists.endPhrases) ?? "Any other questions?")]) }) { kw in
            let phrase = try kw.string("end_phrase").trimmingWhitespace()
            let want = phrase.lowercased()
            return ("Finish your response with this exact phrase \(phrase). No other words should follow this phrase.", { r in
                TextUnits.strip(r.trimmingWhitespace(), ["\""]).lowercased().hasSuffix(want)
            })
        },
        InstructionChecker("change_case:capital_word_frequency", kwargs: ["capital_frequency", "capital_relation"],
                           sample: { c in obj(["capital_frequency": .int(c.int(1...20)), "capital_relation": .string(c.relation().rawValue)]) }) { kw in
            let n = try kw.int("capital_frequency", in: 0...Int.max)
            let rel = try kw.relation("capital_relation")
            return ("In your response, words with all capital letters should appear \(rel.rawValue) \(n) times.", { r in
                rel.holds(TextUnits.tokenize(r).filter { TextUnits.isUpper($0) }.count, n)
            })
        },
        InstructionChecker("change_case:english_capital", sample: { _ in obj([:]) }) { _ in
            ("Your entire response should be in English, and in all capital letters.", { r in
                TextUnits.isUpper(r) && isEnglishOrUndecided(r)
            })
        },
        InstructionChecker("change_case:english_lowercase", sample: { _ in obj([:]) }) { _ in
            ("Your entire response should be in English, and in all lowercase letters. No capital letters are allowed.", { r in
                TextUnits.isLower(r) && isEnglishOrUndecided(r)
            })
        },
        InstructionChecker("punctuation:no_comma", sample: { _ in obj([:]) }) { _ in
            ("In your entire response, refrain from the use of any commas.", { r in !r.contains(",") })
        },
        InstructionChecker("startend:quotation", sample: { _ in obj([:]) }) { _ in
            ("Wrap your entire response with double quotation marks.", { r in
                let v = r.trimmingWhitespace()
                return v.count > 1 && v.first == "\"" && v.last == "\""
            })
        },
    ]

    static let paragraphDivider = Pattern("\\s?\\*\\*\\*\\s?")
    static let placeholder = Pattern("\\[.*?\\]")
    static let starBullet = Pattern("^\\s*\\*[^\\*].*$", [.anchorsMatchLines])
    static let dashBullet = Pattern("^\\s*-.*$", [.anchorsMatchLines])
    static let singleHighlight = Pattern("\\*[^\\n\\*]*\\*")
    static let doubleHighlight = Pattern("\\*\\*[^\\n\\*]*\\*\\*")
    static let title = Pattern("<<[^\\n]+>>")

    /// Occurrences of `letter` (already lowercased) in the lowercased response, counted over Unicode
    /// scalars as Python's `Counter(value.lower())[letter]` counts code points. A character that
    /// lowercases to more than one scalar ("İ") is counted as a substring instead.
    static func letterCount(_ letter: String, in response: String) -> Int {
        let target = Array(letter.unicodeScalars)
        guard target.count == 1, let t = target.first else {
            return TextUnits.occurrences(of: letter, in: response, caseInsensitive: true)
        }
        var n = 0
        for u in response.lowercased().unicodeScalars where u == t { n += 1 }
        return n
    }

    /// IFEval requires langdetect to say "en"; text in another identifiable language fails, text whose
    /// language cannot be identified (short, or no stop words) is judged on its letter case alone, as
    /// IFEval does when langdetect cannot decide.
    static func isEnglishOrUndecided(_ r: String) -> Bool {
        guard let lang = LanguageID.detect(r) else { return true }
        return lang == "en"
    }
}
