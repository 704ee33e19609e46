import SMSCodec

/// Reads a packed GSM 7-bit `short_message` (or `message_payload`) from an SMSC that packs
/// septets into octets, as links set to `data_coding_gsm: packed` expect.
///
/// With a user data header (`esm_class` 0x40) the header octets come first, not packed. The text
/// then starts on the next septet boundary counted from the start of the user data, so 0 to 6
/// fill bits come between them (3GPP TS 23.040 section 9.2.3.24).
///
/// SMPP gives `sm_length` in octets and no septet count, so the count is the number of whole
/// septets that fit. When those septets fill the last octet exactly and the last one is zero, it
/// is read as the 7 zero bits a sender leaves after a text one septet shorter, and dropped.
/// NOTE: a text that really ends in '@' at exactly such a length loses that '@', because both
/// texts pack to the same octets.
public enum GSMSeptetUnpacking {
    /// The user data of one part: its header, if any, and the text as one septet per octet.
    public struct UserData: Equatable, Sendable {
        /// The user data header, present when `esm_class` has 0x40.
        public var header: UserDataHeader?
        /// The text septets, unpacked.
        public var septets: [UInt8]
    }

    /// Splits packed user data into its header and its unpacked text.
    ///
    /// - Parameter hasHeader: whether `esm_class` has the UDHI bit (0x40).
    /// - Throws: `SMSCodec.PDUDecodingError` when the header runs past the data.
    public static func unpack(_ octets: [UInt8], hasHeader: Bool) throws(SMSCodec.PDUDecodingError) -> UserData {
        var header: UserDataHeader?
        var headerLength = 0
        if hasHeader {
            (header, headerLength) = try UserDataHeader.parse(octets)
        }
        let fillBits = SeptetPacking.fillBits(afterHeaderOfLength: headerLength)
        let text = Array(octets[headerLength...])
        return UserData(header: header, septets: try septets(in: text, fillBits: fillBits))
    }

    /// Unpacks every whole septet of `octets` after `fillBits`, and drops a zero padding septet.
    static func septets(in octets: [UInt8], fillBits: Int) throws(SMSCodec.PDUDecodingError) -> [UInt8] {
        let bits = octets.count * 8 - fillBits
        guard bits >= 7 else { return [] }
        var septets = try SeptetPacking.unpack(octets, septetCount: bits / 7, fillBits: fillBits)
        if bits % 7 == 0, septets.last == 0x00 {
            septets.removeLast()
        }
        return septets
    }
}
