import Foundation
import Testing

@testable import SMSCodec

/// The field cases of Tests/Fixtures/field-cases.json for encoding, PDUs and numbers, read from the file.
@Suite struct FieldCaseTests {
    /// ENC-01: a GSM text encodes to unpacked septets with its own codes and escapes, in one segment.
    @Test func enc01EncodesGSMText() throws {
        let fixture = try FieldCases.load("ENC-01")
        let text = try #require(fixture["input"]["encode"]["text"].string)
        let expected = fixture["expected"]["encode"]

        let plan = try SegmentPlanner.plan(text)
        #expect(Int(plan.dataCoding) == expected["data_coding"].int)
        #expect(plan.characters == expected["characters"].int)
        #expect(plan.units == expected["septets"].int)
        #expect(plan.segments.count == expected["segments"].int)
        #expect(Hex.encode(plan.segments[0].unpackedUserData) == expected["short_message_hex"].string)
        #expect(Hex.encode(try GSMAlphabet.encode(text)) == expected["short_message_hex"].string)
    }

    /// ENC-01: one character outside GSM 7-bit sends the whole text as UCS-2.
    @Test func enc01FallsBackToUCS2() throws {
        let fixture = try FieldCases.load("ENC-01")
        let text = try #require(fixture["input"]["encode_non_gsm"]["text"].string)
        let expected = fixture["expected"]["encode_non_gsm"]

        let plan = try SegmentPlanner.plan(text)
        #expect(plan.encoding == .ucs2)
        #expect(Int(plan.dataCoding) == expected["data_coding"].int)
        #expect(Hex.encode(plan.segments[0].unpackedUserData) == expected["short_message_hex"].string)
    }

    /// ENC-01: decoding keeps '@' (0x00), maps escapes, and shows an undefined escape as the basic character.
    @Test func enc01DecodesShortMessage() throws {
        let fixture = try FieldCases.load("ENC-01")
        let input = fixture["input"]["decode"]
        let hex = try #require(input["short_message_hex"].string)
        let bytes = try Hex.decode(hex)
        #expect(bytes.count == input["sm_length"].int)
        #expect(input["data_coding"].int == 0)

        #expect(GSMAlphabet.decode(bytes) == fixture["expected"]["decode"]["text"].string)
    }

    /// PDU-01: the SMS-SUBMIT for AT+CMGS has the expected octets, fields and TPDU length.
    @Test func pdu01EncodesSubmit() throws {
        let fixture = try FieldCases.load("PDU-01")
        let input = fixture["input"]
        let expected = fixture["expected"]
        let destinationText = try #require(input["destination"].string)
        let destination = try PhoneNumber(e164: destinationText)
        let text = try #require(input["text"].string)
        let reference = try #require(input["options"]["tp_mr"].int)
        let reportRequest = input["options"]["status_report_request"].bool == true
        let pid = try #require(input["options"]["pid"].int)
        #expect(input["options"]["dcs"].int == 0)
        let options = SMSSubmit.Options(
            messageReference: UInt8(reference),
            statusReportRequest: reportRequest,
            protocolIdentifier: UInt8(pid),
            smsc: .useStored
        )

        let pdus = try SMSSubmit.pdus(for: text, to: destination.tpAddress, options: options)
        let pdu = try #require(pdus.first)
        #expect(pdus.count == 1)
        #expect(pdu.hex == expected["pdu_hex"].string)
        #expect(pdu.atCommand == expected["at_command"].string)

        let fields = expected["fields"]
        let submit = try #require(try decodeSubmit(pdu.bytes))
        #expect(Hex.encode([submit.firstOctet]) == fields["first_octet"].string)
        #expect(Hex.encode([submit.messageReference]) == fields["tp_mr"].string)
        #expect(Hex.encode(try submit.destination.encodedAsTPAddress()) == fields["tp_da"].string)
        #expect(Hex.encode([submit.protocolIdentifier]) == fields["tp_pid"].string)
        #expect(Hex.encode([submit.dataCodingScheme.rawValue]) == fields["tp_dcs"].string)
        #expect(submit.userData.userDataLength == fields["tp_udl"].int)
        #expect(submit.userData.encoded.count == fields["tp_ud_octets"].int)
        #expect(try submit.userData.text() == text)
    }

    /// PDU-01: 15 septets in 14 octets decode without a trailing '@' from the pad bits.
    @Test func pdu01DecodesWithoutPaddingAt() throws {
        let fixture = try FieldCases.load("PDU-01")
        let check = fixture["input"]["decode_check"]
        let expected = fixture["expected"]["decode_check"]
        let hex = try #require(check["tp_ud_hex"].string)
        let octets = try Hex.decode(hex)
        let count = try #require(check["tp_udl"].int)

        let septets = try SeptetPacking.unpack(octets, septetCount: count)
        let text = GSMAlphabet.decode(septets)
        #expect(septets.count == expected["septets"].int)
        #expect(text == expected["text"].string)
        #expect(text != expected["must_not_be"].string)
    }

    /// PDU-04: both status reports decode to the expected fields, times, TP-ST meaning and outcome.
    @Test(arguments: [0, 1])
    func pdu04DecodesStatusReports(index: Int) throws {
        let fixture = try FieldCases.load("PDU-04")
        let lines = index == 0 ? fixture["input"]["urc_lines"] : fixture["input"]["read_lines"]
        let header = try #require(lines[0].string)
        let hex = try #require(lines[1].string)
        let expected = fixture["expected"]["reports"][index]

        let decoded = try TPDUDecoder.decode(hex: hex, hasSMSC: true)
        guard case .statusReport(let report) = decoded.tpdu else {
            Issue.record("expected SMS-STATUS-REPORT, got \(decoded.tpdu.typeName)")
            return
        }
        #expect(decoded.smsc?.displayString == expected["smsc"].string)
        #expect(decoded.tpduLength == expected["tpdu_length"].int)
        #expect(header.hasSuffix(",\(decoded.tpduLength)") || header.hasSuffix(" \(decoded.tpduLength)"))
        #expect(decoded.trailingOctets == 0)
        #expect(Hex.encode([report.firstOctet]) == expected["first_octet"].string)
        #expect(Int(report.messageReference) == expected["tp_mr"].int)
        #expect(report.recipientAddress.displayString == expected["recipient"].string)
        #expect(report.serviceCentreTimestamp.iso8601 == expected["service_centre_timestamp"].string)
        #expect(report.dischargeTime.iso8601 == expected["discharge_time"].string)
        #expect(report.serviceCentreTimestamp.utcOffsetMinutes == -180)
        #expect(Hex.encode([report.status.rawValue]) == expected["tp_st"].string)
        let meaningText = try #require(expected["meaning"].string)
        let meaning = meaningText.lowercased()
        #expect(meaning.hasPrefix(report.status.meaning.lowercased()))
        #expect(report.status.isFinal == expected["final"].bool)
        #expect(report.status.isDelivered == expected["delivered"].bool)
        #expect(expected["matches_sent"].string == "+CMGS: \(report.messageReference)")

        let iso = ISO8601DateFormatter()
        let dischargeText = try #require(expected["discharge_time"].string)
        let expectedDate = try #require(iso.date(from: dischargeText))
        #expect(report.dischargeTime.date == expectedDate)
    }

    /// PDU-04: each TP-ST range maps to the class and finality the fixture lists.
    @Test func pdu04StatusClasses() throws {
        let fixture = try FieldCases.load("PDU-04")
        let classes = fixture["expected"]["tp_st_classes"]
        let table: [(String, TPStatus.StatusClass, Bool)] = [
            ("00-1F", .completed, true),
            ("20-3F", .temporaryStillTrying, false),
            ("40-5F", .permanentError, true),
            ("60-7F", .temporaryStopped, true),
        ]
        for (range, statusClass, isFinal) in table {
            let description = try #require(classes[range].string)
            let bounds = range.split(separator: "-").map { UInt8($0, radix: 16)! }
            for value in bounds[0]...bounds[1] {
                let status = TPStatus(rawValue: value)
                #expect(status.statusClass == statusClass, "\(range): \(description)")
                #expect(status.isFinal == isFinal, "\(range): \(description)")
                #expect(status.isDelivered == (statusClass == .completed))
            }
            #expect(description.contains("not final") == !isFinal)
        }
    }

    /// NUM-01: each raw number normalises to the expected E.164 value or the expected error.
    @Test(arguments: 0..<7)
    func num01Normalises(index: Int) throws {
        let fixture = try FieldCases.load("NUM-01")
        let input = fixture["input"]["normalise"][index]
        let raw = try #require(input["raw"].string)
        let expected = fixture["expected"]["normalise"][index]

        if let e164 = expected.string {
            let number = try PhoneNumber.normalise(raw, defaultRegionCode: input["default_region"].string)
            #expect(number.e164 == e164)
        } else {
            let message = try #require(expected["error"].string)
            #expect {
                try PhoneNumber.normalise(raw, defaultRegionCode: input["default_region"].string)
            } throws: { error in
                (error as? PhoneNumberError).map { $0 == .missingCountryContext(raw: raw) && "\($0)".contains(message) }
                    ?? false
            }
        }
    }

    /// NUM-01: each number renders for Twilio, SNS, Vonage, SMPP, the PDU TP-DA and AT text mode.
    @Test(arguments: 0..<2)
    func num01Renders(index: Int) throws {
        let fixture = try FieldCases.load("NUM-01")
        let e164 = try #require(fixture["input"]["render"][index].string)
        let expected = fixture["expected"]["render"][e164]
        let number = try PhoneNumber(e164: e164)

        #expect(number.e164 == expected["twilio_To"].string)
        #expect(number.e164 == expected["aws_sns_PhoneNumber"].string)
        #expect(number.digits == expected["vonage_to"].string)
        #expect(Int(number.smppAddress.typeOfNumber) == expected["smpp"]["dest_addr_ton"].int)
        #expect(Int(number.smppAddress.numberingPlan) == expected["smpp"]["dest_addr_npi"].int)
        #expect(number.smppAddress.address == expected["smpp"]["destination_addr"].string)
        #expect(Hex.encode(number.pduAddress) == expected["at_pdu_tp_da"].string)
        #expect("AT+CMGS=" + number.atTextModeArguments == expected["at_text_mode"].string)
    }

    private func decodeSubmit(_ bytes: [UInt8]) throws -> SMSSubmit? {
        if case .submit(let submit) = try TPDUDecoder.decode(bytes, hasSMSC: true).tpdu { return submit }
        return nil
    }
}
