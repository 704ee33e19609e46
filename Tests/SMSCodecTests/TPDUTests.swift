import Foundation
import Testing

@testable import SMSCodec

/// SMS-SUBMIT encoding and SMS-DELIVER, SMS-SUBMIT and SMS-STATUS-REPORT decoding.
@Suite struct TPDUTests {
    static let classicDeliver = "07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37"
    static let bareDeliver = "040BC87238880900F10000993092516195800AE8329BFD4697D9EC37"

    /// A widely published SMS-DELIVER decodes to its SMSC, sender, time and "hellohello".
    @Test func decodesClassicDeliver() throws {
        let decoded = try TPDUDecoder.decode(hex: Self.classicDeliver, hasSMSC: true)
        guard case .deliver(let deliver) = decoded.tpdu else {
            Issue.record("expected SMS-DELIVER")
            return
        }
        #expect(decoded.smsc?.displayString == "+27381000015")
        #expect(decoded.tpduLength == 28)
        #expect(deliver.originatingAddress.value == "27838890001")
        #expect(deliver.originatingAddress.typeOfNumber == .subscriber)
        #expect(deliver.originatingAddress.typeOctet == 0xC8)
        #expect(!deliver.moreMessagesToSend)
        // The century is not sent. This decoder takes 20xx.
        #expect(deliver.serviceCentreTimestamp.iso8601 == "2099-03-29T15:16:59+02:00")
        #expect(try deliver.userData.text() == "hellohello")
        #expect(Hex.encode(try deliver.encode().bytes) == Self.bareDeliver)
    }

    /// SMS-SUBMIT fields: TP-SRR and a relative TP-VP set the first octet 0x31 and add the VP octet.
    @Test func encodesSubmitWithReportAndValidity() throws {
        let options = SMSSubmit.Options(
            messageReference: 5,
            statusReportRequest: true,
            validityPeriod: .init(rawValue: 0xAA)
        )
        let pdus = try SMSSubmit.pdus(for: "Hi", to: .international("+12025550143"), options: options)
        #expect(pdus.map(\.hex) == ["0031050B912120550541F30000AA02C834"])
        #expect(pdus[0].tpduLength == 16)

        let decoded = try TPDUDecoder.decode(pdus[0].bytes, hasSMSC: true)
        guard case .submit(let submit) = decoded.tpdu else {
            Issue.record("expected SMS-SUBMIT")
            return
        }
        #expect(submit.statusReportRequest)
        #expect(submit.validityPeriod == .relative(.init(rawValue: 0xAA)))
        #expect(submit.messageReference == 5)
    }

    /// Absolute and enhanced validity periods set TP-VPF and take seven octets, padded when short.
    @Test(arguments: [
        (
            ValidityPeriod.absolute(
                ServiceCentreTimestamp(date: Date(timeIntervalSince1970: 1_800_000_000), utcOffsetMinutes: -60)
            ),
            ValidityPeriod.absolute(
                ServiceCentreTimestamp(date: Date(timeIntervalSince1970: 1_800_000_000), utcOffsetMinutes: -60)
            ),
            0x19 as UInt8
        ),
        (.enhanced([0x01, 0x02]), .enhanced([0x01, 0x02, 0, 0, 0, 0, 0]), 0x09),
    ])
    func encodesOtherValidityFormats(period: ValidityPeriod, decodedPeriod: ValidityPeriod, firstOctet: UInt8) throws {
        let submit = SMSSubmit(
            destination: .international("12025550143"),
            dataCodingScheme: DataCodingScheme(rawValue: 0),
            validityPeriod: period,
            userData: TPUserData(header: nil, alphabet: .gsm7, payload: try GSMAlphabet.encode("Hi"))
        )
        let pdu = try submit.encode(smsc: .absent)
        #expect(pdu.bytes[0] == firstOctet)
        #expect(pdu.tpduLength == 15 + 7)
        guard case .submit(let decoded) = try TPDUDecoder.decode(pdu.bytes, hasSMSC: false).tpdu else {
            Issue.record("expected SMS-SUBMIT")
            return
        }
        #expect(decoded.validityPeriod == decodedPeriod)
    }

    /// The SMSC part can be absent, the octet 00, or an address. The TPDU length never counts it.
    @Test(arguments: [
        (SMSCField.absent, ""), (.useStored, "00"), (.address(.international("447785016005")), "0791447758100650"),
    ])
    func writesSMSCField(smsc: SMSCField, prefix: String) throws {
        let options = SMSSubmit.Options(smsc: smsc)
        let pdu = try #require(try SMSSubmit.pdus(for: "Hi", to: .international("12025550143"), options: options).first)
        #expect(pdu.hex == prefix + "01000B912120550541F3000002C834")
        #expect(pdu.tpduLength == 15)
        #expect(pdu.atCommand == "AT+CMGS=15")
    }

    /// National and alphanumeric addresses encode with their type octets and decode back.
    @Test func encodesAddressTypes() throws {
        #expect(Hex.encode(try TPAddress.national("07700900123").encodedAsTPAddress()) == "0BA17007900021F3")
        #expect(Hex.encode(try TPAddress.alphanumeric("Lifeline").encodedAsTPAddress()) == "0ED0CCB4B9CC4EBBCB")
        #expect(throws: TPDUEncodingError.addressTooLong(length: 12, maximum: 11)) {
            try TPAddress.alphanumeric("LifelineLong").encodedAsTPAddress()
        }
        #expect(throws: TPDUEncodingError.invalidAddressCharacter("+", address: "1+2")) {
            try TPAddress.international("1+2").encodedAsTPAddress()
        }
        #expect(throws: TPDUEncodingError.invalidAddressCharacter("1\u{301}", address: "1\u{301}2")) {
            try TPAddress.international("1\u{301}2").encodedAsTPAddress()
        }
    }

    /// A multipart GSM text becomes SMS-SUBMITs with UDHI, fill bits and counting TP-MR that decode back to the text.
    @Test func buildsMultipartSubmits() throws {
        let text = String(repeating: "Lifeline {test} ", count: 12)
        let options = SMSSubmit.Options(messageReference: 254)
        let pdus = try SMSSubmit.pdus(
            for: text,
            to: .international("447700900123"),
            options: options,
            planning: .init(reference: 9)
        )
        #expect(pdus.count == 2)

        var joined = ""
        var references: [UInt8] = []
        for pdu in pdus {
            let decoded = try TPDUDecoder.decode(pdu.bytes, hasSMSC: true)
            guard case .submit(let submit) = decoded.tpdu else {
                Issue.record("expected SMS-SUBMIT")
                return
            }
            #expect(submit.firstOctet & 0x40 != 0)
            #expect(submit.userData.header?.concatenation?.reference == 9)
            #expect(submit.userData.encoded.count <= 140)
            references.append(submit.messageReference)
            joined += try submit.userData.text() ?? ""
        }
        #expect(references == [254, 255])
        #expect(joined == text)
    }

    /// A DCS override must select the alphabet the text is encoded in.
    @Test func rejectsMismatchedDataCoding() {
        let options = SMSSubmit.Options(dataCodingScheme: DataCodingScheme(rawValue: 0x08))
        #expect(throws: TPDUEncodingError.dataCodingMismatch(dataCodingScheme: 0x08, alphabet: .gsm7)) {
            try SMSSubmit.pdus(for: "abc", to: .international("1"), options: options)
        }
        let flash = SMSSubmit.Options(dataCodingScheme: DataCodingScheme(rawValue: 0x10))
        #expect(throws: Never.self) { try SMSSubmit.pdus(for: "abc", to: .international("1"), options: flash) }
    }

    /// SMS-DELIVER with an alphanumeric sender and a UCS-2 concatenated part survives encode and decode.
    @Test func roundTripsDeliver() throws {
        let timestamp = ServiceCentreTimestamp(date: Date(timeIntervalSince1970: 1_800_000_000), utcOffsetMinutes: 345)
        let header = UserDataHeader(
            concatenation: .init(referenceWidth: .sixteenBit, reference: 0xBEEF, totalParts: 3, sequenceNumber: 2)
        )
        let deliver = SMSDeliver(
            statusReportIndication: true,
            originatingAddress: .alphanumeric("Lifeline"),
            dataCodingScheme: DataCodingScheme(rawValue: 0x08),
            serviceCentreTimestamp: timestamp,
            userData: TPUserData(header: header, alphabet: .ucs2, payload: UCS2.encode("Привет 😀"))
        )
        let encoded = try deliver.encode(smsc: .address(.international("15550100999")))
        let decoded = try TPDUDecoder.decode(encoded.bytes, hasSMSC: true)
        #expect(decoded.tpdu == .deliver(deliver))
        #expect(decoded.tpduLength == encoded.tpduLength)
        #expect(try deliver.userData.text() == "Привет 😀")
    }

    /// SMS-STATUS-REPORT with TP-PI and text survives encode and decode. Without TP-PI it ends after TP-ST.
    @Test func roundTripsStatusReport() throws {
        let time = ServiceCentreTimestamp(date: Date(timeIntervalSince1970: 1_790_000_000), utcOffsetMinutes: -210)
        var report = SMSStatusReport(
            messageReference: 200,
            recipientAddress: .international("447700900123"),
            serviceCentreTimestamp: time,
            dischargeTime: time,
            status: TPStatus(rawValue: 0x21)
        )
        let plain = try report.encode()
        #expect(plain.tpduLength == 25)
        #expect(try TPDUDecoder.decode(plain.bytes, hasSMSC: false).tpdu == .statusReport(report))

        report.parameterIndicator = 0x07
        report.protocolIdentifier = 0
        report.dataCodingScheme = DataCodingScheme(rawValue: 0)
        report.userData = TPUserData(header: nil, alphabet: .gsm7, payload: try GSMAlphabet.encode("busy"))
        let full = try report.encode()
        #expect(try TPDUDecoder.decode(full.bytes, hasSMSC: false).tpdu == .statusReport(report))
        #expect(!report.status.isFinal)
    }

    /// Negative and quarter-hour zones encode as the standard's sign bit and quarter count, and give the right instant.
    @Test(arguments: [
        (345, 0x32 as UInt8, "+05:45"), (-210, 0x49, "-03:30"), (-180, 0x29, "-03:00"), (0, 0x00, "+00:00"),
        (60, 0x40, "+01:00"),
    ])
    func encodesTimeZones(offset: Int, zoneOctet: UInt8, suffix: String) throws {
        let instant = Date(timeIntervalSince1970: 1_769_951_700)  // 2026-02-01T13:15:00Z
        let timestamp = ServiceCentreTimestamp(date: instant, utcOffsetMinutes: offset)
        #expect(timestamp.encoded.last == zoneOctet)
        #expect(timestamp.iso8601.hasSuffix(suffix))
        #expect(timestamp.date == instant)

        var reader = ByteReader(timestamp.encoded)
        let decoded = try ServiceCentreTimestamp.read(&reader, field: "TP-SCTS")
        #expect(decoded == timestamp)
        #expect(decoded.utcOffsetMinutes == offset)
    }

    /// Relative validity periods map between the octet and seconds in each of the four ranges.
    @Test(arguments: [
        (0, 300), (11, 3_600), (143, 43_200), (144, 45_000), (167, 86_400), (168, 172_800), (170, 345_600),
        (196, 2_592_000), (197, 3_024_000), (255, 38_102_400),
    ])
    func mapsRelativeValidity(raw: UInt8, seconds: Int) {
        #expect(RelativeValidityPeriod(rawValue: raw).seconds == seconds)
        #expect(RelativeValidityPeriod(atLeast: seconds).rawValue == raw)
    }

    /// TP-ST values outside the standard table still get a class and a meaning.
    @Test(arguments: [
        (0x01, "forwarded"), (0x15, "SC specific"), (0x46, "validity period expired"), (0x4A, "reserved"),
        (0x80, "reserved"),
    ])
    func describesStatus(raw: UInt8, fragment: String) {
        #expect(TPStatus(rawValue: raw).meaning.contains(fragment))
    }

    static let validPDUs: [(String, Bool)] = [
        (classicDeliver, true),
        (bareDeliver, false),
        ("0031050B912120550541F30000AA02C834", true),
        ("07915155100099F9062C0C91447700091032622010015100296220100151702900", true),
        ("44" + "0B912120550541F3" + "0008" + "62201001510029" + "0B" + "0608040102030100410042", false),
        ("40" + "0B912120550541F3" + "0000" + "62201001510029" + "0A" + "050003AA0201C2E231", false),
    ]

    /// Every strict prefix of a valid PDU throws a truncation error inside the prefix, never a crash.
    @Test(arguments: validPDUs)
    func rejectsEveryTruncation(hex: String, hasSMSC: Bool) throws {
        let bytes = try Hex.decode(hex)
        let full = try TPDUDecoder.decode(bytes, hasSMSC: hasSMSC)
        #expect(full.trailingOctets == 0)
        for length in 0..<bytes.count {
            do {
                let decoded = try TPDUDecoder.decode(Array(bytes.prefix(length)), hasSMSC: hasSMSC)
                Issue.record("prefix of \(length) octets decoded as \(decoded.tpdu.typeName)")
            } catch {
                guard case .truncated(_, let offset, _, _) = error else {
                    Issue.record("prefix of \(length) octets: \(error)")
                    continue
                }
                #expect(offset <= length)
            }
        }
    }

    /// Each octet of a valid PDU replaced by edge values either decodes or throws a typed error.
    @Test(arguments: validPDUs)
    func survivesSingleOctetMutations(hex: String, hasSMSC: Bool) throws {
        let bytes = try Hex.decode(hex)
        for index in bytes.indices {
            for value in [0x00, 0x7F, 0x80, 0xFF, bytes[index] ^ 0x40, bytes[index] &+ 1] as [UInt8] {
                var mutated = bytes
                mutated[index] = value
                if let decoded = try? TPDUDecoder.decode(mutated, hasSMSC: hasSMSC) {
                    let description = TPDUDescription(decoded)
                    #expect(!description.renderText().isEmpty)
                }
            }
        }
    }

    /// Malformed fields throw with the field name and the offset of the bad octet.
    @Test(arguments: [
        ("03", false, PDUDecodingError.unsupportedMessageType(mti: 3, offset: 0)),
        ("0C", true, .invalidValue(field: "SMSC length", offset: 0, value: 0x0C, reason: "more than 11 octets")),
        (
            "0430", false,
            .invalidValue(field: "TP-OA length", offset: 1, value: 0x30, reason: "more than 20 semi-octets")
        ),
        (
            "040BC87238880900F10000A93092516195800A", false,
            .invalidValue(field: "TP-SCTS", offset: 11, value: 0xA9, reason: "semi-octet above 9")
        ),
        (
            "040BC87238880900F10000993192516195800A", false,
            .invalidValue(field: "TP-SCTS", offset: 12, value: 0x31, reason: "not a calendar date or time")
        ),
        (
            "040BC87238880900F10000622003516195800A", false,
            .invalidValue(field: "TP-SCTS", offset: 13, value: 0x03, reason: "not a calendar date or time")
        ),
        (
            "040BC87238880900F1000099309251619580" + "0BE8329BFD4697D9EC37", false,
            .truncated(field: "TP-UD", offset: 19, needed: 10, available: 9)
        ),
        (
            "440BC87238880900F1000899309251619580" + "03050003", false,
            .truncated(field: "UDH", offset: 20, needed: 5, available: 2)
        ),
        (
            "440BC87238880900F1000099309251619580" + "06050003010201", false,
            .invalidValue(field: "TP-UDL", offset: 18, value: 6, reason: "shorter than the 6-octet user data header")
        ),
        (
            "440BC87238880900F1000099309251619580" + "00", false,
            .invalidValue(field: "TP-UDL", offset: 18, value: 0, reason: "TP-UDHI is set but there is no user data")
        ),
    ])
    func reportsMalformedFields(hex: String, hasSMSC: Bool, error: PDUDecodingError) throws {
        let bytes = try Hex.decode(hex)
        #expect(throws: error) { try TPDUDecoder.decode(bytes, hasSMSC: hasSMSC) }
    }

    /// Hex input with a bad character or an odd digit count throws with the position.
    @Test func rejectsBadHex() {
        #expect(throws: PDUDecodingError.invalidHex(offset: 2)) { try Hex.decode("00G1") }
        #expect(throws: PDUDecodingError.invalidHex(offset: 3)) { try Hex.decode("001") }
        #expect((try? Hex.decode("0a 0B\n")) == [0x0A, 0x0B])
    }
}
