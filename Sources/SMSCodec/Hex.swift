/// Hexadecimal text for octets, as written in AT command logs, field reports and test fixtures.
public enum Hex {
    private static let digits = Array("0123456789ABCDEF".utf8)

    /// Returns the octets as upper-case hex with no separators.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var utf8: [UInt8] = []
        for byte in bytes {
            utf8.append(digits[Int(byte >> 4)])
            utf8.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Parses hex text into octets. Spaces, tabs and line breaks between digits are skipped.
    /// - Throws: `PDUDecodingError.invalidHex(offset:)` with the character position of a non-hex
    ///   character, or the text length when the digit count is odd.
    public static func decode(_ text: String) throws(PDUDecodingError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count / 2)
        var high: UInt8? = nil
        var position = 0
        for character in text.utf8 {
            defer { position += 1 }
            if character == 0x20 || character == 0x09 || character == 0x0A || character == 0x0D {
                continue
            }
            guard let value = nibble(character) else { throw .invalidHex(offset: position) }
            if let first = high {
                bytes.append(first << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        if high != nil { throw .invalidHex(offset: position) }
        return bytes
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case 0x30...0x39: return character - 0x30
        case 0x41...0x46: return character - 0x41 + 10
        case 0x61...0x66: return character - 0x61 + 10
        default: return nil
        }
    }
}
