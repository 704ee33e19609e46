/// TP-Status of an SMS-STATUS-REPORT (TS 23.040 section 9.2.3.15).
public struct TPStatus: Sendable, Hashable, Codable {
    /// The four ranges of TP-ST.
    public enum StatusClass: String, Sendable, Hashable, Codable {
        /// 0x00-0x1F: the transaction completed (delivered, or forwarded without confirmation).
        case completed
        /// 0x20-0x3F: a temporary error. The SMSC is still trying, so more reports may follow.
        case temporaryStillTrying
        /// 0x40-0x5F: a permanent error. The SMSC makes no more attempts.
        case permanentError
        /// 0x60-0x7F: a temporary error after which the SMSC stopped trying.
        case temporaryStopped
    }

    /// The TP-ST octet.
    public var rawValue: UInt8

    /// Wraps a TP-ST octet.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// The range the value falls in. Values with bit 7 set are reserved. This decoder classes them
    /// as a permanent error, a final state, because no defined report can follow them.
    public var statusClass: StatusClass {
        switch rawValue {
        case 0x00...0x1F: return .completed
        case 0x20...0x3F: return .temporaryStillTrying
        case 0x60...0x7F: return .temporaryStopped
        default: return .permanentError
        }
    }

    /// True when no further report will follow for this message.
    public var isFinal: Bool { statusClass != .temporaryStillTrying }

    /// True when the message reached the recipient (0x00, or 0x01 and 0x02, which TS 23.040 also
    /// counts as completed).
    public var isDelivered: Bool { statusClass == .completed }

    /// The standard's meaning of the value.
    public var meaning: String {
        if let text = Self.meanings[rawValue] { return text }
        switch rawValue {
        case 0x10...0x1F, 0x30...0x3F, 0x50...0x5F, 0x70...0x7F: return "SC specific value (\(statusClass.rawValue))"
        default: return "reserved value (\(statusClass.rawValue))"
        }
    }

    static let meanings: [UInt8: String] = [
        0x00: "short message received by the SME",
        0x01: "short message forwarded by the SC to the SME but the SC is unable to confirm delivery",
        0x02: "short message replaced by the SC",
        0x20: "congestion (SC still trying)",
        0x21: "SME busy (SC still trying)",
        0x22: "no response from SME (SC still trying)",
        0x23: "service rejected (SC still trying)",
        0x24: "quality of service not available (SC still trying)",
        0x25: "error in SME (SC still trying)",
        0x40: "remote procedure error",
        0x41: "incompatible destination",
        0x42: "connection rejected by SME",
        0x43: "not obtainable",
        0x44: "quality of service not available",
        0x45: "no interworking available",
        0x46: "SM validity period expired",
        0x47: "SM deleted by originating SME",
        0x48: "SM deleted by SC administration",
        0x49: "SM does not exist",
        0x60: "congestion (SC stopped trying)",
        0x61: "SME busy (SC stopped trying)",
        0x62: "no response from SME (SC stopped trying)",
        0x63: "service rejected (SC stopped trying)",
        0x64: "quality of service not available (SC stopped trying)",
        0x65: "error in SME (SC stopped trying)",
    ]
}
