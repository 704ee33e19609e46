/// A line (or line pair) the modem sends on its own, outside any command's response.
///
/// Two-line codes (`+CDS` and `+CMT` in PDU mode) carry their second line here: that line
/// belongs to the code and never to a command response.
public enum UnsolicitedResultCode: Sendable, Hashable {
    /// `+CMTI: <mem>,<index>`: a new message was stored.
    case newMessageStored(storage: String, index: Int)
    /// `+CMT: [<alpha>],<length>` and its PDU line: a message delivered straight to the host.
    case newMessage(header: String, pdu: String)
    /// `+CDS: <length>` and its PDU line: a status report in PDU mode.
    ///
    /// `tpduLength` counts the TPDU only, not the SMSC field at the start of `pduHex`.
    case statusReport(pduHex: String, tpduLength: Int)
    /// `+CDS: <fo>,<mr>,...` in text mode, kept as the raw field list.
    case statusReportText(String)
    /// `+CDSI: <mem>,<index>`: a status report was stored.
    case statusReportStored(storage: String, index: Int)
    /// `RING`.
    case ring
    /// `+CREG:`, `+CGREG:` or `+CEREG:` with the registration fields as sent.
    case registration(prefix: String, fields: String)
    /// Any other line from the modem's own initiative, such as `^RSSI: 17`, `^BOOT:`, `^MODE:`.
    case other(String)

    /// The line as received (the header line for two-line codes).
    public var text: String {
        switch self {
        case .newMessageStored(let storage, let index): "+CMTI: \(storage),\(index)"
        case .newMessage(let header, _): header
        case .statusReport(_, let tpduLength): "+CDS: \(tpduLength)"
        case .statusReportText(let fields): "+CDS: \(fields)"
        case .statusReportStored(let storage, let index): "+CDSI: \(storage),\(index)"
        case .ring: "RING"
        case .registration(let prefix, let fields): "\(prefix) \(fields)"
        case .other(let line): line
        }
    }
}
