/// The storage status `<stat>` of a message read with `AT+CMGR` (TS 27.005 3.1).
public enum StoredMessageStatus: Int, Sendable, CaseIterable {
    case receivedUnread = 0
    case receivedRead = 1
    case storedUnsent = 2
    case storedSent = 3

    /// The text-mode name, such as `REC UNREAD`.
    public var text: String {
        switch self {
        case .receivedUnread: "REC UNREAD"
        case .receivedRead: "REC READ"
        case .storedUnsent: "STO UNSENT"
        case .storedSent: "STO SENT"
        }
    }

    /// Reads either the numeric (PDU mode) or the text (text mode) form.
    public init?(field: String) {
        if let number = Int(field), let status = StoredMessageStatus(rawValue: number) {
            self = status
            return
        }
        guard let status = StoredMessageStatus.allCases.first(where: { $0.text == field.uppercased() }) else {
            return nil
        }
        self = status
    }
}

/// A message read in PDU mode: `+CMGR: <stat>,[<alpha>],<length>` and the PDU line.
public struct StoredMessage: Sendable, Hashable {
    public var status: StoredMessageStatus
    /// The phonebook alpha tag; empty when the modem sent nothing or `""`.
    public var alpha: String
    /// The TPDU length in octets, without the SMSC part.
    public var tpduLength: Int
    /// The PDU in upper-case hex, SMSC field included.
    public var pduHex: String

    public init(status: StoredMessageStatus, alpha: String, tpduLength: Int, pduHex: String) {
        self.status = status
        self.alpha = alpha
        self.tpduLength = tpduLength
        self.pduHex = pduHex
    }

    /// Reads the response to `AT+CMGR=<index>` in PDU mode; `nil` when its lines do not have that shape.
    public init?(response: ATResponse) {
        guard let header = response.lines.firstIndex(where: { $0.hasPrefix("+CMGR:") }),
            header + 1 < response.lines.count,
            let fields = response.value(prefix: "+CMGR:").map(ATFields.split),
            fields.count == 3,
            let status = StoredMessageStatus(field: fields[0]),
            let length = Int(fields[2])
        else { return nil }
        let pdu = response.lines[header + 1]
        guard ATHex.isHex(pdu) else { return nil }
        self.init(status: status, alpha: fields[1], tpduLength: length, pduHex: pdu.uppercased())
    }
}

extension StoredMessage {
    /// Reads the response to `AT+CMGL=<stat>` in PDU mode: pairs of `+CMGL: <index>,<stat>,[<alpha>],<length>`
    /// and a PDU line, in the order listed. Pairs of another shape are skipped.
    public static func list(in response: ATResponse) -> [(index: Int, message: StoredMessage)] {
        var entries: [(index: Int, message: StoredMessage)] = []
        let lines = response.lines
        for (position, line) in lines.enumerated() where position + 1 < lines.count {
            guard let value = ATLineClassifier.value(of: line, prefix: "+CMGL:") else { continue }
            let fields = ATFields.split(value)
            let pdu = lines[position + 1]
            guard fields.count >= 3, let index = Int(fields[0]), let status = StoredMessageStatus(field: fields[1]),
                let length = fields.last.flatMap({ Int($0) }), ATHex.isHex(pdu)
            else { continue }
            let alpha = fields.count >= 4 ? fields[2] : ""
            entries.append((index, StoredMessage(status: status, alpha: alpha, tpduLength: length, pduHex: pdu.uppercased())))
        }
        return entries
    }

    /// Whether the TPDU is an SMS-STATUS-REPORT (TP-MTI 10 in its first octet), which some modems
    /// keep in the same storage as received messages.
    public var isStatusReport: Bool {
        guard let octets = ATHex.decode(pduHex), let smscLength = octets.first.map(Int.init),
            octets.count > smscLength + 1
        else { return false }
        return octets[smscLength + 1] & 0x03 == 0x02
    }
}

/// A status report read in text mode:
/// `+CMGR: <stat>,<fo>,<mr>,[<ra>],[<tora>],<scts>,<dt>,<st>` (TS 27.005 3.4.3).
public struct StoredStatusReportText: Sendable, Hashable {
    public var status: StoredMessageStatus
    /// TP-MTI and flags of the report (6 for a status report).
    public var firstOctet: Int
    /// TP-MR, the reference `+CMGS` returned for the message.
    public var messageReference: Int
    /// TP-RA, the recipient address.
    public var recipient: String
    /// The type of that address (145 international, 129 unknown).
    public var recipientType: Int?
    /// TP-SCTS in ISO 8601 with offset.
    public var serviceCentreTimestamp: String
    /// TP-DT in ISO 8601 with offset.
    public var dischargeTime: String
    /// TP-ST as a number.
    public var reportStatus: Int

    public init?(response: ATResponse) {
        guard let fields = response.value(prefix: "+CMGR:").map(ATFields.split), fields.count == 8,
            let status = StoredMessageStatus(field: fields[0]),
            let firstOctet = Int(fields[1]), let reference = Int(fields[2]),
            let scts = ATFields.isoTimestamp(fields[5]), let dischargeTime = ATFields.isoTimestamp(fields[6]),
            let reportStatus = Int(fields[7])
        else { return nil }
        self.status = status
        self.firstOctet = firstOctet
        self.messageReference = reference
        self.recipient = fields[3]
        self.recipientType = Int(fields[4])
        self.serviceCentreTimestamp = scts
        self.dischargeTime = dischargeTime
        self.reportStatus = reportStatus
    }
}
