/// Text that cannot be encoded to, or decoded from, an SMS alphabet.
public enum TextCodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A character has no code in the GSM 7-bit default alphabet or its extension table.
    /// `offset` counts Unicode scalars from the start of the text.
    case notInGSMAlphabet(character: Character, offset: Int)
    /// UCS-2 data contains a high surrogate with no low surrogate after it, or a low surrogate
    /// with no high surrogate before it. `offset` is the octet offset of the unit.
    case loneSurrogate(unit: UInt16, offset: Int)
    /// UCS-2 data has an odd number of octets.
    case oddUCS2Length(length: Int)
    /// A septet value above 0x7F in unpacked GSM data. `offset` is the octet offset.
    case septetOutOfRange(value: UInt8, offset: Int)

    /// One line naming the value and what to do.
    public var description: String {
        switch self {
        case .notInGSMAlphabet(let character, let offset):
            let scalars = character.unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }
            return "character \(scalars.joined(separator: " ")) at offset \(offset) has no GSM 7-bit code:"
                + " send as UCS-2 or transliterate it first"
        case .loneSurrogate(let unit, let offset):
            return "UCS-2 unit 0x\(String(unit, radix: 16, uppercase: true)) at octet \(offset) is a lone surrogate:"
                + " the text was split inside a surrogate pair or is corrupt"
        case .oddUCS2Length(let length):
            return "UCS-2 data has \(length) octets, an odd count: each unit needs two octets"
        case .septetOutOfRange(let value, let offset):
            return "octet 0x\(Hex.encode([value])) at offset \(offset) is not a septet (above 0x7F):"
                + " the data is not unpacked GSM 7-bit"
        }
    }
}
