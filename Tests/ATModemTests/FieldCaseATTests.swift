import Diagnostics
import Testing

@testable import ATModem

@Suite("Field cases AT-01 and AT-03")
struct FieldCaseATTests {
    /// AT-01 variant A: the echo is discarded, the `+CMGR` fields are read, and `^RSSI` and the
    /// `+CMTI` after `OK` go to the handler in order.
    @Test func responseWithNoiseVariantA() async throws {
        let fieldCase = try FieldCases.named("AT-01")
        let command = try fieldCase.string("input.variant_a.command_sent")
        let rx = try fieldCase.string("input.variant_a.rx")
        let transport = ScriptedTransport([(command + "\r", rx)])
        let recorder = UnsolicitedRecorder()
        let channel = ATChannel(transport: transport, logger: .disabled, onUnsolicited: recorder.handler)

        let response = try await channel.execute(command, timeout: .seconds(10))

        #expect(response.final.description == (try fieldCase.string("expected.variant_a.final_result")))
        #expect(!response.lines.contains(try fieldCase.string("expected.variant_a.echo_discarded")))
        let stored = try #require(StoredMessage(response: response))
        #expect(stored.status.rawValue == (try fieldCase.int("expected.variant_a.cmgr.stat")))
        #expect(stored.status.text == (try fieldCase.string("expected.variant_a.cmgr.stat_text")))
        #expect(stored.alpha == (try fieldCase.string("expected.variant_a.cmgr.alpha")))
        #expect(stored.tpduLength == (try fieldCase.int("expected.variant_a.cmgr.length")))
        #expect(stored.pduHex == (try fieldCase.string("expected.variant_a.cmgr.pdu")))
        #expect(response.lines.count == 2)

        let expectedOrder = try #require(try fieldCase.at("expected.variant_a.urcs_in_order") as? [String])
        let codes = await recorder.first(2)
        #expect(
            codes.map { $0.text.replacingOccurrences(of: "\"", with: "") }
                == expectedOrder.map { $0.replacingOccurrences(of: "\"", with: "") }
        )
        #expect(codes.last == .newMessageStored(storage: "SM", index: 4), "the +CMTI after OK is a new-message notice")
        await channel.close()
    }

    /// AT-01 variant B: a text-mode status report read with `+CMGR` yields every field; `^RSSI:3` goes to the handler.
    @Test func statusReportTextVariantB() async throws {
        let fieldCase = try FieldCases.named("AT-01")
        let command = try fieldCase.string("input.variant_b.command_sent")
        let transport = ScriptedTransport([(command + "\r", try fieldCase.string("input.variant_b.rx"))])
        let recorder = UnsolicitedRecorder()
        let channel = ATChannel(transport: transport, logger: .disabled, onUnsolicited: recorder.handler)

        let response = try await channel.execute(command, timeout: .seconds(10))

        #expect(response.final.description == (try fieldCase.string("expected.variant_b.final_result")))
        let report = try #require(StoredStatusReportText(response: response))
        #expect(report.status.text == (try fieldCase.string("expected.variant_b.fields.stat")))
        #expect(report.firstOctet == (try fieldCase.int("expected.variant_b.fields.fo")))
        #expect(report.messageReference == (try fieldCase.int("expected.variant_b.fields.mr")))
        #expect(report.recipient == (try fieldCase.string("expected.variant_b.fields.ra")))
        #expect(report.recipientType == (try fieldCase.int("expected.variant_b.fields.tora")))
        #expect(report.serviceCentreTimestamp == (try fieldCase.string("expected.variant_b.fields.scts")))
        #expect(report.dischargeTime == (try fieldCase.string("expected.variant_b.fields.dt")))
        #expect(report.reportStatus == (try fieldCase.int("expected.variant_b.fields.st")))
        let codes = await recorder.first(1)
        #expect(codes.map(\.text) == (try fieldCase.at("expected.variant_b.urcs_in_order") as? [String]))
        await channel.close()
    }

    /// AT-03: each error line ends the command on that line, with the expected code, meaning and class.
    @Test(arguments: ["cms500", "cms304", "cme14_after_pin", "cme_verbose", "cms331", "cms330", "cms38", "plain_error"])
    func errorEndsCommand(name: String) async throws {
        let fieldCase = try FieldCases.named("AT-03")
        let inputs = try #require(try fieldCase.at("input.cases") as? [[String: Any]])
        let input = try #require(inputs.first { $0["name"] as? String == name })
        let expected = try #require(try fieldCase.at("expected.cases.\(name)") as? [String: Any])
        let rx = try #require(input["rx"] as? String)

        // The script never sends OK after the error: a channel that waited for it would time out.
        let transport = ScriptedTransport([("AT+CSCA?\r", rx)])
        let channel = ATChannel(transport: transport, logger: .disabled, onUnsolicited: { _ in })
        let response = try await channel.execute("AT+CSCA?", timeout: .seconds(30))
        await channel.close()

        let final = response.final
        switch expected["family"] as? String {
        case "CMS":
            guard case .cmsError(let code) = final else {
                Issue.record("expected +CMS ERROR, got \(final)")
                return
            }
            #expect(code.code == expected["code"] as? Int)
        case "CME":
            guard case .cmeError(let code) = final else {
                Issue.record("expected +CME ERROR, got \(final)")
                return
            }
            #expect(code.code == expected["code"] as? Int)
        default:
            #expect(final == .error)
        }
        let meaning = try #require(expected["meaning"] as? String)
        let meaningWithoutSource = meaning.components(separatedBy: " (").first ?? meaning
        #expect(final.meaning == meaningWithoutSource)
        #expect(final.errorClass?.rawValue == expected["class"] as? String)
    }
}

@Suite("Error tables")
struct ModemErrorTableTests {
    /// Failover classes: network trouble is transient, bad numbers are the recipient's, SIM failure the provider's.
    @Test(arguments: [
        (CMSErrorCode(332).errorClass, ModemErrorClass.transient),
        (CMSErrorCode(42).errorClass, .transient),
        (CMSErrorCode(331).errorClass, .transient),
        (CMSErrorCode(1).errorClass, .recipientError),
        (CMSErrorCode(195).errorClass, .recipientError),
        (CMSErrorCode(313).errorClass, .providerUnavailable),
        (CMEErrorCode(13).errorClass, .providerUnavailable),
        (CMEErrorCode(30).errorClass, .transient),
        (CMEErrorCode(31).errorClass, .transient),
        (CMSErrorCode(311).errorClass, .configuration),
        (CMSErrorCode(9999).errorClass, .unknown),
    ])
    func classesFollowFailoverTable(actual: ModemErrorClass, expected: ModemErrorClass) {
        #expect(actual == expected)
    }

    /// Every RP-cause 0-127 has a meaning and a class, listed or not.
    @Test func everyRPCauseHasMeaning() {
        for code in 0...127 {
            #expect(!CMSErrorCode(code).meaning.isEmpty)
        }
        #expect(CMSErrorCode(2).meaning.contains("unassigned RP-cause"))
        #expect(CMSErrorCode(600).meaning.contains("manufacturer"))
    }

    /// Verbose texts map back to their numeric codes.
    @Test(arguments: [
        ("SIM busy", 14), ("sim busy", 14), ("SIM not inserted", 10), ("incorrect password", 16),
        ("no network service", 30),
    ])
    func verboseCMEMapsBack(text: String, code: Int) {
        #expect(CMEErrorCode(verbose: text)?.code == code)
    }

    /// Verbose CMS texts map back to their numeric codes.
    @Test(arguments: [
        ("SMSC address unknown", 330), ("no network service", 331), ("unknown error", 500), ("SIM busy", 314),
    ])
    func verboseCMSMapsBack(text: String, code: Int) {
        #expect(CMSErrorCode(verbose: text)?.code == code)
    }
}
