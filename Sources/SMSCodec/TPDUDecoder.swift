/// A decoded TPDU of one of the three types a gateway reads.
public enum TPDU: Sendable, Hashable {
    /// TP-MTI 00: a message from the SMSC.
    case deliver(SMSDeliver)
    /// TP-MTI 01: a message to the SMSC, as read back from storage or a log.
    case submit(SMSSubmit)
    /// TP-MTI 10: a report on a submitted message.
    case statusReport(SMSStatusReport)

    /// The standard name of the type, for example "SMS-STATUS-REPORT".
    public var typeName: String {
        switch self {
        case .deliver: return "SMS-DELIVER"
        case .submit: return "SMS-SUBMIT"
        case .statusReport: return "SMS-STATUS-REPORT"
        }
    }
}

/// A TPDU with the SMSC field that preceded it, if any.
public struct DecodedTPDU: Sendable, Hashable {
    /// The SMSC address, or nil when the field was absent or empty (length octet 00).
    public var smsc: TPAddress?
    /// The TPDU.
    public var tpdu: TPDU
    /// Octets of the TPDU, the SMSC field excluded: what +CMGR, +CMGL and +CDS report as length.
    public var tpduLength: Int
    /// Octets after the end of the TPDU that no field claims. They are ignored, not an error.
    public var trailingOctets: Int
}

/// Decodes PDU-mode octets into SMS-DELIVER, SMS-SUBMIT or SMS-STATUS-REPORT.
///
/// TP-MTI alone does not tell an SMS-DELIVER from an SMS-DELIVER-REPORT, and so on, because the
/// direction decides. This decoder reads what a gateway receives or re-reads: MTI 00 as
/// SMS-DELIVER, 01 as SMS-SUBMIT (from storage or a log), 10 as SMS-STATUS-REPORT.
/// Every read is bounds-checked. Malformed input throws and never reads past the end.
public enum TPDUDecoder {
    /// Decodes a PDU.
    /// - Parameter hasSMSC: true when the PDU starts with the SMSC field (as in +CMGR, +CMT and +CDS
    ///   in PDU mode), false for a bare TPDU.
    /// - Throws: `PDUDecodingError` naming the field and offset of the first problem.
    public static func decode(_ bytes: [UInt8], hasSMSC: Bool) throws(PDUDecodingError) -> DecodedTPDU {
        var reader = ByteReader(bytes)
        let smsc = hasSMSC ? try TPAddress.readSMSCAddress(&reader) : nil
        let start = reader.offset
        let firstOctet = try reader.readByte(field: "first octet")
        let tpdu: TPDU
        switch firstOctet & 0x03 {
        case 0x00: tpdu = .deliver(try SMSDeliver.read(&reader, firstOctet: firstOctet))
        case 0x01: tpdu = .submit(try SMSSubmit.read(&reader, firstOctet: firstOctet))
        case 0x02: tpdu = .statusReport(try SMSStatusReport.read(&reader, firstOctet: firstOctet))
        default: throw .unsupportedMessageType(mti: firstOctet & 0x03, offset: start)
        }
        return DecodedTPDU(smsc: smsc, tpdu: tpdu, tpduLength: reader.offset - start, trailingOctets: reader.remaining)
    }

    /// Decodes a PDU given as hex text.
    /// - Throws: `PDUDecodingError.invalidHex` for bad hex, then as `decode(_:hasSMSC:)`.
    public static func decode(hex: String, hasSMSC: Bool) throws(PDUDecodingError) -> DecodedTPDU {
        try decode(try Hex.decode(hex), hasSMSC: hasSMSC)
    }
}
