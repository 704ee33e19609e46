/// The alphabet a text is sent in.
public enum SMSEncoding: String, Sendable, Codable, CaseIterable {
    /// GSM 7-bit default alphabet with its extension table (TP-DCS and SMPP data_coding 0x00).
    case gsm7
    /// UCS-2, sent as UTF-16 with surrogate pairs kept (TP-DCS and SMPP data_coding 0x08).
    case ucs2

    /// Chooses GSM 7-bit when every scalar of `text` has a GSM code, else UCS-2.
    ///
    /// One character outside GSM 7-bit sends the whole text as UCS-2. Transliteration is never
    /// applied here. Call `GSMTransliterator.transliterate(_:)` first to avoid UCS-2 where
    /// a near GSM form is acceptable.
    public static func choose(for text: String) -> SMSEncoding {
        GSMAlphabet.canEncode(text) ? .gsm7 : .ucs2
    }

    /// The TP-DCS octet, and the SMPP data_coding value, for a message in this alphabet with no class.
    public var dataCoding: UInt8 {
        switch self {
        case .gsm7: return 0x00
        case .ucs2: return 0x08
        }
    }

    /// Octets of user data in one SMS (TS 23.040 TP-UD maximum).
    public static let maximumUserDataOctets = 140

    /// Units (septets or UTF-16 units) that fit in one segment after a user data
    /// header of `headerLength` octets: 160 and 70 with no header, 153 and 67 after a 6-octet
    /// concatenation header, 152 and 66 after a 7-octet one.
    public func unitsPerSegment(headerLength: Int) -> Int {
        let octets = SMSEncoding.maximumUserDataOctets - headerLength
        switch self {
        case .gsm7:
            return SMSEncoding.maximumUserDataOctets * 8 / 7
                - SeptetPacking.headerSeptets(forHeaderOfLength: headerLength)
        case .ucs2:
            return octets / 2
        }
    }
}
