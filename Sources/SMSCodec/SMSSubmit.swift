/// An SMS-SUBMIT TPDU (TS 23.040 section 9.2.2.2): a message from the sending device to the SMSC.
public struct SMSSubmit: Sendable, Hashable {
    /// TP-RD: ask the SMSC to reject a duplicate of a message still held (same TP-MR and TP-DA).
    public var rejectDuplicates: Bool
    /// TP-SRR: ask for an SMS-STATUS-REPORT.
    public var statusReportRequest: Bool
    /// TP-RP: a reply path is set.
    public var replyPath: Bool
    /// TP-MR, the message reference. Many modems replace it with their own counter and return it in +CMGS.
    public var messageReference: UInt8
    /// TP-DA, the recipient.
    public var destination: TPAddress
    /// TP-PID, 0x00 for ordinary text.
    public var protocolIdentifier: UInt8
    /// TP-DCS.
    public var dataCodingScheme: DataCodingScheme
    /// TP-VP, or nil for none (the SMSC's default applies).
    public var validityPeriod: ValidityPeriod?
    /// TP-UDL and TP-UD.
    public var userData: TPUserData

    /// Creates an SMS-SUBMIT from its fields.
    public init(
        rejectDuplicates: Bool = false,
        statusReportRequest: Bool = false,
        replyPath: Bool = false,
        messageReference: UInt8 = 0,
        destination: TPAddress,
        protocolIdentifier: UInt8 = 0,
        dataCodingScheme: DataCodingScheme,
        validityPeriod: ValidityPeriod? = nil,
        userData: TPUserData
    ) {
        self.rejectDuplicates = rejectDuplicates
        self.statusReportRequest = statusReportRequest
        self.replyPath = replyPath
        self.messageReference = messageReference
        self.destination = destination
        self.protocolIdentifier = protocolIdentifier
        self.dataCodingScheme = dataCodingScheme
        self.validityPeriod = validityPeriod
        self.userData = userData
    }

    /// The first octet: TP-MTI 01, TP-RD, TP-VPF, TP-SRR, TP-UDHI, TP-RP.
    public var firstOctet: UInt8 {
        var octet: UInt8 = 0x01
        if rejectDuplicates { octet |= 0x04 }
        octet |= validityPeriod?.formatBits ?? 0
        if statusReportRequest { octet |= 0x20 }
        if userData.header != nil { octet |= 0x40 }
        if replyPath { octet |= 0x80 }
        return octet
    }

    /// Encodes the TPDU after the requested SMSC part.
    /// - Throws: `TPDUEncodingError` for an address that cannot be encoded or user data over 140 octets.
    public func encode(smsc: SMSCField = .useStored) throws(TPDUEncodingError) -> EncodedPDU {
        let prefix = try smsc.encoded()
        var tpdu: [UInt8] = [firstOctet, messageReference]
        tpdu += try destination.encodedAsTPAddress()
        tpdu += [protocolIdentifier, dataCodingScheme.rawValue]
        tpdu += validityPeriod?.encoded ?? []
        try userData.write(to: &tpdu)
        return EncodedPDU(bytes: prefix + tpdu, tpduLength: tpdu.count)
    }

    /// Reads the fields after the first octet.
    static func read(_ reader: inout ByteReader, firstOctet: UInt8) throws(PDUDecodingError) -> SMSSubmit {
        let reference = try reader.readByte(field: "TP-MR")
        let destination = try TPAddress.readTPAddress(&reader, field: "TP-DA")
        let protocolIdentifier = try reader.readByte(field: "TP-PID")
        let dataCodingScheme = DataCodingScheme(rawValue: try reader.readByte(field: "TP-DCS"))
        let validityPeriod: ValidityPeriod?
        switch (firstOctet >> 3) & 0x03 {
        case 0x02: validityPeriod = .relative(RelativeValidityPeriod(rawValue: try reader.readByte(field: "TP-VP")))
        case 0x03: validityPeriod = .absolute(try ServiceCentreTimestamp.read(&reader, field: "TP-VP"))
        case 0x01: validityPeriod = .enhanced(try reader.readBytes(7, field: "TP-VP"))
        default: validityPeriod = nil
        }
        let userData = try TPUserData.read(
            &reader,
            dataCodingScheme: dataCodingScheme,
            hasHeader: firstOctet & 0x40 != 0
        )
        return SMSSubmit(
            rejectDuplicates: firstOctet & 0x04 != 0,
            statusReportRequest: firstOctet & 0x20 != 0,
            replyPath: firstOctet & 0x80 != 0,
            messageReference: reference,
            destination: destination,
            protocolIdentifier: protocolIdentifier,
            dataCodingScheme: dataCodingScheme,
            validityPeriod: validityPeriod,
            userData: userData
        )
    }
}
