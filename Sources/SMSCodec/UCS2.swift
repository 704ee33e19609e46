/// UCS-2 user data as sent today: big-endian UTF-16 code units, with characters outside the
/// Basic Multilingual Plane kept as surrogate pairs (TS 23.038 data coding 0x08).
public enum UCS2 {
    /// Returns the UTF-16 code units of `text`.
    public static func units(of text: String) -> [UInt16] {
        Array(text.utf16)
    }

    /// Encodes `text` as big-endian UTF-16 octets.
    public static func encode(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf16.count * 2)
        for unit in text.utf16 {
            bytes.append(UInt8(unit >> 8))
            bytes.append(UInt8(unit & 0xFF))
        }
        return bytes
    }

    /// Decodes big-endian UTF-16 octets.
    /// - Throws: `TextCodingError.oddUCS2Length` for an odd octet count, and
    ///   `TextCodingError.loneSurrogate` with the octet offset of an unpaired surrogate.
    public static func decode(_ bytes: [UInt8]) throws(TextCodingError) -> String {
        guard bytes.count % 2 == 0 else { throw .oddUCS2Length(length: bytes.count) }
        var scalars = String.UnicodeScalarView()
        var index = 0
        while index < bytes.count {
            let unit = UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
            switch unit {
            case 0xD800...0xDBFF:
                guard index + 3 < bytes.count else { throw .loneSurrogate(unit: unit, offset: index) }
                let low = UInt16(bytes[index + 2]) << 8 | UInt16(bytes[index + 3])
                guard (0xDC00...0xDFFF).contains(low) else { throw .loneSurrogate(unit: unit, offset: index) }
                let value = 0x10000 + (UInt32(unit - 0xD800) << 10) + UInt32(low - 0xDC00)
                scalars.append(Unicode.Scalar(value)!)
                index += 4
            case 0xDC00...0xDFFF:
                throw .loneSurrogate(unit: unit, offset: index)
            default:
                scalars.append(Unicode.Scalar(unit)!)
                index += 2
            }
        }
        return String(scalars)
    }
}
