/// Fixed word lists the checkers and the sampler use. The closed-class lists (stop words, pronouns,
/// conjunctions) and IFBench's list of person names are part of the instructions' definitions, not
/// linguistic resources: IFBench's checkers compare against exactly such lists.
public enum WordLists {
    /// NLTK's English stop-word list (IFBench's `ratio:stop_words` counts `\w+` tokens in it).
    static let englishStopWords: Set<String> = [
        "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "you're", "you've", "you'll",
        "you'd", "your", "yours", "yourself", "yourselves", "he", "him", "his", "himself", "she", "she's",
        "her", "hers", "herself", "it", "it's", "its", "itself", "they", "them", "their", "theirs",
        "themselves", "what", "which", "who", "whom", "this", "that", "that'll", "these", "those", "am",
        "is", "are", "was", "were", "be", "been", "being", "have", "has", "had", "having", "do", "does",
        "did", "doing", "a", "an", "the", "and", "but", "if", "or", "because", "as", "until", "while", "of",
        "at", "by", "for", "with", "about", "against", "between", "into", "through", "during", "before",
        "after", "above", "below", "to", "from", "up", "down", "in", "out", "on", "off", "over", "under",
        "again", "further", "then", "once", "here", "there", "when", "where", "why", "how", "all", "any",
        "both", "each", "few", "more", "most", "other", "some", "such", "no", "nor", "not", "only", "own",
        "same", "so", "than", "too", "very", "s", "t", "can", "will", "just", "don", "don't", "should",
        "should've", "now", "d", "ll", "m", "o", "re", "ve", "y", "ain", "aren", "aren't", "couldn",
        "couldn't", "didn", "didn't", "doesn", "doesn't", "hadn", "hadn't", "hasn", "hasn't", "haven",
        "haven't", "isn", "isn't", "ma", "mightn", "mightn't", "mustn", "mustn't", "needn", "needn't",
        "shan", "shan't", "shouldn", "shouldn't", "wasn", "wasn't", "weren", "weren't", "won", "won't",
        "wouldn", "wouldn't",
    ]

    /// The pronouns IFBench's `count:pronouns` counts.
    static let pronouns: Set<String> = [
        "i", "me", "we", "us", "you", "he", "him", "she", "her", "it", "they", "them",
        "my", "mine", "our", "ours", "your", "yours", "his", "hers", "its", "their", "theirs",
        "myself", "ourselves", "yourself", "yourselves", "himself", "herself", "itself", "themselves",
        "this", "that", "these", "those", "who", "whom", "whose", "which", "what",
        "whoever", "whomever", "whatever", "whichever",
        "anybody", "anyone", "anything", "everybody", "everyone", "everything",
        "nobody", "nothing", "somebody", "someone", "something",
        "each", "either", "neither", "both", "all", "some", "any", "none",
    ]

    /// English coordinating conjunctions (FANBOYS).
    static let conjunctions: Set<String> = ["and", "but", "for", "nor", "or", "so", "yet"]

    /// The names `count:person_names` lists in its instruction (and only those count).
    static let personNames: [String] = [
        "Emma", "Liam", "Sophia", "Jackson", "Olivia", "Noah", "Ava", "Lucas", "Isabella", "Mason", "Mia",
        "Ethan", "Charlotte", "Alexander", "Amelia", "Benjamin", "Harper", "Leo", "Zoe", "Daniel", "Chloe",
        "Samuel", "Lily", "Matthew", "Grace", "Owen", "Abigail", "Gabriel", "Ella", "Jacob", "Scarlett",
        "Nathan", "Victoria", "Elijah", "Layla", "Nicholas", "Audrey", "David", "Hannah", "Christopher",
        "Penelope", "Thomas", "Nora", "Andrew", "Aria", "Joseph", "Claire", "Ryan", "Stella", "Jonathan",
    ]

    /// Everyday nouns from which sampled keyword, forbidden-word and first-word kwargs are drawn.
    public static let keywordPool: [String] = [
        "river", "garden", "lantern", "harbor", "meadow", "compass", "engine", "library", "window", "bridge",
        "market", "signal", "candle", "forest", "thunder", "pepper", "ladder", "planet", "mirror", "ticket",
        "orchard", "pillow", "canvas", "tunnel", "anchor", "basket", "castle", "desert", "falcon", "glacier",
        "hammer", "island", "jacket", "kettle", "lemon", "magnet", "needle", "ocean", "pencil", "quarry",
        "rocket", "saddle", "teapot", "umbrella", "valley", "wallet", "yogurt", "zipper", "blanket", "cabin",
        "dragon", "echo", "feather", "guitar", "helmet", "insect", "jungle", "koala", "lobster", "marble",
        "notebook", "oyster", "puzzle", "quilt", "ribbon", "shadow", "tractor", "violin", "whistle", "anthem",
        "bakery", "cactus", "dolphin", "elbow", "fossil", "gravel", "hazel", "iceberg", "journey", "kitchen",
        "lagoon", "museum", "nectar", "outpost", "parade", "recipe", "sunrise", "timber", "voyage", "workshop",
    ]

    /// IFEval's ending phrases for `startend:end_checker`.
    static let endPhrases = ["Any other questions?", "Is there anything else I can help with?",
                             "Let me know if you have additional questions.", "That is all I have to say."]
}
