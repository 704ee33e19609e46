/// An SMS-DELIVER TPDU (TS 23.040 section 9.2.2.1): a message from the SMSC to the receiving device.
public struct SMSDeliver: Sendable, Hashable {
    /// TP-MMS inverted: true when the SMSC has more messages waiting (the bit is 0).
    public var moreMessagesToSend: Bool
    /// TP-LP: the message was forwarded or is a spawned message.
    public var loopPrevention: Bool
    /// TP-SRI: the sender asked for a status report.
    public var statusReportIndication: Bool
    /// TP-RP: a reply path is set.
    public var replyPath: Bool
    /// TP-OA, the sender.
    public var originatingAddress: TPAddress
    /// TP-PID.
    public var protocolIdentifier: UInt8
    /// TP-DCS.
    public var dataCodingScheme: DataCodingScheme
    /// TP-SCTS, when the SMSC received the message.
    public var serviceCentreTimestamp: ServiceCentreTimestamp
    /// TP-UDL and TP-UD.
    public var userData: TPUserData

    /// Creates an SMS-DELIVER from its fields.
    public init(
        moreMessagesToSend: Bool = false,
        loopPrevention: Bool = false,
        statusReportIndication: Bool = false,
        replyPath: Bool = false,
        originatingAddress: TPAddress,
        protocolIdentifier: UInt8 = 0,
        dataCodingScheme: DataCodingScheme,
        serviceCentreTimestamp: ServiceCentreTimestamp,
        userData: TPUserData
    ) {
        self.moreMessagesToSend = moreMessagesToSend
        self.loopPrevention = loopPrevention
        self.statusReportIndication = statusReportIndication
        self.replyPath = replyPath
        self.originatingAddress = originatingAddress
        self.protocolIdentifier = protocolIdentifier
        self.dataCodingScheme = dataCodingScheme
        self.serviceCentreTimestamp = serviceCentreTimestamp
        self.userData = userData
    }

    /// The first octet: TP-MTI 00, TP-MMS, TP-LP, TP-SRI, TP-UDHI, TP-RP.
    public var firstOctet: UInt8 {
        var octet: UInt8 = 0x00
        if !moreMessagesToSend { octet |= 0x04 }
        if loopPrevention { octet |= 0x08 }
        if statusReportIndication { octet |= 0x20 }
        if userData.header != nil { octet |= 0x40 }
        if replyPath { octet |= 0x80 }
        return octet
    }

    /// Encodes the TPDU after the requested SMSC part, as a network or a simulator sends it.
    /// - Throws: `TPDUEncodingError` for an address that cannot be encoded or user data over 140 octets.
    public func encode(smsc: SMSCField = .absent) throws(TPDUEncodingError) -> EncodedPDU {
        let prefix = try smsc.encoded()
        var tpdu: [UInt8] = [firstOctet]
        tpdu += try originatingAddress.encodedAsTPAddress()
        tpdu += [protocolIdentifier, dataCodingScheme.rawValue]
        tpdu += serviceCentreTimestamp.encoded
        try userData.write(to: &tpdu)
        return EncodedPDU(bytes: prefix + tpdu, tpduLength: tpdu.count)
    }

    static func read(_ reader: inout ByteReader, firstOctet: UInt8) throws(PDUDecodingError) -> SMSDeliver {
        let originatingAddress = try TPAddress.readTPAddress(&reader, field: "TP-OA")
        let protocolIdentifier = try reader.readByte(field: "TP-PID")
        let dataCodingScheme = DataCodingScheme(rawValue: try reader.readByte(field: "TP-DCS"))
        let timestamp = try ServiceCentreTimestamp.read(&reader, field: "TP-SCTS")
        let userData = try TPUserData.read(
            &reader,
            dataCodingScheme: dataCodingScheme,
            hasHeader: firstOctet & 0x40 != 0
        )
        return SMSDeliver(
            moreMessagesToSend: firstOctet & 0x04 == 0,
            loopPrevention: firstOctet & 0x08 != 0,
            statusReportIndication: firstOctet & 0x20 != 0,
            replyPath: firstOctet & 0x80 != 0,
            originatingAddress: originatingAddress,
            protocolIdentifier: protocolIdentifier,
            dataCodingScheme: dataCodingScheme,
            serviceCentreTimestamp: timestamp,
            userData: userData
        )
    }
}
