/// A person-readable account of a decoded TPDU, for `lifeline sms decode HEX`.
///
/// Codable, so a CLI can print it as JSON. `renderText()` gives the terminal form.
public struct TPDUDescription: Sendable, Codable, Equatable {
    /// One field: its TS 23.040 name, its value for people, the octets as hex and their meaning.
    public struct Field: Sendable, Codable, Equatable {
        /// The field name, for example "TP-ST".
        public var name: String
        /// The value, for example "+447700900123" or "2026-02-01T10:15:00-03:00".
        public var value: String
        /// The meaning of the value, when a code needs explaining.
        public var meaning: String?

        /// Creates a field.
        public init(name: String, value: String, meaning: String? = nil) {
            self.name = name
            self.value = value
            self.meaning = meaning
        }
    }

    /// The TPDU type, for example "SMS-DELIVER".
    public var type: String
    /// The SMSC address when the PDU carried one, with '+' when international.
    public var smsc: String?
    /// Octets of the TPDU without the SMSC field, the length +CMGR and +CDS report.
    public var tpduLength: Int
    /// The fields in PDU order.
    public var fields: [Field]
    /// The decoded text, or nil for a report without text, 8-bit data or undecodable text.
    public var text: String?
    /// The reason the text could not be decoded, when decoding failed.
    public var textError: String?

    /// Decodes hex and describes the TPDU.
    /// - Parameter hasSMSC: whether the PDU starts with an SMSC field. Nil tries both and keeps
    ///   the reading that uses every octet, preferring the one with the SMSC field.
    /// - Throws: `PDUDecodingError` for bad hex or a malformed PDU (the error of the SMSC reading
    ///   when neither reading works).
    public static func decode(hex: String, hasSMSC: Bool?) throws(PDUDecodingError) -> TPDUDescription {
        let bytes = try Hex.decode(hex)
        if let hasSMSC {
            return TPDUDescription(try TPDUDecoder.decode(bytes, hasSMSC: hasSMSC))
        }
        let withSMSC = Result { () throws(PDUDecodingError) in try TPDUDecoder.decode(bytes, hasSMSC: true) }
        let withoutSMSC = Result { () throws(PDUDecodingError) in try TPDUDecoder.decode(bytes, hasSMSC: false) }
        switch (withSMSC, withoutSMSC) {
        case (.success(let decoded), _) where decoded.trailingOctets == 0:
            return TPDUDescription(decoded)
        case (_, .success(let decoded)) where decoded.trailingOctets == 0:
            return TPDUDescription(decoded)
        case (.success(let decoded), _), (_, .success(let decoded)):
            return TPDUDescription(decoded)
        case (.failure(let error), _):
            throw error
        }
    }

    /// Describes a decoded TPDU.
    public init(_ decoded: DecodedTPDU) {
        type = decoded.tpdu.typeName
        smsc = decoded.smsc?.displayString
        tpduLength = decoded.tpduLength
        fields = []
        switch decoded.tpdu {
        case .deliver(let deliver): describe(deliver)
        case .submit(let submit): describe(submit)
        case .statusReport(let report): describe(report)
        }
        if decoded.trailingOctets > 0 {
            fields.append(
                Field(
                    name: "trailing octets",
                    value: "\(decoded.trailingOctets)",
                    meaning: "not part of the TPDU; ignored"
                )
            )
        }
    }

    private mutating func describe(_ deliver: SMSDeliver) {
        fields.append(
            Field(
                name: "first octet",
                value: Hex.encode([deliver.firstOctet]),
                meaning: firstOctetMeaning(deliver.firstOctet)
            )
        )
        fields.append(address("TP-OA", deliver.originatingAddress))
        fields.append(Field(name: "TP-PID", value: Hex.encode([deliver.protocolIdentifier])))
        fields.append(dataCoding(deliver.dataCodingScheme))
        fields.append(timestamp("TP-SCTS", deliver.serviceCentreTimestamp))
        describe(deliver.userData)
    }

    private mutating func describe(_ submit: SMSSubmit) {
        fields.append(
            Field(
                name: "first octet",
                value: Hex.encode([submit.firstOctet]),
                meaning: firstOctetMeaning(submit.firstOctet)
            )
        )
        fields.append(Field(name: "TP-MR", value: "\(submit.messageReference)"))
        fields.append(address("TP-DA", submit.destination))
        fields.append(Field(name: "TP-PID", value: Hex.encode([submit.protocolIdentifier])))
        fields.append(dataCoding(submit.dataCodingScheme))
        switch submit.validityPeriod {
        case .relative(let period)?:
            fields.append(
                Field(name: "TP-VP", value: Hex.encode([period.rawValue]), meaning: "relative, \(period.seconds) s")
            )
        case .absolute(let time)?:
            fields.append(Field(name: "TP-VP", value: time.iso8601, meaning: "absolute"))
        case .enhanced(let octets)?:
            fields.append(Field(name: "TP-VP", value: Hex.encode(octets), meaning: "enhanced format"))
        case nil:
            break
        }
        describe(submit.userData)
    }

    private mutating func describe(_ report: SMSStatusReport) {
        fields.append(
            Field(
                name: "first octet",
                value: Hex.encode([report.firstOctet]),
                meaning: firstOctetMeaning(report.firstOctet)
            )
        )
        fields.append(Field(name: "TP-MR", value: "\(report.messageReference)"))
        fields.append(address("TP-RA", report.recipientAddress))
        fields.append(timestamp("TP-SCTS", report.serviceCentreTimestamp))
        fields.append(timestamp("TP-DT", report.dischargeTime))
        let status = report.status
        fields.append(Field(name: "TP-ST", value: Hex.encode([status.rawValue]), meaning: status.meaning))
        fields.append(Field(name: "status class", value: status.statusClass.rawValue))
        fields.append(Field(name: "final", value: "\(status.isFinal)"))
        fields.append(Field(name: "delivered", value: "\(status.isDelivered)"))
        if let indicator = report.parameterIndicator {
            fields.append(Field(name: "TP-PI", value: Hex.encode([indicator])))
        }
        if let pid = report.protocolIdentifier { fields.append(Field(name: "TP-PID", value: Hex.encode([pid]))) }
        if let dcs = report.dataCodingScheme { fields.append(dataCoding(dcs)) }
        if let userData = report.userData { describe(userData) }
    }

    private mutating func describe(_ userData: TPUserData) {
        if let header = userData.header {
            var meaning: String? = nil
            if let info = header.concatenation {
                meaning = "concatenated part \(info.sequenceNumber) of \(info.totalParts), reference \(info.reference)"
            }
            fields.append(Field(name: "UDH", value: Hex.encode(header.encoded), meaning: meaning))
        }
        fields.append(Field(name: "TP-UDL", value: "\(userData.userDataLength)"))
        fields.append(Field(name: "TP-UD", value: Hex.encode(userData.encoded)))
        do {
            text = try userData.text()
        } catch {
            textError = error.description
        }
    }

    private func firstOctetMeaning(_ octet: UInt8) -> String {
        var flags: [String] = []
        if octet & 0x40 != 0 { flags.append("UDHI") }
        if octet & 0x80 != 0 { flags.append("RP") }
        switch octet & 0x03 {
        case 0x01:
            if octet & 0x04 != 0 { flags.append("RD") }
            if octet & 0x20 != 0 { flags.append("SRR") }
            let formats = ["no TP-VP", "TP-VP enhanced", "TP-VP relative", "TP-VP absolute"]
            flags.append(formats[Int((octet >> 3) & 0x03)])
        default:
            if octet & 0x04 == 0 { flags.append("more messages waiting") }
            if octet & 0x20 != 0 { flags.append(octet & 0x03 == 0x02 ? "SRQ" : "SRI") }
        }
        let mti = ["SMS-DELIVER", "SMS-SUBMIT", "SMS-STATUS-REPORT", "reserved"][Int(octet & 0x03)]
        return ([mti] + flags).joined(separator: ", ")
    }

    private func address(_ name: String, _ address: TPAddress) -> Field {
        Field(
            name: name,
            value: address.displayString,
            meaning: "type \(Hex.encode([address.typeOctet])), \(address.typeOfNumber)"
        )
    }

    private func timestamp(_ name: String, _ timestamp: ServiceCentreTimestamp) -> Field {
        Field(name: name, value: timestamp.iso8601, meaning: "UTC offset \(timestamp.utcOffsetMinutes) min")
    }

    private func dataCoding(_ scheme: DataCodingScheme) -> Field {
        var meaning = scheme.alphabet.rawValue
        if scheme.isCompressed { meaning += ", compressed" }
        if let messageClass = scheme.messageClass { meaning += ", class \(messageClass)" }
        return Field(name: "TP-DCS", value: Hex.encode([scheme.rawValue]), meaning: meaning)
    }

    /// Renders the type and length for a terminal, then one line per field, then the text.
    public func renderText() -> String {
        var lines = ["\(type), TPDU length \(tpduLength)"]
        lines.append("SMSC:          \(smsc ?? "(none)")")
        for field in fields {
            let padded = field.name + String(repeating: " ", count: max(1, 15 - field.name.count))
            lines.append(padded + field.value + (field.meaning.map { "  (\($0))" } ?? ""))
        }
        if let text { lines.append("text:          \(text.debugDescription)") }
        if let textError { lines.append("text error:    \(textError)") }
        return lines.joined(separator: "\n")
    }
}
