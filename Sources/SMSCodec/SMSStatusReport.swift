/// An SMS-STATUS-REPORT TPDU (TS 23.040 section 9.2.2.3): the SMSC's report on a submitted message.
///
/// Match it to the sent message by `messageReference` (the number +CMGS returned) together with
/// `recipientAddress`.
public struct SMSStatusReport: Sendable, Hashable {
    /// TP-MMS inverted: true when the SMSC has more messages waiting (the bit is 0).
    public var moreMessagesToSend: Bool
    /// TP-LP.
    public var loopPrevention: Bool
    /// TP-SRQ: true when this reports on an SMS-COMMAND, false for an SMS-SUBMIT.
    public var statusReportQualifier: Bool
    /// TP-MR of the submitted message.
    public var messageReference: UInt8
    /// TP-RA, the recipient of the submitted message.
    public var recipientAddress: TPAddress
    /// TP-SCTS, when the SMSC received the submitted message.
    public var serviceCentreTimestamp: ServiceCentreTimestamp
    /// TP-DT, when the status was reached (delivery, or the last attempt).
    public var dischargeTime: ServiceCentreTimestamp
    /// TP-ST.
    public var status: TPStatus
    /// TP-PI, when present.
    public var parameterIndicator: UInt8?
    /// TP-PID, when TP-PI announces it.
    public var protocolIdentifier: UInt8?
    /// TP-DCS, when TP-PI announces it.
    public var dataCodingScheme: DataCodingScheme?
    /// TP-UDL and TP-UD, when TP-PI announces them.
    public var userData: TPUserData?

    /// Creates a report from its fields.
    public init(
        moreMessagesToSend: Bool = false,
        loopPrevention: Bool = false,
        statusReportQualifier: Bool = false,
        messageReference: UInt8,
        recipientAddress: TPAddress,
        serviceCentreTimestamp: ServiceCentreTimestamp,
        dischargeTime: ServiceCentreTimestamp,
        status: TPStatus,
        parameterIndicator: UInt8? = nil,
        protocolIdentifier: UInt8? = nil,
        dataCodingScheme: DataCodingScheme? = nil,
        userData: TPUserData? = nil
    ) {
        self.moreMessagesToSend = moreMessagesToSend
        self.loopPrevention = loopPrevention
        self.statusReportQualifier = statusReportQualifier
        self.messageReference = messageReference
        self.recipientAddress = recipientAddress
        self.serviceCentreTimestamp = serviceCentreTimestamp
        self.dischargeTime = dischargeTime
        self.status = status
        self.parameterIndicator = parameterIndicator
        self.protocolIdentifier = protocolIdentifier
        self.dataCodingScheme = dataCodingScheme
        self.userData = userData
    }

    /// The first octet: TP-MTI 10, TP-MMS, TP-LP, TP-SRQ, TP-UDHI.
    public var firstOctet: UInt8 {
        var octet: UInt8 = 0x02
        if !moreMessagesToSend { octet |= 0x04 }
        if loopPrevention { octet |= 0x08 }
        if statusReportQualifier { octet |= 0x20 }
        if userData?.header != nil { octet |= 0x40 }
        return octet
    }

    /// Encodes the TPDU after the requested SMSC part, as a network or a simulator sends it.
    /// TP-PI is written when it is set or when a PID, DCS or user data is present. Each field TP-PI
    /// announces is written, with 0x00 (or empty GSM user data) standing in for one left nil.
    /// - Throws: `TPDUEncodingError` for an address that cannot be encoded or user data over 140 octets.
    public func encode(smsc: SMSCField = .absent) throws(TPDUEncodingError) -> EncodedPDU {
        let prefix = try smsc.encoded()
        var tpdu: [UInt8] = [firstOctet, messageReference]
        tpdu += try recipientAddress.encodedAsTPAddress()
        tpdu += serviceCentreTimestamp.encoded + dischargeTime.encoded + [status.rawValue]
        var indicator = parameterIndicator ?? 0
        if protocolIdentifier != nil { indicator |= 0x01 }
        if dataCodingScheme != nil || userData != nil { indicator |= 0x02 }
        if userData != nil { indicator |= 0x04 }
        if parameterIndicator != nil || indicator != 0 {
            tpdu.append(indicator)
            if indicator & 0x01 != 0 { tpdu.append(protocolIdentifier ?? 0) }
            if indicator & 0x02 != 0 { tpdu.append((dataCodingScheme ?? DataCodingScheme(rawValue: 0)).rawValue) }
            if indicator & 0x04 != 0 {
                try (userData ?? TPUserData(header: nil, alphabet: .gsm7, payload: [])).write(to: &tpdu)
            }
        }
        return EncodedPDU(bytes: prefix + tpdu, tpduLength: tpdu.count)
    }

    static func read(_ reader: inout ByteReader, firstOctet: UInt8) throws(PDUDecodingError) -> SMSStatusReport {
        let reference = try reader.readByte(field: "TP-MR")
        let recipient = try TPAddress.readTPAddress(&reader, field: "TP-RA")
        let timestamp = try ServiceCentreTimestamp.read(&reader, field: "TP-SCTS")
        let discharge = try ServiceCentreTimestamp.read(&reader, field: "TP-DT")
        let status = TPStatus(rawValue: try reader.readByte(field: "TP-ST"))
        var report = SMSStatusReport(
            moreMessagesToSend: firstOctet & 0x04 == 0,
            loopPrevention: firstOctet & 0x08 != 0,
            statusReportQualifier: firstOctet & 0x20 != 0,
            messageReference: reference,
            recipientAddress: recipient,
            serviceCentreTimestamp: timestamp,
            dischargeTime: discharge,
            status: status
        )

        // TP-PI and what it announces are optional. The report ends after TP-ST when no octet remains.
        guard !reader.isAtEnd else { return report }
        let indicator = try reader.readByte(field: "TP-PI")
        report.parameterIndicator = indicator
        if indicator & 0x01 != 0 { report.protocolIdentifier = try reader.readByte(field: "TP-PID") }
        if indicator & 0x02 != 0 {
            report.dataCodingScheme = DataCodingScheme(rawValue: try reader.readByte(field: "TP-DCS"))
        }
        if indicator & 0x04 != 0 {
            report.userData = try TPUserData.read(
                &reader,
                dataCodingScheme: report.dataCodingScheme ?? DataCodingScheme(rawValue: 0),
                hasHeader: firstOctet & 0x40 != 0
            )
        }
        return report
    }
}
