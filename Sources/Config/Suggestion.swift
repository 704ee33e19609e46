/// "Did you mean" hints for misspelt keys and values.
enum Suggestion {
    /// ` (did you mean "x"?)` for the closest candidate within a small edit distance, or "".
    static func hint(for text: String, among candidates: [String]) -> String {
        guard let match = closest(to: text, among: candidates) else { return "" }
        return " (did you mean \"\(match)\"?)"
    }

    /// Returns the candidate with the fewest edits from `text`, when it needs at most a third of its length.
    static func closest(to text: String, among candidates: [String]) -> String? {
        let limit = max(1, text.count / 3)
        let scored = candidates.map { ($0, editDistance(text.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= limit else { return nil }
        return best.0
    }

    /// Levenshtein distance over characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
