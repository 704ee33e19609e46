import Foundation

/// Replaces characters that have no GSM 7-bit code with their nearest GSM form, so that a text
/// can go as GSM 7-bit (160 characters per SMS) instead of UCS-2 (70).
///
/// Replacements: typographic quotes, dashes, ellipsis, bullets and unusual spaces by their ASCII
/// forms, and letters with accents the alphabet lacks by the base letter (an accent is dropped
/// only when the accented letter itself has no code: 'é' stays). The caller decides whether the
/// change is acceptable. Nothing here runs unless called.
public enum GSMTransliterator {
    /// One character that was replaced.
    public struct Replacement: Sendable, Equatable, Codable {
        /// The original character.
        public var original: String
        /// The replacement text, possibly several characters (as for the ellipsis).
        public var replacement: String
        /// The position of the original character, counted in characters from the start.
        public var offset: Int
    }

    /// The transliterated text and what changed.
    public struct Result: Sendable, Equatable {
        /// The text with every replaceable character replaced.
        public var text: String
        /// The replacements in text order.
        public var replacements: [Replacement]
        /// Characters still without a GSM code (no near form is known), in text order.
        /// The text needs UCS-2 while this is not empty.
        public var untranslatable: [Character]
    }

    /// Characters replaced by fixed strings, checked before accent stripping.
    static let table: [Character: String] = [
        "\u{2018}": "'", "\u{2019}": "'", "\u{201A}": "'", "\u{201B}": "'", "\u{2032}": "'", "\u{00B4}": "'",
        "`": "'",
        "\u{201C}": "\"", "\u{201D}": "\"", "\u{201E}": "\"", "\u{201F}": "\"", "\u{2033}": "\"",
        "\u{00AB}": "\"", "\u{00BB}": "\"",
        "\u{2010}": "-", "\u{2011}": "-", "\u{2012}": "-", "\u{2013}": "-", "\u{2014}": "-", "\u{2015}": "-",
        "\u{2212}": "-",
        "\u{2026}": "...", "\u{2022}": "-", "\u{00B7}": ".",
        "\u{00A0}": " ", "\u{2002}": " ", "\u{2003}": " ", "\u{2009}": " ", "\u{202F}": " ",
        "\u{200B}": "", "\u{FEFF}": "",
        "\u{00E7}": "\u{00C7}",
        "\u{0153}": "oe", "\u{0152}": "OE", "\u{00F0}": "d", "\u{00D0}": "D", "\u{00FE}": "th", "\u{00DE}": "Th",
        "\u{0142}": "l", "\u{0141}": "L", "\u{0111}": "d", "\u{0110}": "D", "\u{0131}": "i",
        "\u{00A9}": "(c)", "\u{00AE}": "(R)", "\u{2122}": "TM", "\u{00D7}": "x", "\u{00F7}": "/",
    ]

    /// Replaces every character without a GSM 7-bit code that has a near form.
    public static func transliterate(_ text: String) -> Result {
        var output = ""
        var replacements: [Replacement] = []
        var untranslatable: [Character] = []
        for (offset, character) in text.enumerated() {
            let original = String(character)
            if GSMAlphabet.canEncode(original) {
                output.append(character)
            } else if let replacement = nearForm(of: character) {
                output += replacement
                replacements.append(Replacement(original: original, replacement: replacement, offset: offset))
            } else {
                output.append(character)
                untranslatable.append(character)
            }
        }
        return Result(text: output, replacements: replacements, untranslatable: untranslatable)
    }

    /// Returns the GSM-encodable near form of one character, or nil when none is known.
    static func nearForm(of character: Character) -> String? {
        if let fixed = table[character] { return fixed }

        // Composed form first: "e" plus U+0301 becomes "é", which has a code.
        let composed = String(character).precomposedStringWithCanonicalMapping
        if GSMAlphabet.canEncode(composed) { return composed }

        // Then the base letters with every combining mark removed: "ã" becomes "a".
        let decomposed = String(character).decomposedStringWithCanonicalMapping
        var base = String.UnicodeScalarView()
        for scalar in decomposed.unicodeScalars where !isCombiningMark(scalar) {
            base.append(scalar)
        }
        let stripped = String(base)
        guard !stripped.isEmpty, GSMAlphabet.canEncode(stripped) else { return nil }
        return stripped
    }

    private static func isCombiningMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }
}
