/// Response-language identification without a model: the dominant writing system decides languages
/// with a script of their own (Thai, Korean, Japanese, Greek, Hebrew, Bengali, Tamil, ...); letters only
/// one language of a shared script uses separate Arabic / Persian / Urdu and Russian / Ukrainian /
/// Bulgarian; small stop-word lists separate the Latin-script and Devanagari languages. When the
/// evidence is thin or two candidates are close, the answer is "undecided" (nil) rather than a guess.
public enum LanguageID {
    /// ISO 639-1 codes this identifier can decide, with their English names (IFEval's 30 languages
    /// plus a few that share their scripts and would otherwise be mistaken for them).
    public static let names: [String: String] = [
        "en": "English", "es": "Spanish", "pt": "Portuguese", "ar": "Arabic", "hi": "Hindi", "fr": "French",
        "ru": "Russian", "de": "German", "ja": "Japanese", "it": "Italian", "bn": "Bengali", "uk": "Ukrainian",
        "th": "Thai", "ur": "Urdu", "ta": "Tamil", "te": "Telugu", "bg": "Bulgarian", "ko": "Korean",
        "pl": "Polish", "he": "Hebrew", "fa": "Persian", "vi": "Vietnamese", "ne": "Nepali", "sw": "Swahili",
        "kn": "Kannada", "mr": "Marathi", "gu": "Gujarati", "pa": "Punjabi", "ml": "Malayalam", "fi": "Finnish",
        "zh": "Chinese", "el": "Greek", "nl": "Dutch",
    ]

    private enum Script: Hashable { case latin, cyrillic, greek, arabic, hebrew, devanagari, bengali, gurmukhi, gujarati, tamil, telugu, kannada, malayalam, thai, hangul, kana, han, other }

    private static func script(_ v: UInt32) -> Script {
        switch v {
        case 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F, 0x1E00...0x1EFF: return .latin
        case 0x370...0x3FF, 0x1F00...0x1FFF: return .greek
        case 0x400...0x52F: return .cyrillic
        case 0x590...0x5FF: return .hebrew
        case 0x600...0x6FF, 0x750...0x77F, 0xFB50...0xFDFF, 0xFE70...0xFEFF: return .arabic
        case 0x900...0x97F: return .devanagari
        case 0x980...0x9FF: return .bengali
        case 0xA00...0xA7F: return .gurmukhi
        case 0xA80...0xAFF: return .gujarati
        case 0xB80...0xBFF: return .tamil
        case 0xC00...0xC7F: return .telugu
        case 0xC80...0xCFF: return .kannada
        case 0xD00...0xD7F: return .malayalam
        case 0xE00...0xE7F: return .thai
        case 0x1100...0x11FF, 0x3130...0x318F, 0xAC00...0xD7AF: return .hangul
        case 0x3040...0x30FF, 0x31F0...0x31FF, 0xFF66...0xFF9F: return .kana
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF: return .han
        default: return .other
        }
    }

    private static let latinStopWords: [String: Set<String>] = [
        "en": ["the", "and", "of", "to", "is", "in", "that", "it", "for", "with", "was", "on", "are", "this", "be", "by", "not", "you", "have", "from", "or", "which", "but", "they", "we", "an", "will", "can", "their", "has", "there", "what", "would", "all", "your"],
        "es": ["el", "la", "de", "que", "y", "en", "los", "las", "del", "se", "por", "con", "una", "un", "para", "es", "no", "al", "lo", "como", "más", "pero", "sus", "le", "ya", "este", "está", "son", "también", "muy", "hay", "cuando", "sobre", "esta", "entre"],
        "pt": ["o", "de", "que", "e", "do", "da", "em", "um", "uma", "para", "com", "não", "os", "no", "na", "por", "mais", "dos", "das", "se", "ao", "é", "são", "também", "muito", "foi", "pelo", "pela", "você", "isso", "mas", "ele", "ela", "seu", "sua"],
        "fr": ["le", "la", "les", "de", "des", "et", "un", "une", "du", "est", "que", "qui", "dans", "en", "pour", "pas", "sur", "au", "avec", "ce", "il", "elle", "sont", "ne", "par", "plus", "aux", "nous", "vous", "cette", "mais", "ou", "être", "fait", "leur"],
        "de": ["der", "die", "das", "und", "ist", "nicht", "ein", "eine", "zu", "den", "dem", "mit", "von", "sich", "auf", "für", "auch", "es", "im", "des", "dass", "sie", "wir", "ich", "oder", "aber", "wird", "werden", "sind", "wie", "noch", "nach", "bei", "einen", "kann"],
        "it": ["il", "lo", "la", "di", "che", "e", "un", "una", "per", "non", "del", "della", "sono", "con", "si", "gli", "le", "nel", "da", "anche", "come", "più", "questo", "alla", "dei", "ma", "è", "al", "ha", "essere", "molto", "questa", "delle", "sul", "hanno"],
        "pl": ["i", "w", "nie", "na", "się", "z", "że", "do", "to", "jest", "jak", "o", "ale", "po", "co", "tak", "za", "od", "są", "przez", "dla", "jego", "tylko", "już", "czy", "być", "który", "może", "ich", "także", "oraz", "jej", "które", "tym", "bardzo"],
        "fi": ["ja", "on", "ei", "se", "että", "hän", "oli", "ovat", "mutta", "kun", "tai", "myös", "joka", "ne", "sen", "niin", "kuin", "ole", "olla", "jos", "vain", "nyt", "tämä", "mitä", "siitä", "minä", "me", "he", "hyvin", "sitä", "voi", "jo", "kanssa", "sekä"],
        "sw": ["na", "ya", "wa", "kwa", "ni", "za", "katika", "la", "cha", "kama", "hii", "vya", "yake", "hiyo", "lakini", "pia", "au", "kuwa", "sana", "wao", "sisi", "mimi", "yeye", "huo", "hizi", "zaidi", "kwamba", "baada", "hadi", "bila", "watu", "ili", "hiki", "huu", "wake"],
        "vi": ["và", "của", "là", "có", "không", "được", "những", "một", "các", "cho", "trong", "với", "này", "người", "đã", "để", "khi", "từ", "thì", "cũng", "như", "rất", "nhưng", "đến", "sẽ", "tôi", "chúng", "bạn", "về", "nhiều"],
        "nl": ["de", "het", "een", "en", "van", "is", "dat", "niet", "op", "te", "zijn", "voor", "met", "die", "ook", "als", "maar", "er", "aan", "om", "wordt", "deze", "bij", "nog", "worden", "naar", "kan", "hij", "zij", "wij"],
    ]

    private static let devanagariStopWords: [String: Set<String>] = [
        "hi": ["है", "हैं", "के", "में", "की", "और", "का", "से", "यह", "था", "थे", "भी", "लिए", "पर", "नहीं", "कि", "एक", "हम", "आप", "वह", "किया", "होता", "जो", "इस", "कर"],
        "mr": ["आहे", "आणि", "हे", "ते", "या", "च्या", "ला", "मध्ये", "आहेत", "होते", "व", "की", "नाही", "एक", "त्या", "तो", "ती", "आम्ही", "तुम्ही", "केले", "करून", "असे", "पण", "झाले", "साठी"],
        "ne": ["छ", "र", "को", "मा", "हो", "गर्न", "छन्", "थियो", "पनि", "यो", "त्यो", "लागि", "भएको", "गरेको", "हुन्छ", "एक", "हामी", "तपाईं", "उनी", "गरे", "भने", "तर", "नै", "हुने", "बाट"],
    ]

    /// The language of `text`, or nil when it cannot be decided.
    public static func detect(_ text: String) -> String? {
        var counts: [Script: Int] = [:]
        var total = 0
        for u in text.unicodeScalars where u.properties.isAlphabetic {
            let s = script(u.value)
            if s == .other { continue }
            counts[s, default: 0] += 1
            total += 1
        }
        guard total > 0, let (dominant, n) = counts.max(by: { $0.value < $1.value }) else { return nil }
        // Japanese mixes kana with Han characters: any real share of kana makes it Japanese.
        let kana = counts[.kana] ?? 0, han = counts[.han] ?? 0
        if kana + han > total / 2 { return kana * 10 >= kana + han ? "ja" : "zh" }
        guard n * 2 > total else { return nil }
        let scalars = text.unicodeScalars
        func has(_ values: [UInt32]) -> Bool { scalars.contains { values.contains($0.value) } }
        switch dominant {
        case .thai: return "th"
        case .hangul: return "ko"
        case .greek: return "el"
        case .hebrew: return "he"
        case .bengali: return "bn"
        case .gurmukhi: return "pa"
        case .gujarati: return "gu"
        case .tamil: return "ta"
        case .telugu: return "te"
        case .kannada: return "kn"
        case .malayalam: return "ml"
        case .kana: return "ja"
        case .han: return "zh"
        case .arabic:
            if has([0x679, 0x688, 0x691, 0x6BA, 0x6BE, 0x6C1, 0x6D2]) { return "ur" }  // ٹ ڈ ڑ ں ھ ہ ے
            if has([0x67E, 0x686, 0x698, 0x6AF, 0x6A9, 0x6CC]) { return "fa" }          // پ چ ژ گ ک ی
            return "ar"
        case .cyrillic:
            let uk = has([0x456, 0x457, 0x454, 0x491, 0x406, 0x407, 0x404, 0x490])   // і ї є ґ
            let ru = has([0x44B, 0x44D, 0x451, 0x42B, 0x42D, 0x401])                 // ы э ё
            if uk && !ru { return "uk" }
            if ru && !uk { return "ru" }
            if !uk && !ru { return has([0x44A]) ? "bg" : nil }                        // ъ, rare in Russian
            return nil
        case .devanagari:
            return byStopWords(text, devanagariStopWords)
        case .latin:
            // Vietnamese is written with letters no other language here uses.
            let vietnamese = scalars.filter { (0x1EA0...0x1EF9).contains($0.value) || [0x1A1, 0x1B0, 0x111, 0x103, 0x1A0, 0x1AF, 0x110, 0x102].contains($0.value) }.count
            if vietnamese * 20 >= n { return "vi" }
            return byStopWords(text, latinStopWords)
        default:
            return nil
        }
    }

    /// The language whose stop words cover the most tokens, when it has at least 3 hits and clearly
    /// beats the runner-up (1.5x).
    private static func byStopWords(_ text: String, _ lists: [String: Set<String>]) -> String? {
        let tokens = TextUnits.wordTokens(text.lowercased()).map(String.init)
        var scores: [(String, Int)] = lists.map { lang, words in (lang, tokens.filter { words.contains($0) }.count) }
        scores.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        guard let best = scores.first, best.1 >= 3 else { return nil }
        let second = scores.count > 1 ? scores[1].1 : 0
        return Double(best.1) >= 1.5 * Double(second) ? best.0 : nil
    }
}
