import Foundation
import Testing

@testable import SMSCodec

/// The person-facing descriptions behind `lifeline sms inspect` and `lifeline sms decode`.
@Suite struct InspectionTests {
    /// An inspection lists each segment's header and user data and survives a JSON round trip with sorted keys.
    @Test func inspectsMultipartText() throws {
        let text = String(repeating: "Gate B ", count: 30) + "€"
        let inspection = try SMSInspection.inspect(text, options: .init(reference: 0x42))
        #expect(inspection.encoding == .gsm7)
        #expect(inspection.septets == 212)
        #expect(inspection.units == nil)
        #expect(inspection.segmentCount == 2)
        #expect(inspection.segments[0].headerHex == "050003420201")
        #expect(inspection.segments[1].shortMessageHex.hasPrefix("050003420202"))

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(inspection)
        let string = String(decoding: json, as: UTF8.self)
        #expect(string.hasPrefix("{\"characters\":211,\"dataCoding\":0,\"encoding\":\"gsm7\""))
        #expect(try JSONDecoder().decode(SMSInspection.self, from: json) == inspection)

        let rendered = inspection.renderText()
        #expect(rendered.contains("segments:   2"))
        #expect(rendered.contains("UDH:           050003420201"))
    }

    /// An inspection of a UCS-2 text names the characters that forced UCS-2.
    @Test func namesCharactersForcingUCS2() throws {
        let inspection = try SMSInspection.inspect("it`s 5€ `")
        #expect(inspection.encoding == .ucs2)
        #expect(inspection.units == 9)
        #expect(inspection.nonGSMCharacters == ["`"])
        #expect(inspection.renderText().contains("not in GSM 7-bit: \"`\""))
    }

    /// A status report description carries TP-ST meaning and outcome, and guesses the SMSC field.
    @Test(
        arguments: [
            ("07915155100099F9062C0C91447700091032622010015100296220100151702900", "+15550100999", "00", "true"),
            ("00062D0C91447700091032622020810000296220308100202946", nil, "46", "false"),
        ] as [(String, String?, String, String)]
    )
    func describesStatusReport(hex: String, smsc: String?, status: String, delivered: String) throws {
        let description = try TPDUDescription.decode(hex: hex, hasSMSC: nil)
        #expect(description.type == "SMS-STATUS-REPORT")
        #expect(description.smsc == smsc)
        #expect(description.tpduLength == 25)
        let fields = Dictionary(description.fields.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(fields["TP-ST"]?.value == status)
        #expect(fields["delivered"]?.value == delivered)
        #expect(fields["final"]?.value == "true")
        #expect(fields["TP-RA"]?.value == "+447700900123")

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(description)
        #expect(try JSONDecoder().decode(TPDUDescription.self, from: json) == description)
        #expect(description.renderText().contains("TP-ST"))
    }

    /// A bare TPDU is recognised without the SMSC field, and the text appears in the description.
    @Test func describesBareDeliver() throws {
        let description = try TPDUDescription.decode(
            hex: "040BC87238880900F10000993092516195800AE8329BFD4697D9EC37",
            hasSMSC: nil
        )
        #expect(description.type == "SMS-DELIVER")
        #expect(description.smsc == nil)
        #expect(description.text == "hellohello")
        #expect(description.renderText().contains("\"hellohello\""))
    }

    /// A UCS-2 part with a lone surrogate still describes, with the text error instead of text.
    @Test func reportsUndecodableText() throws {
        let hex = "00" + "0B912120550541F3" + "0008" + "62201001510029" + "02" + "D83D"
        let description = try TPDUDescription.decode(hex: hex, hasSMSC: false)
        #expect(description.text == nil)
        #expect(description.textError?.contains("lone surrogate") == true)
    }
}
