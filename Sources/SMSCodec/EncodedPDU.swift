/// A PDU ready for AT+CMGS in PDU mode: the octets, and the TPDU length the command takes.
public struct EncodedPDU: Sendable, Hashable {
    /// The whole PDU: the SMSC part (when requested) then the TPDU.
    public var bytes: [UInt8]
    /// Octets of the TPDU alone, the SMSC part excluded: the number in `AT+CMGS=<length>`.
    public var tpduLength: Int

    /// The PDU as upper-case hex, the line sent after the `>` prompt (before Ctrl-Z).
    public var hex: String { Hex.encode(bytes) }

    /// The command that announces this PDU, for example "AT+CMGS=27".
    public var atCommand: String { "AT+CMGS=\(tpduLength)" }
}

/// The SMSC part that precedes the TPDU in a PDU-mode PDU.
public enum SMSCField: Sendable, Hashable {
    /// No SMSC part at all, for interfaces that take the bare TPDU.
    case absent
    /// The single octet 00: the modem uses its stored SMSC (AT+CSCA).
    case useStored
    /// An explicit SMSC address.
    case address(TPAddress)

    func encoded() throws(TPDUEncodingError) -> [UInt8] {
        switch self {
        case .absent: return []
        case .useStored: return [0x00]
        case .address(let address): return try address.encodedAsSMSCAddress()
        }
    }
}
