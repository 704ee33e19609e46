/// The GSM 7-bit default alphabet and its extension table (3GPP TS 23.038 section 6.2.1).
///
/// Septets here are unpacked: one septet per octet, values 0x00...0x7F, the form an SMPP link
/// uses for data_coding 0. `SeptetPacking` converts to and from the packed air-interface form.
/// '@' is septet 0x00 and is an ordinary character: decoding never stops at it.
public enum GSMAlphabet {
    /// The escape septet that selects the extension table for the next septet.
    public static let escape: UInt8 = 0x1B

    /// The basic character set, indexed by septet. Index 0x1B (escape) contains a space, which is
    /// what a receiver shows for an escape it cannot interpret.
    static let basic: [Unicode.Scalar] = [
        "@", "\u{00A3}", "$", "\u{00A5}", "\u{00E8}", "\u{00E9}", "\u{00F9}", "\u{00EC}",
        "\u{00F2}", "\u{00C7}", "\n", "\u{00D8}", "\u{00F8}", "\r", "\u{00C5}", "\u{00E5}",
        "\u{0394}", "_", "\u{03A6}", "\u{0393}", "\u{039B}", "\u{03A9}", "\u{03A0}", "\u{03A8}",
        "\u{03A3}", "\u{0398}", "\u{039E}", " ", "\u{00C6}", "\u{00E6}", "\u{00DF}", "\u{00C9}",
        " ", "!", "\"", "#", "\u{00A4}", "%", "&", "'", "(", ")", "*", "+", ",", "-", ".", "/",
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ":", ";", "<", "=", ">", "?",
        "\u{00A1}", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O",
        "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z", "\u{00C4}", "\u{00D6}", "\u{00D1}", "\u{00DC}",
        "\u{00A7}",
        "\u{00BF}", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
        "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "\u{00E4}", "\u{00F6}", "\u{00F1}", "\u{00FC}",
        "\u{00E0}",
    ]

    /// The extension table: septet after the escape, and the character it stands for.
    static let extensionTable: [UInt8: Unicode.Scalar] = [
        0x0A: "\u{000C}", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\",
        0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|", 0x65: "\u{20AC}",
    ]

    /// Maps a scalar to its septets: one for the basic set, escape plus code for the extension table.
    static let encodingTable: [Unicode.Scalar: [UInt8]] = {
        var table: [Unicode.Scalar: [UInt8]] = [:]
        for (septet, scalar) in basic.enumerated() where septet != Int(escape) {
            table[scalar] = [UInt8(septet)]
        }
        for (code, scalar) in extensionTable {
            table[scalar] = [escape, code]
        }
        return table
    }()

    /// Returns the septets for one scalar, or nil when it has no GSM 7-bit code.
    public static func septets(for scalar: Unicode.Scalar) -> [UInt8]? {
        encodingTable[scalar]
    }

    /// Tells whether every scalar of `text` has a code in the default alphabet or extension table.
    public static func canEncode(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { encodingTable[$0] != nil }
    }

    /// Counts the septets `text` needs, with two for each extension-table character.
    /// Returns nil when some scalar has no GSM 7-bit code.
    public static func septetCount(of text: String) -> Int? {
        var count = 0
        for scalar in text.unicodeScalars {
            guard let septets = encodingTable[scalar] else { return nil }
            count += septets.count
        }
        return count
    }

    /// Encodes `text` to unpacked septets.
    /// - Throws: `TextCodingError.notInGSMAlphabet` naming the first scalar with no code.
    public static func encode(_ text: String) throws(TextCodingError) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(text.unicodeScalars.count)
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            guard let septets = encodingTable[scalar] else {
                throw .notInGSMAlphabet(character: Character(scalar), offset: offset)
            }
            result.append(contentsOf: septets)
        }
        return result
    }

    /// Decodes unpacked septets to text.
    ///
    /// An escape followed by a code missing from the extension table decodes as the basic-set
    /// character of that code, as TS 23.038 requires of a receiver. An escape followed by another
    /// escape, or an escape as the last septet, shows as a space. Bit 7 of each octet is ignored,
    /// so any octets decode. `decodeStrict(_:)` rejects such octets instead.
    public static func decode<Septets: Sequence>(_ septets: Septets) -> String where Septets.Element == UInt8 {
        var scalars = String.UnicodeScalarView()
        var escaped = false
        for octet in septets {
            let septet = octet & 0x7F
            if escaped {
                escaped = false
                if let scalar = extensionTable[septet] {
                    scalars.append(scalar)
                } else {
                    // An escape before an escape, or before an undefined code, falls back to the basic set.
                    scalars.append(basic[Int(septet)])
                }
            } else if septet == escape {
                escaped = true
            } else {
                scalars.append(basic[Int(septet)])
            }
        }
        if escaped { scalars.append(" ") }
        return String(scalars)
    }

    /// Decodes unpacked septets, rejecting any octet above 0x7F.
    /// - Throws: `TextCodingError.septetOutOfRange` with the offset of the first such octet.
    public static func decodeStrict(_ septets: [UInt8]) throws(TextCodingError) -> String {
        if let index = septets.firstIndex(where: { $0 > 0x7F }) {
            throw .septetOutOfRange(value: septets[index], offset: index)
        }
        return decode(septets)
    }
}
