/// TP-Data-Coding-Scheme (3GPP TS 23.038 section 4): the alphabet, compression and class of user data.
public struct DataCodingScheme: Sendable, Hashable, Codable {
    /// The character set of user data.
    public enum Alphabet: String, Sendable, Hashable, Codable {
        /// GSM 7-bit default alphabet, with TP-UDL counting septets.
        case gsm7
        /// 8-bit data with no defined text form, with TP-UDL counting octets.
        case eightBit
        /// UCS-2 (UTF-16 big endian), with TP-UDL counting octets.
        case ucs2
    }

    /// The octet as sent.
    public var rawValue: UInt8

    /// Wraps a TP-DCS octet. Every value is accepted: reserved codings read as GSM 7-bit.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// The alphabet the octet selects.
    ///
    /// Reserved coding groups and the reserved alphabet value read as GSM 7-bit, as TS 23.038
    /// requires of a receiver.
    public var alphabet: Alphabet {
        switch rawValue >> 4 {
        case 0x0...0x7:
            // General data coding and automatic deletion groups: bits 3-2 select the alphabet.
            switch (rawValue >> 2) & 0x03 {
            case 0x01: return .eightBit
            case 0x02: return .ucs2
            default: return .gsm7
            }
        case 0xE:
            return .ucs2
        case 0xF:
            return rawValue & 0x04 == 0 ? .gsm7 : .eightBit
        default:
            return .gsm7
        }
    }

    /// Tells whether the user data is compressed (TS 23.042). Such text is not decoded here.
    public var isCompressed: Bool {
        rawValue >> 6 == 0 || rawValue >> 6 == 1 ? rawValue & 0x20 != 0 : false
    }

    /// The message class 0...3 when the octet gives one.
    public var messageClass: Int? {
        switch rawValue >> 4 {
        case 0x0...0x7:
            return rawValue & 0x10 != 0 ? Int(rawValue & 0x03) : nil
        case 0xF:
            return Int(rawValue & 0x03)
        default:
            return nil
        }
    }

    /// True when TP-UDL counts septets (uncompressed GSM 7-bit), false when it counts octets.
    public var userDataLengthCountsSeptets: Bool {
        alphabet == .gsm7 && !isCompressed
    }
}
