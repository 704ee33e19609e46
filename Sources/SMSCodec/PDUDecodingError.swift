/// A TPDU, address, timestamp or user data header that cannot be decoded.
///
/// Every case names the TS 23.040 field and the byte offset from the start of the input
/// (the SMSC field included when present), so a hex dump can be checked by hand.
public enum PDUDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A field needs more octets than remain in the input.
    case truncated(field: String, offset: Int, needed: Int, available: Int)
    /// A field contains a value the standard does not allow.
    case invalidValue(field: String, offset: Int, value: UInt8, reason: String)
    /// The TP-MTI bits name a message type this decoder does not read (`11` is reserved).
    case unsupportedMessageType(mti: UInt8, offset: Int)
    /// The hex text has an odd length or a character other than 0-9, A-F.
    case invalidHex(offset: Int)

    /// One line naming the field, the offset and what to check.
    public var description: String {
        switch self {
        case .truncated(let field, let offset, let needed, let available):
            return "\(field) at offset \(offset) needs \(needed) octet(s) but only \(available) remain:"
                + " the PDU is cut short or a length field is wrong"
        case .invalidValue(let field, let offset, let value, let reason):
            return "\(field) at offset \(offset) has invalid value 0x\(Hex.encode([value])): \(reason)"
        case .unsupportedMessageType(let mti, let offset):
            return "TP-MTI at offset \(offset) is \(mti), which is reserved:"
                + " expected SMS-DELIVER (0), SMS-SUBMIT (1) or SMS-STATUS-REPORT (2)"
        case .invalidHex(let offset):
            return "hex text has an invalid character or odd length at position \(offset):"
                + " give pairs of hex digits"
        }
    }
}
