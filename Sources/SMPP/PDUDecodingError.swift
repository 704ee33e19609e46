/// A reason a PDU frame could not be decoded.
///
/// Every case names the field and its offset from the start of the frame, so a log line points at
/// the offending byte.
public enum PDUDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `command_length` is below the 16-octet header or above the decoder's maximum. The stream
    /// cannot be re-synchronised; the connection must be closed.
    case commandLengthOutOfRange(UInt32, maximum: UInt32)
    /// The frame ended inside a fixed-size field.
    case truncatedField(name: String, offset: Int)
    /// A C-Octet string had no NUL within its maximum length (which counts the NUL).
    case unterminatedCOctetString(name: String, maxLength: Int, offset: Int)
    /// A TLV's length runs past the end of the frame.
    case tlvLengthPastEnd(tag: UInt16, length: Int, offset: Int)
    /// A known TLV has a length its definition does not allow.
    case invalidTLVLength(tag: UInt16, length: Int, offset: Int)
    /// A field's value contradicts another field, for example `sm_length` over 254.
    case invalidField(name: String, value: Int, offset: Int)
    /// A header-only PDU, or a PDU whose mandatory part ended, carried bytes it may not have.
    case unexpectedBody(commandID: CommandID, extraOctets: Int, offset: Int)

    public var description: String {
        switch self {
        case .commandLengthOutOfRange(let length, let maximum):
            "command_length \(length) is outside 16...\(maximum); close the connection"
        case .truncatedField(let name, let offset):
            "\(name) at offset \(offset) runs past the end of the PDU"
        case .unterminatedCOctetString(let name, let maxLength, let offset):
            "\(name) at offset \(offset) has no NUL within \(maxLength) octets"
        case .tlvLengthPastEnd(let tag, let length, let offset):
            "TLV 0x\(String(tag, radix: 16)) at offset \(offset) has length \(length) past the end of the PDU"
        case .invalidTLVLength(let tag, let length, let offset):
            "TLV 0x\(String(tag, radix: 16)) at offset \(offset) has invalid length \(length)"
        case .invalidField(let name, let value, let offset):
            "\(name) at offset \(offset) has invalid value \(value)"
        case .unexpectedBody(let commandID, let extraOctets, let offset):
            "\(commandID) has \(extraOctets) unexpected octets at offset \(offset)"
        }
    }
}
