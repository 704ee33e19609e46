/// Compares secrets in time that depends on their lengths only, never on where they differ.
///
/// An `outbind` password checked with `==` would stop at the first wrong character, so the time the
/// check takes would show a remote guesser how many leading characters were right.
enum ConstantTimeComparison {
    /// Returns whether `candidate` and `expected` have the same UTF-8 octets.
    ///
    /// Every octet of the longer string is visited, so the time grows with the lengths alone.
    static func equal(_ candidate: String, _ expected: String) -> Bool {
        let left = Array(candidate.utf8)
        let right = Array(expected.utf8)
        var difference: UInt8 = left.count == right.count ? 0 : 1
        for index in 0..<max(left.count, right.count) {
            let a = index < left.count ? left[index] : 0
            let b = index < right.count ? right[index] : 0
            difference |= a ^ b
        }
        return difference == 0
    }
}
