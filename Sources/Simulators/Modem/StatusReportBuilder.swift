import Foundation

/// Builds the SMS-STATUS-REPORT a simulated SMSC returns for a submitted SMS-SUBMIT (TS 23.040 9.2.2.3).
enum StatusReportBuilder {
    /// The recipient address field (TP-DA) of a submitted PDU that starts with its SMSC length octet.
    static func recipientAddress(ofSubmit pdu: [UInt8]) -> [UInt8]? {
        guard let smscLength = pdu.first else { return nil }
        let tpdu = Array(pdu.dropFirst(1 + Int(smscLength)))
        guard tpdu.count >= 4 else { return nil }
        let octets = (Int(tpdu[2]) + 1) / 2
        guard tpdu.count >= 4 + octets else { return nil }
        return Array(tpdu[2..<(4 + octets)])
    }

    /// Whether the SMS-SUBMIT asks for a status report (TP-SRR, bit 5 of the first octet).
    static func requestsReport(_ pdu: [UInt8]) -> Bool {
        guard let smscLength = pdu.first, pdu.count > 1 + Int(smscLength) else { return false }
        return pdu[1 + Int(smscLength)] & 0x20 != 0
    }

    /// The TPDU length of a submitted PDU: all octets after the SMSC field.
    static func tpduLength(ofSubmit pdu: [UInt8]) -> Int? {
        guard let smscLength = pdu.first, pdu.count > 1 + Int(smscLength) else { return nil }
        return pdu.count - 1 - Int(smscLength)
    }

    /// The report PDU with its SMSC field, and the TPDU length for the `+CDS:` header.
    static func report(
        reference: Int,
        recipient: [UInt8],
        status: UInt8,
        smscAddress: String,
        submitted: Date,
        discharged: Date
    ) -> (pdu: [UInt8], tpduLength: Int) {
        var tpdu: [UInt8] = [0x06, UInt8(reference & 0xFF)]
        tpdu += recipient
        tpdu += timestamp(submitted)
        tpdu += timestamp(discharged)
        tpdu.append(status)
        return (smscField(smscAddress) + tpdu, tpdu.count)
    }

    /// `+15550100999` as an SMSC field: length octet, type 0x91, swapped semi-octets with F padding.
    static func smscField(_ address: String) -> [UInt8] {
        let digits = address.filter(\.isNumber)
        guard !digits.isEmpty else { return [0x00] }
        let type: UInt8 = address.hasPrefix("+") ? 0x91 : 0x81
        let octets = semiOctets(digits)
        return [UInt8(1 + octets.count), type] + octets
    }

    /// A TP-SCTS/TP-DT value in UTC: year, month, day, hour, minute, second, zone 0, each swapped.
    static func timestamp(_ date: Date) -> [UInt8] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let values = [
            (parts.year ?? 2000) % 100, parts.month ?? 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0,
            parts.second ?? 0, 0,
        ]
        return values.map { value in UInt8(value % 10) << 4 | UInt8(value / 10) }
    }

    private static func semiOctets(_ digits: String) -> [UInt8] {
        var values = digits.compactMap { $0.wholeNumberValue.map(UInt8.init) }
        if values.count % 2 == 1 { values.append(0x0F) }
        return stride(from: 0, to: values.count, by: 2).map { values[$0 + 1] << 4 | values[$0] }
    }
}
